import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgentEnv, T0, type AgentEnv } from '../reservations/support.ts';
import { schemaValidator } from './schema-validator.ts';
import { bookAndReport, feedLots, MIN } from './support.ts';

// DATEX II v3 Parking Publication Light's JSON Schema, transcribed (see README.md beside this file).
const { validate, errorsText } = schemaValidator(new URL('./datex2-v3-parking-light.schema.json', import.meta.url));

let env: AgentEnv;

beforeAll(async () => {
  // The south lot has no coordinates, which the profile requires of every site and space.
  env = await startAgentEnv({ raw: { lots: feedLots() } });
});
afterAll(() => env?.stop());

interface Space {
  _id: string;
  availability: { value: string };
  _parkingSpaceExtension?: { volno: { reserved: boolean } };
}

async function feed() {
  const r = await env.app.inject({ url: '/api/v1/opendata/datex2' });
  expect(r.statusCode).toBe(200);
  const body = r.json();
  if (!validate(body)) throw new Error(`DATEX II v3 Light schema: ${errorsText()}`);
  return { text: r.body, pub: body.parkingPublicationLight };
}

describe('the DATEX II v3 Parking Publication Light feed', () => {
  it('is valid before any camera reports: every space unknown, the lot without coordinates left out', async () => {
    const { pub } = await feed();
    expect(pub).toMatchObject({
      lang: 'cs',
      publicationCreator: { country: 'CZ', nationalIdentifier: 'krajsky-urad' },
    });
    expect(pub.parkingSite).toEqual([
      {
        _id: 'krajsky-urad:office',
        type: { value: 'offStreetParkingGround' },
        name: 'Parkoviště úřadu',
        numberOfSpaces: 5,
        availableSpaces: 0,
        assignedFor: [
          { typeOfAssignment: { value: 'optimisedFor' }, user: { value: 'disabled' }, availableSpaces: 0 },
          { typeOfAssignment: { value: 'optimisedFor' }, fuelType: { value: 'battery' }, availableSpaces: 0 },
          { typeOfAssignment: { value: 'optimisedFor' }, user: { value: 'visitors' }, availableSpaces: 0 },
        ],
        locationAndDimension: {
          coordinatesForDisplay: { latitude: 50.08, longitude: 14.42 },
          locationDescriptor: 'Náměstí 1, Praha',
        },
      },
    ]);
    expect(pub.parkingSpace.map((s: Space) => [s._id, s.availability.value])).toEqual([
      ['krajsky-urad:gate-1:R1', 'unknown'],
      ['krajsky-urad:gate-1:R2', 'unknown'],
      ['krajsky-urad:gate-1:P1', 'unknown'],
      ['krajsky-urad:gate-1:D1', 'unknown'],
      ['krajsky-urad:gate-1:E1', 'unknown'],
    ]);
    expect(pub.parkingSpace[3]).toMatchObject({
      parkingSiteReference: { _id: 'krajsky-urad:office', targetClass: 'ParkingSite' },
      accessibility: [{ value: 'handicappedMarked' }],
      assignedFor: [{ typeOfAssignment: { value: 'onlyFor' }, user: { value: 'disabled' } }],
      locationAndDimension: { coordinatesForDisplay: { latitude: 50.08, longitude: 14.42 } },
    });
  });

  it('stays valid with free, occupied and booked spaces; a booked space is occupied and says so in the extension', async () => {
    await bookAndReport(env);

    const { text, pub } = await feed();
    const site = pub.parkingSite[0];
    expect(site).toMatchObject({
      availableSpaces: 2,
      lastUpdate: new Date(T0 + 20 * MIN).toISOString(),
      _parkingSiteExtension: { volno: { reservedSpaces: 1 } },
    });
    const kept = pub.parkingSpace.filter((s: Space) => s._parkingSpaceExtension?.volno.reserved);
    expect(kept).toHaveLength(1);
    expect(kept[0].availability).toEqual({ value: 'occupied' });
    const byId = Object.fromEntries(pub.parkingSpace.map((s: Space) => [s._id, s.availability.value]));
    expect(byId['krajsky-urad:gate-1:P1']).toBe('occupied');
    expect(byId['krajsky-urad:gate-1:D1']).toBe('available');
    expect(byId['krajsky-urad:gate-1:E1']).toBe('unknown');
    // Counts and states only: nothing about the visitor.
    for (const secret of ['p@example.cz', '3P', 'Jana']) expect(text).not.toContain(secret);
  });

  it('fails the transcribed schema where the standard says so', () => {
    const space = {
      _id: 'a',
      availability: { value: 'available' },
      locationAndDimension: { coordinatesForDisplay: { latitude: 50, longitude: 14 } },
    };
    const doc = (spaces: unknown[], extra: object = {}) => ({
      _modelBaseVersion: '3',
      parkingPublicationLight: {
        lang: 'cs',
        publicationTime: '2026-12-01T08:00:00Z',
        publicationCreator: { country: 'CZ', nationalIdentifier: 'x' },
        parkingSpace: spaces,
        ...extra,
      },
    });
    expect(validate(doc([space]))).toBe(true);
    // An enumeration as a bare string (the JSON encoding wraps every literal as { value }).
    expect(validate(doc([{ ...space, availability: 'available' }]))).toBe(false);
    expect(validate(doc([{ ...space, availability: { value: 'free' } }]))).toBe(false);
    // A space without coordinates, and a publication without its creator.
    const { locationAndDimension: _, ...placeless } = space;
    expect(validate(doc([placeless]))).toBe(false);
    const noCreator = doc([space]);
    delete (noCreator.parkingPublicationLight as Record<string, unknown>)['publicationCreator'];
    expect(validate(noCreator)).toBe(false);
    // A misspelt attribute (stricter than published, on purpose).
    expect(validate(doc([{ ...space, availabilty: { value: 'available' } }]))).toBe(false);
  });
});
