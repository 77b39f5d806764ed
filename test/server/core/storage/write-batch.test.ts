import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
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
    const batch = new WriteBatch(db);
    const seen: number[] = [];
    const p = batch.run(takeSeat('a', 9)).then(() => {
      // A second connection sees the row as soon as the promise resolves.
      const other = openDatabase(join(tmp.dir, 'volno.sqlite'));
      seen.push(other.prepare('SELECT count(*) FROM seats').pluck().get() as number);
      other.close();
    });
    expect(names()).toEqual([]);
    await p;
    expect(seen).toEqual([1]);
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
    const batch = new WriteBatch(db, { begin: () => transactions++ }, 3);
    await Promise.all(Array.from({ length: 7 }, (_, i) => batch.run(takeSeat(`p${i}`, 99))));
    expect(transactions).toBe(3);
    expect(names()).toHaveLength(7);
  });
});
