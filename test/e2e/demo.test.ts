// The README's first command, in a browser: `npm start` runs `node bin/volno.mjs demo` after its
// bootstrap (package.json "start"/"prestart"); this test runs that command and watches the public
// page in Debian's Chromium until the free count changes. test/cli/demo.test.ts covers the same
// command through the API; this one covers what a newcomer sees.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { freePort, outputMatcher, RingBuffer, stopChild, track, waitFor } from '../fixtures/process.ts';
import { launchChromium } from '../support/chromium.ts';

const BIN = fileURLToPath(new URL('../../bin/volno.mjs', import.meta.url));

// Debian's Chromium with the flags measured in shared/STACK.md; never a downloaded browser.

// Callbacks given to page.waitForFunction run in the browser; the project is type-checked without
// the DOM library, so the little they use is declared here.
declare const window: Record<string, unknown>;
declare const document: { querySelector(selector: string): { textContent: string | null } | null };

/** Direct children of `pid` (the demo's server and edge agent), from /proc. */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the parenthesised command name: state, ppid, …
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return out;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('the README quick start in a browser', () => {
  it('shows the demo car park in Chromium and its free count changes on the open page within a minute', async () => {
    const data = mkdtempSync(join(tmpdir(), 'volno-e2e-demo-'));
    const port = await freePort();
    const logs = new RingBuffer();
    const demo = spawn(process.execPath, [BIN, 'demo', '--port', String(port), '--data', data], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    track(demo);
    const ready = outputMatcher(demo.stdout, /Volno demo is running: open http:\/\/127\.0\.0\.1:\d+\//);
    demo.stdout.on('data', (d: Buffer) => logs.push(d));
    demo.stderr.on('data', (d: Buffer) => logs.push(d));
    let browser: Browser | undefined;
    let spawned: number[] = [];
    try {
      await waitFor(
        () => {
          if (demo.exitCode !== null) throw new Error('the demo exited before it was ready');
          return ready();
        },
        { timeoutMs: 90_000, intervalMs: 200, what: 'the demo to say it is running' },
      );
      // Only the demo's own parts: tsx's loader may also run an esbuild service process beside them
      // (when its transform cache is cold), which is not part of the system under test.
      spawned = childrenOf(demo.pid!).filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('volno.mjs');
        } catch {
          return false;
        }
      });
      expect(spawned, 'the demo runs a server and an edge agent').toHaveLength(2);

      browser = await launchChromium();
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${port}/?lang=en`);
      const lot = 'section[data-lot="demo"]';
      await page.locator(`${lot} [data-free]`).waitFor({ timeout: 10_000 });
      // Set once; a reload would lose it, so at the end it proves the page updated itself.
      await page.evaluate(() => (window['volnoE2e'] = 1));

      // The simulated camera needs a few frames before every slot is known.
      await page.waitForFunction((sel) => document.querySelector(`${sel} [data-unknown]`)?.textContent === '0', lot, {
        polling: 250,
        timeout: 90_000,
      });
      const first = Number(await page.locator(`${lot} [data-free]`).textContent());
      expect(Number.isInteger(first)).toBe(true);
      expect(await page.locator(`${lot} [data-total]`).textContent()).toMatch(/40/);

      // Cars arrive and leave every few seconds in the simulation: the count must follow within a minute.
      await page.waitForFunction(
        ([sel, was]) => {
          const free = document.querySelector(`${sel} [data-free]`)?.textContent;
          const unknown = document.querySelector(`${sel} [data-unknown]`)?.textContent;
          return free !== undefined && free !== null && unknown === '0' && Number(free) !== was;
        },
        [lot, first] as const,
        { polling: 250, timeout: 60_000 },
      );
      expect(await page.evaluate(() => window['volnoE2e'])).toBe(1);
      await browser.close();
      browser = undefined;

      const exited = new Promise<number | null>((ok) => demo.once('exit', (code) => ok(code)));
      demo.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(spawned.filter(alive), 'the server and agent stopped with the demo').toEqual([]);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- demo output ---\n${logs.toString().slice(-4000)}`, {
        cause: err,
      });
    } finally {
      await browser?.close();
      await stopChild(demo);
      for (const pid of spawned.filter(alive)) process.kill(pid, 'SIGKILL');
      rmSync(data, { recursive: true, force: true });
    }
  }, 240_000);
});
