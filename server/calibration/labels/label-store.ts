import type { Database } from 'better-sqlite3';
import type { TunedHead } from '../../../protocol/index.ts';

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

/** Float32 little-endian, as on the wire: the same bytes on any host. */
function toBlob(f: Float32Array): Buffer {
  const b = Buffer.alloc(f.length * 4);
  for (let i = 0; i < f.length; i++) b.writeFloatLE(f[i]!, i * 4);
  return b;
}

/** Labelled snapshots, tuned heads and accuracy per camera in SQLite (migration 0007). */
export class LabelStore {
  constructor(private readonly db: Database) {}

  add(s: NewLabelSet): number {
    return this.db.transaction(() => {
      const id = Number(
        this.db
          .prepare(
            `INSERT INTO calibration_label_sets (camera_id, calibration_version, model_id, dim, generic_head, jpeg,
               width, height, captured_at, created_at, created_by)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
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
          ).lastInsertRowid,
      );
      const insert = this.db.prepare(
        'INSERT INTO calibration_labels (label_set_id, slot_id, occupied, predicted, features) VALUES (?, ?, ?, ?, ?)',
      );
      for (const l of s.labels) insert.run(id, l.slotId, l.occupied ? 1 : 0, l.predicted ? 1 : 0, toBlob(l.features));
      return id;
    })();
  }

  /**
   * Every label of a camera for `modelId`, newest sets first, at most `maxRows` (fitting is
   * O(rows × dim) on the request; beyond a few thousand labels old ones add nothing but latency).
   */
  rows(cameraId: string, modelId: string, dim: number, maxRows: number): LabelRows | null {
    const sets = this.db
      .prepare(
        `SELECT label_set_id, generic_head FROM calibration_label_sets
         WHERE camera_id = ? AND model_id = ? AND dim = ? ORDER BY created_at DESC, label_set_id DESC`,
      )
      .all(cameraId, modelId, dim) as { label_set_id: number; generic_head: string }[];
    if (sets.length === 0) return null;
    const stmt = this.db.prepare(
      'SELECT occupied, features FROM calibration_labels WHERE label_set_id = ? ORDER BY slot_id',
    );
    const picked: { set: number; occupied: number; features: Buffer }[] = [];
    sets.forEach((set, order) => {
      for (const r of stmt.all(set.label_set_id) as { occupied: number; features: Buffer }[]) {
        if (picked.length >= maxRows || r.features.length !== dim * 4) continue;
        picked.push({ set: order, occupied: r.occupied, features: r.features });
      }
    });
    // Row order does not matter: tuneHead folds by snapshot (`frames`), so each snapshot is judged by a
    // head fitted on the others (does the head read this camera's slots right on a frame it has not
    // seen?), and one snapshot alone ships nothing.
    const feats = picked.map((p) => p.features);
    const labels = picked.map((p) => p.occupied);
    const frames = picked.map((p) => p.set);
    const x = new Float32Array(labels.length * dim);
    feats.forEach((b, i) => {
      for (let j = 0; j < dim; j++) x[i * dim + j] = b.readFloatLE(j * 4);
    });
    return {
      x,
      dim,
      labels: Uint8Array.from(labels),
      frames: Uint16Array.from(frames),
      generic: JSON.parse(sets[0]!.generic_head) as LabelRows['generic'],
      sets: sets.length,
    };
  }

  /** Label sets and labels of a camera (all models). */
  counts(cameraId: string): { sets: number; labels: number } {
    const r = this.db
      .prepare(
        `SELECT COUNT(DISTINCT s.label_set_id) AS sets, COUNT(l.slot_id) AS labels
         FROM calibration_label_sets s LEFT JOIN calibration_labels l USING (label_set_id) WHERE s.camera_id = ?`,
      )
      .get(cameraId) as { sets: number; labels: number };
    return r;
  }

  /** The slot ids labelled in each set of a camera, with the calibration version they were cut with. */
  setsOf(cameraId: string): { id: number; version: number; slots: string[] }[] {
    const sets = this.db
      .prepare('SELECT label_set_id, calibration_version FROM calibration_label_sets WHERE camera_id = ?')
      .all(cameraId) as { label_set_id: number; calibration_version: number }[];
    const stmt = this.db.prepare('SELECT slot_id FROM calibration_labels WHERE label_set_id = ?');
    return sets.map((s) => ({
      id: s.label_set_id,
      version: s.calibration_version,
      slots: (stmt.all(s.label_set_id) as { slot_id: string }[]).map((r) => r.slot_id),
    }));
  }

  /** Drops labels of some slots of a set; the set goes too once it has none left. */
  dropLabels(setId: number, slotIds: readonly string[]): void {
    this.db.transaction(() => {
      const del = this.db.prepare('DELETE FROM calibration_labels WHERE label_set_id = ? AND slot_id = ?');
      for (const s of slotIds) del.run(setId, s);
      this.db
        .prepare(
          `DELETE FROM calibration_label_sets WHERE label_set_id = ?
           AND NOT EXISTS (SELECT 1 FROM calibration_labels WHERE label_set_id = ?)`,
        )
        .run(setId, setId);
    })();
  }

  /** Deletes every labelled snapshot of a camera; returns how many sets went. */
  deleteCamera(cameraId: string): number {
    return this.db.prepare('DELETE FROM calibration_label_sets WHERE camera_id = ?').run(cameraId).changes;
  }

  /** Deletes labelled snapshots older than `before` (ms); returns how many went. */
  purge(before: number): number {
    return this.db.prepare('DELETE FROM calibration_label_sets WHERE created_at < ?').run(before).changes;
  }

  putHead(cameraId: string, version: number, head: TunedHead): void {
    this.db
      .prepare('INSERT OR REPLACE INTO calibration_heads (camera_id, version, head) VALUES (?, ?, ?)')
      .run(cameraId, version, JSON.stringify(head));
  }

  head(cameraId: string, version: number): TunedHead | null {
    const r = this.db
      .prepare('SELECT head FROM calibration_heads WHERE camera_id = ? AND version = ?')
      .get(cameraId, version) as { head: string } | undefined;
    return r ? (JSON.parse(r.head) as TunedHead) : null;
  }

  /** The newest version below `version` that has a head, and the head. */
  headBefore(cameraId: string, version: number): { version: number; head: TunedHead } | null {
    const r = this.db
      .prepare(
        'SELECT version, head FROM calibration_heads WHERE camera_id = ? AND version < ? ORDER BY version DESC LIMIT 1',
      )
      .get(cameraId, version) as { version: number; head: string } | undefined;
    return r ? { version: r.version, head: JSON.parse(r.head) as TunedHead } : null;
  }

  putAccuracy(cameraId: string, a: Accuracy): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO calibration_accuracy
           (camera_id, model_id, labels, accuracy_generic, accuracy_tuned, shipped_version, measured_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(cameraId, a.modelId, a.labels, a.accuracyGeneric, a.accuracyTuned, a.shippedVersion, a.measuredAt);
  }

  accuracy(cameraId: string): Accuracy | null {
    const r = this.db.prepare('SELECT * FROM calibration_accuracy WHERE camera_id = ?').get(cameraId) as
      | {
          model_id: string;
          labels: number;
          accuracy_generic: number;
          accuracy_tuned: number;
          shipped_version: number | null;
          measured_at: number;
        }
      | undefined;
    return r
      ? {
          modelId: r.model_id,
          labels: r.labels,
          accuracyGeneric: r.accuracy_generic,
          accuracyTuned: r.accuracy_tuned,
          shippedVersion: r.shipped_version,
          measuredAt: r.measured_at,
        }
      : null;
  }
}
