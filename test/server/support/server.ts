import mqtt, { type MqttClient } from 'mqtt';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApp } from '../../../server/main/app.ts';
import type { Clock } from '../../../server/core/clock.ts';
import type { ServerConfig } from '../../../server/main/config/schema.ts';
import { listen } from '../../../server/main/server.ts';
import { waitFor } from '../../fixtures/process.ts';
import { workerPostgres } from '../../support/worker-postgres.ts';
import { onPostgres, tempDir, testConfig, testDatabaseName } from './config.ts';

export interface TestServer {
  app: FastifyInstance;
  config: ServerConfig;
  httpUrl: string;
  mqttUrl: string;
  dataDir: string;
  /** Resolves once the writer has committed everything received so far. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

/** Builds and starts a server on free ports with a fresh data directory (or the given one). */
export async function startTestServer(
  raw: Record<string, unknown> = {},
  o: { clock?: Clock; dataDir?: string; listen?: boolean; logger?: Logger } = {},
): Promise<TestServer> {
  const tmp = o.dataDir === undefined ? tempDir() : undefined;
  const dataDir = o.dataDir ?? tmp!.dir;
  const config = testConfig(dataDir, raw);
  const app = await buildApp(config, {
    ...(o.clock === undefined ? {} : { clock: o.clock }),
    ...(o.logger === undefined ? {} : { logger: o.logger }),
  });
  let where = { httpUrl: '', mqttUrl: app.volno.mqttUrl };
  if (o.listen !== false) where = await listen(app, config);
  let stopped = false;
  return {
    app,
    config,
    ...where,
    dataDir,
    settle: async () => {
      await app.volno.writer.flush();
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await app.close();
      tmp?.cleanup();
      // The database stands for the data directory (testDatabaseName): it goes when the directory goes.
      if (tmp !== undefined && onPostgres && raw['storage'] === undefined)
        workerPostgres().drop(testDatabaseName(dataDir));
    },
  };
}

/** An MQTT client that publishes like an agent (MQTT 3.1.1 works with both brokers). */
export async function publisher(url: string): Promise<MqttClient> {
  return mqtt.connectAsync(url, {
    protocolVersion: 4,
    reconnectPeriod: 0,
    clientId: `test-pub-${Math.random().toString(36).slice(2)}`,
  });
}

/** Polls until the writer has received and committed `n` accepted+rejected messages more than `base`. */
export async function waitForReceived(app: FastifyInstance, n: number, what = 'messages to arrive'): Promise<void> {
  await waitFor(() => app.volno.metrics.received.get() >= n, {
    timeoutMs: 20_000,
    intervalMs: 10,
    what: `${n} ${what} (got ${app.volno.metrics.received.get()})`,
  });
  // The write is async: returning before its commit let a test read the state before it landed.
  await app.volno.writer.flush();
}

/** Publishes one message and waits until the server has received it (accepted or rejected) and committed it. */
export async function publishAndIngest(
  app: FastifyInstance,
  pub: MqttClient,
  m: { topic: string; payload: string },
): Promise<void> {
  const before = app.volno.metrics.received.get();
  await pub.publishAsync(m.topic, m.payload, { qos: 1 });
  await waitFor(() => app.volno.metrics.received.get() > before, {
    timeoutMs: 10_000,
    intervalMs: 10,
    what: 'the message to be ingested',
  });
  await app.volno.writer.flush();
}
