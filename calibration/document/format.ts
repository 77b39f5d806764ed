import { SchemaCodec } from '../../protocol/validate.ts';
import { CalibrationError, type Parsed } from '../errors.ts';
import { DEFAULT_MAX_IMPORT_BYTES, parseJson, readText } from '../io/text.ts';
import {
  CALIBRATION_FORMAT,
  CALIBRATION_FORMAT_VERSION,
  CalibrationDocumentSchema,
  type CalibrationDocument,
  type CalibrationSlot,
  type PrivacyMask,
} from './schema.ts';

export const calibrationDocumentCodec = new SchemaCodec(CalibrationDocumentSchema);

/**
 * Upgrades a document of format version `n` to `n + 1`. Empty while version 1 is the only one; the
 * next incompatible change adds its step here so that files exported today keep importing.
 */
const MIGRATIONS: Readonly<Record<number, (old: Record<string, unknown>) => Record<string, unknown>>> = {};

/**
 * Checks an already-parsed value (an HTTP body, say): format version first, with migrations, then
 * the schema, with one `path: message` line per problem. Never throws.
 */
export function checkCalibrationDocument(value: unknown): Parsed<CalibrationDocument> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return invalid('a Volno calibration must be a JSON object', []);
  let doc = value as Record<string, unknown>;
  if (doc['format'] !== CALIBRATION_FORMAT)
    return invalid('this is not a Volno calibration file', [`/format: must be "${CALIBRATION_FORMAT}"`]);
  const version = doc['format_version'];
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1)
    return {
      ok: false,
      error: new CalibrationError('VOLNO_CALIBRATION_FORMAT_VERSION', 'the file has no valid format_version', [
        '/format_version: must be a whole number from 1',
      ]),
    };
  if (version > CALIBRATION_FORMAT_VERSION)
    return {
      ok: false,
      error: new CalibrationError(
        'VOLNO_CALIBRATION_FORMAT_VERSION',
        `the file has format_version ${version}, written by a newer Volno; this one reads up to ${CALIBRATION_FORMAT_VERSION}`,
      ),
    };
  for (let v = version; v < CALIBRATION_FORMAT_VERSION; v++) {
    const step = MIGRATIONS[v];
    if (!step) return invalid(`no migration from format_version ${v}`, []);
    doc = { ...step(doc), format_version: v + 1 };
  }
  const checked = calibrationDocumentCodec.check(doc);
  if (!checked.ok) return invalid('the calibration does not match the format', checked.error.issues);
  return { ok: true, value: canonicalCalibration(checked.value) };
}

/** Parses a Volno calibration file (bytes or text). Never throws. */
export function parseCalibrationDocument(
  input: string | Uint8Array,
  options: { maxBytes?: number } = {},
): Parsed<CalibrationDocument> {
  const text = readText(input, options.maxBytes ?? DEFAULT_MAX_IMPORT_BYTES, 'the calibration file');
  if (!text.ok) return text;
  const json = parseJson(text.value, 'the calibration file');
  if (!json.ok) return json;
  return checkCalibrationDocument(json.value);
}

/**
 * The file staff download: canonical key order, two-space indent, one point per line, a final
 * newline. Numbers are written as JavaScript's shortest round-trip form, so
 * `parse(serialize(doc))` equals `doc` exactly and serialising that again gives the same text.
 */
export function serializeCalibrationDocument(doc: CalibrationDocument): string {
  const json = JSON.stringify(canonicalCalibration(doc), null, 2);
  return `${json.replace(/\[\s+(-?[\d.eE+-]+),\s+(-?[\d.eE+-]+)\s+\]/g, '[$1, $2]')}\n`;
}

/** A copy with keys in the documented order and absent optional fields left out (not `undefined`). */
export function canonicalCalibration(doc: CalibrationDocument): CalibrationDocument {
  return {
    format: CALIBRATION_FORMAT,
    format_version: CALIBRATION_FORMAT_VERSION,
    ...(doc.camera_id === undefined ? {} : { camera_id: doc.camera_id }),
    frame_width: doc.frame_width,
    frame_height: doc.frame_height,
    slots: doc.slots.map(canonicalSlot),
    privacy_masks: doc.privacy_masks.map(canonicalMask),
  };
}

function canonicalSlot(s: CalibrationSlot): CalibrationSlot {
  return {
    id: s.id,
    label: s.label,
    type: s.type,
    reservable: s.reservable,
    polygon: s.polygon.map(plainPoint),
    ...(s.enter_delay_s === undefined ? {} : { enter_delay_s: s.enter_delay_s }),
    ...(s.exit_delay_s === undefined ? {} : { exit_delay_s: s.exit_delay_s }),
  };
}

function canonicalMask(m: PrivacyMask): PrivacyMask {
  return {
    id: m.id,
    ...(m.label === undefined ? {} : { label: m.label }),
    polygon: m.polygon.map(plainPoint),
  };
}

/** A fresh pair; `+ 0` turns −0 into 0, which JSON cannot write anyway. */
const plainPoint = ([x, y]: readonly [number, number]): [number, number] => [x + 0, y + 0];

function invalid(message: string, issues: readonly string[]): Parsed<never> {
  return { ok: false, error: new CalibrationError('VOLNO_CALIBRATION_INVALID', message, issues) };
}
