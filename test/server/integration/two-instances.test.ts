// Two server instances on ONE PostgreSQL and ONE real Mosquitto with a shared subscription: the setup
// docs/deployment.md describes for instances on several machines. Each instance is a full server with
// its own MQTT client, HTTP port, writer and outbox worker; only the database and the broker are
// shared. Runs on PostgreSQL in every run (SQLite cannot be shared between machines).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../server/core/clock.ts';
import { startMosquitto, type MosquittoHandle } from '../../fixtures/mosquitto.ts';
import { waitFor } from '../../fixtures/process.ts';
import { postgresAvailable } from '../../support/postgres.ts';
import { decodedMail, startSmtpReceiver, type ReceivedMail, type SmtpReceiver } from '../../support/smtp.ts';
import { workerPostgres } from '../../support/worker-postgres.ts';
import { booking, lots, rules, T0 } from '../reservations/support.ts';
import { FakeAgent } from '../support/messages.ts';
import { publisher, startTestServer, type TestServer } from '../support/server.ts';

const available = postgresAvailable();
const inbox: ReceivedMail[] = [];
let mosquitto: MosquittoHandle;
let smtp: SmtpReceiver;
let databases = 0;

beforeAll(async () => {
  if (!available) return;
  [mosquitto, smtp] = await Promise.all([startMosquitto(), startSmtpReceiver(inbox)]);
});
afterAll(async () => {
  await Promise.all([mosquitto?.stop(), smtp?.stop()]);
});

/** N slots on one camera of agent-1, so every state message lands on its own slot and order cannot matter. */
const ingestLots = (n: number) => [
  {
    lot_id: 'north',
    name: 'Severní parkoviště',
    cameras: [
      {
        camera_id: 'north-1',
        slots: Array.from({ length: n }, (_, i) => ({ slot_id: `S${String(i).padStart(3, '0')}` })),
      },
    ],
  },
];

/** Two instances on a fresh database, in the same share group, with one clock (a shared wall clock). */
async function startPair(raw: Record<string, unknown>): Promise<{ a: TestServer; b: TestServer; clock: ManualClock }> {
  const url = workerPostgres().database(`volno_two_instances_${++databases}`);
  const clock = new ManualClock(T0);
  const start = () =>
    startTestServer(
      {
        storage: { engine: 'postgres', url },
        mqtt: { broker_url: mosquitto.url, share_group: 'volno', retained_settle_ms: 100 },
        log_level: 'warn', // DEBUG
        // Requests come from 127.0.0.1 carrying the client's address, as behind the load balancer.
        http: { trust_proxy: ['127.0.0.1'] },
        smtp: {
          host: '127.0.0.1',
          port: smtp.port,
          from: 'Parkování <parking@example.cz>',
          public_url: 'https://parking.example.cz/',
          reminder_before_min: 60,
        },
        ...raw,
      },
      { clock },
    );
  const a = await start();
  const b = await start().catch(async (err: unknown) => {
    await a.stop();
    throw err;
  });
  // Both subscribed, and past the plain subscription that fetches retained state.
  await waitFor(() => [a, b].every((s) => s.app.volno.mqtt.connected && !s.app.volno.subscriptions.fetchingRetained), {
    timeoutMs: 10_000,
    what: 'both instances subscribed',
  });
  return { a, b, clock };
}

describe.skipIf(!available)('two instances, one PostgreSQL, one Mosquitto', () => {
  it('store every accepted state message exactly once while one instance stops in the middle', async () => {
    const N = 200;
    const { a, b, clock } = await startPair({ lots: ingestLots(N) });
    const pub = await publisher(mosquitto.url);
    try {
      const agent = new FakeAgent('agent-1', 'session-aaaaaaaa', () => clock.now());
      await pub.publishAsync(agent.availability('online').topic, agent.availability('online').payload, { qos: 1 });
      const sent: Array<{ slot: string; state: string }> = [];
      let stoppingB: Promise<void> | undefined;
      for (let i = 0; i < N; i += 1) {
        if (i === N / 2) stoppingB = b.stop();
        const slot = `S${String(i).padStart(3, '0')}`;
        const state = i % 2 === 0 ? 'occupied' : 'free';
        const m = agent.slotState('north-1', slot, state);
        // Resolves on the broker's PUBACK: from here the message is accepted and must not be lost.
        await pub.publishAsync(m.topic, m.payload, { qos: 1 });
        sent.push({ slot, state });
      }
      await stoppingB;
      const receivedByB = b.app.volno.metrics.received.get();
      const stored = () =>
        a.app.volno.sql.all<{ slot_id: string; state: string }>(
          `SELECT slot_id, state FROM slot_state WHERE camera_id = 'north-1' ORDER BY slot_id`,
        );
      let got: Array<{ slot_id: string }> = [];
      const counts = () => {
        const missing = sent.filter((m) => !got.some((r) => r.slot_id === m.slot)).map((m) => m.slot);
        const { metrics } = a.app.volno;
        return `${N} slot states stored (have ${got.length}; received A ${metrics.received.get()}, B ${receivedByB}; missing ${missing.join(' ')})`;
      };
      await waitFor(async () => (got = await stored()).length === N, { timeoutMs: 20_000, what: counts() }).catch(
        (err: unknown) => {
          throw new Error(counts(), { cause: err });
        },
      );
      await a.settle();
      expect(receivedByB, 'the stopped instance took part before it stopped').toBeGreaterThan(0);
      expect(await stored()).toEqual(sent.map((m) => ({ slot_id: m.slot, state: m.state })));
      // Exactly once: one transition per message, none twice (a redelivery is recognised as a duplicate).
      const transitions = await a.app.volno.sql.all<{ slot_id: string; n: number }>(
        `SELECT slot_id, count(*) AS n FROM transitions WHERE camera_id = 'north-1' GROUP BY slot_id ORDER BY slot_id`,
      );
      expect(transitions).toEqual(sent.map((m) => ({ slot_id: m.slot, n: 1 })));
    } finally {
      await pub.endAsync();
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('send each booking e-mail exactly once with both outbox workers running', async () => {
    const M = 20;
    const { a, b } = await startPair({ lots: lots(M, rules()) });
    try {
      // One booking per space, made alternately on each instance; each queues a confirmation.
      const made = await Promise.all(
        Array.from({ length: M }, async (_, i) => {
          const s = i % 2 === 0 ? a : b;
          const res = await fetch(`${s.httpUrl}/api/v1/reservations`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-forwarded-for': `198.51.100.${i + 1}` },
            body: JSON.stringify(booking({ email: `mail${i}@example.cz`, plate: `2AB${String(i).padStart(4, '0')}` })),
          });
          return { status: res.status, body: await res.text() };
        }),
      );
      for (const r of made) expect(r.status, r.body).toBe(201);
      // Both workers race over the same outbox, several times.
      for (let round = 0; round < 5; round += 1)
        await Promise.all([a.app.volno.reservations.mailer!.kick(), b.app.volno.reservations.mailer!.kick()]);
      const confirmations = () =>
        inbox.filter((m) => /^mail\d+@example\.cz$/.test(m.to[0] ?? '') && /Subject: /.test(decodedMail(m.raw)));
      await waitFor(() => confirmations().length >= M, { timeoutMs: 10_000, what: `${M} confirmations` });
      await Promise.all([a.app.volno.reservations.mailer!.kick(), b.app.volno.reservations.mailer!.kick()]);
      const perAddress = new Map<string, number>();
      for (const m of confirmations()) perAddress.set(m.to[0]!, (perAddress.get(m.to[0]!) ?? 0) + 1);
      expect([...perAddress.values()]).toEqual(Array.from({ length: M }, () => 1));
      expect(perAddress.size).toBe(M);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('let exactly one of 200 racing bookings for the last space win across both instances; the rest hear "taken"', async () => {
    const RACERS = 200;
    const { a, b } = await startPair({ lots: lots(1, rules()) });
    try {
      const results = await Promise.all(
        Array.from({ length: RACERS }, async (_, i) => {
          const s = i % 2 === 0 ? a : b;
          const res = await fetch(`${s.httpUrl}/api/v1/reservations`, {
            method: 'POST',
            // A different person from a different /24 each: no per-person or per-address limit may be what stops them.
            headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.0.${i}.7` },
            body: JSON.stringify(booking({ email: `racer${i}@example.cz`, plate: `3AB${String(i).padStart(4, '0')}` })),
          });
          return { status: res.status, body: (await res.json()) as { code: string } };
        }),
      );
      const byStatus: Record<number, number> = {};
      for (const r of results) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
      expect(byStatus).toEqual({ 201: 1, 409: RACERS - 1 });
      for (const r of results.filter((x) => x.status === 409)) expect(r.body.code).toBe('VOLNO_RESERVATION_FULL');
      const holding = await a.app.volno.sql.all<{ code: string }>(
        `SELECT code FROM bookings WHERE status = 'confirmed'`,
      );
      expect(holding).toEqual(results.filter((x) => x.status === 201).map((x) => ({ code: x.body.code })));
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});
