import type { MqttClient } from 'mqtt';
import { describe, expect } from 'vitest';
import { test } from '../../fixtures/index.ts';
import { waitFor } from '../../fixtures/process.ts';
import { storageTarget } from '../../../server/core/storage/config.ts';
import { openSqlDatabase, sqliteConnection } from '../../../server/core/storage/sql/open.ts';
import { onPostgres, tempDir, testConfig } from '../support/config.ts';
import { FakeAgent } from '../support/messages.ts';
import { publisher, startTestServer, type TestServer } from '../support/server.ts';

const pick = ({ free, occupied, unknown }: { free: number; occupied: number; unknown: number }) => ({
  free,
  occupied,
  unknown,
});
const availabilityOf = async (s: TestServer, lot = 'north') =>
  (await s.app.inject({ url: `/api/v1/lots/${lot}/availability` })).json() as {
    free: number;
    occupied: number;
    unknown: number;
  };

async function publishScene(pub: MqttClient, agent: FakeAgent): Promise<void> {
  for (const m of [
    agent.availability('online'),
    agent.slotState('north-1', 'A1', 'free'),
    agent.slotState('north-1', 'A2', 'occupied'),
    agent.slotState('north-1', 'A3', 'free'),
  ])
    await pub.publishAsync(m.topic, m.payload, { qos: 1, retain: true });
}

/** Rows in the database itself (the SQLite file, or PostgreSQL), read by a separate connection. */
async function storedRows(dataDir: string) {
  const sql = await openSqlDatabase(storageTarget(testConfig(dataDir)));
  try {
    return {
      states: await sql.all('SELECT camera_id, slot_id, state FROM slot_state ORDER BY slot_id'),
      transitions: (await sql.one<{ n: number }>('SELECT count(*) AS n FROM transitions'))!.n,
      // SQLite's file is in WAL mode, so a reader never blocks the server's writer.
      journal: sqliteConnection(sql)?.pragma('journal_mode', { simple: true }) ?? 'postgres',
    };
  } finally {
    await sql.close();
  }
}

describe('ingest through real brokers', () => {
  test('ingests from a real Mosquitto into the database, and the API reflects it', async ({ mosquitto }) => {
    const s = await startTestServer({ mqtt: { broker_url: mosquitto.url } }, { listen: false });
    const pub = await publisher(mosquitto.url);
    try {
      await publishScene(pub, new FakeAgent());
      await waitFor(async () => (await availabilityOf(s)).free === 2, {
        timeoutMs: 5000,
        what: 'counts via mosquitto',
      });
      expect(await availabilityOf(s)).toMatchObject({ free: 2, occupied: 1, unknown: 0 });
      expect(await storedRows(s.dataDir)).toEqual({
        states: [
          { camera_id: 'north-1', slot_id: 'A1', state: 'free' },
          { camera_id: 'north-1', slot_id: 'A2', state: 'occupied' },
          { camera_id: 'north-1', slot_id: 'A3', state: 'free' },
        ],
        transitions: 3,
        journal: onPostgres ? 'postgres' : 'wal',
      });
    } finally {
      await pub.endAsync();
      await s.stop();
    }
  });

  test('ingests from the embedded broker into the database, and keeps it across a restart', async () => {
    const tmp = tempDir();
    try {
      const s = await startTestServer({}, { dataDir: tmp.dir, listen: false });
      const pub = await publisher(s.mqttUrl);
      await publishScene(pub, new FakeAgent());
      await waitFor(async () => (await availabilityOf(s)).free === 2, { timeoutMs: 5000, what: 'counts via aedes' });
      await pub.endAsync();
      await s.stop();
      expect((await storedRows(tmp.dir)).transitions).toBe(3);
      // The embedded broker's retained messages died with it; the database did not.
      const again = await startTestServer({}, { dataDir: tmp.dir, listen: false });
      try {
        expect(await availabilityOf(again)).toMatchObject({ free: 2, occupied: 1 });
      } finally {
        await again.stop();
      }
    } finally {
      tmp.cleanup();
    }
  });

  test('ignores retained replays after a server restart and keeps ingesting after a broker restart', async ({
    mosquitto,
  }) => {
    const tmp = tempDir();
    const agent = new FakeAgent();
    const pub = await publisher(mosquitto.url);
    try {
      const first = await startTestServer({ mqtt: { broker_url: mosquitto.url } }, { dataDir: tmp.dir, listen: false });
      await publishScene(pub, agent);
      await waitFor(async () => (await availabilityOf(first)).free === 2, { timeoutMs: 5000, what: 'first counts' });
      await first.stop();
      const s = await startTestServer({ mqtt: { broker_url: mosquitto.url } }, { dataDir: tmp.dir, listen: false });
      try {
        await waitFor(() => s.app.volno.metrics.ignored.get({ reason: 'duplicate' }) >= 3, {
          timeoutMs: 5000,
          what: 'retained replays recognised',
        });
        expect((await storedRows(tmp.dir)).transitions).toBe(3);
        await pub.endAsync();
        await mosquitto.restart();
        await waitFor(() => s.app.volno.mqtt.connected, { timeoutMs: 10_000, what: 'server reconnect' });
        const pub2 = await publisher(mosquitto.url);
        const m = agent.slotState('north-1', 'A1', 'occupied');
        await pub2.publishAsync(m.topic, m.payload, { qos: 1 });
        await waitFor(async () => (await availabilityOf(s)).occupied === 2, {
          timeoutMs: 5000,
          what: 'ingest after restart',
        });
        await pub2.endAsync();
      } finally {
        await s.stop();
      }
    } finally {
      tmp.cleanup();
    }
  });

  test('two instances in a shared subscription split the ingest into one database and both serve all of it', async ({
    mosquitto,
  }) => {
    const tmp = tempDir();
    const shared = { mqtt: { broker_url: mosquitto.url, share_group: 'volno', retained_settle_ms: 300 } };
    const a = await startTestServer(shared, { dataDir: tmp.dir, listen: false });
    const b = await startTestServer(shared, { dataDir: tmp.dir, listen: false });
    const pub = await publisher(mosquitto.url);
    const agent = new FakeAgent();
    try {
      // Once the bootstrap's plain subscriptions are gone, each message reaches exactly one instance.
      await waitFor(() => !a.app.volno.subscriptions.fetchingRetained && !b.app.volno.subscriptions.fetchingRetained, {
        timeoutMs: 5000,
        what: 'retained bootstrap to end',
      });
      const received = () => a.app.volno.metrics.received.get() + b.app.volno.metrics.received.get();
      const base = received();
      const n = 100;
      for (let i = 0; i < n; i++) {
        const m = agent.slotState(
          'north-1',
          `A${(i % 3) + 1}`,
          i === n - 1 ? 'occupied' : i % 2 === 0 ? 'free' : 'occupied',
          {
            observed_at: new Date(Date.now() - (n - i) * 10).toISOString(),
            since: new Date(Date.now() - (n - i) * 10).toISOString(),
          },
        );
        await pub.publishAsync(m.topic, m.payload, { qos: 1, retain: true });
      }
      await waitFor(() => received() - base >= n, { timeoutMs: 10_000, what: 'all messages ingested' });
      expect(received() - base).toBe(n);
      expect(a.app.volno.metrics.received.get()).toBeGreaterThan(0);
      expect(b.app.volno.metrics.received.get()).toBeGreaterThan(0);
      await Promise.all([a.app.volno.writer.flush(), b.app.volno.writer.flush()]);
      // The last report per slot wins, whichever instance wrote it: A1 occupied (i = 99),
      // A2 occupied (i = 97), A3 free (i = 98). Each instance sees the other's writes within ~1 s.
      const expected = { free: 1, occupied: 2, unknown: 0 };
      for (const instance of [a, b])
        await waitFor(async () => JSON.stringify(pick(await availabilityOf(instance))) === JSON.stringify(expected), {
          timeoutMs: 5000,
          what: 'both instances to agree on the last reports',
        });
      const fromA = await availabilityOf(a);
      // A third instance with its own database learns the present from retained messages.
      const c = await startTestServer(shared, { listen: false });
      try {
        await waitFor(async () => (await availabilityOf(c)).unknown === 0, {
          timeoutMs: 5000,
          what: 'retained bootstrap',
        });
        expect(await availabilityOf(c)).toMatchObject({ free: fromA.free, occupied: fromA.occupied });
      } finally {
        await c.stop();
      }
    } finally {
      await pub.endAsync();
      await a.stop();
      await b.stop();
      tmp.cleanup();
    }
  });
});
