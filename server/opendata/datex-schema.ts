import { Type, type Static } from 'typebox';

const Assignment = Type.Object(
  {
    typeOfAssignment: Type.String(),
    user: Type.Optional(Type.String()),
    fuelType: Type.Optional(Type.String()),
    availableSpaces: Type.Optional(Type.Integer()),
  },
  { additionalProperties: false },
);

export const DatexSchema = Type.Object(
  {
    _modelBaseVersion: Type.String(),
    _profileName: Type.String(),
    parkingPublicationLight: Type.Object(
      {
        lang: Type.String(),
        name: Type.String(),
        publicationTime: Type.String({ format: 'date-time' }),
        parkingSite: Type.Array(
          Type.Object(
            {
              _id: Type.String(),
              name: Type.String(),
              type: Type.String(),
              numberOfSpaces: Type.Integer(),
              availableSpaces: Type.Integer({
                description: 'Free spaces confirmed recently (unknown ones are not counted).',
              }),
              lastUpdate: Type.Optional(Type.String({ format: 'date-time' })),
              assignedFor: Type.Optional(Type.Array(Assignment)),
              reservedSpaces: Type.Optional(
                Type.Integer({
                  minimum: 0,
                  description: 'Volno extension: spaces kept for a booking now (not in availableSpaces).',
                }),
              ),
              locationAndDimension: Type.Optional(
                Type.Object(
                  {
                    coordinatesForDisplay: Type.Object(
                      { latitude: Type.Number(), longitude: Type.Number() },
                      { additionalProperties: false },
                    ),
                    locationDescriptor: Type.Optional(Type.String()),
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
              parkingSiteReference: Type.Object({ _id: Type.String() }, { additionalProperties: false }),
              availability: Type.Enum(['available', 'occupied', 'closed', 'unknown'] as const),
              reserved: Type.Optional(
                Type.Boolean({
                  description: 'Volno extension: kept for a booking now; its availability is then `occupied`.',
                }),
              ),
              lastUpdate: Type.Optional(Type.String({ format: 'date-time' })),
              assignedFor: Type.Optional(Type.Array(Assignment)),
              accessibility: Type.Optional(Type.String()),
            },
            { additionalProperties: false },
          ),
        ),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false, title: 'DATEX II Parking Publication Light (JSON)' },
);
export type Datex = Static<typeof DatexSchema>;
