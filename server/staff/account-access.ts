import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Counter, Registry } from '../core/metrics/registry.ts';
import { forwardedHeader, hasForwardingHeaders, isLoopback, socketAddress } from '../core/http/client-address.ts';
import { ApiError } from '../core/http/errors.ts';
import {
  roleAtLeast,
  type StaffAccess,
  type StaffPreHandler,
  type StaffPrincipal,
  type StaffRole,
} from '../core/access.ts';
import type { Accounts } from './accounts.ts';
import type { AuditLog } from './audit-log.ts';
import type { Sessions } from './sessions.ts';

/** The session cookie's name. */
export const SESSION_COOKIE = 'volno_staff';
/** Marks the functions `require()` returns, so the route table knows each staff route's role. */
export const STAFF_ROLE = Symbol('volno.staffRole');

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const equal = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** Requests identified in onRequest whose CSRF token can only be in the (not yet parsed) form body. */
const deferredCsrf = new WeakSet<FastifyRequest>();

const isFormPost = (req: FastifyRequest) => {
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  return type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data');
};

/** A staff page (HTML) rather than an API: unauthenticated GETs are sent to the login form. */
export function isStaffPage(req: FastifyRequest): boolean {
  return (req.method === 'GET' || req.method === 'HEAD') && /^\/staff(\/|\?|$)/.test(req.url);
}

/**
 * Staff access with accounts (issue 7), behind the same `StaffAccess` contract as the token-only
 * version. A request is, in this order:
 * 1. `Authorization: Bearer <http.staff_token>`: an admin machine credential for scripts; no CSRF
 *    token needed, as browsers never attach it by themselves;
 * 2. a session cookie from /staff/login: the account's current role (read on every request, so a
 *    demotion or disabling takes effect at once); state-changing methods need the session's CSRF
 *    token as `x-csrf-token` or form field `csrf_token`;
 * 3. otherwise, only while no account exists and no token is configured, a request from this machine
 *    is an admin, so a fresh install can be set up; once the first account exists this ends
 *    (docs/adr/0007-staff-accounts.md).
 */
export class AccountAccess implements StaffAccess {
  readonly security: Record<string, string[]>[] = [{ staffSession: [] }, { staffToken: [] }];
  /** Audit entries that could not be written (the action itself stood); Prometheus when a registry is given. */
  readonly auditFailures: Counter | undefined;
  /** The same count without a registry (tests, the CLI). */
  auditFailuresSeen = 0;

  constructor(
    private readonly deps: {
      accounts: Accounts;
      sessions: Sessions;
      auditLog: AuditLog;
      token: string | undefined;
      log: Logger;
      registry?: Registry | undefined;
    },
  ) {
    this.auditFailures = deps.registry?.counter(
      'volno_staff_audit_failures_total',
      'Staff audit entries that could not be written (the action they describe was done).',
    );
  }

  require(role: StaffRole): StaffPreHandler {
    const handler = async (req: FastifyRequest, reply: FastifyReply) => {
      if (req.staff === undefined) return (await this.check(req, reply, role, true)) as unknown as void;
      // Already identified in onRequest (registerStaffAuth): what is left is a form's CSRF field.
      if (deferredCsrf.has(req)) this.checkCsrf(req, req.staff);
    };
    return Object.assign(handler, { [STAFF_ROLE]: role });
  }

  /**
   * The same check as an `onRequest` hook, before a byte of the body is read (issue 13, finding 5:
   * an anonymous 4 MiB nested JSON body froze the event loop while being parsed for a 401). Only a
   * form post's `csrf_token` field needs the body; that one check is left to `require()`'s handler,
   * which registerStaffAuth keeps in preValidation.
   */
  early(role: StaffRole): StaffPreHandler {
    // Returning the reply tells Fastify an async hook answered (the redirect to the login form).
    const handler = async (req: FastifyRequest, reply: FastifyReply) =>
      (await this.check(req, reply, role, false)) as unknown as void;
    return Object.assign(handler, { [STAFF_ROLE]: role });
  }

  private async check(
    req: FastifyRequest,
    reply: FastifyReply,
    role: StaffRole,
    haveBody: boolean,
  ): Promise<FastifyReply | undefined> {
    const principal = await this.identify(req, reply);
    if (principal === undefined) {
      if (isStaffPage(req)) {
        return reply.redirect(`/staff/login?next=${encodeURIComponent(req.url)}`, 303);
      }
      throw new ApiError(401, 'VOLNO_UNAUTHORIZED', 'log in as staff (or send the staff token) to use this');
    }
    if (!SAFE_METHODS.has(req.method)) {
      if (haveBody || req.headers['x-csrf-token'] !== undefined || !isFormPost(req)) this.checkCsrf(req, principal);
      else if (principal.via === 'session') deferredCsrf.add(req);
    }
    if (!roleAtLeast(principal.role, role))
      throw new ApiError(
        403,
        'VOLNO_FORBIDDEN',
        `this needs the ${role} role; ${principal.username} is ${principal.role}`,
      );
    req.staff = principal;
    return undefined;
  }

  /**
   * Never rejects: the action it records has already happened, and a caller that does not await
   * must not get an unhandled rejection. A failed write is logged (who did what to which object,
   * so the log keeps the gist of what the table lost) and counted.
   */
  async audit(req: FastifyRequest, action: string, target: string, detail?: Record<string, unknown>): Promise<void> {
    const who = req.staff;
    if (who === undefined) {
      this.auditFailed(new Error('audit outside a staff request'), { action, target });
      return;
    }
    const entry = {
      userId: who.userId === 0 ? null : who.userId,
      username: who.username,
      role: who.role,
      via: who.via,
      action,
      target,
      detail,
      ip: req.ip,
      socketIp: socketAddress(req),
      forwardedFor: forwardedHeader(req),
    };
    this.deps.log.info({ audit: { user: who.username, via: who.via, action, target } }, 'staff action');
    try {
      await this.deps.auditLog.record(entry);
    } catch (err) {
      this.auditFailed(err, { user: who.username, via: who.via, action, target });
    }
  }

  private auditFailed(err: unknown, audit: Record<string, unknown>): void {
    this.auditFailuresSeen++;
    this.auditFailures?.inc();
    this.deps.log.error({ err, audit }, 'staff audit entry could not be written');
  }

  /**
   * Who sent the request, without deciding whether that is enough. Throws 401 for a wrong bearer
   * token and 403 for another machine while the install has neither accounts nor a token.
   */
  async identify(req: FastifyRequest, reply: FastifyReply): Promise<StaffPrincipal | undefined> {
    const authorization = req.headers.authorization;
    if (authorization !== undefined) {
      const m = /^Bearer\s+(\S+)$/i.exec(authorization);
      if (this.deps.token !== undefined && m !== null && equal(m[1]!, this.deps.token))
        return { userId: 0, username: 'token', role: 'admin', via: 'token' };
      void reply.header('www-authenticate', 'Bearer realm="volno-staff"');
      throw new ApiError(401, 'VOLNO_UNAUTHORIZED', 'a valid staff token is required');
    }
    const cookie = req.cookies?.[SESSION_COOKIE];
    if (cookie !== undefined && cookie !== '') {
      // From the database on every request, never cached: a logout on another instance counts at once.
      const s = await this.deps.sessions.resolve(cookie);
      if (s !== undefined)
        return { userId: s.userId, username: s.username, role: s.role, via: 'session', csrfToken: s.csrfToken };
    }
    if (this.deps.token === undefined && (await this.deps.accounts.count()) === 0) {
      // The socket, never req.ip: with a trusted proxy req.ip is whatever X-Forwarded-For says, and
      // a proxy on this machine makes every client look local. So anything that came through a
      // proxy (any forwarding header) is refused: there is no proxied bootstrap (issue 13, finding 1).
      if (isLoopback(socketAddress(req)) && !hasForwardingHeaders(req))
        return { userId: 0, username: 'localhost', role: 'admin', via: 'loopback' };
      throw new ApiError(
        403,
        'VOLNO_FORBIDDEN',
        'create a staff account (volno user add) or set http.staff_token to use this from another machine or through a proxy',
      );
    }
    return undefined;
  }

  private checkCsrf(req: FastifyRequest, p: StaffPrincipal): void {
    if (p.via === 'token') return;
    if (p.via === 'loopback') {
      // No session to bind a token to: refuse what a browser marks as coming from another site, so a
      // web page open on the server itself cannot act as the bootstrap admin.
      if (crossSite(req)) throw new ApiError(403, 'VOLNO_CSRF', 'cross-site request refused');
      return;
    }
    const header = req.headers['x-csrf-token'];
    const body = req.body as { csrf_token?: unknown } | undefined;
    const given = typeof header === 'string' ? header : typeof body?.csrf_token === 'string' ? body.csrf_token : '';
    if (given === '' || p.csrfToken === undefined || !equal(given, p.csrfToken))
      throw new ApiError(
        403,
        'VOLNO_CSRF',
        'missing or wrong CSRF token (send x-csrf-token from the page’s meta csrf-token)',
      );
  }
}

/**
 * Whether a browser says the request comes from another site. `Sec-Fetch-Site` first: every current
 * browser sends it, and it survives our `Referrer-Policy: no-referrer`, under which Chromium sends
 * `Origin: null` even for our own forms. Without it, an Origin naming another host (or `null`, which
 * sandboxed frames send) is cross-site. Non-browser clients send neither and pass.
 */
export function crossSite(req: FastifyRequest): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined) return site !== 'same-origin' && site !== 'none';
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  try {
    // Through URL on both sides, so a default port (`:80`, `:443`) written or left out compares equal.
    return new URL(origin).host !== new URL(`${req.protocol}://${req.host}`).host;
  } catch {
    return true;
  }
}
