import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import pino from 'pino';
import { buildApp } from '../../../server/main/app.ts';
import { loadConfig } from '../../../server/main/config/load.ts';
import type { ServerConfig } from '../../../server/main/config/schema.ts';
import { waitFor } from '../../fixtures/process.ts';
import type { Site } from './install.ts';

/**
 * The server built from the site's rendered /etc/volno/server.yaml, with the flags an operator could
 * pass: a free HTTP port, the test broker and the site's data dir. `config` may be a variant file.
 */
export async function startSiteServer(
  site: Site,
  brokerUrl: string,
  o: { config?: string; dataDir?: string; env?: Record<string, string> } = {},
): Promise<{ app: FastifyInstance; config: ServerConfig }> {
  const config = loadConfig({
    file: o.config ?? site.serverConfig,
    env: { ...site.env, ...o.env },
    overrides: { port: 0, brokerUrl, dataDir: o.dataDir ?? join(site.root, 'var/lib/volno') },
  });
  const app = await buildApp(config, { logger: pino({ level: 'silent' }) });
  await waitFor(() => app.volno.mqtt.connected, { timeoutMs: 10_000, what: 'the server to reach the broker' });
  return { app, config };
}

/** One slot's public state through the API. */
export async function slotState(app: FastifyInstance, lot: string, slot: string): Promise<string | undefined> {
  const body = (await app.inject({ url: `/api/v1/lots/${lot}/slots` })).json() as {
    slots: { slot_id: string; state: string }[];
  };
  return body.slots.find((s) => s.slot_id === slot)?.state;
}

/** An MQTT client that never retries, so a refused login rejects at once. */
export function connect(url: string, o: IClientOptions = {}): Promise<MqttClient> {
  return mqtt.connectAsync(url, { connectTimeout: 5000, reconnectPeriod: 0, ...o }, false);
}

/** Collects every message a client receives (topic → payloads). */
export function collect(client: MqttClient): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  client.on('message', (topic, payload) => seen.set(topic, [...(seen.get(topic) ?? []), payload.toString()]));
  return seen;
}
