import { encodeFeatures, type CalibrationPayload, type SnapshotClassified } from '../../protocol/index.ts';
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
  private droppedForMove = false;

  constructor(
    private readonly model: OccupancyModel,
    /** The model's generic head; null when the model has no features (tuning unavailable). */
    private readonly generic: LinearHead | null,
    private readonly log: Logger,
  ) {}

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

  /** The view moved away from the calibration: the tuned head no longer applies to it. */
  viewMoved(): void {
    if (!this.tuned || this.droppedForMove) return;
    this.log.warn(
      { version: this.tuned.version },
      'camera moved: dropping the tuned head; the generic head decides until a new calibration arrives',
    );
    this.tuned = null;
    this.droppedForMove = true;
  }

  /** P(occupied) per polygon from one batched run, with the head in force. */
  async classify(frame: RgbFrame, polygons: ReadonlyArray<PixelPolygon>): Promise<Float32Array> {
    const tuned = this.tuned;
    if (!tuned) return this.model.classify(frame, polygons);
    const detailed = await this.detailed(frame, polygons);
    return detailed.features ? applyHead(tuned, detailed.features, detailed.probs.length) : detailed.probs;
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
    const tuned = this.tuned;
    const d = await this.detailed(frame, polygons);
    const dim = this.generic.weights.length;
    if (!d.features || d.dim !== dim) return null;
    const probs = tuned ? applyHead(tuned, d.features, slotIds.length) : d.probs;
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
