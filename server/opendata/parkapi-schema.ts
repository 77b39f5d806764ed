import { Type, type Static } from 'typebox';

const count = (description: string) => Type.Integer({ minimum: 0, description });

/**
 * One parking site as ParkAPI v3 reads it (ParkenDD/park-api-v3, `parking_site_item_request_schema`
 * in webapp/public_rest_api/parking_sites/parking_sites_schema.py). Only the fields Volno can fill
 * honestly are declared; the published schema's other fields are all optional.
 */
export const ParkApiSiteSchema = Type.Object(
  {
    uid: Type.String({ minLength: 1, maxLength: 256, description: '`<site>:<lot_id>`.' }),
    name: Type.String({ maxLength: 256 }),
    purpose: Type.Literal('CAR'),
    type: Type.Literal('OFF_STREET_PARKING_GROUND'),
    address: Type.Optional(Type.String({ maxLength: 512 })),
    lat: Type.Number({ minimum: -90, maximum: 90 }),
    lon: Type.Number({ minimum: -180, maximum: 180 }),
    has_realtime_data: Type.Boolean({ description: 'False until a camera has reported any slot of the lot.' }),
    static_data_updated_at: Type.String({ format: 'date-time', description: 'When this server loaded its lots.' }),
    capacity: count('Configured slots.'),
    capacity_disabled: count('Slots for disabled drivers.'),
    capacity_charging: count('Slots with a charger.'),
    realtime_data_updated_at: Type.Optional(Type.String({ format: 'date-time' })),
    realtime_free_capacity: Type.Optional(
      count('Slots seen free recently; unknown, stale and reserved slots are not counted.'),
    ),
    realtime_free_capacity_disabled: Type.Optional(count('Free slots for disabled drivers.')),
    realtime_free_capacity_charging: Type.Optional(count('Free slots with a charger.')),
  },
  { additionalProperties: false, title: 'ParkAPI v3 parking site' },
);

export const ParkApiSchema = Type.Object(
  { items: Type.Array(ParkApiSiteSchema) },
  { additionalProperties: false, title: 'ParkAPI v3 parking sites' },
);
export type ParkApi = Static<typeof ParkApiSchema>;
