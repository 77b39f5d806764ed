// (1) The broker accounts and ACLs from deploy/mosquitto/, on a real Mosquitto started from the
// shipped volno.conf, with the real server ingesting.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTopic } from '../../protocol/index.ts';
import { waitFor } from '../fixtures/process.ts';
import { FakeAgent } from '../server/support/messages.ts';
import { startDeployBroker, type DeployBroker } from './support/broker.ts';
import { makeSite, replaceOnce, type Site } from './support/install.ts';
import { collect, connect, slotState, startSiteServer } from './support/server.ts';

const SITE = 'krajsky-urad';
const AGENT_1 = 'volno-edge-krajsky-urad-agent-1'; // cameras north-1, north-2 in deploy/config/server.yaml
const AGENT_2 = 'volno-edge-krajsky-urad-agent-2'; // camera south-1

let site: Site;
let broker: DeployBroker;
let server: FastifyInstance;
const clients: MqttClient[] = [];

const login = async (user: string, o: { protocolVersion?: 4 | 5 } = {}) => {
  const c = site.credentials(user);
  const client = await connect(broker.plainUrl, {
    username: c['VOLNO_MQTT_USERNAME']!,
    password: c['VOLNO_MQTT_PASSWORD']!,
    clientId: `${user}-${o.protocolVersion ?? 4}`,
    protocolVersion: o.protocolVersion ?? 4,
  });
  clients.push(client);
  return client;
};

beforeAll(async () => {
  site = makeSite();
  broker = await startDeployBroker(site.brokerDir, {
    username: 'volno-server',
    password: site.env.VOLNO_MQTT_PASSWORD,
  });
  server = (await startSiteServer(site, broker.plainUrl)).app;
});

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.endAsync(true)));
  await server?.close();
  await broker?.stop();
  site?.cleanup();
});

describe('Mosquitto with one account per agent (deploy/mosquitto)', () => {
  it('lets an agent publish its own camera and agent topics, and the server ingests them', async () => {
    const a = await login(AGENT_1);
    const agent = new FakeAgent('agent-1', 'session-acl-one');
    for (const m of [agent.availability('online'), agent.slotState('north-1', 'A01', 'occupied')])
      await a.publishAsync(m.topic, m.payload, { qos: 1, retain: true });
    await waitFor(async () => (await slotState(server, 'north', 'A01')) === 'occupied', {
      timeoutMs: 10_000,
      what: 'agent-1’s state in the API',
    });
  });

  it('drops what an agent publishes under another agent’s camera, another site or the server’s topics', async () => {
    const observer = await connect(broker.plainUrl, { ...site.observer, clientId: 'observer' });
    clients.push(observer);
    const seen = collect(observer);
    await observer.subscribeAsync('#', { qos: 1 });
    const a = await login(AGENT_1);
    const agent = new FakeAgent('agent-1', 'session-acl-two');
    const received = server.volno.metrics.received.get();
    const forbidden = [
      agent.slotState('south-1', 'C01', 'occupied'), // agent-2's camera
      { ...agent.slotState('north-1', 'A01', 'free'), topic: `volno/v1/other-site/camera/north-1/slot/A01/state` },
      { topic: buildTopic('calibration', { site: SITE, camera: 'north-1' }), payload: '{"forged":true}' },
      { ...new FakeAgent('agent-2').heartbeat(), topic: buildTopic('heartbeat', { site: SITE, agent: 'agent-2' }) },
    ];
    for (const m of forbidden) await a.publishAsync(m.topic, m.payload, { qos: 1 });
    // One client's QoS 1 messages arrive in order: once the marker is through, the rest was judged.
    const marker = agent.slotState('north-1', 'A02', 'free');
    await a.publishAsync(marker.topic, marker.payload, { qos: 1 });
    await waitFor(() => seen.has(marker.topic), { timeoutMs: 10_000, what: 'the marker at the observer' });
    await waitFor(async () => (await slotState(server, 'north', 'A02')) === 'free', {
      timeoutMs: 10_000,
      what: 'the marker in the API',
    });
    for (const m of forbidden) expect(seen.has(m.topic), m.topic).toBe(false);
    expect(server.volno.metrics.received.get() - received).toBe(1); // the marker only
    expect(await slotState(server, 'south', 'C01')).toBe('unknown');
    expect(broker.logs()).toMatch(/Denied PUBLISH from volno-edge-krajsky-urad-agent-1/);
  });

  it('answers a denied publish with "not authorized" on MQTT 5', async () => {
    const a = await login(AGENT_1, { protocolVersion: 5 });
    const m = new FakeAgent('agent-1', 'session-acl-five').slotState('south-1', 'C01', 'free');
    await expect(a.publishAsync(m.topic, m.payload, { qos: 1 })).rejects.toThrow(/not authorized/i);
  });

  it('delivers to an agent nothing outside its own cameras, whatever it subscribes to', async () => {
    // Mosquitto 2.0.11 grants every subscription and applies the read rules to each delivery.
    const a = await login(AGENT_1);
    const seen = collect(a);
    await a.subscribeAsync(['#', `volno/v1/${SITE}/camera/+/calibration`], { qos: 1 });
    const own = buildTopic('calibration', { site: SITE, camera: 'north-1' });
    const other = buildTopic('calibration', { site: SITE, camera: 'south-1' });
    await server.volno.mqtt.publish(other, '{"for":"south-1"}', { qos: 1, retain: false });
    const state = new FakeAgent('agent-2', 'session-acl-read').slotState('south-1', 'C01', 'free');
    const a2 = await login(AGENT_2);
    await a2.publishAsync(state.topic, state.payload, { qos: 1 });
    await server.volno.mqtt.publish(own, '{"for":"north-1"}', { qos: 1, retain: false });
    await waitFor(() => seen.has(own), { timeoutMs: 10_000, what: 'agent-1 to receive its own calibration' });
    expect([...seen.keys()].filter((t) => !t.startsWith(`volno/v1/${SITE}/camera/north-`))).toEqual([]);
  });

  it('lets the server send calibrations and Home Assistant topics, and only the camera’s agent receives a calibration', async () => {
    const observer = await connect(broker.plainUrl, { ...site.observer, clientId: 'observer-ha' });
    clients.push(observer);
    const seenByObserver = collect(observer);
    await observer.subscribeAsync(['homeassistant/#', 'volno/ha/#'], { qos: 1 });
    const a1 = await login(AGENT_1);
    const a2 = await login(AGENT_2);
    const seen1 = collect(a1);
    const seen2 = collect(a2);
    await a1.subscribeAsync(`volno/v1/${SITE}/camera/north-1/calibration`, { qos: 1 });
    await a2.subscribeAsync(`volno/v1/${SITE}/camera/south-1/calibration`, { qos: 1 });
    const topic = buildTopic('calibration', { site: SITE, camera: 'north-1' });
    await server.volno.mqtt.publish(topic, '{"calibration":"from the server"}', { qos: 1, retain: false });
    await waitFor(() => seen1.has(topic), { timeoutMs: 10_000, what: 'agent-1 to receive its calibration' });
    expect(seen2.size).toBe(0);
    // Retained discovery and status, published by the server when it connected.
    await waitFor(
      () =>
        seenByObserver.get(`volno/ha/${SITE}/status`)?.includes('online') &&
        seenByObserver.has(`homeassistant/sensor/volno_${SITE}/north_free/config`),
      { timeoutMs: 10_000, what: 'Home Assistant topics from the server' },
    );
  });

  it('refuses anonymous clients and wrong passwords', async () => {
    await expect(connect(broker.plainUrl, { clientId: 'anonymous' })).rejects.toThrow(/not authori[sz]ed/i);
    await expect(connect(broker.plainUrl, { username: AGENT_1, password: 'wrong', clientId: 'guess' })).rejects.toThrow(
      /not authori[sz]ed|bad user/i,
    );
  });

  it('lets two server instances split the ingest on a shared subscription under the same ACL', async () => {
    // Each instance has its own account: use_username_as_clientid makes the username the client id,
    // and two instances on one account would throw each other off the broker.
    const instance = async (user: string) => {
      const file = join(site.root, `etc/volno/server-shared-${user}.yaml`);
      writeFileSync(
        file,
        replaceOnce(
          readFileSync(site.serverConfig, 'utf8'),
          '  username: volno-server',
          `  username: ${user}\n  share_group: volno`,
        ),
      );
      const env = { VOLNO_MQTT_PASSWORD: site.credentials(user)['VOLNO_MQTT_PASSWORD']! };
      return (await startSiteServer(site, broker.plainUrl, { config: file, dataDir, env })).app;
    };
    const dataDir = join(site.root, 'var/lib/volno-shared');
    const one = await instance('volno-server-2');
    const two = await instance('volno-server-3');
    try {
      // Until the retained state is fetched each instance also holds a plain subscription (docs/server.md).
      await waitFor(() => !one.volno.subscriptions.fetchingRetained && !two.volno.subscriptions.fetchingRetained, {
        timeoutMs: 10_000,
        what: 'the retained fetch to end',
      });
      const a = await login(AGENT_2);
      const agent = new FakeAgent('agent-2', 'session-acl-shared');
      const n = 20;
      const base = one.volno.metrics.received.get() + two.volno.metrics.received.get();
      for (let i = 0; i < n; i++) {
        const m = agent.slotState('south-1', 'C01', i % 2 === 0 ? 'occupied' : 'free');
        await a.publishAsync(m.topic, m.payload, { qos: 1 });
      }
      const total = () => one.volno.metrics.received.get() + two.volno.metrics.received.get() - base;
      await waitFor(() => total() >= n, { timeoutMs: 10_000, what: 'both instances to ingest' });
      expect(total()).toBe(n); // each message once, split between the two
      expect(one.volno.metrics.received.get()).toBeGreaterThan(0);
      expect(two.volno.metrics.received.get()).toBeGreaterThan(0);
    } finally {
      await one.close();
      await two.close();
    }
  });
});
