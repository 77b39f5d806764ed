import { Type, type Static } from 'typebox';
import { SchemaCodec } from '../../protocol/validate.ts';
import { CalibrationError, type Parsed } from '../errors.ts';
import { fromPixels, toPixels } from '../document/frame.ts';
import { checkCalibrationDocument } from '../document/format.ts';
import { emptyCalibration, type CalibrationDocument } from '../document/schema.ts';
import { DEFAULT_MAX_IMPORT_BYTES, parseJson, readText } from './text.ts';

// maxItems: see DocumentPoint in document/schema.ts.
const PixelPoint = Type.Tuple([Type.Number(), Type.Number()], { maxItems: 2 });

/**
 * The labelled-frame JSON of ../shared/datasets (README there): one file per image. Extra keys are
 * allowed on read because the datasets add their own (`parking_id`, `source`).
 */
export const LabelledFrameSchema = Type.Object({
  image: Type.String({ minLength: 1, title: 'Image', description: 'File name of the image, next to this JSON.' }),
  width: Type.Integer({ minimum: 1, maximum: 16384, title: 'Width' }),
  height: Type.Integer({ minimum: 1, maximum: 16384, title: 'Height' }),
  slots: Type.Array(
    Type.Object({
      id: Type.String({ minLength: 1, maxLength: 64 }),
      polygon: Type.Array(PixelPoint, { minItems: 3, maxItems: 64, description: 'Pixels of that image.' }),
      occupied: Type.Boolean(),
    }),
    { maxItems: 1000 },
  ),
});
export type LabelledFrame = Static<typeof LabelledFrameSchema>;

const codec = new SchemaCodec(LabelledFrameSchema);

/** Reads a labelled-frame JSON. Never throws. */
export function parseLabelledFrame(
  input: string | Uint8Array,
  options: { maxBytes?: number } = {},
): Parsed<LabelledFrame> {
  const text = readText(input, options.maxBytes ?? DEFAULT_MAX_IMPORT_BYTES, 'the labelled-frame file');
  if (!text.ok) return text;
  const json = parseJson(text.value, 'the labelled-frame file');
  if (!json.ok) return json;
  const checked = codec.check(json.value);
  if (!checked.ok)
    return {
      ok: false,
      error: new CalibrationError(
        'VOLNO_CALIBRATION_INVALID',
        'the labelled-frame file cannot be imported',
        checked.error.issues,
      ),
    };
  return { ok: true, value: checked.value };
}

/** Slots with ids as labels, `standard`, not reservable; `occupied` is a ground-truth label and is dropped. */
export function labelledFrameToDocument(frame: LabelledFrame, cameraId?: string): Parsed<CalibrationDocument> {
  const doc = emptyCalibration(frame.width, frame.height, cameraId);
  doc.slots = frame.slots.map((s) => ({
    id: s.id,
    label: s.id,
    type: 'standard',
    reservable: false,
    polygon: fromPixels(s.polygon, frame).map(([x, y]) => [x, y]),
  }));
  return checkCalibrationDocument(doc);
}

/** `parseLabelledFrame` then `labelledFrameToDocument`. Never throws. */
export function importLabelledFrame(
  input: string | Uint8Array,
  options: { maxBytes?: number; cameraId?: string } = {},
): Parsed<CalibrationDocument> {
  const parsed = parseLabelledFrame(input, options);
  return parsed.ok ? labelledFrameToDocument(parsed.value, options.cameraId) : parsed;
}

/**
 * The labelled-frame JSON for a calibration, polygons in pixels rounded to 1/1000 px. The format
 * requires `occupied`; a calibration knows no occupancy, so it is `false` unless given.
 */
export function exportLabelledFrame(
  doc: CalibrationDocument,
  options: { image: string; occupied?: Readonly<Record<string, boolean>> },
): string {
  const frame = { width: doc.frame_width, height: doc.frame_height };
  const out: LabelledFrame = {
    image: options.image,
    width: doc.frame_width,
    height: doc.frame_height,
    slots: doc.slots.map((s) => ({
      id: s.id,
      polygon: toPixels(s.polygon, frame).map(([x, y]): [number, number] => [milli(x), milli(y)]),
      occupied: options.occupied?.[s.id] ?? false,
    })),
  };
  return `${JSON.stringify(out)}\n`;
}

const milli = (v: number): number => Math.round(v * 1000) / 1000;
