import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorHandler } from '../core/http/errors.ts';
import { CalibrationIssuesError } from './errors.ts';
import { cameraRoutes } from './routes-cameras.ts';
import { ioRoutes } from './routes-io.ts';
import { labelRoutes } from './routes-labels.ts';
import { versionRoutes } from './routes-versions.ts';
import type { CalibrationRoutesOptions } from './routes-options.ts';

export type { CalibrationRoutesOptions } from './routes-options.ts';

/**
 * The staff calibration API under `/api/v1/staff` (contract: docs/calibration-api.md).
 * Validation failures answer 422 `{code, message, status, issues}`, so the editor can show every
 * issue next to its slot; everything else goes to the shared error handler.
 */
export const calibrationRoutes: FastifyPluginAsyncTypebox<CalibrationRoutesOptions> = async (app, o) => {
  app.setErrorHandler((err, req, reply) => {
    if (err instanceof CalibrationIssuesError) {
      void reply
        .code(422)
        .type('application/json; charset=utf-8')
        .send({ code: 'VOLNO_CALIBRATION_INVALID', message: err.message, status: 422, issues: err.issues });
      return;
    }
    errorHandler(err as Parameters<typeof errorHandler>[0], req, reply);
  });
  // Fastify passes `prefix` in the options too; handing it on would nest it twice.
  const { service, access, sql, clock, bodyLimit, importLimit } = o;
  const opts = { service, access, sql, clock, bodyLimit, importLimit };
  await app.register(cameraRoutes, opts);
  await app.register(versionRoutes, opts);
  await app.register(ioRoutes, opts);
  await app.register(labelRoutes, opts);
};
