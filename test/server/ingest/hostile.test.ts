import fc from 'fast-check';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTopic } from '../../../protocol/index.ts';
import { waitFor } from '../../fixtures/process.ts';
import { FakeAgent, PREFIX, SITE } from '../support/messages.ts';
import { publisher, startTestServer, type TestServer } from '../support/server.ts';

const TOTAL = 10_000;
const slotTopic = (camera: string, slot: string) => buildTopic('slot_state', { site: SITE, camera, slot }, PREFIX);
const A1 = slotTopic('north-1', 'A1');

interface Hostile {
  topic: string;
  payload: Buffer;
  /** The rejection reason, or an ignore reason for valid-but-stale messages. */
  expect: { rejected: string } | { ignored: string };
}

const isJson = (b: Buffer) => {
  try {
    JSON.parse(b.toString('utf8'));
    return true;
  } catch {
    return false;
  }
};

/** Builds the flood: fast-check's arbitrary bytes and JSON, mutated valid payloads, and hand-picked nasties. */
function flood(agent: FakeAgent, now: number): Hostile[] {
  const valid = agent.slotState('north-1', 'A1', 'free').value;
  const json = (v: unknown) => Buffer.from(JSON.stringify(v));
  const out: Hostile[] = [];
  const rnd = { seed: 20261130, numRuns: 1 };
  const sample = <T>(arb: fc.Arbitrary<T>, n: number) => fc.sample(arb, { ...rnd, numRuns: n });

  // 1. Random bytes: not JSON (or, rarely, JSON that is no payload).
  for (const bytes of sample(fc.uint8Array({ maxLength: 600 }), 2500)) {
    const b = Buffer.from(bytes);
    out.push({ topic: A1, payload: b, expect: { rejected: isJson(b) ? 'schema' : 'not_json' } });
  }
  // 2. Arbitrary JSON values: never a valid slot state.
  for (const v of sample(fc.jsonValue({ maxDepth: 4 }), 2000)) {
    const b = json(v);
    out.push({ topic: A1, payload: b, expect: { rejected: b.length > 4096 ? 'too_large' : 'schema' } });
  }
  // 3. A valid payload with one field broken, removed, or one key added.
  const keys = Object.keys(valid);
  const wrong = fc.oneof(
    fc.string(),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.integer()),
  );
  for (const [key, value, mode] of sample(
    fc.tuple(fc.constantFrom(...keys), wrong, fc.constantFrom('set', 'delete', 'add')),
    2000,
  )) {
    const p: Record<string, unknown> = { ...valid };
    if (mode === 'delete') delete p[key];
    else if (mode === 'add') p[`x_${key}`] = value;
    else p[key] = typeof value === typeof p[key] && key !== 'state' ? [value] : value;
    if (mode === 'delete' && key === 'reason') continue; // reason is optional: that is still valid
    out.push({ topic: A1, payload: json(p), expect: { rejected: 'schema' } });
  }
  // 4. Oversized, mismatched, from the future, on invalid topics, or stale replays.
  for (let i = 0; i < 500; i++) {
    out.push({
      topic: A1,
      payload: json({ ...valid, model_id: 'm'.repeat(4100 + i) }),
      expect: { rejected: 'too_large' },
    });
    out.push({ topic: slotTopic('north-1', 'A2'), payload: json(valid), expect: { rejected: 'topic_mismatch' } });
    const future = new Date(now + 3_600_000 + i * 1000).toISOString();
    out.push({ topic: A1, payload: json({ ...valid, observed_at: future }), expect: { rejected: 'future_timestamp' } });
    out.push({
      topic: `${PREFIX}/${SITE}/camera/bad.id${i}/slot/A1/state`,
      payload: json(valid),
      expect: { rejected: 'topic_invalid' },
    });
    const old = new Date(now - 3_600_000 - i * 1000).toISOString();
    out.push({
      topic: A1,
      payload: json({ ...valid, state: 'occupied', observed_at: old, since: old }),
      expect: { ignored: 'stale' },
    });
  }
  // 5. Hand-picked nasties.
  const nasties: [string, Buffer, string][] = [
    ['empty', Buffer.alloc(0), 'not_json'],
    ['BOM', Buffer.from(`\uFEFF${JSON.stringify(valid)}`), 'not_json'],
    ['NUL', Buffer.from([0, 0, 0]), 'not_json'],
    ['null', Buffer.from('null'), 'schema'],
    ['proto pollution', Buffer.from(`{"__proto__":{"polluted":true},${JSON.stringify(valid).slice(1)}`), 'schema'],
    ['constructor pollution', json({ ...valid, constructor: { prototype: { polluted: true } } }), 'schema'],
    ['deep nesting', Buffer.from('['.repeat(2000) + ']'.repeat(2000)), 'schema'],
    ['infinity', Buffer.from(JSON.stringify(valid).replace('"confidence":0.95', '"confidence":1e999')), 'schema'],
    ['unsafe seq', Buffer.from(JSON.stringify(valid).replace(/"seq":\d+/, '"seq":18014398509481984')), 'schema'],
    ['negative seq', json({ ...valid, seq: -1 }), 'schema'],
    ['leap second', json({ ...valid, observed_at: '2026-06-30T23:59:60Z' }), 'schema'],
    ['bad date', json({ ...valid, observed_at: '2026-02-30T10:00:00Z' }), 'schema'],
    ['lone surrogate', Buffer.from(JSON.stringify(valid).replace('volno-slotnet-v1', '\\ud800')), 'schema'],
    ['invalid UTF-8', Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]), 'not_json'],
    ['unknown with no reason', json({ ...valid, state: 'unknown' }), 'schema'],
    ['free with a reason', json({ ...valid, reason: 'too_dark' }), 'schema'],
  ];
  for (const [, payload, reason] of nasties) out.push({ topic: A1, payload, expect: { rejected: reason } });
  // 6. Random text on the heartbeat and availability topics, up to the total.
  const agentTopics = [
    buildTopic('heartbeat', { site: SITE, agent: 'agent-1' }, PREFIX),
    buildTopic('availability', { site: SITE, agent: 'agent-1' }, PREFIX),
  ];
  for (const [text, i] of sample(fc.tuple(fc.string({ maxLength: 200 }), fc.nat(1)), TOTAL - out.length)) {
    const b = Buffer.from(text);
    out.push({ topic: agentTopics[i]!, payload: b, expect: { rejected: isJson(b) ? 'schema' : 'not_json' } });
  }
  return out;
}

let s: TestServer;
let pub: MqttClient;
const agent = new FakeAgent();

beforeAll(async () => {
  s = await startTestServer({}, { listen: false });
  pub = await publisher(s.mqttUrl);
  for (const m of [
    agent.availability('online'),
    agent.slotState('north-1', 'A1', 'free'),
    agent.slotState('north-1', 'A2', 'occupied'),
  ])
    await pub.publishAsync(m.topic, m.payload, { qos: 1, retain: true });
  await waitFor(() => s.app.volno.metrics.received.get() === 3, { timeoutMs: 5000, what: 'valid data' });
  await s.app.volno.writer.flush();
});
afterAll(async () => {
  await pub?.endAsync();
  await s?.stop();
});

// Through the server's own storage handle, so the check holds on SQLite and PostgreSQL alike.
const snapshot = async () => ({
  states: await s.app.volno.sql.all('SELECT * FROM slot_state ORDER BY camera_id, slot_id'),
  transitions: await s.app.volno.sql.all('SELECT * FROM transitions ORDER BY id'),
  slots: await s.app.volno.sql.all('SELECT camera_id, slot_id FROM slots ORDER BY camera_id, slot_id'),
});

describe('10,000 malformed and hostile MQTT payloads', () => {
  it('leave the server up, are each counted under the right reason, and leave the valid data untouched', async () => {
    const before = await snapshot();
    const apiBefore = (await s.app.inject({ url: '/api/v1/lots/north/availability' })).body;
    const messages = flood(agent, Date.now());
    expect(messages).toHaveLength(TOTAL);
    for (let i = 0; i < messages.length; i += 500)
      await Promise.all(messages.slice(i, i + 500).map((m) => pub.publishAsync(m.topic, m.payload, { qos: 1 })));
    await waitFor(() => s.app.volno.metrics.received.get() >= 3 + TOTAL, {
      timeoutMs: 30_000,
      what: 'the flood to arrive',
    });
    await s.app.volno.writer.flush();

    const expected = new Map<string, number>();
    for (const m of messages) {
      const key = 'rejected' in m.expect ? `rejected:${m.expect.rejected}` : `ignored:${m.expect.ignored}`;
      expected.set(key, (expected.get(key) ?? 0) + 1);
    }
    const actual = new Map<string, number>();
    for (const [labels, n] of s.app.volno.metrics.rejected.entries()) actual.set(`rejected:${labels['reason']}`, n);
    for (const [labels, n] of s.app.volno.metrics.ignored.entries()) actual.set(`ignored:${labels['reason']}`, n);
    expect(Object.fromEntries([...actual].sort())).toEqual(Object.fromEntries([...expected].sort()));

    expect(await snapshot()).toEqual(before);
    expect((await s.app.inject({ url: '/api/v1/lots/north/availability' })).body).toBe(apiBefore);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect((await s.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok', mqtt_connected: true });

    // Still ingesting.
    const m = agent.slotState('north-1', 'A3', 'free');
    await pub.publishAsync(m.topic, m.payload, { qos: 1 });
    await waitFor(async () => (await s.app.inject({ url: '/api/v1/lots/north/availability' })).json().free === 2, {
      timeoutMs: 5000,
      what: 'a valid message after the flood',
    });
  });
});
