import { Type, type Static } from 'typebox';
import { CameraId } from '../../protocol/ids.ts';

/** Written in every Volno calibration file, so a stray JSON file is recognised as not one of ours. */
export const CALIBRATION_FORMAT = 'volno-calibration';
/** Bumped on every incompatible change; `parseCalibrationDocument` migrates older versions. */
export const CALIBRATION_FORMAT_VERSION = 1;

/**
 * Coordinates are 0–1 of the frame. Drafts may hold points a little outside it (validation reports
 * them to staff in words); the bound only keeps absurd numbers from reaching the geometry.
 */
const Coordinate = Type.Number({ minimum: -4, maximum: 5 });
export const DocumentPoint = Type.Tuple([Coordinate, Coordinate], {
  // Explicit: protocol's formatSchemaErrors drops the tuple's own `additionalItems` error (keyword
  // "boolean"), so without this a three-number point would be refused with no line saying why.
  maxItems: 2,
  title: 'Point',
  description: '[x, y] relative to the frame, 0–1, origin top left.',
});
export const DocumentPolygon = Type.Array(DocumentPoint, {
  maxItems: 64,
  title: 'Polygon',
  description: 'Outline in drawing order. Validation wants 3–32 points, inside the frame, not crossing itself.',
});

export const SLOT_TYPES = ['standard', 'disabled', 'ev', 'visitor', 'staff'] as const;
export type SlotType = (typeof SLOT_TYPES)[number];

const delay = (title: string, description: string) =>
  Type.Optional(Type.Number({ minimum: 0, maximum: 3600, title, description }));

export const DocumentSlot = Type.Object(
  {
    id: Type.String({
      minLength: 1,
      maxLength: 64,
      title: 'Slot id',
      description: 'Stable id, unique within the camera; becomes an MQTT topic level (letters, digits, _ and -).',
    }),
    label: Type.String({ maxLength: 64, title: 'Label', description: 'What staff and visitors see, e.g. "A07".' }),
    type: Type.Enum(SLOT_TYPES, {
      title: 'Type',
      description:
        '`standard`, `disabled` (for drivers with a disability permit, as on the public page), `ev` (charging), `visitor` or `staff`.',
    }),
    reservable: Type.Boolean({ title: 'Reservable', description: 'Visitors may reserve this slot.' }),
    closed: Type.Optional(
      Type.Boolean({
        title: 'Closed',
        description:
          'Closed slots stay drawn but are not sent to the agent, so they never count as free (roadworks, a skip).',
      }),
    ),
    polygon: DocumentPolygon,
    enter_delay_s: delay('Enter delay', 'Seconds a slot must look occupied before it is reported occupied.'),
    exit_delay_s: delay('Exit delay', 'Seconds a slot must look free before it is reported free.'),
  },
  { additionalProperties: false, title: 'Slot' },
);

export const DocumentMask = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 64, title: 'Mask id', description: 'Unique among the masks.' }),
    label: Type.Optional(Type.String({ maxLength: 120, title: 'Label', description: 'e.g. "office window".' })),
    polygon: DocumentPolygon,
  },
  { additionalProperties: false, title: 'Privacy mask', description: 'An area blurred in every snapshot.' },
);

export const CalibrationDocumentSchema = Type.Object(
  {
    format: Type.Literal(CALIBRATION_FORMAT, { title: 'Format', description: 'Always "volno-calibration".' }),
    format_version: Type.Literal(CALIBRATION_FORMAT_VERSION, {
      title: 'Format version',
      description: 'Version of this file format (not of the calibration).',
    }),
    camera_id: Type.Optional(CameraId),
    frame_width: Type.Integer({
      minimum: 1,
      maximum: 16384,
      title: 'Frame width',
      description: 'Pixels of the frame the polygons were drawn on.',
    }),
    frame_height: Type.Integer({
      minimum: 1,
      maximum: 16384,
      title: 'Frame height',
      description: 'Pixels of the frame the polygons were drawn on.',
    }),
    slots: Type.Array(DocumentSlot, { maxItems: 1000, title: 'Slots' }),
    privacy_masks: Type.Array(DocumentMask, { maxItems: 64, title: 'Privacy masks' }),
  },
  {
    additionalProperties: false,
    title: 'Volno calibration',
    description: "One camera's slots and privacy masks as staff edit them; exported and imported as this JSON.",
  },
);

export type CalibrationDocument = Static<typeof CalibrationDocumentSchema>;
export type CalibrationSlot = Static<typeof DocumentSlot>;
export type PrivacyMask = Static<typeof DocumentMask>;

/** A new, empty calibration for a frame of the given size. */
export function emptyCalibration(frameWidth: number, frameHeight: number, cameraId?: string): CalibrationDocument {
  return {
    format: CALIBRATION_FORMAT,
    format_version: CALIBRATION_FORMAT_VERSION,
    ...(cameraId === undefined ? {} : { camera_id: cameraId }),
    frame_width: frameWidth,
    frame_height: frameHeight,
    slots: [],
    privacy_masks: [],
  };
}
