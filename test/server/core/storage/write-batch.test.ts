import { describe, expect, it } from 'vitest';
import { PostgresSqlDatabase } from '../../../../server/core/storage/sql/postgres-driver.ts';
import { sqlErrorKind, type SqlDatabase, type SqlExecutor } from '../../../../server/core/storage/sql/port.ts';
import { WriteBatch } from '../../../../server/core/storage/write-batch.ts';
import { useEngines } from '../../../support/engines.ts';

const engines = useEngines();

/** A fresh database with a `seats` table, and a way to read who sits where. */
async function seated(open: () => Promise<SqlDatabase>) {
  const db = await open();
  await db.exec('CREATE TABLE seats (seat integer PRIMARY KEY, who text NOT NULL)');
  const names = async (on: SqlExecutor = db) =>
    (await on.all<{ who: string }>('SELECT who FROM seats ORDER BY seat')).map((r) => r.who);
  return { db, names };
}

/** Takes the first free seat of `capacity`, as a booking takes the first free space. */
const takeSeat =
  (who: string, capacity: number) =>
  async (tx: SqlExecutor): Promise<number> => {
    const { n } = (await tx.one<{ n: number }>('SELECT count(*) AS n FROM seats'))!;
    if (n >= capacity) throw new Error('full');
    await tx.run('INSERT INTO seats (seat, who) VALUES ($1, $2)', [n + 1, who]);
    return n + 1;
  };

const outcome = (r: PromiseSettledResult<unknown>) =>
  r.status === 'fulfilled' ? r.value : ((r.reason as { code?: string }).code ?? (r.reason as Error).message);

/** Whether a transaction of `db` is open: set when its body starts, cleared once it has ended (after COMMIT). */
function tracked(db: SqlDatabase): { sql: SqlDatabase; open: () => boolean } {
  let open = false;
  const sql = Object.create(db) as SqlDatabase;
  sql.transaction = async (fn) => {
    try {
      return await db.transaction((tx) => ((open = true), fn(tx)));
    } finally {
      open = false;
    }
  };
  return { sql, open: () => open };
}

describe.each(engines)('group commit (WriteBatch) on $engine', ({ engine, available, open }) => {
  it.skipIf(!available)(
    'runs the jobs of one turn in one transaction, in order, each seeing the ones before it',
    async () => {
      const { db, names } = await seated(open);
      let transactions = 0;
      const batch = new WriteBatch(db, { begin: () => void transactions++ });
      const results = await Promise.allSettled(['a', 'b', 'c', 'd'].map((w) => batch.run(takeSeat(w, 2))));
      expect(results.map(outcome)).toEqual([1, 2, 'full', 'full']);
      expect(transactions).toBe(1);
      expect(await names()).toEqual(['a', 'b']);
    },
  );

  it.skipIf(!available)('rolls back only the writes of a job that throws, or whose statement fails', async () => {
    const { db, names } = await seated(open);
    const batch = new WriteBatch(db);
    const half = async (tx: SqlExecutor) => {
      await tx.run("INSERT INTO seats (seat, who) VALUES (5, 'half')");
      throw new Error('changed its mind');
    };
    // On PostgreSQL a failed statement aborts the transaction: only its savepoint's rollback saves the rest.
    const clash = async (tx: SqlExecutor) => {
      await tx.run("INSERT INTO seats (seat, who) VALUES (7, 'clash-first')");
      await tx.run("INSERT INTO seats (seat, who) VALUES (1, 'clash')");
    };
    const results = await Promise.allSettled([
      batch.run(takeSeat('a', 9)),
      batch.run(half),
      batch.run(clash),
      batch.run(takeSeat('b', 9)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect(sqlErrorKind((results[2] as PromiseRejectedResult).reason)).toBe('unique');
    expect(await names()).toEqual(['a', 'b']);
  });

  it.skipIf(!available)('settles a job only after its transaction committed', async () => {
    const { db } = await seated(open);
    const { sql, open: inTransaction } = tracked(db);
    const events: string[] = [];
    const batch = new WriteBatch(sql, { committed: () => events.push(`committed, open=${inTransaction()}`) });
    // `resolve(value)` reads `value.then` synchronously (ECMAScript's promise resolve functions), so
    // this getter runs at the moment the job is resolved. The savepoint's async functions also read
    // it, inside the transaction; the last read is the resolve.
    const probe = (): object => ({
      get then() {
        events.push(`then read, open=${inTransaction()}`);
        return undefined;
      },
    });
    const p = batch.run(async (tx) => {
      await takeSeat('a', 9)(tx);
      return probe();
    });
    await p;
    expect(events.slice(-2)).toEqual(['committed, open=false', 'then read, open=false']);
    expect(events.filter((e) => e.startsWith('then read')).slice(0, -1)).not.toContain('then read, open=false');
  });

  it.skipIf(!available)('rejects every job, and never reports a commit, when the COMMIT itself fails', async () => {
    const { db } = await seated(open);
    // A deferred foreign key is checked at COMMIT, not at the job's savepoint: the batch's COMMIT fails.
    await db.exec(`CREATE TABLE rows_of (id integer PRIMARY KEY);
      CREATE TABLE lines (id integer PRIMARY KEY,
        row_id integer NOT NULL REFERENCES rows_of (id) DEFERRABLE INITIALLY DEFERRED);
      INSERT INTO rows_of (id) VALUES (1)`);
    const { sql, open: inTransaction } = tracked(db);
    const events: string[] = [];
    const batch = new WriteBatch(sql, {
      committed: () => events.push('committed'),
      rolledBack: () => events.push(`rolled back, open=${inTransaction()}`),
    });
    const resolvedAt = (tag: string) => ({
      get then() {
        events.push(`${tag} resolving, open=${inTransaction()}`);
        return undefined;
      },
    });
    const line = (id: number, rowId: number) => async (tx: SqlExecutor) => {
      await tx.run('INSERT INTO lines (id, row_id) VALUES ($1, $2)', [id, rowId]);
      return resolvedAt(`line ${id}`);
    };
    const results = await Promise.allSettled([batch.run(line(1, 1)), batch.run(line(2, 99)), batch.run(line(3, 1))]);
    expect(results.map((r) => (r.status === 'rejected' ? sqlErrorKind(r.reason) : r.status))).toEqual([
      'foreign_key',
      'foreign_key',
      'foreign_key',
    ]);
    // Reads inside the transaction are the savepoints' own; none came after it ended.
    expect(events.filter((e) => !e.endsWith('open=true'))).toEqual(['rolled back, open=false']);
    expect(await db.one('SELECT count(*) AS n FROM lines')).toEqual({ n: 0 });
  });

  it.skipIf(!available)('rejects every job of a batch whose transaction ended early, and commits none', async () => {
    const { db, names } = await seated(open);
    const events: string[] = [];
    const batch = new WriteBatch(db, {
      committed: () => events.push('committed'),
      rolledBack: () => events.push('rolled back'),
    });
    // Some errors end the whole transaction (SQLite's SQLITE_FULL, a broken connection); a ROLLBACK
    // inside a job does the same, deterministically: its savepoint is gone.
    const fatal = async (tx: SqlExecutor) => {
      await tx.exec('ROLLBACK');
      throw new Error('disk I/O error');
    };
    const results = await Promise.allSettled([
      batch.run(takeSeat('a', 9)),
      batch.run(fatal),
      batch.run(takeSeat('b', 9)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(await names()).toEqual([]);
    expect(events).toEqual(['rolled back']);
    // The next turn starts a fresh transaction.
    await expect(batch.run(takeSeat('c', 9))).resolves.toBe(1);
    expect(await names()).toEqual(['c']);
  });

  it.skipIf(!available)('splits a long queue into transactions of at most maxJobs, in order', async () => {
    const { db, names } = await seated(open);
    let transactions = 0;
    const batch = new WriteBatch(db, { begin: () => void transactions++ }, { maxJobs: 3 });
    const seats = await Promise.all(Array.from({ length: 7 }, (_, i) => batch.run(takeSeat(`p${i}`, 99))));
    expect(transactions).toBe(3);
    expect(seats).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(await names()).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6']);
  });

  it.skipIf(!available)(
    'never lands inside another caller’s transaction: its rollback keeps the batch’s rows',
    async () => {
      const { db, names } = await seated(open);
      const batch = new WriteBatch(db);
      let job: Promise<number> | undefined;
      // SQLite: the batch waits for the connection; PostgreSQL: it runs on another pooled connection.
      const outer = db.transaction(async (tx) => {
        await tx.run("INSERT INTO seats (seat, who) VALUES (9, 'outer')");
        job = batch.run(takeSeat('a', 9));
        for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
        throw new Error('outer gives up');
      });
      await expect(outer).rejects.toThrow('outer gives up');
      await expect(job).resolves.toBe(1);
      expect(await names()).toEqual(['a']);
    },
  );

  it.skipIf(!available || engine !== 'postgres')(
    'on PostgreSQL, is one pooled connection’s transaction: uncommitted rows stay invisible to another handle',
    async () => {
      const { db, names } = await seated(open);
      const other = new PostgresSqlDatabase({ url: (db as PostgresSqlDatabase).pool.options.connectionString! });
      try {
        const seen: string[][] = [];
        const batch = new WriteBatch(db);
        await Promise.all([
          batch.run(takeSeat('a', 9)),
          batch.run(async (tx) => {
            // The first job's row: visible here, in the same transaction; not yet to the other handle.
            seen.push(await names(tx), await names(other));
            return takeSeat('b', 9)(tx);
          }),
        ]);
        expect(seen).toEqual([['a'], []]);
        expect(await names(other)).toEqual(['a', 'b']);
      } finally {
        await other.close();
      }
    },
  );
});
