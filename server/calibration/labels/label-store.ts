import type { TunedHead } from '../../../protocol/index.ts';
import type { SqlExecutor } from '../../core/storage/sql/port.ts';

/** One slot label with the feature row the model computed for it. */
export interface StoredLabel {
  slotId: string;
  occupied: boolean;
  /** What the agent's head in force said when the snapshot was taken. */
  predicted: boolean;
  features: Float32Array;
}

export interface NewLabelSet {
  cameraId: string;
  calibrationVersion: number;
  modelId: string;
  dim: number;
  genericHead: { weights: number[]; bias: number };
  jpeg: Buffer;
  width: number;
  height: number;
  capturedAt: number;
  createdAt: number;
  createdBy: string;
  labels: StoredLabel[];
}

export interface Accuracy {
  modelId: string;
  labels: number;
  accuracyGeneric: number;
  accuracyTuned: number;
  shippedVersion: number | null;
  measuredAt: number;
}

/** The labels a head is fitted on: rows of one model, newest sets first. */
export interface LabelRows {
  x: Float32Array;
  dim: number;
  labels: Uint8Array;
  /** Which label set (snapshot) each row comes from: the cross-validation folds by snapshot. */
  frames: Uint16Array;
  generic: { weights: number[]; bias: number };
  sets: number;
}

/** One stored label as an exemplar: the staff label and the feature row's bytes (Float32 LE, `dim` × 4). */
export interface ExemplarRow {
  slotId: string;
  occupied: boolean;
  features: Buffer;
}

/** A camera's labels of the model of its newest label set, newest sets first. */
export interface ExemplarRows {
  modelId: string;
  dim: number;
  rows: ExemplarRow[];
}

/** Float32 little-endian, as on the wire: the same bytes on any host. */
function toBlob(f: Float32Array): Buffer {
  const b = Buffer.alloc(f.length * 4);
  for (let i = 0; i < f.length; i++) b.writeFloatLE(f[i]!, i * 4);
  return b;
}

interface AccuracyRow {
  camera_id: string;
  model_id: string;
  labels: number;
  accuracy_generic: number;
  accuracy_tuned: number;
  shipped_version: number | null;
  measured_at: number;
}

const toAccuracy = (r: AccuracyRow): Accuracy => ({
  modelId: r.model_id,
  labels: r.labels,
  accuracyGeneric: r.accuracy_generic,
  accuracyTuned: r.accuracy_tuned,
  shippedVersion: r.shipped_version,
  measuredAt: r.measured_at,
});

const ACCURACY = `SELECT camera_id, model_id, labels, accuracy_generic, accuracy_tuned, shipped_version, measured_at
  FROM calibration_accuracy`;

/** Labelled snapshots, tuned heads and accuracy per camera (migration 0007). */
export class LabelStore {
  constructor(private readonly sql: SqlExecutor) {}

  async add(s: NewLabelSet): Promise<number> {
    return this.sql.transaction(async (tx) => {
      const row = await tx.one<{ label_set_id: number }>(
        `INSERT INTO calibration_label_sets (camera_id, calibration_version, model_id, dim, generic_head, jpeg,
           width, height, captured_at, created_at, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING label_set_id`,
        [
          s.cameraId,
          s.calibrationVersion,
          s.modelId,
          s.dim,
          JSON.stringify(s.genericHead),
          s.jpeg,
          s.width,
          s.height,
          s.capturedAt,
          s.createdAt,
          s.createdBy,
        ],
      );
      const id = row!.label_set_id;
      for (const l of s.labels)
        await tx.run(
          'INSERT INTO calibration_labels (label_set_id, slot_id, occupied, predicted, features) VALUES ($1, $2, $3, $4, $5)',
          [id, l.slotId, l.occupied ? 1 : 0, l.predicted ? 1 : 0, toBlob(l.features)],
        );
      return id;
    });
  }

  /**
   * Every label of a camera for `modelId`, newest sets first, at most `maxRows` (fitting is
   * O(rows × dim) on the request; beyond a few thousand labels old ones add nothing but latency).
   */
  async rows(cameraId: string, modelId: string, dim: number, maxRows: number): Promise<LabelRows | null> {
    const sets = await this.sql.all<{ label_set_id: number; generic_head: string }>(
      `SELECT label_set_id, generic_head FROM calibration_label_sets
       WHERE camera_id = $1 AND model_id = $2 AND dim = $3 ORDER BY created_at DESC, label_set_id DESC`,
      [cameraId, modelId, dim],
    );
    if (sets.length === 0) return null;
    const order = new Map(sets.map((s, i) => [s.label_set_id, i]));
    // One read for all sets; ordered here (set order, then slot id in code-unit order on both engines).
    const all = await this.sql.all<{ label_set_id: number; slot_id: string; occupied: number; features: Buffer }>(
      `SELECT l.label_set_id, l.slot_id, l.occupied, l.features FROM calibration_labels l
       JOIN calibration_label_sets s ON s.label_set_id = l.label_set_id
       WHERE s.camera_id = $1 AND s.model_id = $2 AND s.dim = $3`,
      [cameraId, modelId, dim],
    );
    all.sort(
      (a, b) =>
        order.get(a.label_set_id)! - order.get(b.label_set_id)! ||
        (a.slot_id < b.slot_id ? -1 : a.slot_id > b.slot_id ? 1 : 0),
    );
    const picked = all
      .filter((r) => r.features.length === dim * 4)
      .slice(0, maxRows)
      .map((r) => ({ set: order.get(r.label_set_id)!, occupied: r.occupied, features: r.features }));
    // Row order does not matter: tuneHead folds by snapshot (`frames`), so each snapshot is judged by a
    // head fitted on the others (does the head read this camera's slots right on a frame it has not
    // seen?), and one snapshot alone ships nothing.
    const x = new Float32Array(picked.length * dim);
    picked.forEach((p, i) => {
      for (let j = 0; j < dim; j++) x[i * dim + j] = p.features.readFloatLE(j * 4);
    });
    return {
      x,
      dim,
      labels: Uint8Array.from(picked.map((p) => p.occupied)),
      frames: Uint16Array.from(picked.map((p) => p.set)),
      generic: JSON.parse(sets[0]!.generic_head) as LabelRows['generic'],
      sets: sets.length,
    };
  }

  /**
   * The labels of a camera as exemplars (issue 12): those of the model and dimension of its newest label
   * set (the model the agent runs now; older models' rows mean nothing to it), newest sets first, in
   * slot id order within a set. Rows whose length is not `dim` × 4 bytes are skipped.
   */
  async exemplarRows(cameraId: string): Promise<ExemplarRows | null> {
    const newest = await this.sql.one<{ model_id: string; dim: number }>(
      `SELECT model_id, dim FROM calibration_label_sets WHERE camera_id = $1
       ORDER BY created_at DESC, label_set_id DESC LIMIT 1`,
      [cameraId],
    );
    if (!newest) return null;
    const { model_id: modelId, dim } = newest;
    const all = await this.sql.all<{
      label_set_id: number;
      created_at: number;
      slot_id: string;
      occupied: number;
      features: Buffer;
    }>(
      `SELECT l.label_set_id, s.created_at, l.slot_id, l.occupied, l.features FROM calibration_labels l
       JOIN calibration_label_sets s ON s.label_set_id = l.label_set_id
       WHERE s.camera_id = $1 AND s.model_id = $2 AND s.dim = $3`,
      [cameraId, modelId, dim],
    );
    // Ordered here, as in rows(): slot ids in code-unit order on both engines.
    all.sort(
      (a, b) =>
        Number(b.created_at) - Number(a.created_at) ||
        Number(b.label_set_id) - Number(a.label_set_id) ||
        (a.slot_id < b.slot_id ? -1 : a.slot_id > b.slot_id ? 1 : 0),
    );
    return {
      modelId,
      dim,
      rows: all
        .filter((r) => r.features.length === dim * 4)
        .map((r) => ({ slotId: r.slot_id, occupied: r.occupied === 1, features: r.features })),
    };
  }

  /** Label sets and labels of a camera (all models). */
  async counts(cameraId: string): Promise<{ sets: number; labels: number }> {
    const r = await this.sql.one<{ sets: number; labels: number }>(
      `SELECT COUNT(DISTINCT s.label_set_id) AS sets, COUNT(l.slot_id) AS labels
       FROM calibration_label_sets s LEFT JOIN calibration_labels l ON l.label_set_id = s.label_set_id
       WHERE s.camera_id = $1`,
      [cameraId],
    );
    return { sets: r?.sets ?? 0, labels: r?.labels ?? 0 };
  }

  /** The slot ids labelled in each set of a camera, with the calibration version they were cut with. */
  async setsOf(cameraId: string): Promise<{ id: number; version: number; slots: string[] }[]> {
    const rows = await this.sql.all<{ label_set_id: number; calibration_version: number; slot_id: string | null }>(
      `SELECT s.label_set_id, s.calibration_version, l.slot_id
       FROM calibration_label_sets s LEFT JOIN calibration_labels l ON l.label_set_id = s.label_set_id
       WHERE s.camera_id = $1 ORDER BY s.label_set_id`,
      [cameraId],
    );
    const sets = new Map<number, { id: number; version: number; slots: string[] }>();
    for (const r of rows) {
      let set = sets.get(r.label_set_id);
      if (set === undefined) {
        set = { id: r.label_set_id, version: r.calibration_version, slots: [] };
        sets.set(r.label_set_id, set);
      }
      if (r.slot_id !== null) set.slots.push(r.slot_id);
    }
    return [...sets.values()];
  }

  /** Drops labels of some slots of a set; the set goes too once it has none left. */
  async dropLabels(setId: number, slotIds: readonly string[]): Promise<void> {
    await this.sql.transaction(async (tx) => {
      for (const s of slotIds)
        await tx.run('DELETE FROM calibration_labels WHERE label_set_id = $1 AND slot_id = $2', [setId, s]);
      await tx.run(
        `DELETE FROM calibration_label_sets WHERE label_set_id = $1
         AND NOT EXISTS (SELECT 1 FROM calibration_labels WHERE label_set_id = $1)`,
        [setId],
      );
    });
  }

  /** Deletes every labelled snapshot of a camera; returns how many sets went. */
  async deleteCamera(cameraId: string): Promise<number> {
    return (await this.sql.run('DELETE FROM calibration_label_sets WHERE camera_id = $1', [cameraId])).changes;
  }

  /**
   * Deletes every tuned head stored for a camera's versions, so that none is carried into a later
   * version (carry.ts) once the view they were fitted on is gone.
   */
  async deleteHeads(cameraId: string): Promise<number> {
    return (await this.sql.run('DELETE FROM calibration_heads WHERE camera_id = $1', [cameraId])).changes;
  }

  /** Deletes labelled snapshots older than `before` (ms); returns how many went. */
  async purge(before: number): Promise<number> {
    return (await this.sql.run('DELETE FROM calibration_label_sets WHERE created_at < $1', [before])).changes;
  }

  async putHead(cameraId: string, version: number, head: TunedHead): Promise<void> {
    await this.sql.run(
      `INSERT INTO calibration_heads (camera_id, version, head) VALUES ($1, $2, $3)
       ON CONFLICT (camera_id, version) DO UPDATE SET head = excluded.head`,
      [cameraId, version, JSON.stringify(head)],
    );
  }

  async head(cameraId: string, version: number): Promise<TunedHead | null> {
    const r = await this.sql.one<{ head: string }>(
      'SELECT head FROM calibration_heads WHERE camera_id = $1 AND version = $2',
      [cameraId, version],
    );
    return r ? (JSON.parse(r.head) as TunedHead) : null;
  }

  /** The newest version below `version` that has a head, and the head. */
  async headBefore(cameraId: string, version: number): Promise<{ version: number; head: TunedHead } | null> {
    const r = await this.sql.one<{ version: number; head: string }>(
      'SELECT version, head FROM calibration_heads WHERE camera_id = $1 AND version < $2 ORDER BY version DESC LIMIT 1',
      [cameraId, version],
    );
    return r ? { version: r.version, head: JSON.parse(r.head) as TunedHead } : null;
  }

  async putAccuracy(cameraId: string, a: Accuracy): Promise<void> {
    await this.sql.run(
      `INSERT INTO calibration_accuracy
         (camera_id, model_id, labels, accuracy_generic, accuracy_tuned, shipped_version, measured_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (camera_id) DO UPDATE SET model_id = excluded.model_id, labels = excluded.labels,
         accuracy_generic = excluded.accuracy_generic, accuracy_tuned = excluded.accuracy_tuned,
         shipped_version = excluded.shipped_version, measured_at = excluded.measured_at`,
      [cameraId, a.modelId, a.labels, a.accuracyGeneric, a.accuracyTuned, a.shippedVersion, a.measuredAt],
    );
  }

  async accuracy(cameraId: string): Promise<Accuracy | null> {
    const r = await this.sql.one<AccuracyRow>(`${ACCURACY} WHERE camera_id = $1`, [cameraId]);
    return r ? toAccuracy(r) : null;
  }

  /** Every camera's accuracy, for pages that list all cameras. */
  async allAccuracy(): Promise<Map<string, Accuracy>> {
    const rows = await this.sql.all<AccuracyRow>(ACCURACY);
    return new Map(rows.map((r) => [r.camera_id, toAccuracy(r)]));
  }
}
