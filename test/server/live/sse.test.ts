import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { waitFor } from '../../fixtures/process.ts';
import { FakeAgent } from '../support/messages.ts';
import { publisher, startTestServer, type TestServer } from '../support/server.ts';
import { SseClient } from '../support/sse.ts';

let s: TestServer;
let pub: MqttClient;
const agent = new FakeAgent();
const publish = async (m: { topic: string; payload: string }) =>
  pub.publishAsync(m.topic, m.payload, { qos: 1, retain: true });

beforeAll(async () => {
  s = await startTestServer();
  pub = await publisher(s.mqttUrl);
  await publish(agent.availability('online'));
  await publish(agent.slotState('north-1', 'A1', 'free'));
  await waitFor(async () => (await s.app.volno.availability.lotAvailability('north'))?.free === 1, {
    timeoutMs: 5000,
    what: 'first state',
  });
});
afterAll(async () => {
  await pub?.endAsync();
  await s?.stop();
});

describe('live updates over Server-Sent Events', () => {
  it('sends the clock and the current state first, then the same payload as the API after a change', async () => {
    const c = await SseClient.open(`${s.httpUrl}/api/v1/live?lot=north`);
    try {
      expect(c.response?.headers['content-type']).toBe('text/event-stream; charset=utf-8');
      const first = await c.waitFor<{ free: number }>('availability', () => true);
      expect(first.free).toBe(1);
      expect(c.events[0]?.event).toBe('clock');
      const t0 = Date.now();
      await publish(agent.slotState('north-1', 'A2', 'free'));
      const next = await c.waitFor<{ free: number }>('availability', (a) => a.free === 2, 2000);
      expect(Date.now() - t0).toBeLessThan(1000);
      const api = (await s.app.inject({ url: '/api/v1/lots/north/availability' })).json();
      expect(next).toEqual(api);
      expect(c.of('slots')).toEqual([]);
    } finally {
      c.close();
    }
  });

  it('sends slot states only when asked, and only for the requested lots', async () => {
    const c = await SseClient.open(`${s.httpUrl}/api/v1/live?lot=north&slots=true`);
    const other = await SseClient.open(`${s.httpUrl}/api/v1/live?lot=south`);
    try {
      await c.waitFor('slots', () => true);
      await publish(agent.slotState('north-1', 'A3', 'occupied'));
      const s3 = await c.waitFor<{ slots: { slot_id: string; state: string }[] }>('slots', (x) =>
        x.slots.some((v) => v.slot_id === 'A3' && v.state === 'occupied'),
      );
      expect(s3.slots).toHaveLength(3);
      expect(other.of<{ lot_id: string }>('availability').every((a) => a.lot_id === 'south')).toBe(true);
    } finally {
      c.close();
      other.close();
    }
  });

  it('counts its clients for the metrics and forgets the ones that left', async () => {
    const c = await SseClient.open(`${s.httpUrl}/api/v1/live`);
    await waitFor(() => s.app.volno.sse.size >= 1, { timeoutMs: 2000, what: 'client registered' });
    c.close();
    await waitFor(() => s.app.volno.sse.size === 0, { timeoutMs: 2000, what: 'client forgotten' });
  });

  it('ends open streams when the server shuts down, so shutdown does not hang', async () => {
    const t = await startTestServer();
    const c = await SseClient.open(`${t.httpUrl}/api/v1/live`);
    await c.waitFor('clock', () => true);
    const t0 = Date.now();
    await t.stop();
    expect(Date.now() - t0).toBeLessThan(5000);
    await waitFor(() => c.ended, { timeoutMs: 2000, what: 'stream end' });
  });
});
