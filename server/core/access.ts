import type { FastifyReply, FastifyRequest } from 'fastify';

/** Staff roles, weakest first: viewers look, operators change bookings and calibrations, admins manage accounts. */
export const STAFF_ROLES = ['viewer', 'operator', 'admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** Who a staff request is from, set on `req.staff` by {@link StaffAccess.require}. */
export interface StaffPrincipal {
  /** Account id; 0 for the configured bearer token or a loopback request without accounts. */
  userId: number;
  username: string;
  role: StaffRole;
  via: 'session' | 'token' | 'loopback';
  /** The session's CSRF token (session logins only): pages embed it, scripts send it as `x-csrf-token`. */
  csrfToken?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    staff?: StaffPrincipal;
  }
}

export type StaffPreHandler = (req: FastifyRequest, reply: FastifyReply) => Promise<void>;

/**
 * The one contract every staff route uses (bookings, calibration, health, metrics, history):
 * `preHandler: access.require('operator')`, `schema.security: access.security`, and
 * `access.audit(req, …)` after every change a staff member makes.
 */
export interface StaffAccess {
  /** 401 without valid credentials, 403 when the role is below `role`; sets `req.staff`. */
  require(role: StaffRole): StaffPreHandler;
  /** Records who did what to which object (never personal data of the public in `detail`). */
  audit(req: FastifyRequest, action: string, target: string, detail?: Record<string, unknown>): Promise<void>;
  /** The OpenAPI security requirement staff routes declare. */
  readonly security: Record<string, string[]>[];
}

export function roleAtLeast(have: StaffRole, need: StaffRole): boolean {
  return STAFF_ROLES.indexOf(have) >= STAFF_ROLES.indexOf(need);
}
