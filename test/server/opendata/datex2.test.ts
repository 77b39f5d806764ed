import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../fixtures/process.ts';
import { booking, lots, startEnv, T0, type Env } from '../reservations/support.ts';
import { LOTS } from '../support/config.ts';
import { FakeAgent } from '../support/messages.ts';
import { publisher } from '../support/server.ts';

// DATEX II v3 Parking Publication Light's JSON Schema, transcribed (see README.md beside this file).
const schema = JSON.parse(readFileSync(new URL('./datex2-v3-parking-light.schema.json', import.meta.url), 'utf8'));
// Ajv 8 as ajv-formats (a dependency) brings it: the top-level `ajv` in node_modules is eslint's Ajv 6.
interface AjvLike {
  compile(s: unknown): ((data: unknown) => boolean) & { errors?: unknown };
  errorsText(errors: unknown): string;
}
const fromFormats = createRequire(createRequire(import.meta.url).resolve('ajv-formats'));
const { Ajv } = fromFormats('ajv') as { Ajv: new (o: object) => AjvLike };
const ajv = new Ajv({ allErrors: true, strict: false });
(fromFormats('ajv-formats') as { default: (a: AjvLike) => void }).default(ajv);
const validate = ajv.compile(schema);

const MIN = 60_000;
let env: Env;
let pub: MqttClient;
const agent = new FakeAgent('agent-1', 'session-aaaaaaaa', () => env.clock.now());

beforeAll(async () => {
  const office = lots(2)[0]!;
  const camera = (office.cameras as { slots: Record<string, unknown>[] }[])[0]!;
  camera.slots.push({ slot_id: 'D1', type: 'disabled' }, { slot_id: 'E1', type: 'ev' });
  // The south lot has no coordinates, which the profile requires of every site and space.
  env = await startEnv({ raw: { lots: [{ ...office, latitude: 50.08, longitude: 14.42 }, LOTS[1]] } });
  pub = await publisher(env.s.mqttUrl);
  await send(agent.availability('online'));
});
afterAll(async () => {
  await pub?.endAsync();
  await env?.s.stop();
});

async function send(m: { topic: string; payload: string }): Promise<void> {
  const before = env.app.volno.metrics.received.get();
  await pub.publishAsync(m.topic, m.payload, { qos: 1 });
  await waitFor(
    () => {
      if (env.app.volno.metrics.received.get() <= before) return false;
      env.app.volno.writer.flush();
      return true;
    },
    { timeoutMs: 10_000, intervalMs: 10, what: 'the message to be ingested' },
  );
}

interface Space {
  _id: string;
  availability: { value: string };
  _parkingSpaceExtension?: { volno: { reserved: boolean } };
}

async function feed() {
  const r = await env.app.inject({ url: '/api/v1/opendata/datex2' });
  expect(r.statusCode).toBe(200);
  const body = r.json();
  if (!validate(body)) throw new Error(`DATEX II v3 Light schema: ${ajv.errorsText(validate.errors)}`);
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
    const b = await env.app.inject({
      method: 'POST',
      url: '/api/v1/reservations',
      payload: booking({ date: '2026-12-01', start: '09:30', end: '11:00', email: 'p@example.cz', plate: '3P' }),
    });
    expect(b.statusCode).toBe(201);
    env.clock.set(T0 + 20 * MIN); // 08:20Z: inside the booking's hold
    for (const [slot, state] of [
      ['R1', 'free'],
      ['R2', 'free'],
      ['P1', 'occupied'],
      ['D1', 'free'],
    ] as const)
      await send(agent.slotState('gate-1', slot, state));

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
