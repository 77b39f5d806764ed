import { Type, type Static } from 'typebox';
import { envelopeFields } from '../envelope.ts';
import { CameraId } from '../ids.ts';
import { Timestamp } from '../time.ts';
import type { RefineIssue } from '../validate.ts';
import { CalibrationPayload, refineCalibration } from './calibration.ts';

/**
 * Where the calibration an agent runs came from: its own `calibration.file`, a version the server
 * published (received over MQTT), or that published version read back from the agent's state folder
 * at start, before the broker answered.
 */
export const CALIBRATION_ORIGINS = ['file', 'published', 'cache'] as const;
export type CalibrationOrigin = (typeof CALIBRATION_ORIGINS)[number];

const p = CalibrationPayload.properties;

/**
 * What decides the agent's measurements, without bookkeeping (`camera_id`, `version`, `issued_at`) and
 * without the reference image (up to 8 MB, and not needed to edit the slots). `sha256` is taken over
 * exactly this object, so two files that differ only in version or issue time have the same hash.
 */
export const CalibrationContent = Type.Object(
  {
    frame_width: p.frame_width,
    frame_height: p.frame_height,
    slots: p.slots,
    privacy_masks: p.privacy_masks,
    tuned_head: p.tuned_head,
  },
  {
    additionalProperties: false,
    title: 'Calibration content',
    description: 'The calibration payload without camera_id, version, issued_at and reference image.',
  },
);
export type CalibrationContent = Static<typeof CalibrationContent>;

export const CalibrationRunningPayload = Type.Object(
  {
    ...envelopeFields,
    camera_id: CameraId,
    origin: Type.Enum(CALIBRATION_ORIGINS, {
      title: 'Origin',
      description:
        "`file`: the agent's calibration file; `published`: received from the server; `cache`: the last published one, read from the state folder at start.",
    }),
    version: Type.Integer({
      minimum: 1,
      title: 'Version',
      description: 'The `version` of the calibration as the agent has it (for a file: whatever the file says).',
    }),
    issued_at: Timestamp('Issued at', 'The `issued_at` of the calibration as the agent has it.'),
    sha256: Type.String({
      pattern: '^[0-9a-f]{64}$',
      title: 'SHA-256',
      description:
        'Lower-case hex SHA-256 of `calibration` serialised as canonical JSON (object keys sorted, no spaces); receivers recompute it and refuse a mismatch.',
    }),
    calibration: CalibrationContent,
  },
  {
    additionalProperties: false,
    title: 'Running calibration',
    description:
      'Retained. Published after every calibration the agent installs and on every new connection, so the server knows what each camera really runs (docs/calibration-editor.md, "Which calibration is in force").',
  },
);
export type CalibrationRunningPayload = Static<typeof CalibrationRunningPayload>;

/** The calibration's own checks (unique slot ids, simple polygons), on the reported content. */
export function refineCalibrationRunning(r: CalibrationRunningPayload): RefineIssue[] {
  const whole = { camera_id: r.camera_id, version: r.version, issued_at: r.issued_at, ...r.calibration };
  return refineCalibration(whole).map((i) => ({ path: `/calibration${i.path}`, message: i.message }));
}

/** The part of a calibration payload that a running report carries and hashes. */
export function calibrationContent(c: CalibrationPayload): CalibrationContent {
  return {
    frame_width: c.frame_width,
    frame_height: c.frame_height,
    slots: c.slots,
    privacy_masks: c.privacy_masks,
    ...(c.tuned_head !== undefined && { tuned_head: c.tuned_head }),
  };
}

/**
 * JSON with object keys sorted at every level and no whitespace: the text `sha256` is taken over.
 * Numbers are written as JSON.stringify writes them (shortest round trip), so parsing a report and
 * serialising it again gives the same text.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
