import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AvailabilityReader } from '../core/availability/reader.ts';
import type { Clock } from '../core/clock.ts';
import { errorResponses } from '../core/http/errors.ts';
import type { StaffAccess } from '../core/access.ts';
import type { Registry } from '../core/metrics/registry.ts';
import { datexPublication } from './datex.ts';
import { DatexSchema } from './datex-schema.ts';
import { parkApiSites } from './parkapi.ts';
import { ParkApiSchema } from './parkapi-schema.ts';

export interface OpenDataRoutesOptions {
  availability: AvailabilityReader;
  registry: Registry;
  clock: Clock;
  access: StaffAccess;
  site: string;
  name: string;
}

/** Open data feeds and the Prometheus endpoint. */
export const openDataRoutes: FastifyPluginAsyncTypebox<OpenDataRoutesOptions> = async (app, o) => {
  // Both feeds need coordinates on every site; said once here, since the lots are the config's.
  const unplaced = (await o.availability.lots())
    .filter((l) => l.latitude === null || l.longitude === null)
    .map((l) => l.lot_id);
  if (unplaced.length > 0)
    app.log.warn(
      { lots: unplaced },
      'lots without latitude and longitude are left out of the DATEX II and ParkAPI feeds',
    );

  app.get(
    '/api/v1/opendata/datex2',
    {
      schema: {
        tags: ['open data'],
        summary: 'DATEX II v3 Parking Publication Light (JSON)',
        description:
          'DATEX II v3 JSON encoding. Every lot with coordinates as a parkingSite with its free count; each of its ' +
          'slots as a parkingSpace (available, occupied or unknown; booked slots are occupied).',
        response: { 200: DatexSchema },
      },
      config: { etag: true, cacheControl: 'public, max-age=10' },
    },
    async () =>
      datexPublication(o.availability, { site: o.site, name: o.name, lang: 'cs', country: 'CZ', now: o.clock.now() }),
  );

  // The lots come from the config loaded with the app, so they last changed when the app was built.
  const staticSince = o.clock.now();
  app.get(
    '/api/v1/opendata/parkapi',
    {
      schema: {
        tags: ['open data'],
        summary: 'ParkAPI v3 parking sites (JSON)',
        description:
          'Every lot with coordinates as a ParkAPI v3 parking site with its real-time free capacity ' +
          '(unknown, stale and reserved slots are not free).',
        response: { 200: ParkApiSchema },
      },
      config: { etag: true, cacheControl: 'public, max-age=10' },
    },
    async () => parkApiSites(o.availability, { site: o.site, staticSince }),
  );

  app.get(
    '/metrics',
    {
      preHandler: o.access.require('viewer'),
      schema: {
        tags: ['operations'],
        summary: 'Prometheus metrics (staff)',
        security: o.access.security,
        response: { 200: Type.String(), ...errorResponses(401, 403) },
      },
      config: { cacheControl: 'no-store' },
    },
    async (_req, reply) => {
      void reply.type('text/plain; version=0.0.4; charset=utf-8');
      await o.registry.collect();
      return o.registry.render();
    },
  );
};
