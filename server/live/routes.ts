import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ID_PATTERN } from '../../protocol/index.ts';
import type { AvailabilityReader } from '../core/availability/reader.ts';
import { ApiError, errorResponses } from '../core/http/errors.ts';
import { refuse } from '../core/http/rate-limit.ts';
import type { Counter } from '../core/metrics/registry.ts';
import type { SseBroadcaster } from './sse.ts';

export interface LiveRoutesOptions {
  sse: SseBroadcaster;
  availability: AvailabilityReader;
  /** Open streams one client address may hold (`limits.sse_per_address`). */
  maxPerAddress: number;
  /** Where refusals are counted (`volno_rate_limited_total{limit="sse"}`). */
  rateLimited: Counter;
}

/** `GET /live`: Server-Sent Events with the same payloads as the availability and slots endpoints. */
export const liveRoutes: FastifyPluginAsyncTypebox<LiveRoutesOptions> = async (app, o) => {
  const { sse, availability } = o;
  // Streams open per client address in this process (issue 13, finding 8: one client held 5,000).
  // A stream is a socket and a process's memory, so the count is per instance; nginx's limit_conn
  // (deploy/nginx/volno.conf) caps the total in front of several.
  const open = new Map<string, number>();
  app.get(
    '/live',
    {
      schema: {
        tags: ['availability'],
        summary: 'Live updates (Server-Sent Events)',
        description:
          'Events: `availability` (the body of GET /lots/{lot_id}/availability), `slots` (the body of GET /lots/{lot_id}/slots, only with slots=true) and `clock` ({server_time}) on connect and every 15 s. The current state of each requested lot is sent first. Count changes go out at once; refreshes that only move `updated_at` at most every 5 s.',
        querystring: Type.Object(
          {
            lot: Type.Optional(
              Type.String({
                pattern: `^(${ID_PATTERN.slice(1, -1)})(,(${ID_PATTERN.slice(1, -1)})){0,49}$`,
                maxLength: 3300,
                description: 'Comma-separated lot ids; every lot when absent.',
              }),
            ),
            slots: Type.Boolean({ default: false, description: 'Also send per-slot states.' }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.String({ description: 'text/event-stream' }),
          ...errorResponses(400, 404, 429),
        },
      },
    },
    async (req, reply) => {
      const lots = req.query.lot === undefined ? null : [...new Set(req.query.lot.split(','))];
      const missing = lots?.find((l) => availability.catalog.lot(l) === undefined);
      if (missing !== undefined) throw new ApiError(404, 'VOLNO_LOT_NOT_FOUND', `no lot "${missing}"`);
      const address = req.ip;
      const n = open.get(address) ?? 0;
      if (n >= o.maxPerAddress)
        refuse(req, reply, {
          counter: o.rateLimited,
          limit: 'sse',
          retryAfterMs: 10_000,
          key: `ip:${address}`,
          message: `too many live streams from your address (at most ${o.maxPerAddress})`,
        });
      open.set(address, n + 1);
      reply.raw.once('close', () => {
        const left = (open.get(address) ?? 1) - 1;
        if (left <= 0) open.delete(address);
        else open.set(address, left);
      });
      reply.hijack();
      await sse.attach(reply.raw, lots, req.query.slots);
    },
  );
};
