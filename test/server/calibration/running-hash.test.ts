// What the server records as the version a camera runs, when the agent says it runs a published one:
// the report's hash must be the hash of what the server published as that version.
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fromCalibrationPayload } from '../../../calibration/index.ts';
import { calibrationDigest } from '../../../protocol/calibration-digest.ts';
import { EXAMPLES } from '../../../protocol/examples.ts';
import { calibrationContent, type CalibrationRunningPayload } from '../../../protocol/index.ts';
import { RunningCalibrations } from '../../../server/calibration/running.ts';
import { VersionsStore } from '../../../server/calibration/versions-store.ts';
import { Registry } from '../../../server/core/metrics/registry.ts';
import { openDatabase } from '../../../server/core/storage/database.ts';
import { captureLog } from '../../edge/support/capture-log.ts';
import { tempDir } from '../support/config.ts';

const CAMERA = 'north-1';
const published = EXAMPLES.calibration.payload;
const content = calibrationContent(published);
const hash = calibrationDigest(content);
// What an agent with an edited state file would run: one slot fewer, under the same version number.
const edited = { ...content, slots: content.slots.slice(1) };

let tmp: ReturnType<typeof tempDir>;
let db: Database;
let versions: VersionsStore;
let running: RunningCalibrations;
let logs: ReturnType<typeof captureLog>;
const registry = new Registry();
const unverified = registry.counter('test_unverified_total', 'test');

beforeEach(() => {
  tmp = tempDir();
  db = openDatabase(join(tmp.dir, 'volno.db'));
  logs = captureLog('info');
  versions = new VersionsStore(db);
  running = new RunningCalibrations({ db, versions, log: logs.log, unverified, catalogChanged: () => {} });
  const doc = fromCalibrationPayload(published);
  versions.add(CAMERA, { ...doc, camera_id: CAMERA }, { author: 'olga', note: '', at: 1 }); // version 1
  versions.add(CAMERA, { ...doc, camera_id: CAMERA }, { author: 'olga', note: '', at: 2 }); // version 2, unpublished
  versions.markPublished(CAMERA, 1, 'olga', 3, hash);
});
afterEach(() => {
  db.close();
  tmp.cleanup();
});

const report = (over: Partial<CalibrationRunningPayload>): CalibrationRunningPayload => ({
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

describe('a report of a published calibration', () => {
  it.each(['published', 'cache'] as const)('counts as running version N when its hash is N’s (%s)', (origin) => {
    const before = unverified.get();
    running.report(report({ origin }), 10);
    expect(running.get(CAMERA)).toMatchObject({ origin, agentVersion: 1, serverVersion: 1, sha256: hash });
    expect(unverified.get()).toBe(before);
  });

  it.each(['published', 'cache'] as const)(
    'records no server version, warns and counts, when the content is not what was published as N (%s)',
    (origin) => {
      const before = unverified.get();
      running.report(report({ origin, calibration: edited, sha256: calibrationDigest(edited) }), 10);
      expect(running.get(CAMERA)).toMatchObject({ origin, agentVersion: 1, serverVersion: null });
      expect(unverified.get()).toBe(before + 1);
      const warning = logs.entries().find((e) => e['level'] === 40);
      expect(warning).toMatchObject({ camera: CAMERA, version: 1, published_sha256: hash, count: before + 1 });
    },
  );

  it('records no server version for a version the server never published', () => {
    const before = unverified.get();
    running.report(report({ version: 2 }), 10);
    running.report(report({ version: 9 }), 11);
    expect(running.get(CAMERA)).toMatchObject({ agentVersion: 9, serverVersion: null });
    expect(unverified.get()).toBe(before + 2);
  });

  it('takes the version of one published before hashes were kept, which has nothing to compare with', () => {
    db.prepare('UPDATE calibration_versions SET content_sha256 = NULL WHERE camera_id = ? AND version = 1').run(CAMERA);
    running.report(report({ calibration: edited, sha256: calibrationDigest(edited) }), 10);
    expect(running.get(CAMERA)).toMatchObject({ serverVersion: 1 });
  });
});
