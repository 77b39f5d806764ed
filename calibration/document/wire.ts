import { MESSAGES } from '../../protocol/messages.ts';
import type { CalibrationPayload } from '../../protocol/payloads/calibration.ts';
import { CalibrationError } from '../errors.ts';
import { validateCalibration } from '../validation/validate.ts';
import type { ValidationOptions } from '../validation/types.ts';
import { canonicalCalibration } from './format.ts';
import {
  CALIBRATION_FORMAT,
  CALIBRATION_FORMAT_VERSION,
  type CalibrationDocument,
  type CalibrationSlot,
  type PrivacyMask,
} from './schema.ts';

export interface PublishOptions {
  /** Defaults to the document's `camera_id`; one of them is required. */
  cameraId?: string;
  /** The version number the server assigned to this save (≥ 1). */
  version: number;
  issuedAt: Date | string;
  /** The masked snapshot the polygons were drawn on, for the agent's camera-shift detection. */
  referenceJpegBase64?: string;
  /** Passed to validation, so a model-size error blocks publishing as it blocks saving. */
  validation?: ValidationOptions;
}

/**
 * The retained MQTT `calibration` payload for a document. Refuses (VOLNO_CALIBRATION_HAS_ERRORS)
 * a document with validation errors, and checks the result against the protocol's own schema, so
 * an agent never receives a calibration it would reject. Closed slots (`closed: true`) are left out:
 * the agent counts every slot it knows into the camera's free/occupied totals
 * (protocol/payloads/camera-summary.ts), so a closed slot it knew about would show as free.
 * Labels, types and the reservable flag stay on the server; the agent does not need them.
 */
export function toCalibrationPayload(doc: CalibrationDocument, options: PublishOptions): CalibrationPayload {
  const cameraId = options.cameraId ?? doc.camera_id;
  if (cameraId === undefined)
    throw new CalibrationError('VOLNO_CALIBRATION_INVALID', 'a camera id is needed to publish a calibration');
  const report = validateCalibration(doc, options.validation);
  if (!report.canSave)
    throw new CalibrationError(
      'VOLNO_CALIBRATION_HAS_ERRORS',
      `the calibration has ${report.errors} error(s) and cannot be published`,
      report.issues.filter((i) => i.severity === 'error').map((i) => `${i.path}: ${i.message}`),
    );
  const payload: CalibrationPayload = {
    camera_id: cameraId,
    version: options.version,
    issued_at: typeof options.issuedAt === 'string' ? options.issuedAt : options.issuedAt.toISOString(),
    frame_width: doc.frame_width,
    frame_height: doc.frame_height,
    slots: doc.slots
      .filter((s) => s.closed !== true)
      .map((s) => ({
        slot_id: s.id,
        polygon: s.polygon.map(([x, y]) => [x, y]),
        ...(s.enter_delay_s === undefined ? {} : { enter_delay_s: s.enter_delay_s }),
        ...(s.exit_delay_s === undefined ? {} : { exit_delay_s: s.exit_delay_s }),
      })),
    privacy_masks: doc.privacy_masks.map((m) => m.polygon.map(([x, y]) => [x, y])),
    ...(options.referenceJpegBase64 === undefined ? {} : { reference_jpeg_base64: options.referenceJpegBase64 }),
  };
  const checked = MESSAGES.calibration.codec.check(payload);
  if (!checked.ok)
    throw new CalibrationError(
      'VOLNO_CALIBRATION_INVALID',
      'the payload does not match the protocol',
      checked.error.issues,
      {
        cause: checked.error,
      },
    );
  return payload;
}

/**
 * A document from a payload (e.g. the retained calibration found on the broker). What the wire does
 * not carry comes from `previous` when a slot or mask there has the same id (slots) or the same
 * outline (masks); otherwise label = id, type `standard`, not reservable, masks `mask-1`, `mask-2`, ….
 * So `fromCalibrationPayload(toCalibrationPayload(doc), { previous: doc })` gives back `doc` minus its
 * closed slots.
 */
export function fromCalibrationPayload(
  payload: CalibrationPayload,
  options: { previous?: CalibrationDocument } = {},
): CalibrationDocument {
  const before = new Map((options.previous?.slots ?? []).map((s) => [s.id, s]));
  const slots = payload.slots.map((w): CalibrationSlot => {
    const old = before.get(w.slot_id);
    return {
      id: w.slot_id,
      label: old?.label ?? w.slot_id,
      type: old?.type ?? 'standard',
      reservable: old?.reservable ?? false,
      polygon: w.polygon.map(([x, y]) => [x!, y!]),
      ...(w.enter_delay_s === undefined ? {} : { enter_delay_s: w.enter_delay_s }),
      ...(w.exit_delay_s === undefined ? {} : { exit_delay_s: w.exit_delay_s }),
    };
  });
  const oldMasks = options.previous?.privacy_masks ?? [];
  const used = new Set<string>();
  const masks = payload.privacy_masks.map((polygon): PrivacyMask => {
    const outline = polygon.map(([x, y]): [number, number] => [x!, y!]);
    const same = oldMasks.find((m) => !used.has(m.id) && JSON.stringify(m.polygon) === JSON.stringify(outline));
    if (same) {
      used.add(same.id);
      return { ...same, polygon: outline };
    }
    return { id: '', polygon: outline };
  });
  // Fresh ids last, so they never repeat an id kept from the previous version.
  const taken = new Set(masks.map((m) => m.id));
  let next = 1;
  for (const m of masks) {
    if (m.id !== '') continue;
    while (taken.has(`mask-${next}`)) next++;
    m.id = `mask-${next}`;
    taken.add(m.id);
  }
  return canonicalCalibration({
    format: CALIBRATION_FORMAT,
    format_version: CALIBRATION_FORMAT_VERSION,
    camera_id: payload.camera_id,
    frame_width: payload.frame_width,
    frame_height: payload.frame_height,
    slots,
    privacy_masks: masks,
  });
}
