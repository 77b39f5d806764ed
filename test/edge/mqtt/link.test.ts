import { afterEach, describe, expect } from 'vitest';
import { MqttConfig } from '../../../edge/config/schema.ts';
import { MqttLink } from '../../../edge/mqtt/link.ts';
import { Value } from 'typebox/value';
import { test } from '../../fixtures/index.ts';
import { freePort } from '../../fixtures/process.ts';
import { captureLog } from '../support/capture-log.ts';
import { Recorder, startAedes, type AedesHandle } from '../support/mqtt.ts';
import { waitFor } from '../support/wait.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function link(url: string, extra: Record<string, unknown> = {}) {
  const config = Value.Default(MqttConfig, {
    url,
    reconnect_period_s: 0.1,
    connect_timeout_s: 2,
    ...extra,
  }) as MqttConfig;
  const l = new MqttLink({
    config,
    siteId: 'site-1',
    agentId: 'agent-1',
    prefix: 'volno/v1',
    log: captureLog().log,
    subscriptions: [],
    onMessage: () => {},
    onConnect: () => {},
  });
  cleanups.push(() => l.stop(500));
  return l;
}

async function recorder(url: string, version: 4 | 5 = 4) {
  const r = await new Recorder(url, 'volno/v1', version).start();
  cleanups.push(() => r.stop());
  return r;
}

async function aedes(port?: number): Promise<AedesHandle> {
  const b = await startAedes(port);
  cleanups.push(() => b.close());
  return b;
}

const slot = (slotId: string, state: 'free' | 'occupied') => ({
  camera_id: 'cam-a',
  slot_id: slotId,
  state,
  confidence: 0.9,
  since: '2026-11-30T08:00:00.000Z',
  observed_at: '2026-11-30T08:00:01.000Z',
  model_id: 'm',
  calibration_version: 1,
});

describe('the MQTT link', () => {
  test('announces itself online, then numbers every message of its session without gaps (embedded broker, 3.1.1)', async () => {
    const broker = await aedes();
    const rec = await recorder(broker.url);
    const l = link(broker.url);
    await l.start();
    await waitFor(() => l.connected, { timeoutMs: 5000, what: 'connection' });
    l.publish('slot_state', { camera: 'cam-a', slot: 'A1' }, slot('A1', 'free'));
    l.publish('slot_state', { camera: 'cam-a', slot: 'A2' }, slot('A2', 'occupied'));
    await waitFor(() => rec.of('slot_state').length === 2, { timeoutMs: 5000, what: 'two slot states' });
    const [online] = rec.of('availability');
    expect(online!.payload).toMatchObject({ status: 'online', seq: 0, connection_seq: 0, session_id: l.sessionId });
    expect(rec.of('slot_state').map((h) => h.payload['seq'])).toEqual([1, 2]);
    expect(rec.invalid).toEqual([]);
    const late = await recorder(broker.url); // retained: a subscriber that comes later still gets them
    await waitFor(() => late.of('slot_state').length === 2, { timeoutMs: 5000, what: 'retained states' });
    expect(late.of('slot_state').every((h) => h.retain)).toBe(true);
  });

  test('keeps only the latest state per slot while the broker is away and delivers it when it comes', async () => {
    const port = await freePort();
    const l = link(`mqtt://127.0.0.1:${port}`);
    await l.start();
    for (let i = 0; i < 5; i++)
      l.publish('slot_state', { camera: 'cam-a', slot: 'A1' }, slot('A1', i % 2 ? 'free' : 'occupied'));
    l.publish('slot_state', { camera: 'cam-a', slot: 'A2' }, slot('A2', 'free'));
    l.publish('heartbeat', { agent: 'agent-1' }, { uptime_s: 1, interval_s: 15, version: 't', cameras: [] });
    expect(l.queueDepth).toBe(2);
    expect(l.droppedOffline).toBe(1);
    const broker = await aedes(port);
    const sent: string[] = [];
    broker.broker.on('publish', (packet, client) => {
      if (client) sent.push(packet.topic);
    });
    await waitFor(() => l.connected && l.queueDepth === 0, { timeoutMs: 10_000, what: 'reconnect and flush' });
    const rec = await recorder(broker.url);
    await waitFor(() => rec.of('slot_state').length === 2, { timeoutMs: 5000, what: 'retained states' });
    expect(rec.latest('slot_state').get('volno/v1/site-1/camera/cam-a/slot/A1/state')).toMatchObject({
      state: 'occupied',
    });
    expect(sent.filter((t) => t.endsWith('/A1/state'))).toHaveLength(1);
  });

  test('leaves an offline will that names its connection, and counts connections on reconnect', async () => {
    const broker = await aedes();
    const rec = await recorder(broker.url);
    const l = link(broker.url);
    const clients: { conn: { destroy(): void } }[] = [];
    broker.broker.on('client', (c) => clients.push(c as unknown as { conn: { destroy(): void } }));
    await l.start();
    await waitFor(() => l.connected && clients.length > 0, { timeoutMs: 5000, what: 'connection' });
    clients.at(-1)!.conn.destroy(); // the network drops the agent's connection
    await waitFor(
      () => rec.of('availability').some((h) => h.payload['status'] === 'online' && h.payload['connection_seq'] === 1),
      {
        timeoutMs: 10_000,
        what: 'online after reconnect',
      },
    );
    const statuses = rec.of('availability').map((h) => h.payload);
    expect(statuses).toContainEqual({
      agent_id: 'agent-1',
      session_id: l.sessionId,
      connection_seq: 0,
      status: 'offline',
    });
  });

  test('publishes stopped on a clean stop, and no offline will follows (Mosquitto, MQTT 5)', async ({ mosquitto }) => {
    const rec = await recorder(mosquitto.url, 5);
    const l = link(mosquitto.url, { protocol_version: 5 });
    await l.start();
    await waitFor(() => rec.of('availability').length === 1, { timeoutMs: 5000, what: 'online' });
    await l.stop();
    await waitFor(() => rec.of('availability').length === 2, { timeoutMs: 5000, what: 'stopped' });
    const late = await recorder(mosquitto.url, 5);
    await waitFor(() => late.of('availability').length === 1, { timeoutMs: 5000, what: 'the retained availability' });
    expect(late.of('availability')[0]!.payload).toMatchObject({ status: 'stopped', connection_seq: 0 });
    expect(rec.of('availability').map((h) => h.payload['status'])).toEqual(['online', 'stopped']);
  });
});
