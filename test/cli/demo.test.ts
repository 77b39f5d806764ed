import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { freePort, RingBuffer, stopChild, track, waitFor } from '../fixtures/process.ts';

const bin = fileURLToPath(new URL('../../bin/volno.mjs', import.meta.url));

interface Availability {
  total: number;
  free: number;
  occupied: number;
  unknown: number;
}

describe('volno demo (what npm start runs)', () => {
  it('brings up server, embedded broker and a simulated camera whose counts change through the real pipeline', async () => {
    const data = mkdtempSync(join(tmpdir(), 'volno-demo-'));
    const port = await freePort();
    const logs = new RingBuffer();
    const child = spawn(process.execPath, [bin, 'demo', '--port', String(port), '--data', data], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    track(child);
    child.stdout.on('data', (d: Buffer) => logs.push(d));
    child.stderr.on('data', (d: Buffer) => logs.push(d));
    const url = `http://127.0.0.1:${port}/api/v1/lots/demo/availability`;
    const read = async (): Promise<Availability | null> => {
      if (child.exitCode !== null) throw new Error(`demo exited early:\n${logs.toString()}`);
      try {
        const res = await fetch(url);
        return res.ok ? ((await res.json()) as Availability) : null;
      } catch {
        return null;
      }
    };
    try {
      const first = await waitFor(
        async () => {
          const a = await read();
          return a && a.unknown === 0 ? a : null;
        },
        { timeoutMs: 90_000, what: 'every demo slot to get a known state' },
      );
      expect(first.total).toBe(40);
      expect(first.free + first.occupied).toBe(40);
      // Cars come and go every few seconds in the simulation; the count must follow within a minute.
      await waitFor(
        async () => {
          const a = await read();
          return a !== null && a.unknown === 0 && a.free !== first.free;
        },
        { timeoutMs: 60_000, intervalMs: 500, what: 'the free count to change' },
      );
      child.kill('SIGTERM');
      const code = await new Promise<number | null>((ok) => child.once('exit', (c) => ok(c)));
      expect(code).toBe(0);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- demo output ---\n${logs.toString().slice(-4000)}`, {
        cause: err,
      });
    } finally {
      await stopChild(child);
      rmSync(data, { recursive: true, force: true });
    }
  });
});
