import { Type, type Static } from 'typebox';
import { SlotId } from '../ids.ts';
import { Timestamp } from '../time.ts';
import type { RefineIssue } from '../validate.ts';

/**
 * What a per-camera head needs on the wire (issue 12): the model's per-slot features on a snapshot,
 * and the head fitted on staff labels travelling inside a calibration.
 */

/** Largest feature dimension a manifest may declare (edge/vision/manifest.ts). */
export const MAX_FEATURE_DIM = 4096;
/** Base64 length of MAX_FEATURE_DIM Float32 values. */
const MAX_FEATURES_BASE64 = Math.ceil((MAX_FEATURE_DIM * 4) / 3) * 4;

const ModelId = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$',
  title: 'Model id',
  description: 'The `id` of the model manifest the features come from.',
});
const Dim = Type.Integer({
  minimum: 1,
  maximum: MAX_FEATURE_DIM,
  title: 'Dimension',
  description: 'Features per slot.',
});
const Weights = Type.Array(Type.Number(), {
  maxItems: MAX_FEATURE_DIM,
  title: 'Weights',
  description: 'One weight per feature; `dim` of them.',
});
const Bias = Type.Number({ title: 'Bias' });

const FeaturesBase64 = Type.String({
  maxLength: MAX_FEATURES_BASE64,
  pattern: '^[A-Za-z0-9+/]*={0,2}$',
  contentEncoding: 'base64',
  title: 'Features',
  description: '`dim` Float32 values, little-endian, base64: the standardised features the head reads.',
});

export const ClassifiedSlot = Type.Object(
  {
    slot_id: SlotId,
    p_occupied: Type.Number({ minimum: 0, maximum: 1, title: 'P(occupied)', description: 'The generic head.' }),
    features_base64: FeaturesBase64,
  },
  { additionalProperties: false },
);

export const SnapshotClassified = Type.Object(
  {
    model_id: ModelId,
    calibration_version: Type.Integer({
      minimum: 1,
      title: 'Calibration version',
      description: 'The calibration whose polygons the slots were cut with.',
    }),
    dim: Dim,
    generic_head: Type.Object(
      { weights: Weights, bias: Bias },
      {
        additionalProperties: false,
        title: 'Generic head',
        description: 'The model’s own head, p = σ(features · weights + bias); a tuned head starts from it.',
      },
    ),
    slots: Type.Array(ClassifiedSlot, { maxItems: 1000, title: 'Slots' }),
  },
  {
    additionalProperties: false,
    title: 'Classified',
    description:
      'The model’s verdict and features for every slot of the very frame sent, for staff labelling (issue 12). Absent when the model has no features or the camera has no calibration.',
  },
);
export type SnapshotClassified = Static<typeof SnapshotClassified>;

export const TunedHead = Type.Object(
  {
    model_id: ModelId,
    dim: Dim,
    weights: Weights,
    bias: Bias,
    labels: Type.Integer({ minimum: 1, title: 'Labels', description: 'Labelled slots the head was fitted on.' }),
    accuracy_generic: Type.Number({
      minimum: 0,
      maximum: 1,
      title: 'Generic accuracy',
      description: 'The generic head on those labels.',
    }),
    accuracy_tuned: Type.Number({
      minimum: 0,
      maximum: 1,
      title: 'Tuned accuracy',
      description: 'The tuned head on those labels, cross-validated (each fold fitted without it).',
    }),
    fitted_at: Timestamp('Fitted at', 'When the server fitted the head.'),
  },
  {
    additionalProperties: false,
    title: 'Tuned head',
    description:
      'A per-camera head fitted on staff labels. The agent uses it instead of the generic head while `model_id` and `dim` match its model and the view has not moved.',
  },
);
export type TunedHead = Static<typeof TunedHead>;

/** Most exemplars one calibration carries (about 7 MB of base64 at 1,286 features each). */
export const MAX_EXEMPLARS = 1000;

export const SlotExemplars = Type.Object(
  {
    model_id: ModelId,
    dim: Dim,
    max_distance: Type.Number({
      exclusiveMinimum: 0,
      maximum: 2,
      title: 'Largest distance',
      description:
        'Cosine distance between a slot’s features and its nearest exemplar within which the exemplar’s label decides.',
    }),
    exemplars: Type.Array(
      Type.Object(
        {
          slot_id: SlotId,
          occupied: Type.Boolean({ title: 'Occupied', description: 'The staff label.' }),
          features_base64: FeaturesBase64,
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: MAX_EXEMPLARS, title: 'Exemplars' },
    ),
  },
  {
    additionalProperties: false,
    title: 'Slot exemplars',
    description:
      'Staff-labelled slots as references for the same slots (issue 12): a slot whose features lie within `max_distance` of one of its own exemplars takes that exemplar’s label; otherwise the head decides. The agent uses them while `model_id` and `dim` match its model and the view has not moved.',
  },
);
export type SlotExemplars = Static<typeof SlotExemplars>;

/** Float32 little-endian, base64 (the byte order is fixed so that any host reads the same numbers). */
export function encodeFeatures(values: Float32Array): string {
  const buf = Buffer.alloc(values.length * 4);
  for (let i = 0; i < values.length; i++) buf.writeFloatLE(values[i]!, i * 4);
  return buf.toString('base64');
}

/** The inverse of encodeFeatures; null unless it holds exactly `dim` finite numbers. */
export function decodeFeatures(base64: string, dim: number): Float32Array | null {
  const buf = Buffer.from(base64, 'base64');
  if (buf.length !== dim * 4) return null;
  const out = new Float32Array(dim);
  for (let i = 0; i < dim; i++) {
    const v = buf.readFloatLE(i * 4);
    if (!Number.isFinite(v)) return null;
    out[i] = v;
  }
  return out;
}

export function refineClassified(c: SnapshotClassified, path: string): RefineIssue[] {
  const issues: RefineIssue[] = [];
  if (c.generic_head.weights.length !== c.dim)
    issues.push({
      path: `${path}/generic_head/weights`,
      message: `has ${c.generic_head.weights.length} values, not dim = ${c.dim}`,
    });
  const seen = new Set<string>();
  c.slots.forEach((s, i) => {
    if (seen.has(s.slot_id)) issues.push({ path: `${path}/slots/${i}/slot_id`, message: `duplicates "${s.slot_id}"` });
    seen.add(s.slot_id);
    if (decodeFeatures(s.features_base64, c.dim) === null)
      issues.push({
        path: `${path}/slots/${i}/features_base64`,
        message: `must hold ${c.dim} finite Float32 values (${c.dim * 4} bytes)`,
      });
  });
  return issues;
}

export function refineTunedHead(h: TunedHead, path: string): RefineIssue[] {
  return h.weights.length === h.dim
    ? []
    : [{ path: `${path}/weights`, message: `has ${h.weights.length} values, not dim = ${h.dim}` }];
}

/** Exemplars must decode to `dim` finite values and name slots of the calibration they travel in. */
export function refineSlotExemplars(e: SlotExemplars, path: string, slotIds: ReadonlySet<string>): RefineIssue[] {
  const issues: RefineIssue[] = [];
  e.exemplars.forEach((x, i) => {
    if (!slotIds.has(x.slot_id))
      issues.push({
        path: `${path}/exemplars/${i}/slot_id`,
        message: `"${x.slot_id}" is not a slot of this calibration`,
      });
    if (decodeFeatures(x.features_base64, e.dim) === null)
      issues.push({
        path: `${path}/exemplars/${i}/features_base64`,
        message: `must hold ${e.dim} finite Float32 values (${e.dim * 4} bytes)`,
      });
  });
  return issues;
}
