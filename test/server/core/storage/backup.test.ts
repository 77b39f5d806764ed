import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { backupDatabase, backupSql } from '../../../../server/core/storage/backup.ts';
import { useEngines } from '../../../support/engines.ts';

const engines = useEngines();
const dir = mkdtempSync(join(tmpdir(), 'volno-backup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(engines)('backing up the live database on $engine', ({ engine, available, open }) => {
  it.skipIf(!available)(
    engine === 'sqlite'
      ? 'copies it with the online backup API while the connection stays open'
      : 'refuses with VOLNO_BACKUP_UNSUPPORTED and names pg_dump, writing nothing',
    async () => {
      const sql = await open();
      await sql.run(`INSERT INTO lots (lot_id, name, sort_order, configured) VALUES ('north', 'Sever', 0, 1)`);
      const file = join(dir, `${engine}.sqlite`);
      if (engine === 'postgres') {
        await expect(backupSql(sql, file)).rejects.toMatchObject({
          code: 'VOLNO_BACKUP_UNSUPPORTED',
          message: expect.stringContaining('pg_dump'),
        });
        expect(existsSync(file)).toBe(false);
        return;
      }
      const result = await backupSql(sql, file);
      expect(result).toMatchObject({ file, total_pages: expect.any(Number) });
      const copy = new BetterSqlite3(file, { readonly: true });
      try {
        expect(copy.prepare('SELECT lot_id, name FROM lots').all()).toEqual([{ lot_id: 'north', name: 'Sever' }]);
      } finally {
        copy.close();
      }
      // Still the server's connection afterwards, and a backup never overwrites.
      expect(await sql.one('SELECT count(*) AS n FROM lots')).toEqual({ n: 1 });
      await expect(backupSql(sql, file)).rejects.toMatchObject({ code: 'VOLNO_BACKUP_FAILED' });
    },
  );
});

describe('volno backup with PostgreSQL configured', () => {
  it('refuses before connecting, naming pg_dump', async () => {
    // Port 9 (discard) on localhost: nothing answers there, so only a refusal that opens nothing passes.
    const target = { engine: 'postgres' as const, url: 'postgres://volno@127.0.0.1:9/volno' };
    await expect(backupDatabase(target, join(dir, 'never.sqlite'))).rejects.toMatchObject({
      code: 'VOLNO_BACKUP_UNSUPPORTED',
      message: expect.stringMatching(/pg_dump/),
    });
  });
});
