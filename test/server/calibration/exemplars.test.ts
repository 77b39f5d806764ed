// Which stored labels a published calibration carries as per-slot exemplars, on both storage engines.
import { describe, expect, it } from 'vitest';
import { decodeFeatures, MAX_EXEMPLARS } from '../../../protocol/index.ts';
import {
  EXEMPLAR_BUDGET_BASE64,
  EXEMPLARS_PER_SLOT,
  exemplarsForPublish,
} from '../../../server/calibration/labels/exemplars.ts';
import { LabelStore, type NewLabelSet } from '../../../server/calibration/labels/label-store.ts';
import { useEngines } from '../../support/engines.ts';
import { doc, slot } from './support.ts';

/** A label set at `createdAt` whose every feature is `createdAt`, so a row tells which set it is from. */
const set = (createdAt: number, slots: string[], o: { dim?: number; modelId?: string } = {}): NewLabelSet => {
  const dim = o.dim ?? 2;
  return {
    cameraId: 'cam-1',
    calibrationVersion: 1,
    modelId: o.modelId ?? 'm',
    dim,
    genericHead: { weights: Array<number>(dim).fill(0), bias: 0 },
    jpeg: Buffer.from('jpeg'),
    width: 10,
    height: 10,
    capturedAt: createdAt,
    createdAt,
    createdBy: 'otto',
    labels: slots.map((slotId) => ({
      slotId,
      occupied: createdAt % 2 === 0,
      predicted: false,
      features: new Float32Array(dim).fill(createdAt),
    })),
  };
};

const docOf = (ids: string[]) => doc(ids.map((id) => slot(id, 0.1, 0.1)));
const ids = (n: number) => Array.from({ length: n }, (_, i) => `s${i}`);
/** Which set (its createdAt) each exemplar comes from: every feature of a row is that number. */
const setOf = (features: string, dim: number) => decodeFeatures(features, dim)![0];

describe.each(useEngines())('exemplars for a published calibration on $engine', ({ available, open }) => {
  async function store() {
    const sql = await open();
    await sql.run("INSERT INTO cameras (camera_id, configured) VALUES ('cam-1', 1)");
    return { sql, labels: new LabelStore(sql) };
  }

  it.skipIf(!available)('is null for a camera without labels', async () => {
    const { labels } = await store();
    expect(await exemplarsForPublish(labels, 'cam-1', docOf(['a']))).toBeNull();
  });

  it.skipIf(!available)(
    'sends the newest three looks of each slot the document has, of the newest set’s model, and skips rows that do not decode',
    async () => {
      const { sql, labels } = await store();
      await labels.add(set(1, ['a', 'b'], { modelId: 'old', dim: 3 }));
      for (const at of [10, 11, 12, 13]) await labels.add(set(at, ['a', 'b', 'gone']));
      const newest = await labels.add(set(14, ['b']));
      await sql.run(
        'INSERT INTO calibration_labels (label_set_id, slot_id, occupied, predicted, features) VALUES ($1, $2, 1, 0, $3)',
        [newest, 'a', Buffer.alloc(3)],
      );
      const nan = Buffer.alloc(8);
      nan.writeFloatLE(Number.NaN, 0);
      await sql.run(
        'INSERT INTO calibration_labels (label_set_id, slot_id, occupied, predicted, features) VALUES ($1, $2, 1, 0, $3)',
        [newest, 'c', nan],
      );
      const e = (await exemplarsForPublish(labels, 'cam-1', docOf(['a', 'b', 'c'])))!;
      expect(e).toMatchObject({ model_id: 'm', dim: 2, max_distance: 0.4 });
      expect(EXEMPLARS_PER_SLOT).toBe(3);
      expect(e.exemplars.map((x) => [x.slot_id, setOf(x.features_base64, 2), x.occupied])).toEqual([
        ['b', 14, true],
        ['a', 13, false],
        ['b', 13, false],
        ['a', 12, true],
        ['b', 12, true],
        ['a', 11, false],
      ]);
    },
  );

  it.skipIf(!available)('keeps within MAX_EXEMPLARS, leaving out the oldest', async () => {
    const { labels } = await store();
    const slots = ids(400);
    for (const at of [20, 21, 22]) await labels.add(set(at, slots));
    const e = (await exemplarsForPublish(labels, 'cam-1', docOf(slots)))!;
    expect(e.exemplars).toHaveLength(MAX_EXEMPLARS);
    const from = e.exemplars.map((x) => setOf(x.features_base64, 2));
    expect(from.filter((v) => v === 22)).toHaveLength(400);
    expect(from.filter((v) => v === 21)).toHaveLength(400);
    expect(from.filter((v) => v === 20)).toHaveLength(MAX_EXEMPLARS - 800);
  });

  it.skipIf(!available)(
    'keeps within the base64 budget beside the reference image, leaving out the oldest',
    async () => {
      const { labels } = await store();
      const dim = 4096;
      const slots = ids(50);
      for (const at of [30, 31, 32]) await labels.add(set(at, slots, { dim }));
      const e = (await exemplarsForPublish(labels, 'cam-1', docOf(slots)))!;
      const row = Math.ceil((dim * 4) / 3) * 4;
      expect(e.exemplars).toHaveLength(Math.floor(EXEMPLAR_BUDGET_BASE64 / row)); // 143 of 150
      expect(e.exemplars.reduce((n, x) => n + x.features_base64.length, 0)).toBeLessThanOrEqual(EXEMPLAR_BUDGET_BASE64);
      const from = e.exemplars.map((x) => setOf(x.features_base64, dim));
      expect(from.filter((v) => v === 30)).toHaveLength(Math.floor(EXEMPLAR_BUDGET_BASE64 / row) - 100);
    },
  );
});
