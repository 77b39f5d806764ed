import { Type, type Static } from 'typebox';
import { envelopeFields } from '../envelope.ts';
import { area, findSelfIntersection } from '../geometry.ts';
import { CameraId, SlotId } from '../ids.ts';
import { Timestamp } from '../time.ts';
import type { RefineIssue } from '../validate.ts';
import { refineSlotExemplars, refineTunedHead, SlotExemplars, TunedHead } from './tuning.ts';

/** Slots smaller than this share of the frame cannot hold a car at any sane camera height. */
export const MIN_SLOT_AREA = 1e-5;

const Coordinate = Type.Number({ minimum: 0, maximum: 1 });
export const PointSchema = Type.Array(Coordinate, {
  minItems: 2,
  maxItems: 2,
  title: 'Point',
  description: '[x, y] relative to the frame, 0–1, origin top left.',
});
export const PolygonSchema = Type.Array(PointSchema, {
  minItems: 3,
  maxItems: 32,
  title: 'Polygon',
  description: 'Outline of the area, 3–32 points in order, not self-intersecting.',
});

const delay = (title: string, description: string) =>
  Type.Optional(Type.Number({ minimum: 0, maximum: 3600, title, description }));

export const CalibrationSlot = Type.Object(
  {
    slot_id: SlotId,
    polygon: PolygonSchema,
    enter_delay_s: delay('Enter delay', 'Seconds a slot must look occupied before it is reported occupied.'),
    exit_delay_s: delay('Exit delay', 'Seconds a slot must look free before it is reported free.'),
  },
  { additionalProperties: false },
);

export const CalibrationPayload = Type.Object(
  {
    camera_id: CameraId,
    version: Type.Integer({ minimum: 1, title: 'Version', description: 'Increases by one with every published save.' }),
    issued_at: Timestamp('Issued at', 'When the server published this version.'),
    frame_width: Type.Integer({
      minimum: 1,
      maximum: 16384,
      title: 'Frame width',
      description: 'Pixels of the reference frame.',
    }),
    frame_height: Type.Integer({
      minimum: 1,
      maximum: 16384,
      title: 'Frame height',
      description: 'Pixels of the reference frame.',
    }),
    slots: Type.Array(CalibrationSlot, { maxItems: 1000, title: 'Slots' }),
    privacy_masks: Type.Array(PolygonSchema, {
      maxItems: 64,
      title: 'Privacy masks',
      description: 'Areas the agent blurs in every snapshot it sends.',
    }),
    reference_jpeg_base64: Type.Optional(
      Type.String({
        maxLength: 8_000_000,
        pattern: '^[A-Za-z0-9+/]*={0,2}$',
        contentEncoding: 'base64',
        title: 'Reference image',
        description: 'The (masked) snapshot the polygons were drawn on, for camera-shift detection.',
      }),
    ),
    tuned_head: Type.Optional(TunedHead),
    slot_exemplars: Type.Optional(SlotExemplars),
  },
  {
    additionalProperties: false,
    title: 'Calibration',
    description: 'Retained. The slot polygons of one camera; the agent applies a new version without restarting.',
  },
);
export type CalibrationPayload = Static<typeof CalibrationPayload>;

/** Checks what JSON Schema cannot: unique slot ids, simple polygons, non-degenerate areas. */
export function refineCalibration(p: CalibrationPayload): RefineIssue[] {
  const issues: RefineIssue[] = [];
  const seen = new Map<string, number>();
  p.slots.forEach((slot, i) => {
    const first = seen.get(slot.slot_id);
    if (first !== undefined)
      issues.push({ path: `/slots/${i}/slot_id`, message: `duplicates /slots/${first}/slot_id "${slot.slot_id}"` });
    else seen.set(slot.slot_id, i);
    issues.push(...refinePolygon(slot.polygon as [number, number][], `/slots/${i}/polygon`));
  });
  p.privacy_masks.forEach((mask, i) =>
    issues.push(...refinePolygon(mask as [number, number][], `/privacy_masks/${i}`)),
  );
  if (p.tuned_head) issues.push(...refineTunedHead(p.tuned_head, '/tuned_head'));
  if (p.slot_exemplars)
    issues.push(...refineSlotExemplars(p.slot_exemplars, '/slot_exemplars', new Set(p.slots.map((s) => s.slot_id))));
  return issues;
}

function refinePolygon(polygon: [number, number][], path: string): RefineIssue[] {
  const crossing = findSelfIntersection(polygon);
  if (crossing)
    return [{ path, message: `edges ${crossing[0]} and ${crossing[1]} cross; the outline must not intersect itself` }];
  if (area(polygon) < MIN_SLOT_AREA) return [{ path, message: 'encloses (almost) no area' }];
  return [];
}

export const CalibrationAckPayload = Type.Object(
  {
    ...envelopeFields,
    camera_id: CameraId,
    version: Type.Integer({ minimum: 0, title: 'Version', description: 'The calibration version this answers.' }),
    result: Type.Enum(['applied', 'rejected'] as const, { title: 'Result' }),
    reason: Type.Optional(
      Type.String({ maxLength: 2000, title: 'Reason', description: 'Why it was rejected, as `path: message` lines.' }),
    ),
  },
  {
    additionalProperties: false,
    title: 'Calibration acknowledgement',
    description: 'Retained. The agent answers every calibration version it receives.',
  },
);
export type CalibrationAckPayload = Static<typeof CalibrationAckPayload>;
