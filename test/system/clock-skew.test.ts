// Agents whose clocks are wrong: two real `volno edge` processes run under libfaketime (Debian's
// `faketime`), one 10 minutes ahead of the server, one 10 minutes behind, each with a simulated
// camera, against one real server and Mosquitto.
//
// The rule in server/ingest/validate.ts: a timestamp more than `ingest.future_tolerance_s` (30 s)
// ahead of the server clock is rejected (counted as `future_timestamp`, logged); there is no
// lower bound, because late messages are normal after an outage. Liveness is timed by the server's
// own receive time, so a slow agent clock does not make an agent look silent.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { test } from '../fixtures/index.ts';
import { waitFor } from '../fixtures/process.ts';
import { MODEL, MODELS_DIR, workDir, writeEdgeConfig, writeServerConfig, type CameraSpec } from './support/configs.ts';
import { availability, metric, slotStates, withDb } from './support/observe.ts';
import { recordFault, since } from './support/report.ts';
import { startEdge, startServer, type ServerProcess, type VolnoProcess } from './support/volno-process.ts';

/** Debian's libfaketime (package `faketime`), preloaded into node itself. */
const LIBFAKETIME = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu']
  .map((d) => join(d, 'faketime/libfaketime.so.1'))
  .find((f) => existsSync(f));
const SKEW_S = 600;
const AHEAD: CameraSpec = { id: 'ahead', slots: 4, source: 'simulated', seed: 5 };
const BEHIND: CameraSpec = { id: 'behind', slots: 4, source: 'simulated', seed: 6 };
const COMMAND = 'npx vitest run test/system/clock-skew.test.ts';

/**
 * Runs node with its wall clock `offsetS` seconds off; monotonic clocks stay real, so timers do too.
 * LD_PRELOAD rather than the `faketime` wrapper: the wrapper forks, so killing it orphans node.
 */
const skewed = (offsetS: number) => ({
  env: {
    LD_PRELOAD: LIBFAKETIME!,
    FAKETIME: `${offsetS >= 0 ? '+' : ''}${offsetS}s`,
    FAKETIME_DONT_FAKE_MONOTONIC: '1',
  },
});

describe('agents with skewed clocks', () => {
  test('a clock 10 min ahead is rejected as future_timestamp, counted and logged; one 10 min behind is accepted; the server keeps serving', async ({
    mosquitto,
    skip,
  }) => {
    if (!existsSync(join(MODELS_DIR, MODEL, 'model.json'))) return skip(`model ${MODEL} is not built`);
    if (LIBFAKETIME === undefined) {
      const why = 'libfaketime is missing: apt-get install faketime (scripts/system-packages.txt)';
      if (process.env['CI'] === 'true') throw new Error(why);
      return skip(why);
    }
    const work = workDir('faults-skew');
    const dataDir = join(work.dir, 'server-data');
    const config = writeServerConfig(work.dir, { brokerUrl: mosquitto.url, cameras: [AHEAD, BEHIND] });
    const edge = (id: string, cam: CameraSpec) =>
      writeEdgeConfig(work.dir, { agentId: id, brokerUrl: mosquitto.url, cameras: [cam] });
    let server: ServerProcess | undefined;
    let ahead: VolnoProcess | undefined;
    let behind: VolnoProcess | undefined;
    try {
      const t0 = performance.now();
      [server, ahead, behind] = await Promise.all([
        startServer(config),
        startEdge(edge('agent-ahead', AHEAD), { name: 'agent ahead', ...skewed(SKEW_S) }),
        startEdge(edge('agent-behind', BEHIND), { name: 'agent behind', ...skewed(-SKEW_S) }),
      ]);
      const url = server.httpUrl;
      const alive = () => {
        for (const p of [server!, ahead!, behind!]) if (p.exited) throw p.died('clocks were skewed');
      };

      // Behind: accepted, and its slots become known.
      await waitFor(async () => (alive(), (await availability(url, 'lot-behind'))?.unknown === 0), {
        timeoutMs: 60_000,
        intervalMs: 200,
        what: 'the slots of the agent behind to be known',
      });
      const behindKnown = since(t0);
      const lag = slotStates(dataDir)
        .filter((r) => r.camera_id === 'behind')
        .map((r) => r.received_at - r.observed_at);
      for (const l of lag) expect(l).toBeGreaterThan((SKEW_S - 60) * 1000);
      const behindStatus = withDb(
        dataDir,
        (db) => db.prepare("SELECT status FROM agents WHERE agent_id = 'agent-behind'").pluck().get() as string,
      );
      expect(behindStatus).toBe('online');

      // Ahead: every timestamped message is rejected, counted and logged with its reason.
      const rejected = await waitFor(
        async () => (alive(), await metric(url, 'volno_ingest_rejected_total', { reason: 'future_timestamp' })),
        { timeoutMs: 30_000, intervalMs: 200, what: 'future_timestamp rejections' },
      );
      const line = await server.waitForLog(
        'MQTT message rejected',
        (l) => l['reason'] === 'future_timestamp' && String(l['topic']).includes('ahead'),
      );
      expect(String(line['detail'])).toMatch(/s beyond the tolerated clock skew/);
      expect(await availability(url, 'lot-ahead')).toMatchObject({ total: AHEAD.slots, unknown: AHEAD.slots });
      expect(slotStates(dataDir).filter((r) => r.camera_id === 'ahead')).toEqual([]);
      expect(((await (await fetch(`${url}/healthz`)).json()) as { status: string }).status).toBe('ok');
      expect(await availability(url, 'lot-behind')).toMatchObject({ unknown: 0 });
      alive();

      await recordFault({
        fault: 'clock-skew',
        observed:
          `agent clock +${SKEW_S} s (libfaketime): every timestamped message rejected as future_timestamp ` +
          `(volno_ingest_rejected_total{reason="future_timestamp"} = ${rejected} when first seen, rejection logged ` +
          `with topic and "${String(line['detail'])}"), its slots stay unknown, nothing of it stored; agent clock ` +
          `-${SKEW_S} s: accepted (no lower bound), its slots known ${behindKnown} ms after start with ` +
          `observed_at ~${SKEW_S} s before received_at, status online (liveness uses the server's receive time); ` +
          'the server kept serving throughout',
        recovery_ms: null,
        command: COMMAND,
      });
    } finally {
      await Promise.allSettled([ahead?.stop(), behind?.stop(), server?.stop()]);
      work.cleanup();
    }
  }, 240_000);
});
