// What the server records as the version a camera runs, when the agent says it runs a published one:
// the report's hash must be the hash of what the server published as that version.
import { beforeEach, describe, expect, it } from 'vitest';
import { fromCalibrationPayload } from '../../../calibration/index.ts';
import { calibrationDigest } from '../../../protocol/calibration-digest.ts';
import { EXAMPLES } from '../../../protocol/examples.ts';
import { calibrationContent, type CalibrationRunningPayload } from '../../../protocol/index.ts';
import { RunningCalibrations } from '../../../server/calibration/running.ts';
import { VersionsStore } from '../../../server/calibration/versions-store.ts';
import { Registry } from '../../../server/core/metrics/registry.ts';
import type { SqlDatabase } from '../../../server/core/storage/sql/port.ts';
import { captureLog } from '../../edge/support/capture-log.ts';
import { useEngines } from '../../support/engines.ts';

const CAMERA = 'north-1';
const published = EXAMPLES.calibration.payload;
const content = calibrationContent(published);
const hash = calibrationDigest(content);
// What an agent with an edited state file would run: one slot fewer, under the same version number.
const edited = { ...content, slots: content.slots.slice(1) };

const engines = useEngines();
const registry = new Registry();
const unverified = registry.counter('test_unverified_total', 'test');
const fixture = (over: Partial<CalibrationRunningPayload>): CalibrationRunningPayload => ({
  agent_id: 'agent-1',
  session_id: 'session-aaaaaaaa',
  seq: 0,
  sent_at: '2026-11-30T08:15:02.481Z',
  camera_id: CAMERA,
  origin: 'published',
  version: 1,
  issued_at: published.issued_at,
  sha256: hash,
  calibration: content,
  ...over,
});

describe.each(engines)('a report of a published calibration on $engine', ({ available, open }) => {
  let sql: SqlDatabase;
  let versions: VersionsStore;
  let running: RunningCalibrations;
  let logs: ReturnType<typeof captureLog>;
  const report = (p: CalibrationRunningPayload, at: number) => sql.transaction((tx) => running.report(p, at, tx));

  beforeEach(async () => {
    if (!available) return;
    sql = await open();
    logs = captureLog('info');
    versions = new VersionsStore(sql);
    running = new RunningCalibrations({ sql, versions, log: logs.log, unverified, catalogChanged: async () => {} });
    const doc = fromCalibrationPayload(published);
    await versions.add(CAMERA, { ...doc, camera_id: CAMERA }, { author: 'olga', note: '', at: 1 }); // version 1
    await versions.add(CAMERA, { ...doc, camera_id: CAMERA }, { author: 'olga', note: '', at: 2 }); // version 2, unpublished
    await versions.markPublished(CAMERA, 1, 'olga', 3, hash);
  });

  it.skipIf(!available).each(['published', 'cache'] as const)(
    'counts as running version N when its hash is N’s (%s)',
    async (origin) => {
      const before = unverified.get();
      await report(fixture({ origin }), 10);
      expect(await running.get(CAMERA)).toMatchObject({ origin, agentVersion: 1, serverVersion: 1, sha256: hash });
      expect(unverified.get()).toBe(before);
    },
  );

  it.skipIf(!available).each(['published', 'cache'] as const)(
    'records no server version, warns and counts, when the content is not what was published as N (%s)',
    async (origin) => {
      const before = unverified.get();
      await report(fixture({ origin, calibration: edited, sha256: calibrationDigest(edited) }), 10);
      expect(await running.get(CAMERA)).toMatchObject({ origin, agentVersion: 1, serverVersion: null });
      expect(unverified.get()).toBe(before + 1);
      const warning = logs.entries().find((e) => e['level'] === 40);
      expect(warning).toMatchObject({ camera: CAMERA, version: 1, published_sha256: hash, count: before + 1 });
    },
  );

  it.skipIf(!available)('records no server version for a version the server never published', async () => {
    const before = unverified.get();
    await report(fixture({ version: 2 }), 10);
    await report(fixture({ version: 9 }), 11);
    expect(await running.get(CAMERA)).toMatchObject({ agentVersion: 9, serverVersion: null });
    expect(unverified.get()).toBe(before + 2);
  });

  it.skipIf(!available)(
    'takes the version of one published before hashes were kept, which has nothing to compare with',
    async () => {
      await sql.run('UPDATE calibration_versions SET content_sha256 = NULL WHERE camera_id = $1 AND version = 1', [
        CAMERA,
      ]);
      await report(fixture({ calibration: edited, sha256: calibrationDigest(edited) }), 10);
      expect(await running.get(CAMERA)).toMatchObject({ serverVersion: 1 });
    },
  );
});
