import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../fixtures/process.ts';
import { booking, lots, startAgentEnv, staffHeaders, T0, type AgentEnv } from './support.ts';

const MIN = 60_000;
let env: AgentEnv;

beforeAll(async () => {
  // Coordinates: DATEX II Parking Publication Light requires them of every site it lists.
  env = await startAgentEnv({ raw: { lots: [{ ...lots(2)[0], latitude: 50.08, longitude: 14.42 }] } });
});
afterAll(() => env?.stop());

const statusOf = async (token: string) =>
  (await env.app.inject({ url: `/api/v1/reservations/manage/${token}` })).json().status as string;
const reserved = async () =>
  (await env.app.inject({ url: '/api/v1/lots/office/availability' })).json().reserved as number;

async function book(o: Record<string, unknown>): Promise<{ manage_token: string; code: string }> {
  const r = await env.app.inject({ method: 'POST', url: '/api/v1/reservations', payload: booking(o) });
  expect(r.statusCode).toBe(201);
  return r.json();
}

describe('the camera loop, end to end over MQTT', () => {
  it('checks a booking in when its slot turns occupied, and marks an empty one a no-show at start + grace', async () => {
    // Both slots booked 09:30–11:00 Prague time (08:30Z) on the test day.
    const a = await book({ date: '2026-12-01', start: '09:30', end: '11:00', email: 'a@example.cz', plate: '1A' });
    const b = await book({ date: '2026-12-01', start: '09:30', end: '11:00', email: 'b@example.cz', plate: '2B' });
    await env.send(env.agent.slotState('gate-1', 'R1', 'free'));
    await env.send(env.agent.slotState('gate-1', 'R2', 'free'));
    expect(await reserved()).toBe(0); // the hold begins 15 min before the start

    env.clock.set(T0 + 20 * MIN); // 08:20Z: inside hold and early check-in
    expect(await reserved()).toBe(2);
    const slots = (await env.app.inject({ url: '/api/v1/lots/office/slots' })).json().slots as {
      slot_id: string;
      reserved: boolean;
    }[];
    expect(slots.filter((s) => s.reserved).map((s) => s.slot_id)).toEqual(['R1', 'R2']);
    const datex = (await env.app.inject({ url: '/api/v1/opendata/datex2' })).json();
    const site = datex.parkingPublicationLight.parkingSite.find((s: { _id: string }) => s._id.endsWith(':office'));
    expect(site._parkingSiteExtension.volno.reservedSpaces).toBe(2);

    // The visitor arrives: the agent reports R1 occupied; the ingest commit triggers the loop.
    await env.send(env.agent.slotState('gate-1', 'R1', 'occupied'));
    await waitFor(async () => (await statusOf(a.manage_token)) === 'checked_in', {
      timeoutMs: 5000,
      intervalMs: 10,
      what: 'the booking to be checked in',
    });
    expect(await reserved()).toBe(1); // R1 now counts as occupied, R2 is still kept

    // R2 stays empty; the agent keeps confirming it free. Before start + grace nothing happens.
    env.clock.set(T0 + 44 * MIN);
    await env.send(env.agent.slotState('gate-1', 'R2', 'free', { since: new Date(T0).toISOString() }));
    await env.app.volno.reservations.loop.tick();
    expect(await statusOf(b.manage_token)).toBe('confirmed');

    env.clock.set(T0 + 45 * MIN); // 08:45Z = start + 15 min grace
    await env.app.volno.reservations.loop.tick();
    await waitFor(async () => (await statusOf(b.manage_token)) === 'no_show', {
      timeoutMs: 5000,
      intervalMs: 10,
      what: 'the no-show',
    });
    expect(await reserved()).toBe(0);
    const free = await env.app.inject({
      url: '/api/v1/reservations/options?lot_id=office&date=2026-12-01&start=10:00&end=11:00',
    });
    expect(free.json().available).toBe(1); // R2 is back; R1 is still taken by the checked-in visitor

    const events = (await env.app.inject({ url: '/api/v1/staff/reservations/events', headers: staffHeaders })).json();
    expect(events.map((e: { kind: string }) => e.kind).sort()).toEqual(['checked_in', 'no_show']);
  });

  it('alerts staff when a kept slot is taken by a car that was there before the check-in window', async () => {
    env.clock.set(T0 + 120 * MIN); // 10:00Z
    const c = await book({ date: '2026-12-01', start: '12:00', end: '13:00', email: 'c@example.cz', plate: '3C' });
    const row = (await env.app.volno.sql.one<{ slot_id: string }>('SELECT slot_id FROM bookings WHERE code = $1', [
      c.code,
    ]))!;
    const stranger = new Date(env.clock.now()).toISOString();
    await env.send(env.agent.slotState('gate-1', row.slot_id, 'occupied'));
    env.clock.set(T0 + 166 * MIN); // 10:46Z: the hold has begun, the car has been there since 10:00Z
    await env.send(env.agent.slotState('gate-1', row.slot_id, 'occupied', { since: stranger }));
    await waitFor(
      async () =>
        (await env.app.inject({ url: '/api/v1/staff/reservations/events?alerts=true', headers: staffHeaders })).json()
          .length === 1,
      { timeoutMs: 5000, intervalMs: 10, what: 'the alert' },
    );
    expect(await statusOf(c.manage_token)).toBe('confirmed');
    await env.app.volno.reservations.loop.tick(); // looking again adds no second alert for the same car
    const alerts = (
      await env.app.inject({ url: '/api/v1/staff/reservations/events?alerts=true', headers: staffHeaders })
    ).json();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'occupied_without_booking', slot_id: row.slot_id });
    const page = await env.app.inject({ url: '/staff/bookings', headers: staffHeaders });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`data-alert="${alerts[0].id}"`);
  });
});
