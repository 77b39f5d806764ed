import { Type, type Static } from 'typebox';
import { ID_PATTERN } from '../../protocol/index.ts';
import { BOOKING_STATUSES } from './store.ts';
import { MANAGE_TOKEN_PATTERN } from './token.ts';

const Date_ = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: 'Local date (Europe/Prague).' });
const Hhmm = (d: string) => Type.String({ pattern: '^[0-9]{2}:[0-9]{2}$', description: `${d}, local HH:MM.` });
const Time = (description: string) => Type.String({ format: 'date-time', description });

export const WindowFields = {
  date: Date_,
  start: Hhmm('Start'),
  end: Hhmm('End (24:00 allowed)'),
};

export const PersonFields = {
  name: Type.String({ minLength: 1, maxLength: 100, description: 'Full name.' }),
  email: Type.String({ minLength: 3, maxLength: 254, pattern: '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$' }),
  plate: Type.Optional(
    Type.String({ maxLength: 12, pattern: '^[A-Za-z0-9 -]{0,12}$', description: 'Licence plate; optional.' }),
  ),
};

export const OptionsQuery = Type.Object(
  { lot_id: Type.String({ pattern: ID_PATTERN, maxLength: 64 }), ...WindowFields },
  { additionalProperties: false },
);

export const OptionsSchema = Type.Object(
  {
    lot_id: Type.String(),
    start_at: Time('Start instant.'),
    end_at: Time('End instant.'),
    reservable: Type.Integer({ minimum: 0, description: 'Reservable slots in the lot.' }),
    available: Type.Integer({ minimum: 0, description: 'Of them free for this window.' }),
  },
  { additionalProperties: false, title: 'Reservation options' },
);

export const BookBody = Type.Object(
  {
    lot_id: Type.String({ pattern: ID_PATTERN, maxLength: 64 }),
    ...WindowFields,
    ...PersonFields,
    consent: Type.Literal(true, { description: 'Consent to processing the personal data for this booking.' }),
    lang: Type.Optional(Type.Enum(['cs', 'en'] as const)),
  },
  { additionalProperties: false },
);

export const ModifyBody = Type.Object(WindowFields, { additionalProperties: false });

export const TokenParams = Type.Object(
  { token: Type.String({ pattern: MANAGE_TOKEN_PATTERN, description: 'The secret manage token.' }) },
  { additionalProperties: false },
);

export const BookingSchema = Type.Object(
  {
    code: Type.String({ description: 'Short code for people, e.g. K7Q4-MZPA.' }),
    status: Type.Enum(BOOKING_STATUSES),
    lot_id: Type.String(),
    slot_label: Type.String(),
    start_at: Time('Start.'),
    end_at: Time('End.'),
    name: Type.Union([Type.String(), Type.Null()], { description: 'Null after the privacy purge.' }),
    email: Type.Union([Type.String(), Type.Null()]),
    plate: Type.Union([Type.String(), Type.Null()]),
    changeable_until: Time('Cancel or change until then (the cut-off).'),
    no_show_at: Time('Still free then: the booking lapses.'),
    ics_url: Type.String(),
    qr_url: Type.String(),
  },
  { additionalProperties: false, title: 'Booking' },
);

export const CreatedSchema = Type.Object(
  {
    ...BookingSchema.properties,
    manage_token: Type.String({ description: 'Shown once; only its hash is stored.' }),
    manage_url: Type.String(),
  },
  { additionalProperties: false, title: 'Created booking' },
);
export type CreatedBody = Static<typeof CreatedSchema>;
