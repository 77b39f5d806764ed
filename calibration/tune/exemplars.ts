/**
 * Per-slot exemplars (issue 12): staff-labelled slots kept as references for the same slots. A slot
 * whose standardised features lie within a cosine distance of one of its own exemplars takes the
 * nearest exemplar's label; otherwise the head decides. Used alike by the agent (edge/camera),
 * `volno eval --adapt` and the server's choice of what to send.
 *
 * Measured by leave-one-camera-out (`models/finetune/probe_heads.py exemplar`, the model card): from
 * one labelled frame, CNRPark B 83.4 → 88.6 %, UFPR05 89.5 → 95.7 %, CNRPark A 98.8 → 99.1 % at
 * {@link EXEMPLAR_MAX_DISTANCE}; a head tuned on one frame instead hurt two of the three cameras.
 */

/**
 * The largest cosine distance at which an exemplar decides: the largest of 0.3 / 0.4 / 0.5 at which
 * no left-out camera scored below its generic figure, with one labelled frame or three (0.5 cost
 * CNRPark A 0.2 points). Exemplars ship without a per-camera check, so the safe side was taken.
 */
export const EXEMPLAR_MAX_DISTANCE = 0.4;

export interface Exemplar {
  readonly slotId: string;
  readonly occupied: boolean;
  /** `dim` standardised features, as the model's `features` output gives them. */
  readonly features: Float32Array;
}

/** Exemplars by slot, unit length, ready to match a frame's feature rows against. */
export class ExemplarIndex {
  private readonly bySlot = new Map<string, { occupied: boolean; unit: Float32Array }[]>();

  constructor(
    readonly dim: number,
    exemplars: readonly Exemplar[],
    readonly maxDistance = EXEMPLAR_MAX_DISTANCE,
  ) {
    for (const e of exemplars) {
      if (e.features.length !== dim) throw new Error(`exemplar of slot ${e.slotId}: ${e.features.length} ≠ ${dim}`);
      const unit = unitOf(e.features, 0, dim);
      if (!unit) continue; // an all-zero row points nowhere
      const list = this.bySlot.get(e.slotId) ?? [];
      list.push({ occupied: e.occupied, unit });
      this.bySlot.set(e.slotId, list);
    }
  }

  get size(): number {
    let n = 0;
    for (const l of this.bySlot.values()) n += l.length;
    return n;
  }

  /**
   * The label of the slot's nearest exemplar when it is within `maxDistance` of the feature row at
   * `x[at … at+dim]`; null when the slot has no exemplar or none is close enough.
   */
  match(slotId: string, x: ArrayLike<number>, at: number): boolean | null {
    const list = this.bySlot.get(slotId);
    if (!list) return null;
    // Per frame and slot on the agent: the row's length once, no copy of it.
    let n = 0;
    for (let j = 0; j < this.dim; j++) n += x[at + j]! * x[at + j]!;
    if (!(n > 0) || !Number.isFinite(n)) return null;
    const inv = 1 / Math.sqrt(n);
    let best = Infinity;
    let label: boolean | null = null;
    for (const e of list) {
      let dot = 0;
      for (let j = 0; j < this.dim; j++) dot += x[at + j]! * e.unit[j]!;
      const d = 1 - dot * inv;
      if (d < best) {
        best = d;
        label = e.occupied;
      }
    }
    return best < this.maxDistance ? label : null;
  }

  /**
   * P(occupied) per row with the exemplars applied: a matched slot gets `confident` (or 1 − it), the
   * others keep `probs`. `slotIds[i]` names row i.
   */
  apply(probs: Float32Array, features: Float32Array, slotIds: readonly string[], confident = 0.95): Float32Array {
    const out = Float32Array.from(probs);
    slotIds.forEach((id, i) => {
      const m = this.match(id, features, i * this.dim);
      if (m !== null) out[i] = m ? confident : 1 - confident;
    });
    return out;
  }
}

function unitOf(x: ArrayLike<number>, at: number, dim: number): Float32Array | null {
  let n = 0;
  for (let j = 0; j < dim; j++) n += x[at + j]! * x[at + j]!;
  if (!(n > 0) || !Number.isFinite(n)) return null;
  const s = 1 / Math.sqrt(n);
  const u = new Float32Array(dim);
  for (let j = 0; j < dim; j++) u[j] = x[at + j]! * s;
  return u;
}
