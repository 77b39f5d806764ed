import { join } from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../../server/core/storage/database.ts';
import { WriteBatch } from '../../../../server/core/storage/write-batch.ts';
import { tempDir } from '../../support/config.ts';

let tmp: ReturnType<typeof tempDir>;
let db: Database;
beforeEach(() => {
  tmp = tempDir('volno-batch-');
  db = openDatabase(join(tmp.dir, 'volno.sqlite'));
  db.exec('CREATE TABLE seats (seat INTEGER PRIMARY KEY, who TEXT NOT NULL)');
});
afterEach(() => {
  db.close();
  tmp.cleanup();
});

const names = () => db.prepare('SELECT who FROM seats ORDER BY seat').pluck().all();

/** Takes the first free seat of `capacity`, as a booking takes the first free space. */
function takeSeat(who: string, capacity: number): () => number {
  return () => {
    const taken = db.prepare('SELECT count(*) FROM seats').pluck().get() as number;
    if (taken >= capacity) throw new Error('full');
    db.prepare('INSERT INTO seats (seat, who) VALUES (?, ?)').run(taken + 1, who);
    return taken + 1;
  };
}

describe('group commit (WriteBatch)', () => {
  it('runs the jobs of one turn in one transaction, in order, each seeing the ones before it', async () => {
    let transactions = 0;
    const batch = new WriteBatch(db, { begin: () => transactions++ });
    const results = await Promise.allSettled(['a', 'b', 'c', 'd'].map((w) => batch.run(takeSeat(w, 2))));
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
      1,
      2,
      'full',
      'full',
    ]);
    expect(transactions).toBe(1);
    expect(names()).toEqual(['a', 'b']);
  });

  it('rolls back only the writes of a job that throws', async () => {
    const batch = new WriteBatch(db);
    const half = () => {
      db.prepare("INSERT INTO seats (seat, who) VALUES (5, 'half')").run();
      throw new Error('changed its mind');
    };
    const results = await Promise.allSettled([
      batch.run(takeSeat('a', 9)),
      batch.run(half),
      batch.run(takeSeat('b', 9)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(names()).toEqual(['a', 'b']);
  });

  it('settles a job only after its transaction committed', async () => {
    const path = join(tmp.dir, 'volno.sqlite');
    const other = new BetterSqlite3(path, { readonly: true });
    const events: string[] = [];
    const batch = new WriteBatch(db, { committed: () => events.push(`committed, inTransaction=${db.inTransaction}`) });
    // `resolve(value)` reads `value.then` synchronously (ECMAScript's promise resolve functions), so
    // this getter is called at the moment the job is resolved, not when a `.then` callback runs
    // (always later, after flush() returned). better-sqlite3 also reads it once, inside the job's
    // savepoint; the last read is the resolve.
    const probe = (): object => ({
      get then() {
        const visible = other.prepare('SELECT count(*) FROM seats').pluck().get() as number;
        events.push(`then read, inTransaction=${db.inTransaction}, another connection sees ${visible}`);
        return undefined;
      },
    });
    const p = batch.run(() => {
      takeSeat('a', 9)();
      return probe();
    });
    expect(names()).toEqual([]);
    await p;
    other.close();
    expect(events.slice(-2)).toEqual([
      'committed, inTransaction=false',
      'then read, inTransaction=false, another connection sees 1',
    ]);
  });

  it('rejects every job, and never reports a commit, when the COMMIT itself fails', async () => {
    // A deferred foreign key is checked at COMMIT, not at the job's savepoint: the batch's COMMIT fails.
    db.exec(`CREATE TABLE rows_of (id INTEGER PRIMARY KEY);
      CREATE TABLE lines (id INTEGER PRIMARY KEY,
        row_id INTEGER NOT NULL REFERENCES rows_of (id) DEFERRABLE INITIALLY DEFERRED)`);
    db.prepare('INSERT INTO rows_of (id) VALUES (1)').run();
    const events: string[] = [];
    const batch = new WriteBatch(db, {
      committed: () => events.push('committed'),
      rolledBack: () => events.push(`rolled back, inTransaction=${db.inTransaction}`),
    });
    const resolvedAt = (tag: string) => ({
      get then() {
        events.push(`${tag} resolving, inTransaction=${db.inTransaction}`);
        return undefined;
      },
    });
    const line = (id: number, rowId: number) => () => {
      db.prepare('INSERT INTO lines (id, row_id) VALUES (?, ?)').run(id, rowId);
      return resolvedAt(`line ${id}`);
    };
    const results = await Promise.allSettled([batch.run(line(1, 1)), batch.run(line(2, 99)), batch.run(line(3, 1))]);
    expect(results.map((r) => (r.status === 'rejected' ? (r.reason as { code?: string }).code : r.status))).toEqual([
      'SQLITE_CONSTRAINT_FOREIGNKEY',
      'SQLITE_CONSTRAINT_FOREIGNKEY',
      'SQLITE_CONSTRAINT_FOREIGNKEY',
    ]);
    // Reads inside the transaction are better-sqlite3's own check of each job's result (a resolve
    // there would have fulfilled the promise, failing the line above); none came after it ended.
    expect(events.filter((e) => !e.endsWith('inTransaction=true'))).toEqual(['rolled back, inTransaction=false']);
    expect(db.prepare('SELECT count(*) FROM lines').pluck().get()).toBe(0);
    expect(db.inTransaction).toBe(false);
  });

  it('rejects every job of a batch whose transaction ended early, and commits none of them', async () => {
    const events: string[] = [];
    const batch = new WriteBatch(db, {
      committed: () => events.push('committed'),
      rolledBack: () => events.push('rolled back'),
    });
    // SQLite ends the whole transaction on some errors (SQLITE_FULL, SQLITE_IOERR); a ROLLBACK
    // inside a job does the same, deterministically.
    const fatal = () => {
      db.exec('ROLLBACK');
      throw new Error('disk I/O error');
    };
    const results = await Promise.allSettled([
      batch.run(takeSeat('a', 9)),
      batch.run(fatal),
      batch.run(takeSeat('b', 9)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(names()).toEqual([]);
    expect(events).toEqual(['rolled back']);
    expect(db.inTransaction).toBe(false);
    // The next turn starts a fresh transaction.
    await expect(batch.run(takeSeat('c', 9))).resolves.toBe(1);
    expect(names()).toEqual(['c']);
  });

  it('splits a long queue into transactions of at most maxJobs', async () => {
    let transactions = 0;
    const batch = new WriteBatch(db, { begin: () => transactions++ }, { maxJobs: 3 });
    await Promise.all(Array.from({ length: 7 }, (_, i) => batch.run(takeSeat(`p${i}`, 99))));
    expect(transactions).toBe(3);
    expect(names()).toHaveLength(7);
  });

  it('waits for a transaction held open across awaits instead of becoming its savepoint', async () => {
    const events: string[] = [];
    const batch = new WriteBatch(db, { committed: () => events.push(`committed, inTransaction=${db.inTransaction}`) });
    // A hand-made BEGIN held across awaits, as the async SQLite driver's transaction is.
    db.exec("BEGIN IMMEDIATE; INSERT INTO seats (seat, who) VALUES (9, 'outer')");
    const p = batch.run(takeSeat('a', 9));
    // Turns in which a flush would have run inside the open transaction.
    for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
    expect(events).toEqual([]);
    db.exec('ROLLBACK');
    await expect(p).resolves.toBe(1);
    expect(events).toEqual(['committed, inTransaction=false']);
    // The outer ROLLBACK did not take the job's row with it, and its own row is gone.
    expect(names()).toEqual(['a']);
  });

  it('rejects its jobs with a clear error when a transaction held open never ends', async () => {
    const batch = new WriteBatch(db, {}, { outerTransactionWaitMs: 30 });
    db.exec('BEGIN');
    const results = await Promise.allSettled([batch.run(takeSeat('a', 9)), batch.run(takeSeat('b', 9))]);
    expect(results.map((r) => (r.status === 'rejected' ? (r.reason as { code?: string }).code : r.status))).toEqual([
      'VOLNO_DB_TRANSACTION',
      'VOLNO_DB_TRANSACTION',
    ]);
    db.exec('ROLLBACK');
    // The batch works again once the connection is free.
    await expect(batch.run(takeSeat('c', 9))).resolves.toBe(1);
    expect(names()).toEqual(['c']);
  });
});
