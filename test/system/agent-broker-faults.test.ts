// Whole-system faults around one real agent: a Mosquitto broker (persistent, as Debian ships it),
// a `volno server` process and a `volno edge` process with two cameras, a simulated lot and a real
// GStreamer RTSP camera pulled by ffmpeg. The processes are shared by the cases, which run in order
// and each leave the system healthy for the next (the last one kills the agent).
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTopic, topicFilter } from '../../protocol/index.ts';
import { startMosquitto, type MosquittoHandle } from '../fixtures/mosquitto.ts';
import { freePort, waitFor } from '../fixtures/process.ts';
import { startRtspOnPort } from '../edge/support/rtsp-same-port.ts';
import { MODEL, MODELS_DIR, SITE, slotIds, workDir, writeEdgeConfig, writeServerConfig } from './support/configs.ts';
import type { CameraSpec } from './support/configs.ts';
import { availability, metric, withDb } from './support/observe.ts';
import { keepLogs, recordFault, since } from './support/report.ts';
import { startEdge, startServer, type ServerProcess, type VolnoProcess } from './support/volno-process.ts';

const SIM: CameraSpec = { id: 'sim', slots: 8, source: 'simulated', seed: 3 };
let cam: CameraSpec;
const FILE = 'test/system/agent-broker-faults.test.ts';
const command = (name: string) => `npx vitest run ${FILE} -t "${name}"`;

let work: ReturnType<typeof workDir>;
let broker: MosquittoHandle;
let camera: { stop(): Promise<void>; logs(): string } | undefined;
let cameraPort: number;
let server: ServerProcess;
let agent: VolnoProcess;
let dataDir: string;

const known = async (c: CameraSpec) => {
  const a = await availability(server.httpUrl, `lot-${c.id}`);
  return a !== null && a.total === c.slots && a.unknown === 0;
};
const allUnknown = async (c: CameraSpec) => {
  const a = await availability(server.httpUrl, `lot-${c.id}`);
  return a !== null && a.total === c.slots && a.unknown === c.slots;
};
const agentRow = () =>
  withDb(
    dataDir,
    (db) =>
      db.prepare("SELECT status, session_id, last_seen_at FROM agents WHERE agent_id = 'agent-a'").get() as
        { status: string; session_id: string; last_seen_at: number } | undefined,
  );
const streamStatus = (cameraId: string) =>
  withDb(
    dataDir,
    (db) => db.prepare('SELECT stream_status FROM cameras WHERE camera_id = ?').pluck().get(cameraId) as string | null,
  );
/** The rows a failed case is judged by, for the kept logs. */
const dumpDb = () => {
  try {
    return withDb(dataDir, (db) =>
      ['agents', 'cameras', 'slot_state']
        .map(
          (t) =>
            `${t}:\n${db
              .prepare(`SELECT * FROM ${t}`)
              .all()
              .map((r) => JSON.stringify(r))
              .join('\n')}`,
        )
        .join('\n'),
    );
  } catch (err) {
    return String(err);
  }
};

/** Runs a case; on failure the error carries the tail of the logs, and the whole logs are kept. */
async function withLogs(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    const kept = keepLogs('agent-broker-faults', { agent, server, camera, broker, database: { logs: dumpDb } });
    const tail = (p: { logs(): string } | undefined) => p?.logs().slice(-3000) ?? '';
    throw new Error(
      `${(err as Error).message}\n(full logs: ${kept})\n--- agent ---\n${tail(agent)}\n--- server ---\n${tail(server)}`,
      { cause: err },
    );
  }
}

/** Fails the wait at once when a process that must survive the fault has died. */
const alive = () => {
  if (server.exited) throw server.died('the fault ran');
  if (agent.exited) throw agent.died('the fault ran');
};

describe.skipIf(!existsSync(join(MODELS_DIR, MODEL, 'model.json')))('faults around a running agent', () => {
  beforeAll(async () => {
    work = workDir('faults-agent');
    // Mosquitto started as root drops to the `mosquitto` user, which must be able to write here.
    const persistence = join(work.dir, 'mosquitto');
    mkdirSync(persistence);
    chmodSync(work.dir, 0o711);
    chmodSync(persistence, 0o777);
    broker = await startMosquitto({ configExtra: ['persistence true', `persistence_location ${persistence}/`] });
    cameraPort = await freePort();
    camera = await startRtspOnPort(cameraPort, 'testsrc');
    cam = { id: 'cam', slots: 4, source: { rtsp: `rtsp://127.0.0.1:${cameraPort}/stream` } };
    const serverConfig = writeServerConfig(work.dir, { brokerUrl: broker.url, cameras: [SIM, cam] });
    dataDir = join(work.dir, 'server-data');
    // The default full refresh (300 s) on purpose: recoveries must not lean on a periodic republish.
    // A 5 s keepalive (the least allowed) lets the broker drop a frozen agent within the test (7.5 s).
    const edgeConfig = writeEdgeConfig(work.dir, {
      agentId: 'agent-a',
      brokerUrl: broker.url,
      cameras: [SIM, cam],
      keepaliveS: 5,
      intervals: { refresh_s: 300 },
    });
    // Both start at once: each compiles the CLI through tsx, which is most of a start.
    [server, agent] = await Promise.all([startServer(serverConfig), startEdge(edgeConfig)]);
    await withLogs(
      async () =>
        void (await waitFor(async () => (alive(), (await known(SIM)) && (await known(cam))), {
          timeoutMs: 120_000,
          intervalMs: 250,
          what: 'every slot of both cameras to be known',
        })),
    );
  }, 240_000);

  afterAll(async () => {
    await Promise.allSettled([agent?.stop(), server?.stop(), camera?.stop()]);
    await broker?.stop();
    work?.cleanup();
  }, 60_000);

  it(
    'a flapping RTSP camera is reported down, then recovers three times without restarting the agent',
    () =>
      withLogs(async () => {
        const session = agentRow()?.session_id;
        const recoveries: number[] = [];
        for (let flap = 0; flap < 3; flap++) {
          await camera!.stop();
          camera = undefined;
          await waitFor(async () => (alive(), streamStatus('cam') !== 'ok' && (await allUnknown(cam))), {
            timeoutMs: 90_000,
            intervalMs: 100,
            what: `flap ${flap + 1}: the camera reported down and its slots unknown`,
          });
          // The simulated camera on the same agent is untouched by the other camera's outage.
          expect(await known(SIM)).toBe(true);
          camera = await startRtspOnPort(cameraPort, 'testsrc');
          const t0 = performance.now();
          await waitFor(async () => (alive(), streamStatus('cam') === 'ok' && (await known(cam))), {
            timeoutMs: 90_000,
            intervalMs: 100,
            what: `flap ${flap + 1}: the camera back to ok with known slots`,
          });
          recoveries.push(since(t0));
        }
        // Same process, same session: the agent reconnected ffmpeg by itself.
        expect(agentRow()?.session_id).toBe(session);
        expect(agent.logged('edge agent started')).toHaveLength(1);
        await recordFault({
          fault: 'rtsp-flapping',
          observed:
            'RTSP server stopped and restarted on the same port 3 times: each time the server showed the camera ' +
            `stream not ok and its ${cam.slots} slots unknown, the other camera stayed known, then ffmpeg reconnected ` +
            'with backoff and the stream and slots came back; same agent process and session, no crash',
          recovery_ms: Math.max(...recoveries),
          command: command('flapping'),
        });
        console.log(JSON.stringify({ rtsp_flap_recoveries_ms: recoveries }));
      }),
    300_000,
  );

  it(
    'a broker restart during streaming: both reconnect, fresh states flow and retained states survive',
    () =>
      withLogs(async () => {
        const connectedBefore = server.logged('MQTT connected').length;
        const agentConnectsBefore = agent.logged('mqtt connected').length;
        const t0 = performance.now();
        await broker.restart();
        const brokerDownMs = since(t0);
        const up = Date.now();
        const t1 = performance.now();
        await waitFor(
          () => {
            alive();
            return withDb(dataDir, (db) =>
              db.prepare('SELECT 1 FROM slot_state WHERE received_at >= ? AND source = ?').get(up, 'agent'),
            );
          },
          { timeoutMs: 90_000, intervalMs: 50, what: 'a slot state received after the restart' },
        );
        const firstFresh = since(t1);
        await waitFor(async () => (alive(), (await known(SIM)) && (await known(cam))), {
          timeoutMs: 90_000,
          intervalMs: 100,
          what: 'every slot known again',
        });
        const allKnown = since(t1);
        expect(server.logged('MQTT connected').length).toBeGreaterThan(connectedBefore);
        expect(agent.logged('mqtt connected').length).toBeGreaterThan(agentConnectsBefore);
        expect(agentRow()?.status).toBe('online');
        const sessionPresent = agent.logged('mqtt connected').at(-1)?.['sessionPresent'];
        expect(broker.logs()).not.toMatch(/Error saving in-memory database/);

        // A subscriber that arrives now learns every slot from the broker's retained copies.
        const retained = new Map<string, Buffer>();
        const sub = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0, clientId: `fault-probe-${Date.now()}` });
        try {
          sub.on('message', (topic, payload, packet) => {
            if (packet.retain) retained.set(topic, payload);
          });
          await sub.subscribeAsync(topicFilter('slot_state', { site: SITE }), { qos: 1 });
          const slots = SIM.slots + cam.slots;
          await waitFor(() => retained.size >= slots, { timeoutMs: 10_000, what: `${slots} retained slot states` });
        } finally {
          await sub.endAsync();
        }
        const expected = [SIM, cam].flatMap((c) =>
          slotIds(c).map((slot) => buildTopic('slot_state', { site: SITE, camera: c.id, slot })),
        );
        expect([...retained.keys()].sort()).toEqual(expected.sort());
        await recordFault({
          fault: 'broker-restart',
          observed:
            `Mosquitto (persistence on) stopped and restarted on the same port (down ${brokerDownMs} ms): the server ` +
            'and the agent reconnected by themselves, fresh slot states reached SQLite, every slot was known again ' +
            `after ${allKnown} ms, and a new subscriber got all ${SIM.slots + cam.slots} retained slot states ` +
            `(agent session present after restart: ${String(sessionPresent)}; the agent republishes on every reconnection)`,
          recovery_ms: firstFresh,
          command: command('broker restart'),
        });
      }),
    180_000,
  );

  it(
    'a frozen agent turns unknown by TTL, then offline by its will, and known again when it resumes; a killed one turns unknown at once',
    () =>
      withLogs(async () => {
        const ttlS = 3;
        const connects = agent.logged('mqtt connected').length;
        // SIGSTOP keeps the TCP connection open, so the broker's last will cannot fire before 1.5 x the
        // 5 s keepalive: what notices first is the server's own liveness TTL.
        agent.child.kill('SIGSTOP');
        const t0 = performance.now();
        const statusWhenUnknown = await waitFor(
          async () => (await allUnknown(SIM)) && (await allUnknown(cam)) && (agentRow()?.status ?? 'none'),
          { timeoutMs: 90_000, intervalMs: 100, what: 'slots of the frozen agent to turn unknown' },
        );
        const frozenToUnknown = since(t0);
        expect(statusWhenUnknown).toBe('silent');
        await waitFor(() => agentRow()?.status === 'offline', {
          timeoutMs: 90_000,
          intervalMs: 100,
          what: 'the broker to publish the frozen agent’s will',
        });
        const willAfter = since(t0);
        agent.child.kill('SIGCONT');
        const t1 = performance.now();
        await waitFor(async () => (alive(), (await known(SIM)) && (await known(cam))), {
          timeoutMs: 90_000,
          intervalMs: 100,
          what: 'slots known again after SIGCONT',
        });
        const resumed = since(t1);
        expect(agentRow()?.status).toBe('online');
        expect(agent.logged('mqtt connected').length).toBeGreaterThan(connects);
        await recordFault({
          fault: 'agent-frozen-ttl',
          observed:
            `agent process stopped with SIGSTOP (connection open, so no will yet): its ${SIM.slots + cam.slots} slots ` +
            `turned unknown after ${frozenToUnknown} ms by the server's TTL (agent_ttl_s ${ttlS}, sweep 0.5 s), agent ` +
            `status silent; the broker published its will after ${willAfter} ms (keepalive 5 s); after SIGCONT the ` +
            `agent reconnected and republished, and all slots were known again in ${resumed} ms`,
          recovery_ms: resumed,
          command: command('frozen agent'),
        });

        const rejectedBefore = await metric(server.httpUrl, 'volno_ingest_rejected_total');
        agent.child.kill('SIGKILL');
        const t2 = performance.now();
        await waitFor(async () => (await allUnknown(SIM)) && (await allUnknown(cam)), {
          timeoutMs: 90_000,
          intervalMs: 50,
          what: 'slots of the killed agent to turn unknown',
        });
        const killedToUnknown = since(t2);
        const status = agentRow()?.status;
        expect(['offline', 'silent']).toContain(status);
        expect(server.exited).toBe(false);
        expect(await metric(server.httpUrl, 'volno_ingest_rejected_total')).toBe(rejectedBefore);
        await recordFault({
          fault: 'agent-killed',
          observed:
            `agent process killed with SIGKILL: its ${SIM.slots + cam.slots} slots showed unknown in the availability ` +
            `API after ${killedToUnknown} ms (TTL ${ttlS} s); agent status ${status} ` +
            `(${status === 'offline' ? 'the broker published its last will as soon as the socket closed' : 'by TTL'})`,
          recovery_ms: killedToUnknown,
          command: command('killed one'),
        });
      }),
    180_000,
  );
});
