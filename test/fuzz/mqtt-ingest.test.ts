import fc from 'fast-check';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../fixtures/process.ts';
import { FakeAgent } from '../server/support/messages.ts';
import { publisher, startTestServer, type TestServer } from '../server/support/server.ts';
import { fuzz, fuzzRuns, fuzzTimeMs } from './support/fuzz.ts';
import {
  counters,
  fuzzMessage,
  keeperSnapshot,
  LATE_REASONS,
  predictedRejection,
  rejectedSince,
  snapshot,
  type FuzzMessage,
} from './support/ingest.ts';

// Recent enough to be accepted, old enough never to be "from the future".
const AT = new Date(Date.now() - 60_000).toISOString();

let s: TestServer;
let pub: MqttClient;
// A second agent with data of its own on the other lot: whatever agent-1 sends must never touch it.
const keeper = new FakeAgent('keeper-agent', 'keeper-session-1');
const keeperData = () => keeperSnapshot(s.app, 'keeper-agent', 'south-1', 'south');

beforeAll(async () => {
  // No sweeps and long TTLs: nothing may change on its own while the fuzzer compares snapshots.
  s = await startTestServer(
    { ingest: { sweep_interval_s: 3600, agent_ttl_s: 3600 }, freshness: { stale_after_s: 86_400 } },
    { listen: false },
  );
  pub = await publisher(s.mqttUrl);
  for (const m of [keeper.availability('online'), keeper.slotState('south-1', 'B1', 'occupied')])
    await pub.publishAsync(m.topic, m.payload, { qos: 1, retain: true });
  await waitFor(() => s.app.volno.metrics.received.get() === 2, { timeoutMs: 5000, what: 'the keeper data' });
  await s.app.volno.writer.flush();
  expect(await s.app.volno.availability.lotAvailability('south')).toMatchObject({ occupied: 1, unknown: 0 });
});
afterAll(async () => {
  await pub?.endAsync();
  await s?.stop();
});

/** Checks one message's (or one batch's) effect on counters and stored data. */
async function judge(batch: FuzzMessage[], before: ReturnType<typeof counters>, stored: unknown): Promise<void> {
  const after = counters(s.app);
  const rejected = rejectedSince(before, after);
  const accepted = after.accepted - before.accepted;
  const duplicates = after.duplicates - before.duplicates;
  const rejectedTotal = Object.values(rejected).reduce((a, b) => a + b, 0);
  expect(after.received - before.received).toBe(batch.length);
  expect(
    accepted + duplicates + rejectedTotal,
    'every message is accepted, rejected, or skipped as a byte-identical running report',
  ).toBe(batch.length);
  expect(after.storageErrors, 'a payload that passed validation broke the writer').toBe(before.storageErrors);

  const predicted: Record<string, number> = {};
  let open = 0;
  for (const m of batch) {
    const reason = predictedRejection(m);
    if (reason === undefined) open++;
    else predicted[reason] = (predicted[reason] ?? 0) + 1;
  }
  // Reasons the contract predicts are counted exactly; valid payloads may add only late reasons.
  for (const [reason, n] of Object.entries(rejected)) {
    const late = LATE_REASONS.has(reason) ? open : 0;
    expect(n, `rejected:${reason}`).toBeGreaterThanOrEqual(predicted[reason] ?? 0);
    expect(n, `rejected:${reason}`).toBeLessThanOrEqual((predicted[reason] ?? 0) + late);
  }
  for (const [reason, n] of Object.entries(predicted)) expect(rejected[reason] ?? 0).toBeGreaterThanOrEqual(n);
  // Nothing accepted: nothing stored may differ at all.
  if (accepted === 0) expect(await snapshot(s.app)).toEqual(stored);
}

/** Prints what the fuzzer sent, by outcome, so a run shows that it exercised both paths. */
function report(name: string, start: ReturnType<typeof counters>): void {
  const end = counters(s.app);
  const outcome = { accepted: end.accepted - start.accepted, ...rejectedSince(start, end) };
  console.log(`fuzz: ${name}: ${end.received - start.received} messages, ${JSON.stringify(outcome)}`);
}

describe('hostile MQTT payloads of every message kind through the server ingest path', () => {
  it('straight into the running server’s ingestor: each is counted, none throws, rejected ones change nothing', async () => {
    const keeper0 = await keeperData();
    const start = counters(s.app);
    await fuzz(
      'ingest handle()',
      fc.asyncProperty(fuzzMessage(AT, { brokerSafe: false }), async (m) => {
        const before = counters(s.app);
        const stored = await snapshot(s.app);
        s.app.volno.ingestor.handle(m.topic, m.payload, m.retained);
        await s.app.volno.writer.flush();
        await judge([m], before, stored);
      }),
      { runs: fuzzRuns(1000), timeLimitMs: fuzzTimeMs(12_000) },
    );
    report('ingest handle()', start);
    expect(await keeperData()).toEqual(keeper0);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('through the embedded broker in batches: the server keeps ingesting and the other agent’s data is untouched', async () => {
    const keeper0 = await keeperData();
    const start = counters(s.app);
    await fuzz(
      'ingest over MQTT',
      fc.asyncProperty(
        fc.array(fuzzMessage(AT, { brokerSafe: true }), { minLength: 1, maxLength: 20 }),
        async (batch) => {
          const before = counters(s.app);
          const stored = await snapshot(s.app);
          await Promise.all(batch.map((m) => pub.publishAsync(m.topic, m.payload, { qos: 1 })));
          await waitFor(() => s.app.volno.metrics.received.get() >= before.received + batch.length, {
            timeoutMs: 10_000,
            intervalMs: 5,
            what: `${batch.length} fuzzed messages to arrive`,
          });
          await s.app.volno.writer.flush();
          await judge(batch, before, stored);
        },
      ),
      { runs: fuzzRuns(60), timeLimitMs: fuzzTimeMs(12_000) },
    );
    report('ingest over MQTT', start);
    expect(await keeperData()).toEqual(keeper0);
    const health = await s.app.inject({ url: '/healthz' });
    expect(health.json()).toEqual({ status: 'ok', mqtt_connected: true });

    // Still ingesting: a valid change of the keeper's slot goes through after the flood.
    const change = keeper.slotState('south-1', 'B1', 'free');
    await pub.publishAsync(change.topic, change.payload, { qos: 1 });
    await waitFor(
      async () => {
        await s.app.volno.writer.flush();
        return (await s.app.volno.availability.lotAvailability('south'))?.free === 1;
      },
      { timeoutMs: 5000, what: 'a valid message after the fuzzing' },
    );
  });
});
