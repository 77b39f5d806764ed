// The whole loop with a real edge agent (simulated camera, real model) on the server's embedded
// broker: snapshot → save → publish → the agent's ack → the slots' states in the availability API.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromCalibrationPayload } from '../../../calibration/index.ts';
import { layoutLot } from '../../../edge/simulator/lot.ts';
import { simulatedCalibration } from '../../../edge/simulator/calibration.ts';
import { waitFor } from '../../fixtures/process.ts';
import { MODELS_DIR, startAgent, type RunningAgent } from '../../edge/support/agent.ts';
import { SITE } from '../support/messages.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { API, call, logInStaff, type Staff } from './support.ts';

const MODEL = 'volno-slotnet-v1';
let s: TestServer;
let staff: Staff;
let agent: RunningAgent | undefined;

beforeAll(async () => {
  s = await startTestServer({}, { listen: false });
  staff = await logInStaff(s.app);
  if (!existsSync(join(MODELS_DIR, MODEL, 'model.json'))) return;
  agent = await startAgent(`
version: 1
site_id: ${SITE}
agent_id: agent-1
models_dir: ${MODELS_DIR}
intervals: { heartbeat_s: 1, stats_s: 5, refresh_s: 60 }
mqtt: { url: "${s.mqttUrl}", reconnect_period_s: 0.2 }
cameras:
  - id: north-1
    source: { type: simulated, simulation: { slots: 8, per_row: 4, seed: 3 } }
    sample_rate_fps: 4
    model: ${MODEL}
    delays: { enter_s: 0, exit_s: 0 }
`);
});
afterAll(async () => {
  await agent?.stop();
  if (agent) rmSync(agent.dir, { recursive: true, force: true });
  await s.stop();
});

const post = (url: string, payload: object = {}) =>
  call(s.app, staff.operator, { method: 'POST', url: `${API}${url}`, payload });
const get = (url: string) => call(s.app, staff.viewer, { method: 'GET', url: `${API}${url}` });

describe('calibrating a camera with a real edge agent', () => {
  it('takes a snapshot, publishes a calibration, gets `applied`, and availability shows the new slots’ states', async (ctx) => {
    if (!agent) return ctx.skip(`model ${MODEL} is not built`);
    // The agent needs a frame first; poll until it answers with one.
    const shot = await waitFor(
      async () => {
        const r = await post('/cameras/north-1/snapshot');
        return r.statusCode === 201 ? r.json() : null;
      },
      { timeoutMs: 30_000, intervalMs: 300, what: 'a snapshot from the agent' },
    );
    expect(shot).toMatchObject({ width: 1280, height: 720 });
    const img = await get(`/cameras/north-1/snapshots/${shot.snapshot_id}`);
    expect(img.statusCode).toBe(200);
    expect(img.rawPayload.subarray(0, 2).toString('hex')).toBe('ffd8');

    // What staff would draw on that picture: the simulated lot's slots, with labels of their own.
    const drawn = fromCalibrationPayload(simulatedCalibration(layoutLot(8, 4), 'north-1'));
    drawn.slots = drawn.slots.map((slot, i) => ({ ...slot, label: `P${i + 1}`, reservable: i === 0 }));
    const saved = await post('/cameras/north-1/calibrations', { document: drawn, note: 'from the snapshot' });
    expect(saved.statusCode).toBe(201);
    const version = saved.json().version as number;
    expect((await post(`/cameras/north-1/calibrations/${version}/publish`)).statusCode).toBe(202);

    const ack = await waitFor(
      async () => {
        const r = (await get(`/cameras/north-1/calibrations/${version}/ack`)).json();
        return r.status === 'pending' ? null : r;
      },
      { timeoutMs: 20_000, intervalMs: 100, what: 'the agent’s acknowledgement' },
    );
    expect(ack).toMatchObject({ status: 'applied', ack: { result: 'applied', reason: null } });

    const ids = drawn.slots.map((x) => x.id);
    const slots = await waitFor(
      async () => {
        const r = (await s.app.inject({ url: '/api/v1/lots/north/slots' })).json();
        const known = r.slots.filter((x: { state: string }) => x.state !== 'unknown');
        return known.length === ids.length ? r.slots : null;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: 'every new slot with a known state' },
    );
    expect(slots.map((x: { slot_id: string }) => x.slot_id)).toEqual(ids);
    expect(slots[0]).toMatchObject({ label: 'P1' });
    const lots = (await s.app.inject({ url: '/api/v1/lots' })).json().lots;
    expect(lots.find((l: { lot_id: string }) => l.lot_id === 'north')).toMatchObject({ total: 8, reservable: 1 });
    const cams = (await get('/cameras')).json();
    expect(cams.find((c: { camera_id: string }) => c.camera_id === 'north-1')).toMatchObject({
      agent_status: 'online',
      published_version: version,
      applied_version: version,
    });
  });

  it('shows the agent’s rejection and its reason when the calibration does not fit the stream', async (ctx) => {
    if (!agent) return ctx.skip(`model ${MODEL} is not built`);
    const square = fromCalibrationPayload(simulatedCalibration(layoutLot(8, 4), 'north-1'));
    square.frame_width = 1000;
    square.frame_height = 1000;
    const saved = await post('/cameras/north-1/calibrations', { document: square, note: 'wrong shape' });
    const version = saved.json().version as number;
    expect((await post(`/cameras/north-1/calibrations/${version}/publish`)).statusCode).toBe(202);
    const ack = await waitFor(
      async () => {
        const r = (await get(`/cameras/north-1/calibrations/${version}/ack`)).json();
        return r.status === 'pending' ? null : r;
      },
      { timeoutMs: 20_000, intervalMs: 100, what: 'the agent’s acknowledgement' },
    );
    expect(ack.status).toBe('rejected');
    expect(ack.ack.reason).toMatch(/aspect ratios differ/);
    // The lot keeps the slots of the version the agent runs.
    const r = (await s.app.inject({ url: '/api/v1/lots/north/slots' })).json();
    expect(r.slots).toHaveLength(8);
  });
});
