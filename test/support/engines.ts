// Both storage engines for one test file, so a suite runs unchanged on SQLite and PostgreSQL:
//   describe.each(useEngines())('… on $engine', ({ available, open }) => { … })
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { openSqlDatabase } from '../../server/core/storage/sql/open.ts';
import type { SqlDatabase, SqlEngine } from '../../server/core/storage/sql/port.ts';
import { usePostgres } from './postgres.ts';

export interface EngineUnderTest {
  engine: SqlEngine;
  /** False only for PostgreSQL outside CI without Debian's package (the suite then skips). */
  available: boolean;
  /** A fresh database at the latest schema version, as the server opens it; closed after the file. */
  open(): Promise<SqlDatabase>;
}

/** Call once at the top of a test file: it starts the file's PostgreSQL and cleans up after it. */
export function useEngines(): EngineUnderTest[] {
  const pg = usePostgres();
  const opened: SqlDatabase[] = [];
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(opened.map((db) => db.close()));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const keep = (db: SqlDatabase) => (opened.push(db), db);
  return [
    {
      engine: 'sqlite',
      available: true,
      async open() {
        const dir = mkdtempSync(join(tmpdir(), 'volno-engine-'));
        dirs.push(dir);
        return keep(await openSqlDatabase({ engine: 'sqlite', path: join(dir, 'volno.sqlite') }));
      },
    },
    {
      engine: 'postgres',
      available: pg.available,
      async open() {
        return keep(await openSqlDatabase({ engine: 'postgres', url: await pg.server.createDatabase() }));
      },
    },
  ];
}
