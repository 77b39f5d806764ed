import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgentEnv, T0, type AgentEnv } from '../reservations/support.ts';
import { schemaValidator } from './schema-validator.ts';
import { bookAndReport, feedLots, MIN } from './support.ts';

// The published ParkAPI v3 schema, transcribed (see README.md beside this file).
const { validate, errorsText } = schemaValidator(new URL('./parkapi-v3.schema.json', import.meta.url));

let env: AgentEnv;

beforeAll(async () => {
  // The south lot has no coordinates, so ParkAPI cannot place it and the feed leaves it out.
  env = await startAgentEnv({ raw: { lots: feedLots() }, listen: true });
});
afterAll(() => env?.stop());

async function feed(): Promise<{ headers: Headers; text: string; body: { items: Record<string, unknown>[] } }> {
  const r = await fetch(`${env.s.httpUrl}/api/v1/opendata/parkapi`);
  expect(r.status).toBe(200);
  const text = await r.text();
  const body = JSON.parse(text);
  if (!validate(body)) throw new Error(`ParkAPI v3 schema: ${errorsText()}`);
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
    await bookAndReport(env);
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
