import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../server/core/clock.ts';
import type { SqlDatabase } from '../../../server/core/storage/sql/port.ts';
import { Accounts } from '../../../server/staff/accounts.ts';
import { AuditLog } from '../../../server/staff/audit-log.ts';
import { SsoAccounts } from '../../../server/staff/sso-accounts.ts';
import { useEngines } from '../../support/engines.ts';

const engines = useEngines();
const PASSWORD = 'a-good-long-password';

/** Opens a few pooled connections (PostgreSQL) so racing transactions do not wait for a connect. */
const warmPool = (db: SqlDatabase) => Promise.all([1, 2, 3, 4].map(() => db.one('SELECT 1 AS one')));

function accountsOn(db: SqlDatabase, clock = new ManualClock(1_000_000)) {
  const accounts = new Accounts(db, clock, { scryptLog2N: 10 });
  return { accounts, clock };
}

describe.each(engines)('staff accounts and the audit log on $engine', ({ available, open }) => {
  it.skipIf(!available)(
    'create, list and find accounts; a taken name is a 409 even when two creations race',
    async () => {
      const db = await open();
      const { accounts } = accountsOn(db);
      const alice = await accounts.create({ username: ' Alice ', role: 'admin', password: PASSWORD });
      expect(alice).toMatchObject({ username: 'alice', role: 'admin', lastLoginAt: null, disabledAt: null });
      expect(await accounts.count()).toBe(1);
      expect(await accounts.byUsername('ALICE')).toEqual(alice);
      await expect(accounts.create({ username: 'alice', role: 'viewer', password: PASSWORD })).rejects.toMatchObject({
        statusCode: 409,
      });
      // Both pass the name check before either inserts: only the UNIQUE constraint can refuse one.
      const race = await Promise.allSettled(
        ['bob', 'bob'].map((username) => accounts.create({ username, role: 'viewer', password: PASSWORD })),
      );
      expect(race.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect(race.find((r) => r.status === 'rejected')).toMatchObject({ reason: { statusCode: 409 } });
      expect((await accounts.list()).map((u) => u.username)).toEqual(['alice', 'bob']);
    },
  );

  it.skipIf(!available)(
    'authenticate only a correct password of an enabled account, and record the login',
    async () => {
      const db = await open();
      const { accounts, clock } = accountsOn(db);
      const { userId } = await accounts.create({ username: 'vera', role: 'viewer', password: PASSWORD });
      clock.advance(5_000);
      expect(await accounts.authenticate('vera', 'wrong-long-password')).toBeUndefined();
      expect(await accounts.authenticate('nobody', PASSWORD)).toBeUndefined();
      expect(await accounts.authenticate('Vera', PASSWORD)).toMatchObject({ userId, lastLoginAt: 1_005_000 });
      await accounts.setDisabled(userId, true);
      expect(await accounts.authenticate('vera', PASSWORD)).toBeUndefined();
    },
  );

  it.skipIf(!available)('rehash a password made with weaker parameters at the next login', async () => {
    const db = await open();
    const { accounts } = accountsOn(db);
    const { userId } = await accounts.create({ username: 'vera', role: 'viewer', password: PASSWORD });
    const hashOf = async () =>
      (await db.one<{ h: string }>('SELECT password_hash AS h FROM staff_users WHERE user_id = $1', [userId]))!.h;
    expect(await hashOf()).toMatch(/^scrypt\$10\$/);
    accounts.setHashCost(11);
    expect(await accounts.authenticate('vera', PASSWORD)).toBeDefined();
    expect(await hashOf()).toMatch(/^scrypt\$11\$/);
  });

  it.skipIf(!available)('never demote or disable the last active admin, even two admins at once', async () => {
    const db = await open();
    const { accounts } = accountsOn(db);
    const a = await accounts.create({ username: 'ann', role: 'admin', password: PASSWORD });
    const b = await accounts.create({ username: 'ben', role: 'admin', password: PASSWORD });
    // Each alone would be allowed (the other stays admin); together they would leave none. On
    // PostgreSQL, connections opened beforehand let the two transactions really run side by side.
    await warmPool(db);
    const both = await Promise.allSettled([accounts.setRole(a.userId, 'viewer'), accounts.setDisabled(b.userId, true)]);
    expect(both.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(both.find((r) => r.status === 'rejected')).toMatchObject({ reason: { statusCode: 409 } });
    const active = (await accounts.list()).filter((u) => u.role === 'admin' && u.disabledAt === null);
    expect(active).toHaveLength(1);
  });

  it.skipIf(!available)(
    'link an SSO subject to one account, created once even when two first sign-ins race',
    async () => {
      const db = await open();
      const { accounts, clock } = accountsOn(db);
      await accounts.create({ username: 'alice', role: 'admin', password: PASSWORD });
      const sso = new SsoAccounts(db, clock);
      await warmPool(db);
      const [x, y] = await Promise.all([
        sso.signIn('https://idp', 'sub-1', 'alice', 'operator'),
        sso.signIn('https://idp', 'sub-1', 'alice', 'operator'),
      ]);
      // The local alice is never taken over: the SSO user gets a name of its own.
      expect(x!.username).toMatch(/^sso-[0-9a-f]{10}$/);
      expect(y!.userId).toBe(x!.userId);
      expect([x!.created, y!.created].sort()).toEqual([false, true]);
      expect(await sso.signIn('https://idp', 'sub-1', 'ignored', 'viewer')).toMatchObject({
        role: 'viewer',
        created: false,
      });
      await accounts.setDisabled(x!.userId, true);
      expect(await sso.signIn('https://idp', 'sub-1', 'alice', 'operator')).toBeUndefined();
    },
  );

  it.skipIf(!available)('keep an audit log, newest first, filtered and paged, with secrets scrubbed', async () => {
    const db = await open();
    const log = new AuditLog(db, new ManualClock(42));
    const base = { userId: null, username: 'ann', role: 'admin', via: 'session' };
    await log.record({
      ...base,
      action: 'user.create',
      target: 'user:2',
      detail: { password: 'x', nested: { token: 'y' } },
    });
    await log.record({ ...base, action: 'login', target: 'user:1', ip: '192.0.2.1' });
    await log.record({ ...base, username: 'ben', action: 'login', target: 'user:3' });
    const all = await log.list({ limit: 10 });
    expect(all.map((e) => e.target)).toEqual(['user:3', 'user:1', 'user:2']);
    expect(all[2]!.detail).toEqual({ password: '***', nested: { token: '***' } });
    expect(all[1]).toMatchObject({ at: 42, ip: '192.0.2.1', socketIp: null, detail: null });
    expect((await log.list({ limit: 10, action: 'login', username: 'ann' })).map((e) => e.target)).toEqual(['user:1']);
    expect((await log.list({ limit: 1, beforeId: all[0]!.auditId })).map((e) => e.target)).toEqual(['user:1']);
  });
});
