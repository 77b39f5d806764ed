import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Accounts } from '../../../server/staff/accounts.ts';
import { Sessions } from '../../../server/staff/sessions.ts';
import { ManualClock } from '../../../server/core/clock.ts';
import { openDatabase } from '../../../server/core/storage/database.ts';
import { tempDir } from '../support/config.ts';

let tmp: ReturnType<typeof tempDir>;
let db: Database;
let clock: ManualClock;
let sessions: Sessions;
let userId: number;

beforeEach(async () => {
  tmp = tempDir('volno-sessions-');
  db = openDatabase(join(tmp.dir, 'volno.sqlite'));
  clock = new ManualClock(1_000_000);
  const accounts = new Accounts(db, clock, { scryptLog2N: 14 });
  accounts.setHashCost(10);
  userId = (await accounts.create({ username: 'alice', role: 'operator', password: 'a-good-long-password' })).userId;
  sessions = new Sessions(db, clock, { idleMs: 600_000, absoluteMs: 3_600_000 });
});
afterEach(() => {
  db.close();
  tmp.cleanup();
});

describe('staff sessions', () => {
  it('are 256-bit random ids stored only as their SHA-256', () => {
    const { id } = sessions.create(userId, '127.0.0.1');
    expect(Buffer.from(id, 'base64url')).toHaveLength(32);
    const stored = db.prepare('SELECT session_hash FROM staff_sessions').pluck().all() as Buffer[];
    expect(stored).toEqual([createHash('sha256').update(id).digest()]);
    expect(sessions.resolve(id)).toMatchObject({ username: 'alice', role: 'operator' });
    expect(sessions.resolve(`${id.startsWith('A') ? 'B' : 'A'}${id.slice(1)}`)).toBeUndefined();
  });

  it('expire after the idle timeout, each use renewing it', () => {
    const { id } = sessions.create(userId, undefined);
    clock.advance(599_999);
    expect(sessions.resolve(id)?.expiresAt).toBe(clock.now() + 600_000);
    clock.advance(599_999);
    expect(sessions.resolve(id)).toBeDefined();
    clock.advance(600_000);
    expect(sessions.resolve(id)).toBeUndefined();
    // and the row is gone, not just refused
    expect(db.prepare('SELECT count(*) FROM staff_sessions').pluck().get()).toBe(0);
  });

  it('expire at the absolute lifetime however busy, and say so in expiresAt', () => {
    const { id } = sessions.create(userId, undefined);
    for (let t = 0; t < 3_000_000; t += 300_000) {
      clock.advance(300_000);
      expect(sessions.resolve(id)).toBeDefined();
    }
    clock.advance(300_000); // 3 300 s
    expect(sessions.resolve(id)?.expiresAt).toBe(1_000_000 + 3_600_000);
    clock.advance(300_000); // 3 600 s
    expect(sessions.resolve(id)).toBeUndefined();
  });

  it('end at destroy, and expired ones are purged when anyone logs in', () => {
    const a = sessions.create(userId, undefined);
    const b = sessions.create(userId, undefined);
    sessions.destroy(a.id);
    expect(sessions.resolve(a.id)).toBeUndefined();
    expect(sessions.resolve(b.id)).toBeDefined();
    clock.advance(700_000);
    sessions.create(userId, undefined);
    expect(db.prepare('SELECT count(*) FROM staff_sessions').pluck().get()).toBe(1);
  });

  it('stop at once when the account is disabled', () => {
    const { id } = sessions.create(userId, undefined);
    db.prepare('UPDATE staff_users SET disabled_at = 1 WHERE user_id = ?').run(userId);
    expect(sessions.resolve(id)).toBeUndefined();
  });
});
