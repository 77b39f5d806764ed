import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../clock.ts';
import type { SqlDatabase } from '../storage/sql/port.ts';
import type { Counter, Registry } from '../metrics/registry.ts';
import { forwardedHeader, socketAddress, subnetOf } from './client-address.ts';
import { ApiError } from './errors.ts';
import type { LimitsConfig } from './limits-config.ts';
import { PersistentLimiter, type Budget } from './persistent-limiter.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Draw from the per-address and per-subnet booking budget (server/core/http/rate-limit.ts). */
    rateLimit?: 'booking';
    /**
     * How a page route answers a refusal (status 429 and `retry-after` are set, the refusal counted and
     * logged): a citizen posting a form without JavaScript gets a page, not the API's JSON.
     */
    rateLimitPage?: (req: FastifyRequest, reply: FastifyReply, retryAfterS: number) => unknown;
  }
}

/** `volno_rate_limited_total{limit}`: requests refused by a per-client limit. */
export function rateLimitedCounter(registry: Registry): Counter {
  return registry.counter('volno_rate_limited_total', 'Requests refused by a per-client limit (429), by limit.');
}

type Refusal = { counter: Counter; limit: string; retryAfterMs: number; key: string };

/** Counts and logs a refusal and sets `retry-after`; returns its seconds. */
function noteRefusal(req: FastifyRequest, reply: FastifyReply, o: Refusal): number {
  const seconds = Math.max(1, Math.ceil(o.retryAfterMs / 1000));
  o.counter.inc({ limit: o.limit });
  req.log.warn(
    { limit: o.limit, key: o.key, ip: req.ip, socket_ip: socketAddress(req), forwarded_for: forwardedHeader(req) },
    'request refused: per-client limit reached',
  );
  void reply.header('retry-after', String(seconds));
  return seconds;
}

/** Sends 429 VOLNO_RATE_LIMITED with retry-after, counted and logged (the one shape for every limit). */
export function refuse(req: FastifyRequest, reply: FastifyReply, o: Refusal & { message: string }): never {
  const seconds = noteRefusal(req, reply, o);
  throw new ApiError(429, 'VOLNO_RATE_LIMITED', `${o.message}; try again in ${seconds} s`);
}

const TAKEN = Symbol('volno.rateLimitTaken');
declare module 'fastify' {
  interface FastifyRequest {
    [TAKEN]?: Budget[];
  }
}

/**
 * Booking limits (issue 13, finding 2: one client booked every space for 30 days in 0.7 s by varying
 * e-mails and plates). Routes opt in with `config: { rateLimit: 'booking' }`. An attempt draws from
 * its address's and its subnet's budget before the booking is made; a booking that is refused anyway
 * (4xx other than 429, or a failure) gives its hit back, so only bookings made, and those in flight,
 * count.
 */
export function registerBookingLimits(
  app: FastifyInstance,
  o: { sql: SqlDatabase; clock: Clock; limits: LimitsConfig; counter: Counter },
): void {
  const limiter = new PersistentLimiter(o.sql, o.clock, 'booking', o.limits.booking_window_s * 1000);
  app.addHook('preHandler', async (req, reply) => {
    if (req.routeOptions.config.rateLimit !== 'booking') return;
    const budgets = [
      { key: `ip:${req.ip}`, max: o.limits.bookings_per_address },
      { key: `net:${subnetOf(req.ip)}`, max: o.limits.bookings_per_subnet },
    ];
    const r = await limiter.takeBatched(budgets);
    if (r.refusedBy !== undefined) {
      const subnet = r.refusedBy === 1;
      const refusal = {
        counter: o.counter,
        limit: subnet ? 'booking_subnet' : 'booking_address',
        retryAfterMs: r.retryAfterMs,
        key: budgets[r.refusedBy]!.key,
      };
      const page = req.routeOptions.config.rateLimitPage;
      if (page) return page(req, reply.code(429), noteRefusal(req, reply, refusal));
      refuse(req, reply, {
        ...refusal,
        message: subnet ? 'too many bookings from your network' : 'too many bookings from your address',
      });
    }
    req[TAKEN] = budgets;
  });
  app.addHook('onResponse', async (req, reply) => {
    const budgets = req[TAKEN];
    // After the answer went out: the client does not wait for this commit.
    if (budgets !== undefined && reply.statusCode >= 400 && reply.statusCode !== 429)
      await limiter.giveBackBatched(budgets);
  });
}
