import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, errorResponses } from '../core/http/errors.ts';
import { etagMatches, etagOf } from '../../kit/static-assets.ts';
import type { AvailabilityService } from './service.ts';
import { LotAvailabilitySchema, LotParams, LotSchema, LotSlotsSchema } from '../core/availability/schemas.ts';

export interface AvailabilityRoutesOptions {
  availability: AvailabilityService;
}

/**
 * The serialised body and ETag of a cached availability object: the service returns the same
 * object until the data changes, so the hot path neither serialises nor hashes again.
 */
const serialized = new WeakMap<object, { body: string; etag: string }>();

function sendCached(req: FastifyRequest, reply: FastifyReply, value: object): FastifyReply {
  let s = serialized.get(value);
  if (s === undefined) {
    const body = JSON.stringify(value);
    s = { body, etag: etagOf(body) };
    serialized.set(value, s);
  }
  void reply.header('etag', s.etag).header('cache-control', AVAILABILITY_CACHE);
  if (etagMatches(req.headers['if-none-match'], s.etag)) return reply.code(304).send();
  return reply.type('application/json; charset=utf-8').send(s.body);
}

const lotNotFound = (lotId: string) => new ApiError(404, 'VOLNO_LOT_NOT_FOUND', `no lot "${lotId}"`);

/** Short shared caching: counts change at most a few times a minute per space, and ETags make polling cheap. */
const AVAILABILITY_CACHE = 'public, max-age=2, must-revalidate';

/** Lots, availability counts and per-slot states: the public read API. */
export const availabilityRoutes: FastifyPluginAsyncTypebox<AvailabilityRoutesOptions> = async (
  app,
  { availability },
) => {
  app.get(
    '/lots',
    {
      schema: {
        tags: ['availability'],
        summary: 'Configured lots',
        response: { 200: Type.Object({ lots: Type.Array(LotSchema) }, { additionalProperties: false }) },
      },
      config: { cacheControl: 'public, max-age=60' },
    },
    async () => ({ lots: await availability.lots() }),
  );

  app.get(
    '/lots/:lot_id',
    {
      schema: {
        tags: ['availability'],
        summary: 'One lot',
        params: LotParams,
        response: { 200: LotSchema, ...errorResponses(400, 404) },
      },
      config: { cacheControl: 'public, max-age=60' },
    },
    async (req) => {
      const lot = (await availability.lots()).find((l) => l.lot_id === req.params.lot_id);
      if (lot === undefined) throw lotNotFound(req.params.lot_id);
      return lot;
    },
  );

  app.get(
    '/availability',
    {
      schema: {
        tags: ['availability'],
        summary: 'Availability of every lot',
        description: 'Free/occupied/unknown/reserved counts, also per slot type. ETag and If-None-Match supported.',
        response: { 200: Type.Object({ lots: Type.Array(LotAvailabilitySchema) }, { additionalProperties: false }) },
      },
      config: { etag: true, cacheControl: AVAILABILITY_CACHE },
    },
    async () => ({ lots: await availability.allAvailability() }),
  );

  app.get(
    '/lots/:lot_id/availability',
    {
      schema: {
        tags: ['availability'],
        summary: 'Availability of one lot',
        description:
          'Free/occupied/unknown/reserved counts, also per slot type. A slot counts as unknown when its agent is away, it was never reported, or its last report is older than the freshness limit. ETag and If-None-Match supported.',
        params: LotParams,
        response: { 200: LotAvailabilitySchema, ...errorResponses(400, 404) },
      },
      config: { etag: true, cacheControl: AVAILABILITY_CACHE },
    },
    async (req, reply) => {
      const a = await availability.lotAvailability(req.params.lot_id);
      if (a === undefined) throw lotNotFound(req.params.lot_id);
      return sendCached(req, reply, a);
    },
  );

  app.get(
    '/lots/:lot_id/slots',
    {
      schema: {
        tags: ['availability'],
        summary: 'Per-slot states with freshness',
        params: LotParams,
        response: { 200: LotSlotsSchema, ...errorResponses(400, 404) },
      },
      config: { cacheControl: 'no-cache' },
    },
    async (req) => {
      const s = await availability.lotSlots(req.params.lot_id);
      if (s === undefined) throw lotNotFound(req.params.lot_id);
      return s;
    },
  );
};
