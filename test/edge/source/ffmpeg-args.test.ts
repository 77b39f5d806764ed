import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { SourceConfig } from '../../../edge/config/schema.ts';
import { buildFfmpegArgs, parseOutputSize } from '../../../edge/source/ffmpeg-args.ts';
import { requireDataset } from '../../support/datasets.ts';
import { UFPR05_VIDEO } from '../support/ufpr05.ts';

const rtsp: SourceConfig = { type: 'rtsp', url: 'rtsp://u:p@cam/s', loop: true, keyframes_only: false, timeout_s: 10 };

describe('ffmpeg arguments', () => {
  it('pull RTSP over TCP with an I/O timeout and write raw RGB at the sample rate', () => {
    const args = buildFfmpegArgs({ source: rtsp, sampleRateFps: 1 });
    expect(args.join(' ')).toContain(
      '-rtsp_transport tcp -timeout 10000000 -analyzeduration 1000000 -probesize 1000000 -i rtsp://u:p@cam/s',
    );
    expect(args.join(' ')).toContain(
      "-vf select='isnan(prev_selected_t)+gte(t-prev_selected_t\\,0.9800)' -fps_mode vfr",
    );
    expect(args.slice(-5)).toEqual(['-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1']);
    expect(args).not.toContain('-nostdin'); // stdin carries the polite `q`
  });

  it('decode keyframes only when asked, as an input option', () => {
    const args = buildFfmpegArgs({ source: { ...rtsp, keyframes_only: true }, sampleRateFps: 1 });
    expect(args.indexOf('-skip_frame')).toBeLessThan(args.indexOf('-i'));
  });

  it('replay a file in real time, looping, scaled when a size is given', () => {
    const args = buildFfmpegArgs({
      source: {
        type: 'file',
        path: '/v.mp4',
        loop: true,
        keyframes_only: false,
        timeout_s: 10,
        width: 640,
        height: 360,
      },
      sampleRateFps: 2,
    }).join(' ');
    expect(args).toContain('-re -stream_loop -1 -i /v.mp4');
    expect(args).toContain(',scale=640:360');
  });

  it("read the frame size from the output stream in ffmpeg's real stderr, not the input's", (ctx) => {
    const video = requireDataset(ctx, UFPR05_VIDEO);
    const args = buildFfmpegArgs({
      source: { type: 'file', path: video, loop: false, keyframes_only: false, timeout_s: 10, width: 320, height: 180 },
      sampleRateFps: 2,
    }).filter((a) => a !== '-re');
    const r = spawnSync('ffmpeg', ['-nostdin', ...args.slice(0, -1), '-frames:v', '1', '-y', '/dev/null'], {
      encoding: 'utf8',
    });
    expect(r.stderr).toContain('1280x720'); // the input
    expect(parseOutputSize(r.stderr)).toEqual({ width: 320, height: 180 });
  });
});
