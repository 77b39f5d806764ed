// The PUBACK gate patches a private mqtt.js method (server/core/mqtt/puback-gate.ts explains why the
// public handleMessage hook is not used). These tests fail loudly when that method changes: on any
// mqtt.js other than the pinned version, and, against a real Mosquitto, when a held PUBACK is no
// longer withheld from the broker or holds up the messages behind it. The broker's own debug log is
// the witness: "Received PUBACK from <client id>" is written when the PUBACK arrives.
import { readFileSync } from 'node:fs';
import mqtt, { MqttClient, type IClientOptions } from 'mqtt';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { installPubackGate, PUBACK_GATE_MQTT_VERSION, type AckGate } from '../../../../server/core/mqtt/puback-gate.ts';
import { startMosquitto, type MosquittoHandle } from '../../../fixtures/mosquitto.ts';
import { waitFor } from '../../../fixtures/process.ts';

const ROOT = new URL('../../../../', import.meta.url);
const readJson = (path: string) => JSON.parse(readFileSync(new URL(path, ROOT), 'utf8')) as Record<string, unknown>;

const pinnedMessage = (what: string) =>
  `${what}. server/core/mqtt/puback-gate.ts patches the private _sendPacket of mqtt.js ${PUBACK_GATE_MQTT_VERSION}: ` +
  're-read mqtt.js handlers/publish.js and client.js (is the PUBACK still sent through _sendPacket after ' +
  "handleMessage's callback? does that callback still hold back the next packet?), rerun bench/server/puback.ts " +
  'and this file, then set PUBACK_GATE_MQTT_VERSION';

describe('the PUBACK gate on the pinned mqtt.js', () => {
  test('the installed mqtt.js is exactly the version the gate was verified against', () => {
    const installed = readJson('node_modules/mqtt/package.json')['version'];
    expect(installed, pinnedMessage(`mqtt.js ${String(installed)} is installed`)).toBe(PUBACK_GATE_MQTT_VERSION);
    const declared = (readJson('package.json')['dependencies'] as Record<string, string>)['mqtt'];
    expect(declared, pinnedMessage(`package.json asks for mqtt "${declared}", not an exact pin`)).toBe(
      PUBACK_GATE_MQTT_VERSION,
    );
  });

  test('mqtt.js still has the private _sendPacket the gate replaces, and the gate installs', () => {
    const proto = MqttClient.prototype as unknown as Record<string, unknown>;
    expect(typeof proto['_sendPacket'], pinnedMessage('MqttClient.prototype._sendPacket is gone')).toBe('function');
    // Never connected: there is no socket, timer or store to close afterwards.
    const client = mqtt.connect('mqtt://127.0.0.1:1', { manualConnect: true });
    expect(installPubackGate(client, { holding: () => true, onRelease: () => {} })).toBe(true);
  });
});

/** A gate the test opens and closes by hand. */
function manualGate(): AckGate & { hold: boolean; release(): void } {
  let release: () => void = () => {};
  const gate = {
    hold: true,
    holding: (): boolean => gate.hold,
    onRelease: (fn: () => void) => (release = fn),
    release: () => release(),
  };
  return gate;
}

describe('the PUBACK gate against a real Mosquitto', () => {
  let broker: MosquittoHandle;
  const clients: MqttClient[] = [];
  const options = (clientId: string, o: IClientOptions = {}): IClientOptions => ({
    protocolVersion: 4,
    clientId,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ...o,
  });
  const open = async (clientId: string, o: IClientOptions = {}, gate?: AckGate) => {
    const client = mqtt.connect(broker.url, options(clientId, o));
    clients.push(client);
    if (gate !== undefined) expect(installPubackGate(client, gate)).toBe(true);
    const received: string[] = [];
    client.on('message', (_topic, payload) => received.push(payload.toString()));
    await new Promise<void>((ok, fail) => {
      client.once('connect', () => ok());
      client.once('error', fail);
    });
    return { client, received };
  };
  const pubacksFrom = (clientId: string) =>
    broker
      .logs()
      .split('\n')
      .filter((l) => l.includes(`Received PUBACK from ${clientId} `)).length;
  /** One SUBSCRIBE/SUBACK round trip: the broker has read everything the client wrote before it. */
  const roundTrip = (client: MqttClient) => client.subscribeAsync('gate-test/round-trip', { qos: 0 });

  beforeEach(async () => {
    broker = await startMosquitto({ configExtra: ['log_type debug'] });
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.endAsync(true).catch(() => undefined);
    await broker.stop();
  });

  test('held PUBACKs never reach the broker, the messages behind them still arrive, and a release sends them all', async () => {
    const gate = manualGate();
    const sub = await open('gate-sub', {}, gate);
    await sub.client.subscribeAsync('gate-test/#', { qos: 1 });
    const pub = await open('gate-pub');
    for (let i = 1; i <= 5; i++) await pub.client.publishAsync('gate-test/m', `m${i}`, { qos: 1 });
    // All five reach the handler while the first PUBACK is still held: mqtt.js's parser goes on, so
    // the writer can put them in one transaction. (Holding handleMessage's callback stops at m1.)
    await waitFor(() => sub.received.length === 5, { timeoutMs: 5000, what: 'five messages at the subscriber' });
    await roundTrip(sub.client);
    expect(pubacksFrom('gate-sub'), pinnedMessage('a held PUBACK reached the broker')).toBe(0);

    gate.hold = false;
    gate.release();
    await waitFor(() => pubacksFrom('gate-sub') === 5, { timeoutMs: 5000, what: 'five PUBACKs at the broker' });
    expect(sub.received).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
  });

  test('a PUBACK held when the connection drops is never sent, and the broker redelivers that message only', async () => {
    const gate = manualGate();
    gate.hold = false;
    const session = { clean: false };
    const first = await open('gate-session', session, gate);
    await first.client.subscribeAsync('gate-test/#', { qos: 1 });
    const pub = await open('gate-pub');
    await pub.client.publishAsync('gate-test/m', 'committed', { qos: 1 });
    await waitFor(() => pubacksFrom('gate-session') === 1, { timeoutMs: 5000, what: 'the first PUBACK' });
    gate.hold = true;
    await pub.client.publishAsync('gate-test/m', 'in flight', { qos: 1 });
    await waitFor(() => first.received.length === 2, { timeoutMs: 5000, what: 'the second message' });
    await roundTrip(first.client);
    // The process dies between receipt and commit: the connection goes without a DISCONNECT.
    await first.client.endAsync(true);
    gate.release();
    expect(pubacksFrom('gate-session')).toBe(1);

    const again = await open('gate-session', session);
    await pub.client.publishAsync('gate-test/m', 'after', { qos: 1 });
    await waitFor(() => again.received.length === 2, { timeoutMs: 5000, what: 'the redelivery and the next message' });
    // Broker order: the redelivered message first; the acknowledged one is not sent again.
    expect(again.received).toEqual(['in flight', 'after']);
  });
});
