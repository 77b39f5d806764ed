import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../server/core/clock.ts';
import type { SqlDatabase } from '../../../server/core/storage/sql/port.ts';
import { LoginLimiter } from '../../../server/staff/login-limiter.ts';
import { useEngines } from '../../support/engines.ts';

const engines = useEngines();

const setup = (db: SqlDatabase, windowMs = 60_000) => {
  const clock = new ManualClock(0);
  return { clock, limiter: new LoginLimiter(db, clock, windowMs) };
};
const one = (key: string, max = 3) => [{ key, max }];

describe.each(engines)('the login limiter on $engine', ({ available, open }) => {
  it.skipIf(!available)('allows max attempts and then refuses until the oldest one leaves the window', async () => {
    const { clock, limiter } = setup(await open());
    for (const t of [0, 10_000, 20_000]) {
      clock.set(t);
      expect(await limiter.attempt(one('user:a'))).toBe(0);
    }
    expect(await limiter.attempt(one('user:a'))).toBe(40_000);
    clock.set(59_999);
    expect(await limiter.attempt(one('user:a'))).toBe(1);
    clock.set(60_000);
    expect(await limiter.attempt(one('user:a'))).toBe(0);
    // 10 s, 20 s and 60 s are in the window now: the next opening is when 10 s leaves it.
    expect(await limiter.attempt(one('user:a'))).toBe(10_000);
  });

  it.skipIf(!available)(
    'slides rather than resetting at a fixed edge, so a burst cannot straddle two windows',
    async () => {
      const { clock, limiter } = setup(await open());
      clock.set(59_000);
      for (let i = 0; i < 3; i++) await limiter.attempt(one('k'));
      clock.set(61_000); // a fixed window starting at 60 s would allow three more here
      expect(await limiter.attempt(one('k'))).toBe(58_000);
    },
  );

  it.skipIf(!available)('counts against every budget or none, and the tightest exhausted one decides', async () => {
    const { clock, limiter } = setup(await open());
    const both = [
      { key: 'user:a@ip', max: 2 },
      { key: 'ip:ip', max: 3 },
    ];
    expect(await limiter.attempt(both)).toBe(0);
    clock.set(1_000);
    expect(await limiter.attempt(both)).toBe(0);
    clock.set(2_000);
    expect(await limiter.attempt(both)).toBe(58_000); // the user budget is spent: nothing counted
    expect(await limiter.attempt([{ key: 'user:b@ip', max: 2 }, both[1]!])).toBe(0); // the address had room
    expect(await limiter.attempt([{ key: 'user:c@ip', max: 2 }, both[1]!])).toBe(58_000);
  });

  it.skipIf(!available)('keeps keys apart, forgets a key on reset and takes back one attempt on undo', async () => {
    const { clock, limiter } = setup(await open());
    await limiter.attempt(one('a', 2));
    await limiter.attempt(one('a', 2));
    expect(await limiter.attempt(one('a', 2))).toBeGreaterThan(0);
    expect(await limiter.attempt(one('b', 2))).toBe(0);
    await limiter.reset('a');
    expect(await limiter.attempt(one('a', 2))).toBe(0);
    // Two hits at the same millisecond: undo takes back exactly one of them.
    clock.set(5);
    await limiter.attempt(one('c', 2));
    await limiter.attempt(one('c', 2));
    await limiter.undo('c');
    expect(await limiter.attempt(one('c', 2))).toBe(0);
    expect(await limiter.attempt(one('c', 2))).toBeGreaterThan(0);
  });

  it.skipIf(!available)(
    'is shared by every limiter on the database, and parallel guesses never get past the limit',
    async () => {
      const db = await open();
      // Pooled connections opened beforehand, so the attempts really run side by side on PostgreSQL.
      await Promise.all([1, 2, 3, 4].map(() => db.one('SELECT 1 AS one')));
      const clock = new ManualClock(0);
      const instances = [new LoginLimiter(db, clock, 60_000), new LoginLimiter(db, clock, 60_000)];
      const waits = await Promise.all(
        Array.from({ length: 12 }, (_, i) => instances[i % 2]!.attempt(one('user:x@ip', 5))),
      );
      expect(waits.filter((w) => w === 0)).toHaveLength(5);
      const { n } = (await db.one<{ n: number }>(
        "SELECT count(*) AS n FROM rate_limit_hits WHERE scope = 'staff_login'",
      ))!;
      expect(n).toBe(5);
    },
  );
});
