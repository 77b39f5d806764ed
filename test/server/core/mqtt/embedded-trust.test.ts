// Issue 13, findings 3 and 4, on the embedded broker: every attack of the review is first played as
// the attacker did it (a local process, a rogue or stolen agent account), against the real server,
// its real aedes broker and SQLite.
import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildTopic } from '../../../../protocol/index.ts';
import { waitFor } from '../../../fixtures/process.ts';
import { tempDir } from '../../support/config.ts';
import { FakeAgent, PREFIX, SITE } from '../../support/messages.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { closed, connect, LOTS_WITH_AGENTS, loginAgent, refusals, writePasswordFile } from './support.ts';

const state = async (s: TestServer, lot: string, slot: string) =>
  (
    (await s.app.inject({ url: `/api/v1/lots/${lot}/slots` })).json() as {
      slots: { slot_id: string; state: string }[];
    }
  ).slots.find((x) => x.slot_id === slot)?.state;

const forgedCalibration = (camera: string) => ({
  topic: buildTopic('calibration', { site: SITE, camera }, PREFIX),
  payload: JSON.stringify({ camera_id: camera, version: 999, slots: [] }),
});

const clients: MqttClient[] = [];
const keep = (c: MqttClient) => (clients.push(c), c);
afterEach(async () => {
  await Promise.allSettled(clients.splice(0).map((c) => c.endAsync(true)));
});

describe('embedded broker with one account per agent (password_file)', () => {
  const tmp = tempDir('volno-embedded-trust-');
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({
      lots: LOTS_WITH_AGENTS,
      mqtt: { embedded: { password_file: writePasswordFile(tmp.dir) } },
    });
  });
  afterAll(async () => {
    await s?.stop();
    tmp.cleanup();
  });

  it('refuses a local process without the password, so it cannot publish fake free spaces, and keeps serving', async () => {
    const before = { anonymous: refusals(s, 'anonymous'), bad: refusals(s, 'bad_credentials') };
    await expect(connect(s.mqttUrl, { clientId: 'rogue' })).rejects.toThrow(/not authori[sz]ed/i);
    await expect(
      connect(s.mqttUrl, { clientId: 'rogue', username: 'volno-edge-krajsky-urad-agent-1', password: 'guess' }),
    ).rejects.toThrow(/bad user ?name or password/i);
    await expect(
      connect(s.mqttUrl, { clientId: 'rogue', username: 'volno-server', password: 'guess' }),
    ).rejects.toThrow(/bad user ?name or password/i);
    expect(refusals(s, 'anonymous') - before.anonymous).toBe(1);
    expect(refusals(s, 'bad_credentials') - before.bad).toBe(2);
    // The real agent still gets in and is ingested.
    const a1 = keep(await loginAgent(s.mqttUrl, 'agent-1'));
    const m = new FakeAgent('agent-1', 'session-real-one').slotState('north-1', 'A1', 'occupied');
    await a1.publishAsync(m.topic, m.payload, { qos: 1, retain: true });
    await waitFor(async () => (await state(s, 'north', 'A1')) === 'occupied', { timeoutMs: 5000, what: 'agent-1' });
  });

  it('throws an agent off when it publishes another agent’s camera, and nothing of it arrives', async () => {
    const a2 = keep(await loginAgent(s.mqttUrl, 'agent-2'));
    const before = { denied: refusals(s, 'publish_denied'), received: s.app.volno.metrics.received.get() };
    const gone = closed(a2);
    // agent-2 (or whoever holds its password) writes "free" over agent-1's space.
    const fake = new FakeAgent('agent-2', 'session-two').slotState('north-1', 'A1', 'free');
    a2.publish(fake.topic, fake.payload, { qos: 1, retain: true });
    await gone;
    expect(refusals(s, 'publish_denied') - before.denied).toBe(1);
    // A marker from agent-1 comes after it on the same broker: once it is in, the fake would be too.
    const a1 = keep(await loginAgent(s.mqttUrl, 'agent-1'));
    const marker = new FakeAgent('agent-1', 'session-real-one').slotState('north-1', 'A2', 'free');
    await a1.publishAsync(marker.topic, marker.payload, { qos: 1 });
    await waitFor(async () => (await state(s, 'north', 'A2')) === 'free', { timeoutMs: 5000, what: 'the marker' });
    expect(s.app.volno.metrics.received.get() - before.received).toBe(1);
    expect(await state(s, 'north', 'A1')).toBe('occupied');
  });

  it('lets only the server publish calibrations and snapshot requests: a forged retained calibration is refused and never retained', async () => {
    const a1 = keep(await loginAgent(s.mqttUrl, 'agent-1'));
    const before = refusals(s, 'publish_denied');
    const gone = closed(a1);
    const forged = forgedCalibration('north-1');
    a1.publish(forged.topic, forged.payload, { qos: 1, retain: true });
    await gone;
    const req = await loginAgent(s.mqttUrl, 'agent-1');
    const goneToo = closed(req);
    req.publish(buildTopic('snapshot_request', { site: SITE, camera: 'north-1' }, PREFIX), '{}', { qos: 1 });
    await goneToo;
    expect(refusals(s, 'publish_denied') - before).toBe(2);
    // The camera's agent subscribes to its calibration: the server's real one arrives, the forged one never.
    const agent = keep(await loginAgent(s.mqttUrl, 'agent-1'));
    const seen: string[] = [];
    agent.on('message', (_t, p) => seen.push(p.toString()));
    await agent.subscribeAsync(forged.topic, { qos: 1 });
    await s.app.volno.mqtt.publish(forged.topic, '{"from":"the server"}', { qos: 1, retain: false });
    await waitFor(() => seen.length > 0, { timeoutMs: 5000, what: 'the server’s calibration' });
    expect(seen).toEqual(['{"from":"the server"}']);
  });

  it('refuses a fake snapshot from another camera’s agent, and counts one that names another agent', async () => {
    const reply = (agent: FakeAgent, camera: string) => ({
      topic: buildTopic('snapshot_reply', { site: SITE, camera, request: 'request-12345678' }, PREFIX),
      payload: JSON.stringify({
        agent_id: agent.agentId,
        session_id: agent.sessionId,
        seq: agent.seq++,
        sent_at: new Date().toISOString(),
        camera_id: camera,
        request_id: 'request-12345678',
        result: 'error',
        error: 'camera unavailable',
      }),
    });
    const a2 = keep(await loginAgent(s.mqttUrl, 'agent-2'));
    const before = refusals(s, 'publish_denied');
    const gone = closed(a2);
    const fake = reply(new FakeAgent('agent-2', 'session-two'), 'north-1');
    a2.publish(fake.topic, fake.payload, { qos: 1 });
    await gone;
    expect(refusals(s, 'publish_denied') - before).toBe(1);
    // On its own camera's topic but in agent-2's name: the broker lets it through, the server does not.
    const a1 = keep(await loginAgent(s.mqttUrl, 'agent-1'));
    const mismatch = s.app.volno.metrics.rejected.get({ reason: 'agent_mismatch' });
    const named = reply(new FakeAgent('agent-2', 'session-forged'), 'north-1');
    await a1.publishAsync(named.topic, named.payload, { qos: 1 });
    await waitFor(() => s.app.volno.metrics.rejected.get({ reason: 'agent_mismatch' }) > mismatch, {
      timeoutMs: 5000,
      what: 'the mismatch to be counted',
    });
  });

  it('keeps the server on the broker when agent credentials use its client id or another agent’s', async () => {
    let reconnects = 0;
    s.app.volno.mqtt.onConnected(() => reconnects++);
    const before = refusals(s, 'client_id_reserved') + refusals(s, 'client_id_mismatch');
    const serverId = s.app.volno.mqtt.clientId;
    await expect(loginAgent(s.mqttUrl, 'agent-1', { clientId: serverId })).rejects.toThrow(/identifier rejected/i);
    await expect(loginAgent(s.mqttUrl, 'agent-1', { clientId: 'volno-edge-krajsky-urad-agent-2' })).rejects.toThrow(
      /identifier rejected/i,
    );
    expect(refusals(s, 'client_id_reserved') + refusals(s, 'client_id_mismatch') - before).toBe(2);
    expect(s.app.volno.mqtt.connected).toBe(true);
    expect(reconnects).toBe(0);
  });

  it('lets Home Assistant’s account read its topics and nothing else', async () => {
    const ha = keep(
      await connect(s.mqttUrl, {
        clientId: 'homeassistant',
        username: 'homeassistant',
        password: 'home-assistant-password',
      }),
    );
    const before = refusals(s, 'subscribe_denied');
    expect((await ha.subscribeAsync('homeassistant/#', { qos: 1 })).map((g) => g.qos)).toEqual([1]);
    // SUBACK 0x80 for the agents' topics (camera images travel there); the connection stays up.
    await expect(ha.subscribeAsync(`${PREFIX}/${SITE}/#`, { qos: 1 })).rejects.toThrow(/subscribe error/i);
    expect(refusals(s, 'subscribe_denied') - before).toBe(1);
    expect(ha.connected).toBe(true);
  });
});

describe('embedded broker on loopback without accounts (the default)', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ lots: LOTS_WITH_AGENTS });
  });
  afterAll(() => s?.stop());

  it('refuses a retained forged calibration and a client with the server’s id from an anonymous local process', async () => {
    const rogue = keep(await connect(s.mqttUrl, { clientId: 'rogue' }));
    const gone = closed(rogue);
    const forged = forgedCalibration('north-1');
    rogue.publish(forged.topic, forged.payload, { qos: 1, retain: true });
    await gone;
    expect(refusals(s, 'publish_denied')).toBe(1);
    await expect(connect(s.mqttUrl, { clientId: s.app.volno.mqtt.clientId })).rejects.toThrow(/identifier rejected/i);
    expect(s.app.volno.mqtt.connected).toBe(true);
  });

  it('rejects an anonymous state that names an agent other than the camera’s, and ingests the camera’s own', async () => {
    const pub = keep(await connect(s.mqttUrl, { clientId: 'local-agent' }));
    const wrong = new FakeAgent('agent-2', 'session-wrong').slotState('north-1', 'A1', 'free');
    const right = new FakeAgent('agent-1', 'session-right').slotState('north-1', 'A2', 'occupied');
    await pub.publishAsync(wrong.topic, wrong.payload, { qos: 1 });
    await pub.publishAsync(right.topic, right.payload, { qos: 1 });
    await waitFor(async () => (await state(s, 'north', 'A2')) === 'occupied', {
      timeoutMs: 5000,
      what: 'the right one',
    });
    expect(s.app.volno.metrics.rejected.get({ reason: 'agent_mismatch' })).toBe(1);
    expect(await state(s, 'north', 'A1')).toBe('unknown');
  });
});
