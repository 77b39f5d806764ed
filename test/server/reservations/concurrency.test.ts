import { afterEach, describe, expect, it } from 'vitest';
import { booking, startEnv, type Env } from './support.ts';

let env: Env | undefined;
afterEach(async () => {
  await env?.s.stop();
  env = undefined;
});

const RACERS = 200;

/** The i-th distinct 15-minute window from 2026-12-02 (96 a day). */
function window(i: number) {
  const day = new Date(Date.parse('2026-12-02T00:00:00Z') + Math.floor(i / 96) * 86_400_000).toISOString();
  const m = (i % 96) * 15;
  const hh = (x: number) => `${String(Math.floor(x / 60)).padStart(2, '0')}:${String(x % 60).padStart(2, '0')}`;
  return { date: day.slice(0, 10), start: hh(m), end: m + 15 === 1440 ? '24:00' : hh(m + 15) };
}

/** RACERS POSTs sent at once over real HTTP (Promise.all), each as a different person. */
async function race(e: Env, body: (i: number) => Record<string, unknown>) {
  const url = `${e.s.httpUrl}/api/v1/reservations`;
  const results = await Promise.all(
    Array.from({ length: RACERS }, (_, i) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        // Different people, so per-person limits cannot be what stops them.
        body: JSON.stringify(
          booking({ email: `visitor${i}@example.cz`, plate: `1AB${String(i).padStart(4, '0')}`, ...body(i) }),
        ),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as { code: string } })),
    ),
  );
  const byStatus: Record<number, number> = {};
  for (const r of results) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
  return { results, byStatus };
}

const holding = async (e: Env) =>
  (
    await e.app.volno.sql.all<{ code: string }>(`SELECT code FROM bookings WHERE status = 'confirmed' ORDER BY code`)
  ).map((r) => r.code);

/** Pairs of holding bookings of one slot whose windows overlap: the thing that must never exist. */
const overlaps = async (e: Env) =>
  (await e.app.volno.sql.one<{ n: number }>(
    `SELECT count(*) AS n FROM bookings a JOIN bookings b ON a.id < b.id AND a.camera_id = b.camera_id
     AND a.slot_id = b.slot_id AND a.start_at < b.end_at AND b.start_at < a.end_at
     WHERE a.status = 'confirmed' AND b.status = 'confirmed'`,
  ))!.n;

describe('racing bookings', () => {
  it('lets exactly one of 200 parallel requests for the last space win; the rest get a clear 409', async () => {
    env = await startEnv({ reservable: 1, listen: true });
    const { results, byStatus } = await race(env, () => ({}));
    expect(byStatus).toEqual({ 201: 1, 409: RACERS - 1 });
    for (const r of results.filter((x) => x.status === 409)) expect(r.body.code).toBe('VOLNO_RESERVATION_FULL');
    // The one accepted booking is the one stored.
    expect(await holding(env)).toEqual(results.filter((x) => x.status === 201).map((x) => x.body.code));
    // An overlapping window is full too; an adjacent one is not.
    const overlap = await fetch(
      `${env.s.httpUrl}/api/v1/reservations/options?lot_id=office&date=2026-12-02&start=11:45&end=13:00`,
    );
    expect(((await overlap.json()) as { available: number }).available).toBe(0);
    const adjacent = await fetch(
      `${env.s.httpUrl}/api/v1/reservations/options?lot_id=office&date=2026-12-02&start=12:00&end=13:00`,
    );
    expect(((await adjacent.json()) as { available: number }).available).toBe(1);
  });

  it('books all of 200 parallel requests spread over two spaces and 100 windows, each stored once, none overlapping', async () => {
    env = await startEnv({ reservable: 2, listen: true });
    const { results, byStatus } = await race(env, (i) => window(Math.floor(i / 2)));
    expect(byStatus).toEqual({ 201: RACERS });
    // Every accepted booking is stored (nothing answered 201 was lost), and no slot holds two at once.
    expect(await holding(env)).toEqual(results.map((r) => r.body.code).sort());
    expect(await overlaps(env)).toBe(0);
  });

  it('still holds one address to its booking budget when its requests race', async () => {
    env = await startEnv({
      reservable: 1,
      listen: true,
      raw: { limits: { bookings_per_address: 10, bookings_per_subnet: 30 } },
    });
    // Distinct windows: capacity refuses nobody, so no refused booking gives its hit back.
    const { results, byStatus } = await race(env, (i) => window(i));
    expect(byStatus).toEqual({ 201: 10, 429: RACERS - 10 });
    for (const r of results.filter((x) => x.status === 429)) expect(r.body.code).toBe('VOLNO_RATE_LIMITED');
    expect(await holding(env)).toHaveLength(10);
  });
});
