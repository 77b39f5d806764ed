import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../../server/main/config/load.ts';
import type { ServerConfig } from '../../../server/main/config/schema.ts';
import { SITE } from './messages.ts';

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

/** A config for tests: free ports, quiet logs, the test lots; `raw` overrides any key. */
export function testConfig(dataDir: string, raw: Record<string, unknown> = {}): ServerConfig {
  const { http, mqtt, ...rest } = raw as { http?: object; mqtt?: { embedded?: object } };
  return parseConfig(
    {
      site: SITE,
      data_dir: dataDir,
      log_level: 'silent',
      lots: LOTS,
      ...rest,
      http: { port: 0, ...http },
      mqtt: { ...mqtt, embedded: { port: 0, ...mqtt?.embedded } },
    },
    { baseDir: dataDir, env: {} },
  );
}
