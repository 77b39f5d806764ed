import { ExemplarIndex } from '../../calibration/tune/exemplars.ts';
import {
  decodeFeatures,
  encodeFeatures,
  type CalibrationPayload,
  type SnapshotClassified,
} from '../../protocol/index.ts';
import type { Logger } from '../log.ts';
import type { LinearHead } from '../vision/head.ts';
import type { DetailedResult, LoadedOccupancyModel, OccupancyModel, PixelPolygon, RgbFrame } from '../vision/types.ts';

export type HeadInUse = 'generic' | 'tuned';

interface Tuned {
  readonly weights: Float64Array;
  readonly bias: number;
  readonly version: number;
}

/**
 * Which head turns a camera's features into P(occupied) (issue 12): the model's generic head, or a
 * per-camera head fitted on staff labels that arrived inside the calibration. The tuned head is used
 * only while it was made for this model (same id and feature count) and while the view has not moved
 * since: once the shift monitor flags a move, the labels it was fitted on describe another picture,
 * so the generic head decides until the next calibration arrives.
 */
export class CameraHead {
  private tuned: Tuned | null = null;
  /** Staff-labelled slots as references for the same slots (calibration/tune/exemplars.ts). */
  private exemplars: ExemplarIndex | null = null;
  private droppedForMove = false;

  constructor(
    private readonly model: OccupancyModel,
    /** The model's generic head; null when the model has no features (tuning unavailable). */
    private readonly generic: LinearHead | null,
    private readonly log: Logger,
  ) {}

  /** Exemplars in force (0: none). */
  get exemplarsInUse(): number {
    return this.exemplars?.size ?? 0;
  }

  get inUse(): HeadInUse {
    return this.tuned ? 'tuned' : 'generic';
  }

  /** True when the model can hand out features, so a snapshot can carry them for labelling. */
  get featuresAvailable(): boolean {
    return this.generic !== null && typeof (this.model as LoadedOccupancyModel).classifyDetailed === 'function';
  }

  /** A new calibration is in force: take its tuned head when it fits this model, else the generic one. */
  configure(p: CalibrationPayload): void {
    this.droppedForMove = false;
    this.exemplars = this.exemplarsOf(p);
    const h = p.tuned_head;
    this.tuned = null;
    if (!h) return;
    const dim = this.generic?.weights.length ?? 0;
    if (!this.featuresAvailable || h.model_id !== this.model.id || h.dim !== dim || h.weights.length !== dim) {
      this.log.warn(
        { version: p.version, head_model: h.model_id, head_dim: h.dim, model: this.model.id, model_dim: dim },
        'the calibration carries a tuned head for another model; using the generic head',
      );
      return;
    }
    this.tuned = { weights: Float64Array.from(h.weights), bias: h.bias, version: p.version };
    this.log.info(
      { version: p.version, labels: h.labels, accuracy_generic: h.accuracy_generic, accuracy_tuned: h.accuracy_tuned },
      'using the tuned head',
    );
  }

  /** The view moved away from the calibration: the tuned head and the exemplars no longer apply to it. */
  viewMoved(): void {
    if ((!this.tuned && !this.exemplars) || this.droppedForMove) return;
    this.log.warn(
      { version: this.tuned?.version, exemplars: this.exemplarsInUse },
      'camera moved: dropping the tuned head and exemplars; the generic head decides until a new calibration arrives',
    );
    this.tuned = null;
    this.exemplars = null;
    this.droppedForMove = true;
  }

  /** The calibration's exemplars when they were made for this model; otherwise none (logged). */
  private exemplarsOf(p: CalibrationPayload): ExemplarIndex | null {
    const e = p.slot_exemplars;
    if (!e) return null;
    const dim = this.generic?.weights.length ?? 0;
    if (!this.featuresAvailable || e.model_id !== this.model.id || e.dim !== dim) {
      this.log.warn(
        { version: p.version, exemplars_model: e.model_id, exemplars_dim: e.dim, model: this.model.id, model_dim: dim },
        'the calibration carries exemplars for another model; ignoring them',
      );
      return null;
    }
    const rows = e.exemplars.flatMap((x) => {
      const features = decodeFeatures(x.features_base64, dim);
      return features ? [{ slotId: x.slot_id, occupied: x.occupied, features }] : [];
    });
    const index = new ExemplarIndex(dim, rows, e.max_distance);
    if (index.size === 0) {
      this.log.warn({ version: p.version }, 'the calibration’s exemplars are all empty rows; ignoring them');
      return null;
    }
    this.log.info({ version: p.version, exemplars: index.size }, 'using per-slot exemplars');
    return index;
  }

  /**
   * P(occupied) per polygon from one batched run, with the head in force and then the exemplars of
   * each slot (`slotIds[i]` names polygon i). Without either, the model's cheap path (no features).
   */
  async classify(
    frame: RgbFrame,
    polygons: ReadonlyArray<PixelPolygon>,
    slotIds: readonly string[] = [],
  ): Promise<Float32Array> {
    const tuned = this.tuned;
    const exemplars = slotIds.length === polygons.length ? this.exemplars : null;
    if (!tuned && !exemplars) return this.model.classify(frame, polygons);
    const d = await this.detailed(frame, polygons);
    return this.decide(d, slotIds);
  }

  private decide(d: DetailedResult, slotIds: readonly string[]): Float32Array {
    if (!d.features) return d.probs;
    const probs = this.tuned ? applyHead(this.tuned, d.features, d.probs.length) : d.probs;
    return this.exemplars && slotIds.length === d.probs.length
      ? this.exemplars.apply(probs, d.features, slotIds)
      : probs;
  }

  /**
   * What a labelling snapshot carries: the head in force's probability and the features of every
   * slot, from the very frame that is sent. Null when the model has no features.
   */
  async classified(
    frame: RgbFrame,
    polygons: ReadonlyArray<PixelPolygon>,
    slotIds: readonly string[],
    calibrationVersion: number,
  ): Promise<SnapshotClassified | null> {
    if (!this.featuresAvailable || !this.generic) return null;
    const d = await this.detailed(frame, polygons);
    const dim = this.generic.weights.length;
    if (!d.features || d.dim !== dim) return null;
    const probs = this.decide(d, slotIds);
    return {
      model_id: this.model.id,
      calibration_version: calibrationVersion,
      dim,
      generic_head: { weights: [...this.generic.weights], bias: this.generic.bias },
      slots: slotIds.map((slot_id, i) => ({
        slot_id,
        p_occupied: clamp01(probs[i]!),
        features_base64: encodeFeatures(d.features!.subarray(i * dim, (i + 1) * dim)),
      })),
    };
  }

  private detailed(frame: RgbFrame, polygons: ReadonlyArray<PixelPolygon>): Promise<DetailedResult> {
    return (this.model as LoadedOccupancyModel).classifyDetailed!(frame, polygons);
  }
}

/** σ(w·f + b) for every row of a row-major feature matrix. */
export function applyHead(
  head: { weights: Float64Array; bias: number },
  features: Float32Array,
  rows: number,
): Float32Array {
  const dim = head.weights.length;
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let z = head.bias;
    for (let j = 0; j < dim; j++) z += head.weights[j]! * features[r * dim + j]!;
    out[r] = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
  }
  return out;
}

function clamp01(v: number): number {
  return Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0.5;
}
