import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyInstance, type FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { alertRoutes } from '../alerts/routes.ts';
import { availabilityRoutes } from '../availability/routes.ts';
import { openAlertsView } from './camera-console.ts';
import { DEFAULT_MAX_IMPORT_BYTES } from '../../calibration/index.ts';
import { calibrationThresholds } from '../calibration/config.ts';
import { calibrationRoutes } from '../calibration/routes.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import type { Components } from './components.ts';
import { startComponents } from './controller.ts';
import { httpsOptions } from '../core/config/tls.ts';
import type { ServerConfig } from './config/schema.ts';
import { healthRoutes, livenessRoute, unassignedRoute } from '../health/routes.ts';
import { historyRoutes } from '../history/routes.ts';
import { toTrustProxy } from '../core/http/client-address.ts';
import { registerCaching } from '../core/http/etag.ts';
import { ApiError, errorBody, errorHandler, notFoundHandler } from '../core/http/errors.ts';
import { rateLimitedCounter, registerBookingLimits } from '../core/http/rate-limit.ts';
import { registerOpenApi } from '../core/http/openapi.ts';
import { registerStaffAuth } from '../staff/plugin.ts';
import { liveRoutes } from '../live/routes.ts';
import { createLogger } from '../core/logger.ts';
import { openDataRoutes } from '../opendata/routes.ts';
import { reservationRoutes } from '../reservations/routes.ts';
import { citizenRoutes } from '../identity/citizen-routes.ts';
import { ssoRoutes } from '../staff/sso-routes.ts';
import { webRoutes } from '../web/routes.ts';
import { UsualFree } from '../core/storage/usual-free.ts';
import { editorRoutes } from '../calibration/editor/routes.ts';
import { listCameras } from '../calibration/cameras.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The running components: database, ingest, broker, live hub… (for tests and the entry point). */
    volno: Components;
  }
}

export interface BuildOptions {
  clock?: Clock;
  logger?: Logger;
  /** false: HTTP and storage without any broker or MQTT connection (route tests). Default true. */
  mqtt?: boolean;
}

/**
 * Builds the whole server as one Fastify app: starts the components (database, broker, MQTT
 * ingest, live updates), registers every route, and stops the components in onClose. Does not
 * listen: the entry point (server.ts) or a test decides that.
 */
export async function buildApp(config: ServerConfig, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const log = opts.logger ?? createLogger(config.log_level);
  const clock = opts.clock ?? systemClock;
  const app = Fastify({
    loggerInstance: log,
    // null serves plain HTTP (fastify checks truthiness); with http.tls it serves HTTPS itself.
    https: config.http.tls !== undefined ? httpsOptions(config.http.tls) : null,
    trustProxy: toTrustProxy(config.http.trust_proxy),
    return503OnClosing: true,
    // Bookings, logins and calibration documents are small; calibration routes raise their own limit.
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

  const components = await startComponents(config, clock, log, { mqtt: opts.mqtt !== false });
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
  // Before every other route: it records them and checks staff credentials before body validation.
  await registerStaffAuth(app, c.auth, {
    wall: {
      sql: c.sql,
      calibration: c.cameraView,
      alerts: openAlertsView(c.alerts),
      now: () => c.clock.now(),
      defaultLanguage: c.config.web.default_language,
    },
  });
  await app.register(alertRoutes, {
    monitor: c.alerts,
    access: c.access,
    clock: c.clock,
    config: c.config.alerts,
    timezone: c.config.timezone,
  });
  const rateLimited = rateLimitedCounter(c.registry);
  registerBookingLimits(app, { sql: c.sql, clock: c.clock, limits: c.config.limits, counter: rateLimited });
  const api = { prefix: '/api/v1' };
  await app.register(availabilityRoutes, { ...api, availability: c.availability });
  await app.register(historyRoutes, {
    ...api,
    availability: c.availability,
    aggregates: c.aggregates,
    sql: c.sql,
    clock: c.clock,
    access: c.access,
  });
  const health = { sql: c.sql, clock: c.clock, access: c.access, mqttConnected: () => c.mqtt.connected };
  await app.register(healthRoutes, { ...api, ...health });
  await app.register(unassignedRoute, { ...api, ...health });
  await app.register(livenessRoute, health);
  await app.register(liveRoutes, {
    ...api,
    sse: c.sse,
    availability: c.availability,
    maxPerAddress: c.config.limits.sse_per_address,
    rateLimited,
  });
  await app.register(openDataRoutes, {
    availability: c.availability,
    registry: c.registry,
    clock: c.clock,
    access: c.access,
    site: c.config.site,
    name: c.config.web.title,
  });
  // Typical free spaces by weekday and hour, for the lot page's chart and the booking page's estimate.
  const usually = new UsualFree(c.aggregates, c.clock);
  await app.register(webRoutes, {
    availability: c.availability,
    config: c.config,
    clock: c.clock,
    usually,
  });
  await app.register(reservationRoutes, {
    reservations: c.reservations,
    sql: c.sql,
    config: c.config,
    clock: c.clock,
    access: c.access,
    citizen: c.identity.citizenOf,
    usually,
  });
  // OpenID Connect sign-in (issue 13), only where configured.
  if (c.identity.citizenRp !== undefined) await app.register(citizenRoutes, { identity: c.identity });
  const signIn = c.identity.staffSignIn();
  if (signIn !== undefined) await app.register(ssoRoutes, { auth: c.auth, signIn, sql: c.sql, clock: c.clock });
  await app.register(calibrationRoutes, {
    prefix: '/api/v1/staff',
    service: c.calibration,
    access: c.access,
    sql: c.sql,
    clock: c.clock,
    // A 1000-slot document with 32-point outlines is ~1.5 MB of JSON.
    bodyLimit: 4 * 1024 * 1024,
    importLimit: DEFAULT_MAX_IMPORT_BYTES,
  });
  await app.register(editorRoutes, {
    access: c.access,
    lots: c.config.lots,
    cameras: () => listCameras(c.sql, c.calibration),
    validation: calibrationThresholds(c.config.calibration),
  });
}
