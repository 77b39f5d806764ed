import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../fixtures/process.ts';
import { booking, lots, startEnv, T0, type Env } from '../reservations/support.ts';
import { LOTS } from '../support/config.ts';
import { FakeAgent } from '../support/messages.ts';
import { publisher } from '../support/server.ts';

// The published ParkAPI v3 schema, transcribed (see README.md beside this file).
const schema = JSON.parse(readFileSync(new URL('./parkapi-v3.schema.json', import.meta.url), 'utf8'));
// Ajv 8 as ajv-formats (a dependency) brings it: the top-level `ajv` in node_modules is eslint's Ajv 6.
interface AjvLike {
  compile(s: unknown): ((data: unknown) => boolean) & { errors?: unknown };
  errorsText(errors: unknown): string;
}
const fromFormats = createRequire(createRequire(import.meta.url).resolve('ajv-formats'));
const { Ajv } = fromFormats('ajv') as { Ajv: new (o: object) => AjvLike };
const ajv = new Ajv({ allErrors: true, strict: false });
(fromFormats('ajv-formats') as { default: (a: AjvLike) => void }).default(ajv);
const validate = ajv.compile(schema);

const MIN = 60_000;
let env: Env;
let pub: MqttClient;
const agent = new FakeAgent('agent-1', 'session-aaaaaaaa', () => env.clock.now());

beforeAll(async () => {
  const office = lots(2)[0]!;
  const camera = (office.cameras as { slots: Record<string, unknown>[] }[])[0]!;
  camera.slots.push({ slot_id: 'D1', type: 'disabled' }, { slot_id: 'E1', type: 'ev' });
  // The south lot has no coordinates, so ParkAPI cannot place it and the feed leaves it out.
  env = await startEnv({ raw: { lots: [{ ...office, latitude: 50.08, longitude: 14.42 }, LOTS[1]] }, listen: true });
  pub = await publisher(env.s.mqttUrl);
  await send(agent.availability('online'));
});
afterAll(async () => {
  await pub?.endAsync();
  await env?.s.stop();
});

async function send(m: { topic: string; payload: string }): Promise<void> {
  const before = env.app.volno.metrics.received.get();
  await pub.publishAsync(m.topic, m.payload, { qos: 1 });
  await waitFor(
    () => {
      if (env.app.volno.metrics.received.get() <= before) return false;
      env.app.volno.writer.flush();
      return true;
    },
    { timeoutMs: 10_000, intervalMs: 10, what: 'the message to be ingested' },
  );
}

async function feed(): Promise<{ headers: Headers; text: string; body: { items: Record<string, unknown>[] } }> {
  const r = await fetch(`${env.s.httpUrl}/api/v1/opendata/parkapi`);
  expect(r.status).toBe(200);
  const text = await r.text();
  const body = JSON.parse(text);
  if (!validate(body)) throw new Error(`ParkAPI v3 schema: ${ajv.errorsText(validate.errors)}`);
  return { headers: r.headers, text, body };
}

describe('the ParkAPI v3 feed', () => {
  it('is valid before any camera reports, without realtime fields and without lots it cannot place', async () => {
    const { headers, body } = await feed();
    expect(headers.get('cache-control')).toBe('public, max-age=10');
    expect(headers.get('etag')).toBeTruthy();
    expect(body.items).toEqual([
      {
        uid: 'krajsky-urad:office',
        name: 'Parkoviště úřadu',
        purpose: 'CAR',
        type: 'OFF_STREET_PARKING_GROUND',
        address: 'Náměstí 1, Praha',
        lat: 50.08,
        lon: 14.42,
        has_realtime_data: false,
        static_data_updated_at: new Date(T0).toISOString(),
        capacity: 5,
        capacity_disabled: 1,
        capacity_charging: 1,
      },
    ]);
  });

  it('counts only spaces seen free as free: not unknown ones, not occupied ones, not ones kept for a booking', async () => {
    const b = await env.app.inject({
      method: 'POST',
      url: '/api/v1/reservations',
      payload: booking({ date: '2026-12-01', start: '09:30', end: '11:00', email: 'p@example.cz', plate: '3P' }),
    });
    expect(b.statusCode).toBe(201);
    env.clock.set(T0 + 20 * MIN); // 08:20Z: inside the booking's hold
    for (const [slot, state] of [
      ['R1', 'free'],
      ['R2', 'free'],
      ['P1', 'occupied'],
      ['D1', 'free'],
    ] as const)
      await send(agent.slotState('gate-1', slot, state));
    const held = (await env.app.inject({ url: '/api/v1/lots/office/slots' })).json().slots as {
      slot_id: string;
      reserved: boolean;
    }[];
    const keptFor = held.filter((s) => s.reserved).map((s) => s.slot_id);
    expect(keptFor).toHaveLength(1);

    const { text, body } = await feed();
    const site = body.items[0]!;
    // Five slots: one kept for the booking, P1 occupied, E1 never reported; the two others are free.
    expect(site).toMatchObject({
      has_realtime_data: true,
      realtime_data_updated_at: new Date(T0 + 20 * MIN).toISOString(),
      realtime_free_capacity: 2,
      realtime_free_capacity_disabled: 1,
      realtime_free_capacity_charging: 0,
    });
    expect(site.realtime_free_capacity).toBe(
      (await env.app.inject({ url: '/api/v1/lots/office/availability' })).json().free,
    );
    // Aggregators get counts only: nothing about the visitor, no slot ids, no images.
    for (const secret of ['p@example.cz', '3P', 'Jana', 'gate-1', 'snapshot', 'jpeg'])
      expect(text).not.toContain(secret);
  });

  it('fails the published schema when a required field is missing or a count is negative', () => {
    const good = {
      uid: 'a',
      name: 'b',
      purpose: 'CAR',
      type: 'CAR_PARK',
      has_realtime_data: true,
      realtime_data_updated_at: '2026-12-01T08:00:00Z',
      static_data_updated_at: '2026-12-01T08:00:00Z',
      lat: 50,
      lon: 14,
      capacity: 1,
    };
    expect(validate({ items: [good] })).toBe(true);
    const { realtime_data_updated_at: _, ...noRealtimeTime } = good;
    expect(validate({ items: [noRealtimeTime] })).toBe(false);
    expect(validate({ items: [{ ...good, realtime_free_capacity: -1 }] })).toBe(false);
    expect(validate({ items: [{ ...good, free: 1 }] })).toBe(false);
  });
});
