// Issue 13, finding 4, on a real Mosquitto from the shipped volno.conf and accounts from
// broker-accounts.ts: an agent that names another agent in its payload, and an agent that takes the
// server's published client id. Each attack is first played as the attacker would.
import type { FastifyInstance } from 'fastify';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../fixtures/process.ts';
import { FakeAgent } from '../server/support/messages.ts';
import { startDeployBroker, type DeployBroker } from './support/broker.ts';
import { makeSite, type Site } from './support/install.ts';
import { connect, slotState, startSiteServer } from './support/server.ts';

const AGENT_1 = 'volno-edge-krajsky-urad-agent-1'; // cameras north-1, north-2 in deploy/config/server.yaml
const AGENT_2 = 'volno-edge-krajsky-urad-agent-2'; // camera south-1

let site: Site;
let broker: DeployBroker;
let server: FastifyInstance;
const clients: MqttClient[] = [];

const login = async (user: string, clientId: string = user) => {
  const c = site.credentials(user);
  const client = await connect(broker.plainUrl, {
    username: c['VOLNO_MQTT_USERNAME']!,
    password: c['VOLNO_MQTT_PASSWORD']!,
    clientId,
    protocolVersion: 4,
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

describe('Mosquitto: an agent cannot act for another agent or for the server (issue 13, finding 4)', () => {
  it('rejects and counts a message on agent-1’s own camera that names agent-2, and agent-2 stays up with its slots', async () => {
    const a2 = await login(AGENT_2);
    const real = new FakeAgent('agent-2', 'session-real-two');
    for (const m of [real.availability('online'), real.slotState('south-1', 'C01', 'occupied')])
      await a2.publishAsync(m.topic, m.payload, { qos: 1, retain: true });
    await waitFor(async () => (await slotState(server, 'south', 'C01')) === 'occupied', {
      timeoutMs: 10_000,
      what: 'agent-2’s state',
    });
    const m = server.volno.metrics;
    const before = {
      mismatch: m.rejected.get({ reason: 'agent_mismatch' }),
      restarts: m.restarts.get({ agent: 'agent-2' }),
    };

    // The attack: agent-1's own topic (the ACL lets it through), agent-2's name and a new session.
    const a1 = await login(AGENT_1);
    const forged = new FakeAgent('agent-2', 'session-forged-by-one');
    const attack = [
      forged.slotState('north-1', 'A01', 'free'),
      forged.summary('north-1', { free: 5, occupied: 0, unknown: 0 }),
    ];
    for (const x of attack) await a1.publishAsync(x.topic, x.payload, { qos: 1 });
    // agent-1's heartbeat on its own agent topic claiming agent-2's camera.
    const hb = new FakeAgent('agent-1', 'session-honest-one').heartbeat(15, ['north-1', 'south-1']);
    await a1.publishAsync(hb.topic, hb.payload, { qos: 0 });
    await waitFor(() => m.rejected.get({ reason: 'agent_mismatch' }) - before.mismatch >= 3, {
      timeoutMs: 10_000,
      what: 'the forged messages to be rejected',
    });
    await server.volno.writer.flush();
    expect(m.rejected.get({ reason: 'agent_mismatch' }) - before.mismatch).toBe(3);
    expect(m.restarts.get({ agent: 'agent-2' })).toBe(before.restarts);
    expect(await slotState(server, 'south', 'C01')).toBe('occupied');
    expect(await slotState(server, 'north', 'A01')).toBe('unknown');

    // agent-1 speaking as itself is still ingested.
    const honest = new FakeAgent('agent-1', 'session-honest-one', () => Date.now()).slotState(
      'north-1',
      'A01',
      'occupied',
    );
    await a1.publishAsync(honest.topic, honest.payload, { qos: 1 });
    await waitFor(async () => (await slotState(server, 'north', 'A01')) === 'occupied', {
      timeoutMs: 10_000,
      what: 'agent-1’s honest state',
    });
  });

  it('keeps the server connected when agent credentials connect with the server’s published client id', async () => {
    const id = 'volno-server-1'; // mqtt.client_id in deploy/config/server.yaml
    await waitFor(() => server.volno.mqtt.connected, { timeoutMs: 10_000, what: 'the server connected' });
    // Mosquitto 2.0.11 accepts the CONNECT; use_username_as_clientid gives it the account's id instead.
    const attacker = await login(AGENT_1, id);
    const attacker2 = await login(AGENT_2, 'volno-server'); // the server's username, as a client id
    expect(attacker.connected && attacker2.connected).toBe(true);
    // Everything the server receives from here on passed through its one, unbroken connection.
    const agent = new FakeAgent('agent-1', 'session-after-takeover');
    const marker = agent.slotState('north-2', 'B01', 'occupied');
    await attacker.publishAsync(marker.topic, marker.payload, { qos: 1 });
    await waitFor(async () => (await slotState(server, 'north', 'B01')) === 'occupied', {
      timeoutMs: 10_000,
      what: 'a message after the attempt',
    }).catch((err) => {
      throw new Error(
        `${(err as Error).message}\n--- mosquitto ---\n${broker
          .logs()
          .split('\n')
          .filter((l) => /New client|already connected|Client .* disconnected|closing/.test(l))
          .join('\n')}`,
      );
    });
    expect(server.volno.mqtt.connected).toBe(true);
    expect(broker.logs()).not.toMatch(/Client volno-server(-1)? already connected, closing old connection/);
    expect(broker.logs()).toMatch(new RegExp(`as ${AGENT_1} \\(`));
  });
});
