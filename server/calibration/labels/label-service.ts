import type { Logger } from 'pino';
import { MIN_FRAMES, TUNE_L2, tuneHead } from '../../../calibration/tune/tune-head.ts';
import { decodeFeatures, type SnapshotClassified, type TunedHead } from '../../../protocol/index.ts';
import type { Clock } from '../../core/clock.ts';
import { calibrationError } from '../errors.ts';
import type { Lang } from '../issues.ts';
import type { Snapshot, SnapshotStore } from '../snapshot-store.ts';
import type { VersionsStore } from '../versions-store.ts';
import type { Accuracy, LabelStore, StoredLabel } from './label-store.ts';
import { PeriodicTimer } from '../../../kit/timer.ts';

/**
 * Fitting is O(labels × dim) on the server's event loop. Measured here (2 shared cores, dim 1286):
 * 400 labels 0.2 s, 1000 labels 0.3 s, 3000 labels 0.8 s. 2000 labels (50 snapshots of 40 bays) keeps
 * a fit around half a second, so ingest is never held up for long.
 */
const MAX_FIT_ROWS = 2000;
const DAY_MS = 86_400_000;
/** The manifest threshold of every shipped model; the pre-filled state uses it. */
const THRESHOLD = 0.5;

export interface LabelInput {
  slot_id: string;
  occupied: boolean;
}

export interface SaveOutcome {
  stored: number;
  labels: number;
  accuracy: Accuracy;
  published_version: number | null;
  message: string;
}

/** What labelling needs from the calibration service, which builds LabelService (so no import back). */
export interface LabelCalibration {
  readonly versions: VersionsStore;
  readonly snapshots: SnapshotStore;
  snapshot(cameraId: string, maxWidth?: number): Promise<Snapshot>;
  publish(cameraId: string, version: number, by: string, lang: Lang): Promise<void>;
}

/**
 * The staff "Label" flow (issue 12): a fresh snapshot with the model's verdict per slot, staff
 * corrections stored with the feature rows, a per-camera head fitted on all of a camera's labels,
 * and a new calibration version carrying it, published only when it beats the generic head on
 * labels it was not fitted on. Every save also publishes the labels as per-slot exemplars.
 */
export class LabelService {
  /** Label submissions refused as malformed or hostile (unknown slots, duplicates, bad features). */
  refused = 0;
  private readonly timer: PeriodicTimer;

  constructor(
    private readonly d: {
      cal: LabelCalibration;
      store: LabelStore;
      clock: Clock;
      log: Logger;
      retentionDays: number;
    },
  ) {
    this.timer = new PeriodicTimer(() => this.purgeExpired(), {
      everyMs: 3_600_000,
      name: 'label purge',
      log: d.log,
      immediate: true,
    });
  }

  /** Purges expired labels now and hourly (the timer never holds the process open). */
  start(): void {
    this.timer.start();
  }

  stop(): void {
    this.timer.stop();
  }

  async purgeExpired(): Promise<number> {
    const gone = await this.d.store.purge(this.d.clock.now() - this.d.retentionDays * DAY_MS);
    if (gone > 0) this.d.log.info({ label_sets: gone }, 'expired labelled snapshots deleted');
    return gone;
  }

  /** A fresh snapshot with each slot pre-filled from the model, or why tuning is unavailable. */
  async snapshot(cameraId: string, maxWidth?: number) {
    const s = await this.d.cal.snapshot(cameraId, maxWidth);
    const c = s.classified;
    const base = {
      snapshot_id: s.id,
      width: s.width,
      height: s.height,
      captured_at: new Date(s.capturedAt).toISOString(),
    };
    const unavailable = (reason: string) => ({ ...base, tuning: { available: false, reason }, slots: [] });
    if (!c)
      return unavailable(
        'the camera’s model has no features to tune on (a per-slot model such as SlotNet), or the camera has no calibration yet',
      );
    const doc = (await this.d.cal.versions.get(cameraId, c.calibration_version))?.document;
    if (!doc) return unavailable(`calibration version ${c.calibration_version} the agent runs is not stored here`);
    const polygons = new Map(doc.slots.map((x) => [x.id, x.polygon]));
    return {
      ...base,
      tuning: { available: true },
      model_id: c.model_id,
      calibration_version: c.calibration_version,
      slots: c.slots.flatMap((x) => {
        const polygon = polygons.get(x.slot_id);
        return polygon
          ? [{ slot_id: x.slot_id, polygon, p_occupied: x.p_occupied, occupied: x.p_occupied >= THRESHOLD }]
          : [];
      }),
    };
  }

  /**
   * Stores staff labels of a snapshot and refits the camera's head: a head that wins ships in a new
   * version; otherwise the version the snapshot was cut with (the one the agent runs) is published. Either way the
   * labels reach the agent as exemplars (publishing.ts).
   */
  async save(cameraId: string, snapshotId: string, input: LabelInput[], by: string, lang: Lang): Promise<SaveOutcome> {
    const snap = this.d.cal.snapshots.get(cameraId, snapshotId);
    if (!snap) throw calibrationError(404, 'VOLNO_NOT_FOUND', 'no such snapshot (they expire after a few minutes)');
    const c = snap.classified;
    if (!c) throw calibrationError(409, 'VOLNO_CONFLICT', 'this snapshot carries no model features to label');
    const labels = this.check(cameraId, c, input);
    const setId = await this.d.store.add({
      cameraId,
      calibrationVersion: c.calibration_version,
      modelId: c.model_id,
      dim: c.dim,
      genericHead: c.generic_head,
      jpeg: snap.jpeg,
      width: snap.width,
      height: snap.height,
      capturedAt: snap.capturedAt,
      createdAt: this.d.clock.now(),
      createdBy: by,
      labels,
    });
    this.d.log.info({ camera: cameraId, label_set: setId, labels: labels.length, by }, 'labels stored');
    return this.refit(cameraId, c, labels.length, by, lang);
  }

  private async refit(
    cameraId: string,
    c: SnapshotClassified,
    stored: number,
    by: string,
    lang: Lang,
  ): Promise<SaveOutcome> {
    const rows = (await this.d.store.rows(cameraId, c.model_id, c.dim, MAX_FIT_ROWS))!;
    const generic = { weights: Float64Array.from(rows.generic.weights), bias: rows.generic.bias };
    const result = tuneHead({ x: rows.x, dim: rows.dim, labels: rows.labels, frames: rows.frames }, generic, {
      l2: TUNE_L2,
    });
    const now = this.d.clock.now();
    const accuracy: Accuracy = {
      modelId: c.model_id,
      labels: result.labels,
      accuracyGeneric: result.accuracyGeneric,
      accuracyTuned: result.accuracyTuned,
      shippedVersion: null,
      measuredAt: now,
    };
    const pct = (v: number) => `${(v * 100).toFixed(1)} %`;
    if (!result.head) {
      await this.d.store.putAccuracy(cameraId, accuracy);
      // No new head, but the labels still travel as exemplars (exemplars.ts), from the first snapshot
      // on. They belong to the stored labels, not to a version (every publish recomputes them, as it
      // carries a head), so the version in force goes out again with them; no new version. That is
      // the snapshot's version unless staff published a newer one meanwhile: never roll an agent
      // back. published_version stays the version of a new tuned head.
      const newer = await this.d.cal.versions.latestStaffPublished(cameraId);
      const target = Math.max(c.calibration_version, newer ?? 0);
      await this.d.cal.publish(cameraId, target, by, lang);
      const sent = `version ${target} was published with the labelled slots as exemplars`;
      return {
        stored,
        labels: result.labels,
        accuracy,
        published_version: null,
        message:
          rows.sets < MIN_FRAMES
            ? `${result.labels} labels from one snapshot; a tuned head needs labels from ${MIN_FRAMES} snapshots ` +
              `or more (one frame cannot tell the camera from one moment's light); ${sent}`
            : `the tuned head (${pct(result.accuracyTuned)}, cross-validated) does not beat the generic one ` +
              `(${pct(result.accuracyGeneric)}) on ${result.labels} labels; ${sent}`,
      };
    }
    const doc = (await this.d.cal.versions.get(cameraId, c.calibration_version))?.document;
    if (!doc) throw calibrationError(409, 'VOLNO_CONFLICT', `version ${c.calibration_version} is not stored here`);
    const saved = await this.d.cal.versions.add(cameraId, doc, {
      author: by,
      note: `tuned on ${result.labels} labels`,
      at: now,
    });
    if (!('version' in saved)) throw calibrationError(409, 'VOLNO_CONFLICT', 'another save came first; try again');
    const head: TunedHead = {
      model_id: c.model_id,
      dim: c.dim,
      weights: [...result.head.weights],
      bias: result.head.bias,
      labels: result.labels,
      accuracy_generic: result.accuracyGeneric,
      accuracy_tuned: result.accuracyTuned,
      fitted_at: new Date(now).toISOString(),
    };
    await this.d.store.putHead(cameraId, saved.version, head);
    await this.d.store.putAccuracy(cameraId, { ...accuracy, shippedVersion: saved.version });
    await this.d.cal.publish(cameraId, saved.version, by, lang);
    return {
      stored,
      labels: result.labels,
      accuracy: { ...accuracy, shippedVersion: saved.version },
      published_version: saved.version,
      message:
        `the tuned head (${pct(result.accuracyTuned)}, cross-validated) beats the generic one ` +
        `(${pct(result.accuracyGeneric)}) on ${result.labels} labels; version ${saved.version} was published`,
    };
  }

  /** Every label must name a slot of the snapshot, once, and its feature row must decode. */
  private check(cameraId: string, c: SnapshotClassified, input: LabelInput[]): StoredLabel[] {
    const bySlot = new Map(c.slots.map((s, i) => [s.slot_id, { s, i }]));
    const issues: string[] = [];
    const seen = new Set<string>();
    const out: StoredLabel[] = [];
    input.forEach((l, i) => {
      const hit = bySlot.get(l.slot_id);
      if (!hit) return issues.push(`/labels/${i}/slot_id: no slot "${l.slot_id}" in this snapshot`);
      if (seen.has(l.slot_id)) return issues.push(`/labels/${i}/slot_id: "${l.slot_id}" is labelled twice`);
      seen.add(l.slot_id);
      const features = decodeFeatures(hit.s.features_base64, c.dim);
      if (!features)
        return issues.push(`/classified/slots/${hit.i}/features_base64: not ${c.dim} finite Float32 values`);
      out.push({ slotId: l.slot_id, occupied: l.occupied, predicted: hit.s.p_occupied >= THRESHOLD, features });
    });
    if (issues.length > 0) {
      this.refused++;
      this.d.log.warn({ camera: cameraId, issues: issues.slice(0, 10), refused: this.refused }, 'labels refused');
      throw calibrationError(400, 'VOLNO_BAD_REQUEST', 'the labels were refused; nothing was stored', issues);
    }
    return out;
  }
}
