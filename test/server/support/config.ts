import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SQL_ENGINES, type SqlEngine } from '../../../server/core/storage/sql/port.ts';
import { parseConfig } from '../../../server/main/config/load.ts';
import type { ServerConfig } from '../../../server/main/config/schema.ts';
import { workerPostgres } from '../../support/worker-postgres.ts';
import { SITE } from './messages.ts';

/**
 * The engine server tests run on: SQLite by default, PostgreSQL with VOLNO_TEST_ENGINE=postgres
 * (`npm run test:postgres`), one throw-away cluster per test process (test/support/worker-postgres.ts).
 */
export const TEST_ENGINE: SqlEngine = pickEngine(process.env['VOLNO_TEST_ENGINE']);
/** For `it.skipIf(onPostgres)` on the few tests of SQLite's own file; each says why beside it. */
export const onPostgres = TEST_ENGINE === 'postgres';

function pickEngine(value: string | undefined): SqlEngine {
  if (value === undefined || value === '') return 'sqlite';
  if (!(SQL_ENGINES as readonly string[]).includes(value))
    throw new Error(`VOLNO_TEST_ENGINE must be one of ${SQL_ENGINES.join(', ')}, not "${value}"`);
  return value as SqlEngine;
}

/**
 * The PostgreSQL database that stands for a data directory, so a server restarted on the same
 * directory finds its data again, as it finds SQLite's file there, and a fresh directory starts empty.
 */
export function testDatabaseName(dataDir: string): string {
  return `volno_${createHash('sha256').update(dataDir).digest('hex').slice(0, 20)}`;
}

/** The `storage` section for a test server on `dataDir`: nothing on SQLite (the file in data_dir). */
export function testStorage(dataDir: string): { engine: 'postgres'; url: string } | undefined {
  return onPostgres ? { engine: 'postgres', url: workerPostgres().database(testDatabaseName(dataDir)) } : undefined;
}

/** Three slots on one camera in one lot, plus a second lot with one slot: enough for every test. */
export const LOTS = [
  {
    lot_id: 'north',
    name: 'Severní parkoviště',
    name_en: 'North car park',
    address: 'Náměstí 1, Praha',
    latitude: 50.08,
    longitude: 14.42,
    cameras: [
      {
        camera_id: 'north-1',
        slots: [
          { slot_id: 'A1', label: 'A1', row: 1, col: 1 },
          { slot_id: 'A2', label: 'A2', type: 'disabled', row: 1, col: 2 },
          { slot_id: 'A3', label: 'A3', type: 'ev', reservable: true, row: 1, col: 3 },
        ],
      },
    ],
  },
  {
    lot_id: 'south',
    name: 'Jižní parkoviště',
    cameras: [{ camera_id: 'south-1', slots: [{ slot_id: 'B1', type: 'visitor' }] }],
  },
];

/** A temporary data directory, removed by the returned cleanup. */
export function tempDir(prefix = 'volno-server-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A config for tests: free ports, quiet logs, the test lots, the engine of this run (TEST_ENGINE);
 * `raw` overrides any key.
 */
export function testConfig(dataDir: string, raw: Record<string, unknown> = {}): ServerConfig {
  const { http, mqtt, ...rest } = raw as { http?: object; mqtt?: { embedded?: object }; storage?: object };
  const storage = rest.storage === undefined ? testStorage(dataDir) : undefined;
  return parseConfig(
    {
      site: SITE,
      data_dir: dataDir,
      log_level: 'silent',
      lots: LOTS,
      ...(storage !== undefined ? { storage } : {}),
      ...rest,
      http: { port: 0, ...http },
      mqtt: { ...mqtt, embedded: { port: 0, ...mqtt?.embedded } },
    },
    { baseDir: dataDir, env: {} },
  );
}
