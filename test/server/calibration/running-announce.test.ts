// A running-calibration report that records the agent's new file as a version changes the public
// slot list of its lot. The live page must hear of it with that report's commit, not with whatever
// batch happens to come next (a heartbeat, up to its interval later).
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EXAMPLES } from '../../../protocol/examples.ts';
import { buildTopic, encodeMessage } from '../../../protocol/index.ts';
import { waitFor } from '../../fixtures/process.ts';
import { PREFIX } from '../support/messages.ts';
import { publisher, startTestServer, type TestServer } from '../support/server.ts';

const ex = EXAMPLES.calibration_running;
const avail = EXAMPLES.availability;
let s: TestServer;
let client: MqttClient;

beforeAll(async () => {
  s = await startTestServer({
    lots: [{ lot_id: 'demo', name: 'Demo', cameras: [{ camera_id: 'north-1', agent_id: 'agent-1', slots: [] }] }],
  });
  client = await publisher(s.mqttUrl);
});
afterAll(async () => {
  await client.endAsync();
  await s.stop();
});

it('announces the lot whose slots a recorded agent file changed, with the report’s own commit', async () => {
  const accepted = (kind: string) => s.app.volno.metrics.accepted.get({ kind });
  const session = { session_id: 'announce-1', sent_at: new Date().toISOString() };
  await client.publishAsync(
    buildTopic('availability', avail.params, PREFIX),
    encodeMessage('availability', { ...avail.payload, ...session }),
    { qos: 1 },
  );
  await waitFor(() => accepted('availability') === 1, { timeoutMs: 10_000, intervalMs: 20, what: 'the agent online' });
  await s.app.volno.writer.flush();
  const announced: (string | null)[][] = [];
  const off = s.app.volno.bus.on('lots.changed', (e) => announced.push([...e.lots]));
  try {
    // Nothing else is published after it: no heartbeat comes to carry the announcement.
    await client.publishAsync(
      buildTopic('calibration_running', ex.params, PREFIX),
      encodeMessage('calibration_running', { ...ex.payload, ...session }),
      { qos: 1 },
    );
    await waitFor(() => accepted('calibration_running') === 1, {
      timeoutMs: 10_000,
      intervalMs: 20,
      what: 'the report taken',
    });
    await s.app.volno.writer.flush();
    const lot = (await s.app.inject({ url: '/api/v1/lots/demo/slots' })).json() as { slots: { slot_id: string }[] };
    expect(lot.slots.map((x) => x.slot_id)).toEqual(ex.payload.calibration.slots.map((x) => x.slot_id));
    await waitFor(() => announced.some((lots) => lots.includes('demo')), {
      timeoutMs: 3_000,
      intervalMs: 20,
      what: 'lots.changed for demo',
    });
  } finally {
    off();
  }
});
