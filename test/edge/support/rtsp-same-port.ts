// The RTSP fixture picks a fresh port per server; a camera that comes back must come back on its
// old address, so this restarts test/fixtures/rtsp_server.py on a given port.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RingBuffer, captureOutput, outputMatcher, stopChild, track, waitFor } from '../../fixtures/process.ts';

const SCRIPT = fileURLToPath(new URL('../../fixtures/rtsp_server.py', import.meta.url));

export async function startRtspOnPort(port: number, video: string): Promise<{ stop(): Promise<void>; logs(): string }> {
  const logs = new RingBuffer();
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const proc = spawn(python, [SCRIPT, String(port), video, '/stream'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });
  track(proc);
  captureOutput(proc, logs);
  const ready = outputMatcher(proc.stdout, /^READY\b/m);
  try {
    await waitFor(
      () => {
        if (proc.exitCode !== null) throw new Error(`rtsp_server.py exited (${proc.exitCode}):\n${logs.toString()}`);
        return ready();
      },
      { timeoutMs: 15_000, what: `RTSP server on port ${port}` },
    );
  } catch (err) {
    await stopChild(proc, { graceMs: 1000 });
    throw err;
  }
  return { stop: () => stopChild(proc), logs: () => logs.toString() };
}
