import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../fixtures/process.ts';
import { captureLog } from '../../edge/support/capture-log.ts';
import { FakeAgent } from '../support/messages.ts';
import { publisher, startTestServer, type TestServer } from '../support/server.ts';

let s: TestServer;
const agent = new FakeAgent();
const logs = captureLog('info');

beforeAll(async () => {
  s = await startTestServer({}, { listen: false, logger: logs.log });
  const pub = await publisher(s.mqttUrl);
  for (const m of [
    agent.availability('online'),
    agent.slotState('north-1', 'A1', 'free'),
    agent.slotState('north-1', 'A2', 'occupied'),
  ])
    await pub.publishAsync(m.topic, m.payload, { qos: 1, retain: true });
  await pub.endAsync();
  await waitFor(async () => (await s.app.volno.availability.lotAvailability('north'))?.occupied === 1, {
    timeoutMs: 5000,
    what: 'states',
  });
});
afterAll(() => s.stop());

describe('DATEX II Parking Publication Light', () => {
  it('publishes each lot with coordinates as a site with its free count and each of its slots with available, occupied or unknown', async () => {
    const r = await s.app.inject({ url: '/api/v1/opendata/datex2' });
    expect(r.statusCode).toBe(200);
    const pub = r.json().parkingPublicationLight;
    expect(pub.lang).toBe('cs');
    expect(pub.parkingSite).toHaveLength(1); // the south lot has no coordinates
    expect(pub.parkingSite[0]).toMatchObject({
      _id: 'krajsky-urad:north',
      name: 'Severní parkoviště',
      numberOfSpaces: 3,
      availableSpaces: 1,
      locationAndDimension: { coordinatesForDisplay: { latitude: 50.08, longitude: 14.42 } },
      assignedFor: [
        { typeOfAssignment: { value: 'optimisedFor' }, user: { value: 'disabled' }, availableSpaces: 0 },
        { typeOfAssignment: { value: 'optimisedFor' }, fuelType: { value: 'battery' }, availableSpaces: 0 },
      ],
    });
    expect(Date.parse(pub.parkingSite[0].lastUpdate)).toBeGreaterThan(0);
    const spaces = Object.fromEntries(
      pub.parkingSpace.map((p: { _id: string; availability: { value: string } }) => [p._id, p.availability.value]),
    );
    expect(spaces).toEqual({
      'krajsky-urad:north-1:A1': 'available',
      'krajsky-urad:north-1:A2': 'occupied',
      'krajsky-urad:north-1:A3': 'unknown',
    });
    expect(pub.parkingSpace[1]).toMatchObject({
      accessibility: [{ value: 'handicappedMarked' }],
      parkingSiteReference: { _id: 'krajsky-urad:north', targetClass: 'ParkingSite' },
    });
    expect(pub.parkingSpace[2].lastUpdate).toBeUndefined();
  });
});

describe('Home Assistant MQTT discovery', () => {
  it('says once at start which lots the feeds leave out for want of coordinates', async () => {
    await s.app.inject({ url: '/api/v1/opendata/datex2' });
    const warned = logs.entries().filter((e) => e['lots'] !== undefined && /left out/.test(String(e['msg'])));
    expect(warned).toEqual([
      expect.objectContaining({
        level: 40,
        lots: ['south'],
        msg: 'lots without latitude and longitude are left out of the DATEX II and ParkAPI feeds',
      }),
    ]);
  });

  it('announces a free-count sensor per lot and an occupancy binary sensor per slot, retained, with their states', async () => {
    const seen = new Map<string, { payload: string; retain: boolean }>();
    const client = await mqtt.connectAsync(s.mqttUrl, { protocolVersion: 4, reconnectPeriod: 0 });
    try {
      client.on('message', (topic, payload, packet) =>
        seen.set(topic, { payload: payload.toString(), retain: packet.retain }),
      );
      await client.subscribeAsync(['homeassistant/#', 'volno/ha/#']);
      const lotConfig = 'homeassistant/sensor/volno_krajsky-urad/north_free/config';
      const slotConfig = 'homeassistant/binary_sensor/volno_krajsky-urad/north-1_A2/config';
      await waitFor(
        () => seen.has(lotConfig) && seen.has(slotConfig) && seen.has('volno/ha/krajsky-urad/slot/north-1/A3/state'),
        {
          timeoutMs: 5000,
          what: 'discovery messages',
        },
      );
      const sensor = JSON.parse(seen.get(lotConfig)!.payload);
      expect(sensor).toMatchObject({
        unique_id: 'volno_krajsky-urad_north_free',
        state_topic: 'volno/ha/krajsky-urad/lot/north/free',
        availability_topic: 'volno/ha/krajsky-urad/status',
        device: { identifiers: ['volno_krajsky-urad_north'], name: 'Severní parkoviště' },
      });
      expect(JSON.parse(seen.get(slotConfig)!.payload)).toMatchObject({
        device_class: 'occupancy',
        payload_on: 'ON',
        payload_off: 'OFF',
      });
      expect(seen.get(lotConfig)!.retain).toBe(true);
      expect(seen.get('volno/ha/krajsky-urad/status')?.payload).toBe('online');
      expect(seen.get('volno/ha/krajsky-urad/lot/north/free')?.payload).toBe('1');
      expect(seen.get('volno/ha/krajsky-urad/slot/north-1/A2/state')?.payload).toBe('ON');
      expect(seen.get('volno/ha/krajsky-urad/slot/north-1/A3/state')?.payload).toBe('None');

      const pub = await publisher(s.mqttUrl);
      const m = agent.slotState('north-1', 'A2', 'free');
      await pub.publishAsync(m.topic, m.payload, { qos: 1 });
      await pub.endAsync();
      await waitFor(
        () =>
          seen.get('volno/ha/krajsky-urad/lot/north/free')?.payload === '2' &&
          seen.get('volno/ha/krajsky-urad/slot/north-1/A2/state')?.payload === 'OFF',
        { timeoutMs: 5000, what: 'live Home Assistant states' },
      );
    } finally {
      await client.endAsync();
    }
  });
});
