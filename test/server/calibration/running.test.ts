// Issue 15, one source of truth for calibration: a real edge agent (simulated camera, real model)
// started from a calibration file, the real server with its embedded broker, SQLite on disk.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CalibrationDocument } from '../../../calibration/index.ts';
import { layoutLot } from '../../../edge/simulator/lot.ts';
import { simulatedCalibration } from '../../../edge/simulator/calibration.ts';
import { calibrationDigest } from '../../../protocol/calibration-digest.ts';
import {
  buildTopic,
  calibrationContent,
  encodeMessage,
  type CalibrationPayload,
  type CalibrationRunningPayload,
} from '../../../protocol/index.ts';
import { waitFor } from '../../fixtures/process.ts';
import { launchChromium } from '../../support/chromium.ts';
import { captureLog } from '../../edge/support/capture-log.ts';
import { MODELS_DIR, startAgent, type RunningAgent } from '../../edge/support/agent.ts';
import { PREFIX, SITE } from '../support/messages.ts';
import { publisher, startTestServer, type TestServer } from '../support/server.ts';
import { API, call, logInStaff, type Staff } from './support.ts';

const MODEL = 'volno-slotnet-v1';
const CAMERA = 'sim-1';
const modelBuilt = existsSync(join(MODELS_DIR, MODEL, 'model.json'));

// The file the agent is installed with: the simulated lot's 8 bays, as the demo writes it.
const fileA = simulatedCalibration(layoutLot(8, 4), CAMERA);
// The same file after someone on site removed the last two bays.
const fileB: CalibrationPayload = { ...fileA, slots: fileA.slots.slice(0, 6) };
const hashOf = (c: CalibrationPayload) => calibrationDigest(calibrationContent(c));

const logs = captureLog('info');
let s: TestServer;
let staff: Staff;
let home: string;
let agent: RunningAgent | undefined;

beforeAll(async () => {
  s = await startTestServer(
    {
      lots: [
        {
          lot_id: 'demo',
          name: 'Demo',
          cameras: [
            {
              camera_id: CAMERA,
              agent_id: 'agent-1',
              // What only the server knows about the bays: their labels and types.
              slots: fileA.slots.map((x, i) => ({
                slot_id: x.slot_id,
                label: `P${i + 1}`,
                ...(i === 1 && { type: 'ev' }),
              })),
            },
          ],
        },
      ],
    },
    { logger: logs.log },
  );
  staff = await logInStaff(s.app);
  home = mkdtempSync(join(tmpdir(), 'volno-running-'));
});
afterEach(async () => {
  await agent?.stop();
  agent = undefined;
});
afterAll(async () => {
  await s.stop();
  rmSync(home, { recursive: true, force: true });
});

/** Starts the agent with `file` as its calibration file and `state` as its state folder. */
async function startWith(file: CalibrationPayload, state = 'state'): Promise<RunningAgent> {
  const path = join(home, 'sim-1.calibration.json');
  writeFileSync(path, JSON.stringify(file, null, 2));
  agent = await startAgent(`
version: 1
site_id: ${SITE}
agent_id: agent-1
models_dir: ${MODELS_DIR}
state_dir: ${join(home, state)}
intervals: { heartbeat_s: 1, stats_s: 5, refresh_s: 60 }
mqtt: { url: "${s.mqttUrl}", reconnect_period_s: 0.2 }
cameras:
  - id: ${CAMERA}
    source: { type: simulated, simulation: { slots: 8, per_row: 4, seed: 3 } }
    sample_rate_fps: 2
    model: ${MODEL}
    calibration: { file: ${path} }
`);
  return agent;
}

const get = (url: string) => call(s.app, staff.viewer, { method: 'GET', url: `${API}${url}` });
const post = (url: string, payload: object = {}) =>
  call(s.app, staff.operator, { method: 'POST', url: `${API}${url}`, payload });

interface VersionJson {
  version: number;
  note: string;
  status: string;
  origin: string;
  content_sha256: string | null;
}
const versions = async (): Promise<VersionJson[]> => (await get(`/cameras/${CAMERA}/calibrations`)).json();
const cameraEntry = async () =>
  ((await get('/cameras')).json() as { camera_id: string }[]).find((c) => c.camera_id === CAMERA) as unknown as Record<
    string,
    unknown
  > & { running: { origin: string; sha256: string; server_version: number | null; reported_at: string } | null };
const documentOf = async (v: number): Promise<CalibrationDocument> =>
  (await get(`/cameras/${CAMERA}/calibrations/${v}`)).json().document;

/** Waits until the server has processed a running report newer than `after` that satisfies `ok`. */
async function reported(
  ok: (r: NonNullable<Awaited<ReturnType<typeof cameraEntry>>['running']>) => boolean,
  after = '',
) {
  return waitFor(
    async () => {
      const r = (await cameraEntry()).running;
      return r !== null && r.reported_at > after && ok(r) ? r : null;
    },
    { timeoutMs: 30_000, intervalMs: 100, what: 'the agent’s running-calibration report' },
  );
}

describe.runIf(modelBuilt)('one source of truth for calibration, with a real agent and server', () => {
  it('opens a camera started from its calibration file in the editor with that file’s slots', async () => {
    const a = await startWith(fileA);
    expect(a.agent.cameras.get(CAMERA)!.calibrationVersion).toBe(1);
    await reported((r) => r.origin === 'file' && r.server_version === 1);

    const list = await versions();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      version: 1,
      origin: 'agent_file',
      status: 'applied',
      content_sha256: hashOf(fileA),
      note: `from the agent's file (sha256 ${hashOf(fileA).slice(0, 12)})`,
    });
    // What the editor loads (ui/calibration-editor/main.ts opens the newest version).
    const doc = await documentOf(1);
    expect(doc.slots.map((x) => x.id)).toEqual(fileA.slots.map((x) => x.slot_id));
    expect(doc.slots.map((x) => x.polygon)).toEqual(fileA.slots.map((x) => x.polygon));
    expect(doc.slots.slice(0, 2)).toMatchObject([
      { label: 'P1', type: 'standard' },
      { label: 'P2', type: 'ev' },
    ]);
    expect(await cameraEntry()).toMatchObject({ latest_version: 1, applied_version: 1, published_version: null });
    // And in Chromium: the editor page draws the file's eight outlines.
    const browser = await launchChromium();
    try {
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      await context.addCookies([{ name: staff.viewer.name, value: staff.viewer.value, url: s.httpUrl }]);
      const page = await context.newPage();
      await page.goto(`${s.httpUrl}/staff/calibration/${CAMERA}`);
      await page.locator('#editor[data-ready="true"]').waitFor();
      expect(await page.locator('#canvas polygon[data-slot]').count()).toBe(fileA.slots.length);
    } finally {
      await browser.close();
    }

    // The same file again (the demo rewrites it at every start, with a new issue time): nothing new.
    const before = (await cameraEntry()).running!.reported_at;
    await a.stop();
    await startWith({ ...fileA, issued_at: new Date(Date.now() + 1000).toISOString() });
    await reported((r) => r.origin === 'file', before);
    expect(await versions()).toHaveLength(1);
  });

  it('records the agent’s changed file as a new version while staff have published none', async () => {
    const before = (await cameraEntry()).running!.reported_at;
    await startWith(fileB);
    await reported((r) => r.origin === 'file' && r.sha256 === hashOf(fileB), before);
    const list = await versions();
    expect(list.map((v) => [v.version, v.origin, v.content_sha256])).toEqual([
      [2, 'agent_file', hashOf(fileB)],
      [1, 'agent_file', hashOf(fileA)],
    ]);
    expect((await documentOf(2)).slots.map((x) => x.id)).toEqual(fileB.slots.map((x) => x.slot_id));
    expect(await cameraEntry()).toMatchObject({ latest_version: 2, applied_version: 2 });
    // The public catalog follows what the camera runs.
    const lot = (await s.app.inject({ url: '/api/v1/lots/demo/slots' })).json();
    expect(lot.slots.map((x: { slot_id: string }) => x.slot_id)).toEqual(fileB.slots.map((x) => x.slot_id));
  });

  it('refuses, counts and logs forged, oversized and mismatched-hash reports, and records none of them', async () => {
    const client: MqttClient = await publisher(s.mqttUrl);
    const topic = buildTopic('calibration_running', { site: SITE, camera: CAMERA }, PREFIX);
    const forgedContent = calibrationContent({ ...fileA, slots: fileA.slots.slice(0, 3) });
    const report = (over: Partial<CalibrationRunningPayload>): CalibrationRunningPayload => ({
      agent_id: 'agent-1',
      session_id: 'hostile-session-1',
      seq: 0,
      sent_at: new Date().toISOString(),
      camera_id: CAMERA,
      origin: 'file',
      version: 1,
      issued_at: fileA.issued_at,
      sha256: calibrationDigest(forgedContent),
      calibration: forgedContent,
      ...over,
    });
    const rejected = (reason: string) => s.app.volno.metrics.rejected.get({ reason });
    const base = { agent: rejected('agent_mismatch'), hash: rejected('hash_mismatch'), big: rejected('too_large') };
    try {
      // Another agent's report on this camera, with a hash that fits its content.
      await client.publishAsync(topic, encodeMessage('calibration_running', report({ agent_id: 'agent-2' })), {
        qos: 1,
      });
      // The right agent, but the hash of another content.
      await client.publishAsync(topic, encodeMessage('calibration_running', report({ sha256: hashOf(fileA) })), {
        qos: 1,
      });
      // Over the topic's 2 MiB, padded where the schema would refuse it anyway.
      const big = JSON.stringify({ ...report({}), padding: 'x'.repeat(4 * 1024 * 1024) });
      await client.publishAsync(topic, big, { qos: 1 });
    } finally {
      await client.endAsync();
    }
    await waitFor(
      () =>
        rejected('agent_mismatch') === base.agent + 1 &&
        rejected('hash_mismatch') === base.hash + 1 &&
        rejected('too_large') === base.big + 1,
      { timeoutMs: 10_000, intervalMs: 50, what: 'three rejections' },
    );
    const lines = logs
      .entries()
      .filter((e) => e['msg'] === 'MQTT message rejected' && e['kind'] === 'calibration_running');
    expect(lines.map((e) => e['reason']).sort()).toEqual(['agent_mismatch', 'hash_mismatch', 'too_large']);
    expect(lines.find((e) => e['reason'] === 'hash_mismatch')!['detail']).toMatch(/is not the hash of \/calibration/);
    expect(await versions()).toHaveLength(2);
  });

  it('keeps a version published in the editor in force when the agent restarts with its old file', async () => {
    let before = (await cameraEntry()).running!.reported_at;
    await startWith(fileB);
    await reported((r) => r.origin === 'file' && r.server_version === 2, before);
    // Staff edit the recorded version in the editor (the two removed bays drawn back) and publish it.
    const drawn = await documentOf(1);
    drawn.slots = drawn.slots.map((x, i) => ({ ...x, label: `Q${i + 1}` }));
    const saved = await post(`/cameras/${CAMERA}/calibrations`, {
      document: drawn,
      note: 'relabelled',
      base_version: 2,
    });
    expect(saved.statusCode).toBe(201);
    const published = saved.json().version as number;
    expect(published).toBe(3);
    expect((await post(`/cameras/${CAMERA}/calibrations/${published}/publish`)).statusCode).toBe(202);
    await waitFor(
      async () => (await get(`/cameras/${CAMERA}/calibrations/${published}/ack`)).json().status === 'applied',
      { timeoutMs: 20_000, intervalMs: 100, what: 'the agent’s acknowledgement' },
    );
    await reported((r) => r.origin === 'published' && r.server_version === published);

    // Restart with the old file: the agent prefers the published version it kept in its state folder.
    await agent!.stop();
    before = (await cameraEntry()).running!.reported_at;
    const warm = await startWith(fileB);
    expect(warm.agent.cameras.get(CAMERA)!.calibrationVersion).toBe(published);
    await reported((r) => r.origin === 'cache' && r.server_version === published, before);
    expect(warm.logText()).toMatch(/running the last published calibration, not the calibration file/);

    // A cold start without that state (a replaced SD card), with an even older file that differs from
    // the last one recorded: the file first, then the retained published version; the server never
    // records the file over the published version.
    await warm.stop();
    before = (await cameraEntry()).running!.reported_at;
    const cold = await startWith(fileA, 'state-wiped');
    await reported((r) => r.origin === 'published' && r.server_version === published, before);
    expect(cold.agent.cameras.get(CAMERA)!.calibrationVersion).toBe(published);

    const list = await versions();
    expect(list.map((v) => v.version)).toEqual([3, 2, 1]);
    expect(logs.text()).toMatch(/staff published a version, which wins/);
    expect(await cameraEntry()).toMatchObject({ published_version: 3, applied_version: 3, latest_version: 3 });
    const lot = (await s.app.inject({ url: '/api/v1/lots/demo/slots' })).json();
    expect(lot.slots.map((x: { label: string }) => x.label)).toEqual(drawn.slots.map((x) => x.label));
  });
});
