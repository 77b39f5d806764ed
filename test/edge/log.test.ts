import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { redactArgv, redactText, redactUrl } from '../../edge/log.ts';

describe('credential redaction', () => {
  it('hides the user and password of an RTSP URL', () => {
    expect(redactUrl('rtsp://admin:s3cret@10.0.0.5:554/Streaming/Channels/101')).toBe(
      'rtsp://***:***@10.0.0.5:554/Streaming/Channels/101',
    );
  });

  it('hides credential query parameters and keeps the others', () => {
    expect(redactUrl('rtsp://10.0.0.5/live?user=admin&password=s3cret&channel=1')).toBe(
      'rtsp://10.0.0.5/live?user=***&password=***&channel=1',
    );
  });

  it('leaves text that is not a URL alone', () => {
    expect(redactArgv(['-rtsp_transport', 'tcp', '-i', 'rtsp://a:b@h/s'])).toEqual([
      '-rtsp_transport',
      'tcp',
      '-i',
      'rtsp://***:***@h/s',
    ]);
  });

  it("redacts URLs inside ffmpeg's stderr, which echoes its input", () => {
    const stderr =
      "Input #0, rtsp, from 'rtsp://admin:s3cret@cam/stream':\n[tcp @ 0x1] Connection to tcp://cam:554 failed";
    const out = redactText(stderr);
    expect(out).not.toContain('s3cret');
    expect(out).toContain("from 'rtsp://***:***@cam/stream'");
  });

  it('never prints a password field through the logger', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, cb) => (lines.push(String(chunk)), cb()) });
    // Same redact paths as createLogger, on a capturable stream.
    const log = pino({ redact: { paths: ['password', '*.password'], censor: '***' } }, sink);
    log.info({ mqtt: { password: 'hunter2' } }, 'connecting');
    expect(lines.join('')).not.toContain('hunter2');
  });
});
