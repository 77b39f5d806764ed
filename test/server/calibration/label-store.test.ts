import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { LabelService } from '../../../server/calibration/labels/label-service.ts';
import { LabelStore, type NewLabelSet } from '../../../server/calibration/labels/label-store.ts';
import type { CalibrationService } from '../../../server/calibration/service.ts';
import { ManualClock } from '../../../server/core/clock.ts';
import { openDatabase } from '../../../server/core/storage/database.ts';
import { tempDir } from '../support/config.ts';

const DAY = 86_400_000;
const dirs: { cleanup: () => void }[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));

function store() {
  const tmp = tempDir();
  dirs.push(tmp);
  const db = openDatabase(join(tmp.dir, 'volno.sqlite'));
  db.prepare("INSERT INTO cameras (camera_id, configured) VALUES ('cam-1', 1)").run();
  return { db, labels: new LabelStore(db) };
}

const set = (createdAt: number, labels: [string, boolean, number][]): NewLabelSet => ({
  cameraId: 'cam-1',
  calibrationVersion: 1,
  modelId: 'm',
  dim: 2,
  genericHead: { weights: [0, 0], bias: 0 },
  jpeg: Buffer.from('jpeg'),
  width: 10,
  height: 10,
  capturedAt: createdAt,
  createdAt,
  createdBy: 'otto',
  labels: labels.map(([slotId, occupied, v]) => ({
    slotId,
    occupied,
    predicted: false,
    features: Float32Array.from([v, -v]),
  })),
});

describe('the label store', () => {
  it('hands rows newest snapshot first, each with its snapshot, so the cross-validation folds by snapshot', () => {
    const { labels } = store();
    labels.add(
      set(1000, [
        ['b', true, 1],
        ['a', false, 2],
      ]),
    );
    labels.add(
      set(2000, [
        ['a', true, 3],
        ['b', false, 4],
      ]),
    );
    const rows = labels.rows('cam-1', 'm', 2, 100)!;
    expect([...rows.x]).toEqual([3, -3, 4, -4, 2, -2, 1, -1]);
    expect([...rows.labels]).toEqual([1, 0, 0, 1]);
    expect([...rows.frames]).toEqual([0, 0, 1, 1]);
    expect(rows.sets).toBe(2);
    expect(labels.rows('cam-1', 'other-model', 2, 100)).toBeNull();
  });

  it('keeps the newest labels when there are more than a fit may use', () => {
    const { labels } = store();
    labels.add(set(1000, [['a', false, 1]]));
    labels.add(set(2000, [['a', true, 2]]));
    expect([...labels.rows('cam-1', 'm', 2, 1)!.x]).toEqual([2, -2]);
  });

  it('deletes labelled snapshots older than the retention, and only those', () => {
    const { db, labels } = store();
    const clock = new ManualClock(100 * DAY);
    labels.add(set(100 * DAY - 31 * DAY, [['a', true, 1]]));
    labels.add(set(100 * DAY - 29 * DAY, [['a', true, 1]]));
    const service = new LabelService({
      cal: {} as CalibrationService,
      store: labels,
      clock,
      log: pino({ level: 'silent' }),
      retentionDays: 30,
    });
    expect(service.purgeExpired()).toBe(1);
    expect(labels.counts('cam-1')).toEqual({ sets: 1, labels: 1 });
    clock.advance(2 * DAY);
    expect(service.purgeExpired()).toBe(1);
    expect((db.prepare('SELECT COUNT(*) AS n FROM calibration_labels').get() as { n: number }).n).toBe(0);
  });
});
