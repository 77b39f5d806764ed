import { Type, type Static } from 'typebox';
import { ID_PATTERN } from '../../../protocol/index.ts';
import { SLOT_TYPES } from '../config/schema.ts';

const Time = (description: string) => Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description });
const count = (description: string) => Type.Integer({ minimum: 0, description });

export const IdParam = (description: string) => Type.String({ pattern: ID_PATTERN, maxLength: 64, description });
export const LotParams = Type.Object({ lot_id: IdParam('Lot id') }, { additionalProperties: false });

export const Counts = Type.Object(
  {
    total: count('Slots in the lot (or of this type).'),
    free: count('Free, confirmed recently.'),
    occupied: count('Occupied, confirmed recently.'),
    unknown: count('Nobody can say: camera or agent down, never reported, or last report too old.'),
    reserved: count(
      'Kept for a visitor’s booking (from shortly before it starts until the car arrives); not counted as free, occupied or unknown.',
    ),
  },
  { additionalProperties: false },
);

export const LotAvailabilitySchema = Type.Object(
  {
    lot_id: Type.String(),
    ...Counts.properties,
    by_type: Type.Object(
      Object.fromEntries(SLOT_TYPES.map((t) => [t, Counts])) as Record<(typeof SLOT_TYPES)[number], typeof Counts>,
      {
        additionalProperties: false,
        description: 'The same counts per slot type: standard, disabled, ev (charging), visitor, staff.',
      },
    ),
    updated_at: Time('Newest observation among the lot’s slots; null before any.'),
    stale_slots: count('Slots counted unknown only because their last report is too old.'),
  },
  { additionalProperties: false, title: 'Lot availability' },
);
export type LotAvailability = Static<typeof LotAvailabilitySchema>;
export type Counts = Static<typeof Counts>;

export const SLOT_STATES = ['free', 'occupied', 'unknown'] as const;

export const SlotViewSchema = Type.Object(
  {
    camera_id: Type.String(),
    slot_id: Type.String(),
    label: Type.String(),
    type: Type.Enum(SLOT_TYPES),
    reservable: Type.Boolean(),
    reserved: Type.Boolean({
      description: 'Kept for a booking right now: not free for the public, whatever the camera sees.',
    }),
    state: Type.Enum(SLOT_STATES, { description: '`unknown` when never reported or stale.' }),
    stale: Type.Boolean({ description: 'The last report is older than the freshness limit.' }),
    since: Time('When the current state began.'),
    observed_at: Time('Capture time of the newest frame that confirmed the state.'),
    age_s: Type.Union([Type.Number({ minimum: 0 }), Type.Null()], { description: 'Seconds since observed_at.' }),
    row: Type.Union([Type.Integer(), Type.Null()], { description: 'Row on the schematic map.' }),
    col: Type.Union([Type.Integer(), Type.Null()], { description: 'Column on the schematic map.' }),
  },
  { additionalProperties: false, title: 'Slot' },
);
export type SlotView = Static<typeof SlotViewSchema>;

export const LotSlotsSchema = Type.Object(
  { lot_id: Type.String(), slots: Type.Array(SlotViewSchema) },
  { additionalProperties: false, title: 'Lot slots' },
);
export type LotSlots = Static<typeof LotSlotsSchema>;

export const LotSchema = Type.Object(
  {
    lot_id: Type.String(),
    name: Type.String(),
    name_en: Type.Union([Type.String(), Type.Null()]),
    address: Type.Union([Type.String(), Type.Null()]),
    latitude: Type.Union([Type.Number(), Type.Null()]),
    longitude: Type.Union([Type.Number(), Type.Null()]),
    total: count('Configured slots.'),
    by_type: Type.Object(
      Object.fromEntries(SLOT_TYPES.map((t) => [t, count(`Slots of type ${t}.`)])) as Record<
        (typeof SLOT_TYPES)[number],
        ReturnType<typeof count>
      >,
      { additionalProperties: false },
    ),
    reservable: count('Slots visitors may reserve.'),
  },
  { additionalProperties: false, title: 'Lot' },
);
export type Lot = Static<typeof LotSchema>;
