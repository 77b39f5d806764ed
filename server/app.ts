import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyInstance, type FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { availabilityRoutes } from './availability/routes.ts';
import { systemClock, type Clock } from './clock.ts';
import { startComponents, type Components } from './components.ts';
import type { ServerConfig } from './config/types.ts';
import { healthRoutes, livenessRoute, unassignedRoute } from './health/routes.ts';
import { historyRoutes } from './history/routes.ts';
import { registerCaching } from './http/etag.ts';
import { ApiError, errorBody, errorHandler, notFoundHandler } from './http/errors.ts';
import { registerOpenApi } from './http/openapi.ts';
import { liveRoutes } from './live/routes.ts';
import { createLogger } from './logger.ts';
import { openDataRoutes } from './opendata/routes.ts';
import { webRoutes } from './web/routes.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The running components: database, ingest, broker, live hub… (for tests and the entry point). */
    volno: Components;
  }
}

export interface BuildOptions {
  clock?: Clock;
  logger?: Logger;
}

/**
 * Builds the whole server as one Fastify app: starts the components (database, broker, MQTT
 * ingest, live updates), registers every route, and stops the components in onClose. Does not
 * listen: the entry point (server.ts) or a test decides that.
 */
export async function buildApp(config: ServerConfig, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const log = opts.logger ?? createLogger(config.logLevel);
  const clock = opts.clock ?? systemClock;
  const app = Fastify({
    loggerInstance: log,
    trustProxy: config.http.trustProxy,
    return503OnClosing: true,
    // The API takes no request bodies yet; anything big is hostile.
    bodyLimit: 64 * 1024,
    // Request logs would dominate the log at citizen traffic; errors are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { maxParamLength: 200, ignoreTrailingSlash: true },
    // Undecodable URLs (`/%E0%A4%A`) get the same JSON error shape as everything else.
    frameworkErrors: (_err, _req, reply: FastifyReply) => {
      void reply
        .code(400)
        .type('application/json; charset=utf-8')
        .send(errorBody(new ApiError(400, 'VOLNO_BAD_REQUEST', 'the URL is not valid')));
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  const components = await startComponents(config, clock, log);
  app.decorate('volno', components);
  app.addHook('preClose', async () => components.sse.close());
  app.addHook('onClose', async () => components.stop());
  try {
    await app.register(volnoApp, { components });
    await app.ready();
  } catch (err) {
    await components.stop();
    throw err;
  }
  // The typed instance is an implementation detail; callers need the plain Fastify API.
  return app as unknown as FastifyInstance;
}

/** The app as one plugin. */
async function volnoApp(app: FastifyInstance, { components: c }: { components: Components }): Promise<void> {
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    return payload;
  });
  registerCaching(app);
  await registerOpenApi(app);
  const staff = c.access.require('viewer');
  const api = { prefix: '/api/v1' };
  await app.register(availabilityRoutes, { ...api, availability: c.availability });
  await app.register(historyRoutes, {
    ...api,
    availability: c.availability,
    aggregates: c.aggregates,
    db: c.db,
    clock: c.clock,
    staff,
  });
  const health = { db: c.db, clock: c.clock, staff, mqttConnected: () => c.mqtt.connected };
  await app.register(healthRoutes, { ...api, ...health });
  await app.register(unassignedRoute, { ...api, ...health });
  await app.register(livenessRoute, health);
  await app.register(liveRoutes, { ...api, sse: c.sse, availability: c.availability });
  await app.register(openDataRoutes, {
    availability: c.availability,
    registry: c.registry,
    clock: c.clock,
    staff,
    site: c.config.site,
    name: c.config.web.title,
  });
  await app.register(webRoutes, { availability: c.availability, config: c.config, clock: c.clock });
}
