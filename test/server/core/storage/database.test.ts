import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Catalog } from '../../../../server/core/storage/catalog.ts';
import { openDatabase } from '../../../../server/core/storage/database.ts';
import { listMigrations } from '../../../../server/core/storage/migrate.ts';
import { openSqlDatabase } from '../../../../server/core/storage/sql/open.ts';
import { backupDatabase } from '../../../../server/core/storage/backup.ts';
import { tempDir, testConfig } from '../../support/config.ts';
import { ingestHarness } from '../../support/ingest-harness.ts';
import { FakeAgent } from '../../support/messages.ts';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => (tmp = tempDir('volno-db-')));
afterEach(() => tmp.cleanup());

describe('the database', () => {
  it('is created in WAL mode at the latest numbered migration', () => {
    const db = openDatabase(join(tmp.dir, 'sub', 'volno.sqlite'));
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('user_version', { simple: true })).toBe(listMigrations().length);
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
      expect(tables).toEqual([
        'agents',
        'alert_digests',
        'alerts',
        'bookings',
        'calibration_accuracy',
        'calibration_heads',
        'calibration_label_sets',
        'calibration_labels',
        'calibration_masks',
        'calibration_running',
        'calibration_versions',
        'cameras',
        'citizen_sessions',
        'email_verifications',
        'lot_daily',
        'lot_hourly',
        'lots',
        'oidc_flows',
        'rate_limit_hits',
        'reservation_blocks',
        'reservation_events',
        'reservation_mail',
        'slot_state',
        'slots',
        'staff_audit',
        'staff_sessions',
        'staff_sso_links',
        'staff_users',
        'transitions',
      ]);
    } finally {
      db.close();
    }
  });

  it('refuses a database written by a newer server instead of guessing', () => {
    const path = join(tmp.dir, 'volno.sqlite');
    openDatabase(path).close();
    const raw = new BetterSqlite3(path);
    raw.pragma('user_version = 99');
    raw.close();
    expect(() => openDatabase(path)).toThrow(expect.objectContaining({ code: 'VOLNO_DB_MIGRATION' }));
  });

  it('upserts lots, cameras and slots from the config, and unassigns slots the config dropped', async () => {
    const sql = await openSqlDatabase({ engine: 'sqlite', path: join(tmp.dir, 'volno.sqlite') });
    try {
      const catalog = new Catalog(sql);
      await catalog.refresh();
      const config = testConfig(tmp.dir);
      await catalog.applyConfig(config.lots);
      expect(catalog.lots().map((l) => l.lotId)).toEqual(['north', 'south']);
      expect(catalog.slotsOf('north').map((s) => [s.slotId, s.type, s.reservable])).toEqual([
        ['A1', 'standard', false],
        ['A2', 'disabled', false],
        ['A3', 'ev', true],
      ]);
      const fewer = structuredClone(config.lots);
      fewer[0]!.cameras[0]!.slots.pop();
      fewer[0]!.cameras[0]!.slots[0]!.label = 'Renamed';
      await catalog.applyConfig(fewer);
      expect(catalog.slotsOf('north').map((s) => s.label)).toEqual(['Renamed', 'A2']);
      expect(catalog.slotsOf(null)).toEqual([
        expect.objectContaining({ slotId: 'A3', configured: false, lotId: null }),
      ]);
    } finally {
      await sql.close();
    }
  });

  it('backs up online while the server keeps writing, and the copy is complete and consistent', async () => {
    const h = await ingestHarness();
    try {
      const agent = new FakeAgent('agent-1', 'session-aaaaaaaa', () => h.clock.now());
      let writes = 0;
      const writer = setInterval(() => {
        h.clock.advance(1000);
        void h.send(agent.slotState('north-1', 'A1', writes++ % 2 === 0 ? 'free' : 'occupied'));
      }, 1);
      await new Promise((r) => setTimeout(r, 20));
      const target = join(tmp.dir, 'backup.sqlite');
      const result = await backupDatabase(join(h.config.data_dir, 'volno.sqlite'), target);
      clearInterval(writer);
      expect(result.total_pages).toBeGreaterThan(0);
      const copy = new BetterSqlite3(target, { readonly: true });
      try {
        expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
        const transitions = copy.prepare('SELECT count(*) FROM transitions').pluck().get() as number;
        expect(transitions).toBeGreaterThan(0);
        expect(copy.prepare('SELECT count(*) FROM slots').pluck().get()).toBe(4);
      } finally {
        copy.close();
      }
      await expect(backupDatabase(join(h.config.data_dir, 'volno.sqlite'), target)).rejects.toMatchObject({
        code: 'VOLNO_BACKUP_FAILED',
      });
    } finally {
      await h.close();
    }
  });
});
