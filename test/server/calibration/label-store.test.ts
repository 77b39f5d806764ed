import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { LabelService } from '../../../server/calibration/labels/label-service.ts';
import { LabelStore, type NewLabelSet } from '../../../server/calibration/labels/label-store.ts';
import type { CalibrationService } from '../../../server/calibration/service.ts';
import { ManualClock } from '../../../server/core/clock.ts';
import type { TunedHead } from '../../../protocol/index.ts';
import { useEngines } from '../../support/engines.ts';

const DAY = 86_400_000;

const set = (createdAt: number, labels: [string, boolean, number][], cameraId = 'cam-1'): NewLabelSet => ({
  cameraId,
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

const head = (bias: number): TunedHead => ({
  model_id: 'm',
  dim: 2,
  weights: [0.5, -0.25],
  bias,
  labels: 8,
  accuracy_generic: 0.75,
  accuracy_tuned: 0.875,
  fitted_at: '2026-12-01T00:00:00.000Z',
});

describe.each(useEngines())('the label store on $engine', ({ available, open }) => {
  async function store() {
    const sql = await open();
    await sql.run("INSERT INTO cameras (camera_id, configured) VALUES ('cam-1', 1), ('cam-2', 1)");
    return { sql, labels: new LabelStore(sql) };
  }

  it.skipIf(!available)(
    'hands rows newest snapshot first, each with its snapshot, so the cross-validation folds by snapshot',
    async () => {
      const { labels } = await store();
      await labels.add(
        set(1000, [
          ['b', true, 1],
          ['a', false, 2],
        ]),
      );
      await labels.add(
        set(2000, [
          ['a', true, 3],
          ['b', false, 4],
        ]),
      );
      await labels.add(set(3000, [['a', true, 9]], 'cam-2'));
      const rows = (await labels.rows('cam-1', 'm', 2, 100))!;
      expect([...rows.x]).toEqual([3, -3, 4, -4, 2, -2, 1, -1]);
      expect([...rows.labels]).toEqual([1, 0, 0, 1]);
      expect([...rows.frames]).toEqual([0, 0, 1, 1]);
      expect(rows.generic).toEqual({ weights: [0, 0], bias: 0 });
      expect(rows.sets).toBe(2);
      expect(await labels.rows('cam-1', 'other-model', 2, 100)).toBeNull();
    },
  );

  it.skipIf(!available)('keeps the newest labels when there are more than a fit may use', async () => {
    const { labels } = await store();
    await labels.add(set(1000, [['a', false, 1]]));
    await labels.add(set(2000, [['a', true, 2]]));
    expect([...(await labels.rows('cam-1', 'm', 2, 1))!.x]).toEqual([2, -2]);
  });

  it.skipIf(!available)('counts, lists and drops labels per set; a set without labels goes', async () => {
    const { labels } = await store();
    const first = await labels.add(
      set(1000, [
        ['a', true, 1],
        ['b', false, 2],
      ]),
    );
    const second = await labels.add(set(2000, [['a', true, 3]]));
    expect(await labels.counts('cam-1')).toEqual({ sets: 2, labels: 3 });
    expect(await labels.counts('cam-9')).toEqual({ sets: 0, labels: 0 });
    const sets = await labels.setsOf('cam-1');
    expect(sets.map((s) => ({ ...s, slots: [...s.slots].sort() }))).toEqual([
      { id: first, version: 1, slots: ['a', 'b'] },
      { id: second, version: 1, slots: ['a'] },
    ]);
    await labels.dropLabels(first, ['a']);
    await labels.dropLabels(second, ['a']);
    expect(await labels.setsOf('cam-1')).toEqual([{ id: first, version: 1, slots: ['b'] }]);
    expect(await labels.deleteCamera('cam-1')).toBe(1);
    expect(await labels.counts('cam-1')).toEqual({ sets: 0, labels: 0 });
  });

  it.skipIf(!available)('keeps one head per version and finds the newest one below a version', async () => {
    const { labels } = await store();
    await labels.putHead('cam-1', 2, head(0.1));
    await labels.putHead('cam-1', 2, head(0.2));
    await labels.putHead('cam-1', 5, head(0.5));
    expect((await labels.head('cam-1', 2))?.bias).toBe(0.2);
    expect(await labels.head('cam-1', 3)).toBeNull();
    expect(await labels.headBefore('cam-1', 5)).toEqual({ version: 2, head: head(0.2) });
    expect(await labels.headBefore('cam-1', 2)).toBeNull();
  });

  it.skipIf(!available)('replaces a camera’s accuracy with the newest measurement', async () => {
    const { labels } = await store();
    const a = { modelId: 'm', labels: 8, accuracyGeneric: 0.75, accuracyTuned: 0.875, shippedVersion: null };
    await labels.putAccuracy('cam-1', { ...a, measuredAt: 1 });
    await labels.putAccuracy('cam-1', { ...a, shippedVersion: 3, measuredAt: 2 });
    expect(await labels.accuracy('cam-1')).toEqual({ ...a, shippedVersion: 3, measuredAt: 2 });
    expect(await labels.accuracy('cam-2')).toBeNull();
    expect([...(await labels.allAccuracy()).keys()]).toEqual(['cam-1']);
  });

  it.skipIf(!available)('deletes labelled snapshots older than the retention, and only those', async () => {
    const { sql, labels } = await store();
    const clock = new ManualClock(100 * DAY);
    await labels.add(set(100 * DAY - 31 * DAY, [['a', true, 1]]));
    await labels.add(set(100 * DAY - 29 * DAY, [['a', true, 1]]));
    const service = new LabelService({
      cal: {} as CalibrationService,
      store: labels,
      clock,
      log: pino({ level: 'silent' }),
      retentionDays: 30,
    });
    expect(await service.purgeExpired()).toBe(1);
    expect(await labels.counts('cam-1')).toEqual({ sets: 1, labels: 1 });
    clock.advance(2 * DAY);
    expect(await service.purgeExpired()).toBe(1);
    expect(await sql.one('SELECT COUNT(*) AS n FROM calibration_labels')).toEqual({ n: 0 });
  });
});
