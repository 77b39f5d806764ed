import { Type, type Static, type TSchema } from 'typebox';

// The response schema of /api/v1/opendata/datex2: what Fastify serialises, in DATEX II v3's JSON
// encoding of the Parking Publication Light profile. Every enumeration is an object `{ value }`, as
// the DATEX II webtool's JSON Schema has it; the test validates the feed against a transcription of
// that schema (test/server/opendata/datex2-v3-parking-light.schema.json).

/** A DATEX II v3 enumeration literal in JSON: `{ "value": "…" }`. */
const Enum = <const T extends readonly string[]>(values: T, description?: string) =>
  Type.Object({ value: Type.Enum(values) }, { additionalProperties: false, ...(description && { description }) });

const Count = (description: string) => Type.Integer({ minimum: 0, description });
const Time = (description: string) => Type.String({ format: 'date-time', description });
const Opt = <S extends TSchema>(s: S) => Type.Optional(s);

export const ASSIGNMENT_TYPES = ['allowedFor', 'onlyFor', 'optimisedFor', 'prohibitedFor'] as const;
export const USER_TYPES = ['disabled', 'visitors', 'employees'] as const;
export const FUEL_TYPES = ['battery'] as const;
export const AVAILABILITIES = ['available', 'closed', 'occupied', 'unknown'] as const;

const Assignment = Type.Object(
  {
    typeOfAssignment: Enum(ASSIGNMENT_TYPES),
    user: Opt(Enum(USER_TYPES)),
    fuelType: Opt(Enum(FUEL_TYPES)),
    availableSpaces: Opt(Count('Free spaces with this assignment (site level only, with optimisedFor).')),
  },
  { additionalProperties: false },
);

const LocationAndDimension = Type.Object(
  {
    coordinatesForDisplay: Type.Object(
      { latitude: Type.Number(), longitude: Type.Number() },
      { additionalProperties: false },
    ),
    locationDescriptor: Opt(Type.String()),
  },
  { additionalProperties: false },
);

export const DatexSchema = Type.Object(
  {
    _modelBaseVersion: Type.Literal('3'),
    _profileName: Type.Literal('ParkingPublicationLight'),
    parkingPublicationLight: Type.Object(
      {
        lang: Type.String(),
        publicationTime: Time('When this document was made.'),
        publicationCreator: Type.Object(
          { country: Type.String(), nationalIdentifier: Type.String() },
          { additionalProperties: false },
        ),
        name: Type.String(),
        parkingSite: Type.Array(
          Type.Object(
            {
              _id: Type.String(),
              type: Enum(['offStreetParkingGround'] as const),
              name: Type.String(),
              numberOfSpaces: Count('Slots of the lot.'),
              availableSpaces: Count('Free spaces confirmed recently (unknown and booked ones are not counted).'),
              lastUpdate: Opt(Time('When a camera last reported on the lot.')),
              assignedFor: Opt(Type.Array(Assignment)),
              locationAndDimension: LocationAndDimension,
              _parkingSiteExtension: Opt(
                Type.Object(
                  {
                    volno: Type.Object(
                      { reservedSpaces: Count('Spaces kept for a booking now (not in availableSpaces).') },
                      { additionalProperties: false },
                    ),
                  },
                  { additionalProperties: false },
                ),
              ),
            },
            { additionalProperties: false },
          ),
        ),
        parkingSpace: Type.Array(
          Type.Object(
            {
              _id: Type.String(),
              externalIdentifier: Type.String(),
              parkingSiteReference: Type.Object(
                { _id: Type.String(), targetClass: Type.Literal('ParkingSite') },
                { additionalProperties: false },
              ),
              availability: Enum(AVAILABILITIES),
              lastUpdate: Opt(Time('When the camera last confirmed this space.')),
              assignedFor: Opt(Type.Array(Assignment)),
              accessibility: Opt(Type.Array(Enum(['handicappedMarked'] as const))),
              locationAndDimension: LocationAndDimension,
              _parkingSpaceExtension: Opt(
                Type.Object(
                  {
                    volno: Type.Object(
                      {
                        reserved: Type.Boolean({
                          description: 'Kept for a booking now; availability is then occupied.',
                        }),
                      },
                      { additionalProperties: false },
                    ),
                  },
                  { additionalProperties: false },
                ),
              ),
            },
            { additionalProperties: false },
          ),
        ),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false, title: 'DATEX II v3 Parking Publication Light (JSON encoding)' },
);
export type Datex = Static<typeof DatexSchema>;
