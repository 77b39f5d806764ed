import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Type, type Static } from 'typebox';
import { SchemaCodec, type RefineIssue } from '../../protocol/index.ts';
import { VisionError } from './errors.ts';

/** File name of the manifest inside a model directory. */
export const MANIFEST_FILE = 'model.json';

const num = (title: string, description: string, extra: Record<string, number> = {}) =>
  Type.Number({ title, description, ...extra });
const triple = (title: string, description: string, minimum?: number) =>
  Type.Tuple(
    [0, 1, 2].map(() => Type.Number(minimum === undefined ? {} : { exclusiveMinimum: minimum })) as [
      ReturnType<typeof Type.Number>,
      ReturnType<typeof Type.Number>,
      ReturnType<typeof Type.Number>,
    ],
    { title, description },
  );

const InputSpec = Type.Object(
  {
    name: Type.String({ minLength: 1, title: 'Input name', description: 'Name of the graph input tensor.' }),
    width: Type.Integer({ minimum: 8, maximum: 4096, title: 'Width', description: 'Input width in pixels.' }),
    height: Type.Integer({ minimum: 8, maximum: 4096, title: 'Height', description: 'Input height in pixels.' }),
    layout: Type.Literal('NCHW', { title: 'Layout', description: 'Tensor layout; only NCHW is supported.' }),
    fixed_batch: Type.Optional(
      Type.Integer({
        minimum: 1,
        title: 'Fixed batch',
        description: 'Batch size baked into the graph; absent when the batch axis is dynamic.',
      }),
    ),
    pixel_format: Type.Enum(['rgb', 'bgr'], { title: 'Pixel format', description: 'Channel order the model expects.' }),
    scale: num('Scale', 'Each 0–255 value is multiplied by this before mean/std (1/255 for 0–1 input).', {
      exclusiveMinimum: 0,
    }),
    mean: triple('Mean', 'Per-channel mean subtracted after scaling, in the model channel order.'),
    std: triple('Std', 'Per-channel divisor applied after the mean, in the model channel order.', 0),
  },
  { additionalProperties: false, title: 'Input', description: 'What the graph takes and how pixels are normalised.' },
);

const ClassifierSpec = Type.Object(
  {
    output: Type.String({ minLength: 1, title: 'Output name', description: 'Graph output with one row per patch.' }),
    activation: Type.Enum(['none', 'sigmoid', 'softmax'], {
      title: 'Activation',
      description: 'Applied to the output row: `none` when it already holds probabilities.',
    }),
    occupied_index: Type.Integer({
      minimum: 0,
      title: 'Occupied index',
      description: 'Column of the output row (and entry of `labels`) that means occupied.',
    }),
    expand: num('Expand', 'The slot quad grows about its centroid by this fraction to give context.', {
      minimum: 0,
      maximum: 2,
    }),
    crop: Type.Optional(
      Type.Enum(['quad', 'square', 'letterbox'], {
        title: 'Crop',
        description:
          '`quad` (default): the grown slot quad squashed to the input. `letterbox`: its aspect ratio kept, centred, padded grey. `square`: the aspect-keeping square around the slot.',
      }),
    ),
    uncertain: Type.Optional(
      Type.Object(
        {
          low: num('Low', 'Lower end of the band.', { minimum: 0, maximum: 1 }),
          high: num('High', 'Upper end of the band.', { minimum: 0, maximum: 1 }),
        },
        {
          additionalProperties: false,
          title: 'Uncertain band',
          description:
            'A slot whose smoothed P(occupied) stays strictly inside this band for as long as a state change takes is reported unknown, reason `uncertain`. Set from calibrated leave-one-camera-out predictions.',
        },
      ),
    ),
    features: Type.Optional(
      Type.Object(
        {
          output: Type.String({
            minLength: 1,
            title: 'Features output',
            description: 'Graph output [N, dim]: the standardised features the linear head reads.',
          }),
          dim: Type.Integer({ minimum: 1, maximum: 4096, title: 'Dimension', description: 'Features per slot.' }),
          head_file: Type.String({
            minLength: 1,
            title: 'Head file',
            description:
              'JSON `{ "weights": [dim numbers], "bias": b }`, relative to the manifest: the generic head, which a per-camera head starts from.',
          }),
        },
        {
          additionalProperties: false,
          title: 'Features',
          description: 'Present when a per-camera head can be tuned on staff labels (issue 12).',
        },
      ),
    ),
  },
  { additionalProperties: false, title: 'Classifier', description: 'Per-slot classifier settings.' },
);

const DetectorSpec = Type.Object(
  {
    outputs: Type.Array(Type.String({ minLength: 1 }), {
      minItems: 1,
      title: 'Output names',
      description: 'YOLOX: the raw head. NanoDet: class outputs per stride, then distance outputs per stride.',
    }),
    strides: Type.Array(Type.Integer({ minimum: 1 }), {
      minItems: 1,
      title: 'Strides',
      description: 'Feature-map strides of the head, in output order.',
    }),
    resize: Type.Enum(['letterbox', 'stretch'], {
      title: 'Resize',
      description: 'letterbox keeps the aspect ratio (top-left, padded); stretch matches models trained without.',
    }),
    pad_value: Type.Integer({ minimum: 0, maximum: 255, title: 'Pad value', description: 'Letterbox fill, 0–255.' }),
    reg_max: Type.Optional(
      Type.Integer({ minimum: 1, title: 'reg_max', description: 'NanoDet GFL: bins per side minus one.' }),
    ),
    center_offset: Type.Optional(
      num('Centre offset', 'NanoDet: anchor centre at (cell + offset) · stride.', { minimum: 0, maximum: 1 }),
    ),
    score_threshold: num('Score threshold', 'Detections below this vehicle score are dropped before NMS.', {
      minimum: 0,
      maximum: 1,
    }),
    nms_iou: num('NMS IoU', 'Class-agnostic non-maximum suppression IoU.', { minimum: 0, maximum: 1 }),
    vehicle_classes: Type.Array(Type.Integer({ minimum: 0 }), {
      minItems: 1,
      title: 'Vehicle classes',
      description: 'Class indices (into `labels`) that count as a vehicle.',
    }),
    footprint_band: num('Footprint band', 'Lower fraction of a vehicle box taken as its ground footprint.', {
      exclusiveMinimum: 0,
      maximum: 1,
    }),
    full_coverage: num('Full coverage', 'Share of the slot covered by a footprint at which P = detection score.', {
      exclusiveMinimum: 0,
      maximum: 1,
    }),
  },
  { additionalProperties: false, title: 'Detector', description: 'Generic COCO detector settings.' },
);

export const ModelManifestSchema = Type.Object(
  {
    schema_version: Type.Literal(1, { title: 'Schema version', description: 'Version of this manifest format.' }),
    id: Type.String({
      pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$',
      title: 'Model id',
      description: 'Reported in every slot state as `model_id`.',
    }),
    kind: Type.Enum(['classifier', 'yolox', 'nanodet'], {
      title: 'Kind',
      description: '`classifier`: one patch per slot. `yolox`/`nanodet`: one detector run per frame.',
    }),
    description: Type.Optional(Type.String({ title: 'Description', description: 'One line for people.' })),
    file: Type.String({
      minLength: 1,
      title: 'File',
      description: 'The ONNX file, relative to the manifest directory (or absolute).',
    }),
    sha256: Type.String({
      pattern: '^[0-9a-f]{64}$',
      title: 'SHA-256',
      description: 'Lower-case hex digest of the file; loading refuses any other file.',
    }),
    input: InputSpec,
    labels: Type.Array(Type.String({ minLength: 1 }), {
      minItems: 1,
      title: 'Labels',
      description: 'Output class names, in output order.',
    }),
    threshold: num('Threshold', 'Decision threshold: P(occupied) >= threshold means occupied.', {
      minimum: 0,
      maximum: 1,
    }),
    classifier: Type.Optional(ClassifierSpec),
    detector: Type.Optional(DetectorSpec),
    source: Type.Optional(Type.String({ title: 'Source', description: 'Where the weights come from.' })),
    license: Type.Optional(Type.String({ title: 'Licence', description: 'Licence of the weights.' })),
  },
  {
    additionalProperties: false,
    title: 'Model manifest',
    description: 'models/<id>/model.json: the contract between an ONNX file and the vision core.',
  },
);
export type ModelManifest = Static<typeof ModelManifestSchema>;

function refine(m: ModelManifest): RefineIssue[] {
  const issues: RefineIssue[] = [];
  if (m.kind === 'classifier') {
    if (!m.classifier) issues.push({ path: '/classifier', message: 'is required when kind is "classifier"' });
    else if (m.classifier.occupied_index >= m.labels.length) {
      issues.push({ path: '/classifier/occupied_index', message: `must be < ${m.labels.length} (labels)` });
    }
    if (m.detector) issues.push({ path: '/detector', message: 'is only for detector kinds' });
  } else {
    const d = m.detector;
    if (!d) issues.push({ path: '/detector', message: `is required when kind is "${m.kind}"` });
    else {
      d.vehicle_classes.forEach((c, i) => {
        if (c >= m.labels.length) {
          issues.push({ path: `/detector/vehicle_classes/${i}`, message: `must be < ${m.labels.length}` });
        }
      });
      const want = m.kind === 'yolox' ? 1 : 2 * d.strides.length;
      if (d.outputs.length !== want) {
        issues.push({ path: '/detector/outputs', message: `must name ${want} output(s) for ${m.kind}` });
      }
      if (m.kind === 'nanodet' && d.reg_max === undefined) {
        issues.push({ path: '/detector/reg_max', message: 'is required when kind is "nanodet"' });
      }
    }
    if (m.classifier) issues.push({ path: '/classifier', message: 'is only for kind "classifier"' });
  }
  return issues;
}

export const manifestCodec = new SchemaCodec(ModelManifestSchema, refine);

/** Validates a parsed manifest; throws `VOLNO_MODEL_MANIFEST_INVALID` with `path: message` lines. */
export function parseManifest(value: unknown, where = MANIFEST_FILE): ModelManifest {
  const result = manifestCodec.check(value);
  if (!result.ok) {
    throw new VisionError(
      'VOLNO_MODEL_MANIFEST_INVALID',
      `${where} is not a valid model manifest`,
      result.error.issues,
    );
  }
  return result.value;
}

/** Reads and validates `<dir>/model.json`. */
export async function readManifest(dir: string): Promise<ModelManifest> {
  const path = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new VisionError('VOLNO_MODEL_MANIFEST_INVALID', `cannot read ${path}`, [], { cause });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new VisionError('VOLNO_MODEL_MANIFEST_INVALID', `${path} is not JSON: ${detail}`, [], { cause });
  }
  return parseManifest(value, path);
}
