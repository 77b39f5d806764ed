import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SourceConfig } from '../../../edge/config/schema.ts';
import { FfmpegSource, type FfmpegSourceOptions } from '../../../edge/source/ffmpeg-source.ts';
import type { SourceStatus } from '../../../edge/source/types.ts';
import { requireDataset } from '../../support/datasets.ts';
import { captureLog } from '../support/capture-log.ts';
import { UFPR05_VIDEO } from '../support/ufpr05.ts';
import { isAlive, waitFor } from '../support/wait.ts';

const sources: FfmpegSource[] = [];
afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.stop()));
});

function start(source: SourceConfig, extra: Partial<FfmpegSourceOptions> = {}) {
  const frames: { index: number; width: number; height: number; first: number }[] = [];
  const statuses: [SourceStatus, string | undefined][] = [];
  const { log, text } = captureLog();
  const src = new FfmpegSource({
    source,
    sampleRateFps: 2,
    stallTimeoutS: 10,
    reconnect: { initial_s: 0.05, max_s: 0.2 },
    log,
    listener: {
      onFrame: (f) => frames.push({ index: f.index, width: f.width, height: f.height, first: f.data[0]! }),
      onStatus: (s, d) => statuses.push([s, d]),
    },
    grace: { quitMs: 1000, termMs: 1000 },
    ...extra,
  });
  sources.push(src);
  return { src, frames, statuses, logText: text };
}

/** A stand-in ffmpeg: a real child process that behaves as the script says. */
function fakeFfmpeg(body: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'volno-fake-ffmpeg-'));
  const file = join(dir, 'ffmpeg');
  const header =
    "Output #0, rawvideo, to 'pipe:1':\\n  Stream #0:0: Video: rawvideo (RGB[24] / 0x18424752), rgb24, 2x2, q=2-31\\n";
  writeFileSync(file, `#!/bin/sh\nprintf "${header}" >&2\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

const fileSource = (path: string): SourceConfig => ({
  type: 'file',
  path,
  loop: true,
  keyframes_only: false,
  timeout_s: 5,
});

describe('the ffmpeg frame source', () => {
  it('delivers frames of the video file at its real size and stops ffmpeg politely', async (ctx) => {
    const video = requireDataset(ctx, UFPR05_VIDEO);
    const { src, frames, statuses } = start(fileSource(video));
    await src.start();
    await waitFor(() => frames.length >= 2, { timeoutMs: 20_000, what: 'two frames' });
    const pid = src.ffmpegPid;
    expect(frames[0]).toMatchObject({ index: 1, width: 1280, height: 720 });
    expect(statuses[0]?.[0]).toBe('ok');
    await src.stop();
    expect(isAlive(pid)).toBe(false);
  });

  it('reports a camera it cannot reach as down, retries with backoff, and keeps credentials out of the log', async () => {
    const rtsp: SourceConfig = {
      type: 'rtsp',
      url: 'rtsp://admin:s3cret@127.0.0.1:9/stream',
      loop: true,
      keyframes_only: false,
      timeout_s: 2,
    };
    const { src, statuses, logText } = start(rtsp);
    await src.start();
    await waitFor(() => src.counters.reconnectsTotal >= 2, { timeoutMs: 20_000, what: 'two reconnects' });
    expect(statuses[0]).toEqual(['down', expect.stringMatching(/^cannot open source: /)]);
    expect(logText()).toContain('rtsp://***:***@127.0.0.1:9/stream');
    expect(logText()).not.toContain('s3cret');
  });

  it('restarts a stream that stops delivering frames (stall watchdog)', async () => {
    // One 2x2 frame, then silence while still running: the shape of a hung camera.
    const ffmpeg = fakeFfmpeg("printf 'AAAAAAAAAAAA'\nexec sleep 30");
    const { src, frames, statuses } = start(fileSource('/dev/null'), { ffmpegPath: ffmpeg, stallTimeoutS: 1 });
    await src.start();
    await waitFor(() => src.counters.reconnectsTotal >= 1 && frames.length >= 2, {
      timeoutMs: 15_000,
      what: 'a restart after a stall',
    });
    expect(statuses).toContainEqual(['stalled', 'no frame for 1 s; reconnecting']);
    expect(frames[0]).toMatchObject({ width: 2, height: 2, first: 65 });
  });

  it('escalates to SIGKILL when ffmpeg ignores q and SIGTERM', async () => {
    const ffmpeg = fakeFfmpeg("trap '' TERM\nprintf 'AAAAAAAAAAAA'\nwhile :; do sleep 0.1; done");
    const { src, frames } = start(fileSource('/dev/null'), { ffmpegPath: ffmpeg, grace: { quitMs: 200, termMs: 200 } });
    await src.start();
    await waitFor(() => frames.length >= 1, { timeoutMs: 10_000, what: 'a frame' });
    const pid = src.ffmpegPid;
    await src.stop();
    expect(isAlive(pid)).toBe(false);
  });

  it('counts a frame cut short by the end of the stream as corrupt and carries on', async () => {
    const ffmpeg = fakeFfmpeg("printf 'AAAAAAAAAAAABBBBBB'");
    const { src, frames } = start(fileSource('/dev/null'), { ffmpegPath: ffmpeg });
    await src.start();
    await waitFor(() => src.counters.corruptTotal >= 2, { timeoutMs: 10_000, what: 'two corrupt frames' });
    expect(frames.every((f) => f.first === 65)).toBe(true);
  });
});
