import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './errors.ts';

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

/**
 * Guards staff endpoints (health, metrics, per-slot history). With a configured token the request
 * needs `Authorization: Bearer <token>`; without one, only requests from this machine pass, so a
 * fresh install is not open to the network. Behind a proxy set `http.trust_proxy`, so the client's
 * own address is checked, not the proxy's. Staff accounts arrive with issue 7.
 */
export type StaffGuard = (req: FastifyRequest, reply: FastifyReply) => Promise<void>;

export function staffGuard(token: string | undefined): StaffGuard {
  const expected = token === undefined ? undefined : Buffer.from(token);
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (expected === undefined) {
      if (LOOPBACK.test(req.ip)) return;
      throw new ApiError(
        403,
        'VOLNO_FORBIDDEN',
        'staff endpoints need http.staff_token when used from another machine',
      );
    }
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    const given = m === null ? undefined : Buffer.from(m[1]!);
    if (given === undefined || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      void reply.header('www-authenticate', 'Bearer realm="volno-staff"');
      throw new ApiError(401, 'VOLNO_UNAUTHORIZED', 'a valid staff token is required');
    }
  };
}
