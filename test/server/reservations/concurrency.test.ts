import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { booking, startEnv, type Env } from './support.ts';

let env: Env;
beforeAll(async () => {
  env = await startEnv({ reservable: 1, listen: true });
});
afterAll(async () => {
  await env?.s.stop();
});

describe('double booking', () => {
  it('lets exactly one of 200 parallel requests for the last space win; the rest get a clear 409', async () => {
    const url = `${env.s.httpUrl}/api/v1/reservations`;
    // Different people, so per-person limits cannot be what stops them: only capacity can.
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(booking({ email: `visitor${i}@example.cz`, plate: `1AB${String(i).padStart(4, '0')}` })),
        }).then(async (r) => ({ status: r.status, body: (await r.json()) as { code: string } })),
      ),
    );
    const byStatus = new Map<number, number>();
    for (const r of results) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
    expect(Object.fromEntries(byStatus)).toEqual({ 201: 1, 409: 199 });
    for (const r of results.filter((x) => x.status === 409)) expect(r.body.code).toBe('VOLNO_RESERVATION_FULL');
    const rows = env.app.volno.db
      .prepare(`SELECT count(*) FROM bookings WHERE status = 'confirmed'`)
      .pluck()
      .get() as number;
    expect(rows).toBe(1);
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
});
