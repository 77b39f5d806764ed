import closeWithGrace from 'close-with-grace';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';
import { loadConfig, type LoadConfigOptions } from './config/load.ts';
import type { ServerConfig } from './config/schema.ts';
import { ServerError } from '../core/errors.ts';
import { createLogger } from '../core/logger.ts';

/** Where the server ended up listening (ports may have been picked by the OS). */
export interface Listening {
  httpUrl: string;
  mqttUrl: string;
}

/** Starts the app and listens; for the CLI and for tests that want a real listener. */
export async function listen(app: FastifyInstance, config: ServerConfig): Promise<Listening> {
  await app.listen({ host: config.http.host, port: config.http.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.http.port;
  const host = config.http.host === '0.0.0.0' || config.http.host === '::' ? '127.0.0.1' : config.http.host;
  const scheme = config.http.tls !== undefined ? 'https' : 'http';
  return { httpUrl: `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`, mqttUrl: app.volno.mqttUrl };
}

/**
 * The process entry of `volno server`: loads the config, builds the app, listens, and owns the
 * signals (close-with-grace), as fastify/demo's server.ts does. Resources close in the app's
 * onClose hooks.
 */
export async function runServer(opts: LoadConfigOptions): Promise<void> {
  const config = loadConfig(opts);
  const log = createLogger(config.log_level);
  const app = await buildApp(config, { logger: log });
  closeWithGrace({ delay: 10_000, logger: { error: (m: string) => log.error(m) } }, async ({ signal, err }) => {
    if (err !== undefined) log.error({ err }, 'server closing after an error');
    else log.info({ signal }, 'server closing');
    await app.close();
  });
  let where: Listening;
  try {
    where = await listen(app, config);
  } catch (cause) {
    await app.close();
    throw new ServerError(
      'VOLNO_HTTP_LISTEN',
      `cannot listen on ${config.http.host}:${config.http.port}: ${(cause as Error).message}`,
      [],
      { cause },
    );
  }
  log.info(
    { http_url: where.httpUrl, mqtt_url: where.mqttUrl, data_dir: config.data_dir, site: config.site },
    'volno server ready',
  );
}
