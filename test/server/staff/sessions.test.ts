import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Accounts } from '../../../server/staff/accounts.ts';
import { Sessions } from '../../../server/staff/sessions.ts';
import { ManualClock } from '../../../server/core/clock.ts';
import type { SqlDatabase } from '../../../server/core/storage/sql/port.ts';
import { useEngines } from '../../support/engines.ts';

const engines = useEngines();
const OPTS = { idleMs: 600_000, absoluteMs: 3_600_000 };

async function setup(db: SqlDatabase) {
  const clock = new ManualClock(1_000_000);
  const accounts = new Accounts(db, clock, { scryptLog2N: 14 });
  accounts.setHashCost(10);
  const { userId } = await accounts.create({ username: 'alice', role: 'operator', password: 'a-good-long-password' });
  return { clock, accounts, userId, sessions: new Sessions(db, clock, OPTS) };
}

const count = async (db: SqlDatabase) => (await db.one<{ n: number }>('SELECT count(*) AS n FROM staff_sessions'))!.n;

describe.each(engines)('staff sessions on $engine', ({ available, open }) => {
  it.skipIf(!available)('are 256-bit random ids stored only as their SHA-256', async () => {
    const db = await open();
    const { sessions, userId } = await setup(db);
    const { id } = await sessions.create(userId, '127.0.0.1');
    expect(Buffer.from(id, 'base64url')).toHaveLength(32);
    const stored = (await db.all<{ h: Buffer }>('SELECT session_hash AS h FROM staff_sessions')).map((r) => r.h);
    expect(stored).toEqual([createHash('sha256').update(id).digest()]);
    expect(await sessions.resolve(id)).toMatchObject({ username: 'alice', role: 'operator' });
    expect(await sessions.resolve(`${id.startsWith('A') ? 'B' : 'A'}${id.slice(1)}`)).toBeUndefined();
  });

  it.skipIf(!available)('expire after the idle timeout, each use renewing it', async () => {
    const db = await open();
    const { sessions, userId, clock } = await setup(db);
    const { id } = await sessions.create(userId, undefined);
    clock.advance(599_999);
    expect((await sessions.resolve(id))?.expiresAt).toBe(clock.now() + 600_000);
    clock.advance(599_999);
    expect(await sessions.resolve(id)).toBeDefined();
    clock.advance(600_000);
    expect(await sessions.resolve(id)).toBeUndefined();
    // and the row is gone, not just refused
    expect(await count(db)).toBe(0);
  });

  it.skipIf(!available)('expire at the absolute lifetime however busy, and say so in expiresAt', async () => {
    const db = await open();
    const { sessions, userId, clock } = await setup(db);
    const { id } = await sessions.create(userId, undefined);
    for (let t = 0; t < 3_000_000; t += 300_000) {
      clock.advance(300_000);
      expect(await sessions.resolve(id)).toBeDefined();
    }
    clock.advance(300_000); // 3 300 s
    expect((await sessions.resolve(id))?.expiresAt).toBe(1_000_000 + 3_600_000);
    clock.advance(300_000); // 3 600 s
    expect(await sessions.resolve(id)).toBeUndefined();
  });

  it.skipIf(!available)('end at destroy, and expired ones are purged when anyone logs in', async () => {
    const db = await open();
    const { sessions, userId, clock } = await setup(db);
    const a = await sessions.create(userId, undefined);
    const b = await sessions.create(userId, undefined);
    await sessions.destroy(a.id);
    expect(await sessions.resolve(a.id)).toBeUndefined();
    expect(await sessions.resolve(b.id)).toBeDefined();
    clock.advance(700_000);
    await sessions.create(userId, undefined);
    expect(await count(db)).toBe(1);
  });

  it.skipIf(!available)('stop at once when the account is disabled or its password changes', async () => {
    const db = await open();
    const { sessions, accounts, userId } = await setup(db);
    const { id } = await sessions.create(userId, undefined);
    await db.run('UPDATE staff_users SET disabled_at = 1 WHERE user_id = $1', [userId]);
    expect(await sessions.resolve(id)).toBeUndefined();
    await accounts.setDisabled(userId, false);
    const again = await sessions.create(userId, undefined);
    await accounts.setPassword(userId, 'another-long-password');
    expect(await sessions.resolve(again.id)).toBeUndefined();
  });

  it.skipIf(!available)(
    'keep nothing in memory: a second store on the database (another instance) honours a login and a logout',
    async () => {
      const db = await open();
      const { sessions: first, userId, clock } = await setup(db);
      // The second instance: its own store objects over the same database, nothing shared in memory.
      const second = new Sessions(db, clock, OPTS);
      const { id } = await first.create(userId, undefined);
      expect(await second.resolve(id)).toMatchObject({ userId, username: 'alice' });
      await second.destroy(id);
      expect(await first.resolve(id)).toBeUndefined();
    },
  );
});
