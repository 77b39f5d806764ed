import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { forwardedHeader, socketAddress } from '../core/http/client-address.ts';
import { ApiError, errorResponses } from '../core/http/errors.ts';
import { STAFF_CSP } from '../core/web/staff-layout.ts';
import { SESSION_COOKIE, crossSite } from './account-access.ts';
import { normaliseUsername } from './accounts.ts';
import { loginPage, safeNext } from './login-page.ts';
import type { StaffAuth } from './staff-auth.ts';

const LoginBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 200 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
    next: Type.Optional(Type.String({ maxLength: 2000, description: 'Form logins: the staff page to go to.' })),
  },
  { additionalProperties: false },
);

export const SessionBody = Type.Object(
  {
    user_id: Type.Integer(),
    username: Type.String(),
    role: Type.String(),
    csrf_token: Type.String({ description: 'Send as `x-csrf-token` on every POST/PUT/PATCH/DELETE.' }),
    expires_at: Type.String({ format: 'date-time', description: 'When the session ends unless used.' }),
  },
  { additionalProperties: false },
);

const isForm = (req: FastifyRequest) =>
  (req.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');

/** Sends an HTML page; the reply is untyped because the route's schema describes its JSON answers. */
function html(reply: unknown, status: number, body: string): FastifyReply {
  return (reply as FastifyReply)
    .code(status)
    .type('text/html; charset=utf-8')
    .header('content-security-policy', STAFF_CSP)
    .header('cache-control', 'no-store')
    .send(body);
}

/** GET/POST /staff/login and POST /staff/logout. */
export const loginRoutes: FastifyPluginAsyncTypebox<{ auth: StaffAuth }> = async (app, { auth }) => {
  const { accounts, sessions, auditLog, limits, access, config } = auth;
  // A failed login is no staff request (no req.staff), so it goes to the log directly; like
  // access.audit(), a failed write is logged and never fails the answer.
  const recordFailure = (r: Parameters<typeof auditLog.record>[0]) =>
    auditLog.record(r).catch((err: unknown) => app.log.error({ err, audit: r.action }, 'audit entry not written'));
  // No Max-Age: the cookie dies with the browser; the server ends the session anyway (idle, absolute).
  const cookieOptions = (req: FastifyRequest) =>
    ({
      path: '/',
      httpOnly: true,
      sameSite: 'strict',
      secure: config.cookie_secure || req.protocol === 'https',
    }) as const;

  app.get(
    '/staff/login',
    {
      schema: {
        tags: ['staff'],
        summary: 'The staff login form (HTML)',
        querystring: Type.Object({ next: Type.Optional(Type.String({ maxLength: 2000 })) }),
        produces: ['text/html'],
      },
    },
    async (req, reply) => {
      const next = safeNext(req.query.next);
      const cookie = req.cookies[SESSION_COOKIE];
      if (cookie !== undefined && (await sessions.resolve(cookie)) !== undefined) return reply.redirect(next, 303);
      return html(reply, 200, loginPage({ sso: auth.ssoLabel, next }));
    },
  );

  app.post(
    '/staff/login',
    {
      schema: {
        tags: ['staff'],
        summary: 'Log in: a form post redirects, a JSON post answers the session and its CSRF token',
        description:
          'Sets the HttpOnly SameSite=Strict session cookie. Failed logins are limited per username and per client address (429 with retry-after).',
        body: LoginBody,
        response: { 200: SessionBody, ...errorResponses(400, 401, 403, 429) },
      },
      config: { cacheControl: 'no-store' },
    },
    async (req, reply) => {
      const form = isForm(req);
      // A login from another site's form would log the victim into the attacker's account.
      if (crossSite(req)) throw new ApiError(403, 'VOLNO_CSRF', 'cross-site login refused');
      const next = safeNext(req.body.next);
      const name = normaliseUsername(req.body.username);
      // Per (username, address), not per username: five wrong passwords from anywhere used to lock any
      // account, admins included, for everyone (issue 13, finding 6). req.ip is the socket address
      // unless a proxy listed in http.trust_proxy vouches for X-Forwarded-For.
      const userKey = `user:${name}@${req.ip}`;
      const ipKey = `ip:${req.ip}`;
      // Counted before the password is checked, so parallel guesses count too.
      const waitMs = await limits.attempt([
        { key: userKey, max: config.login_max_per_user },
        { key: ipKey, max: config.login_max_per_ip },
      ]);
      if (waitMs > 0) {
        // The attempted name only when it is an account: a name typed wrongly is often a password.
        const known = (await accounts.byUsername(name))?.username ?? null;
        req.log.warn({ username: known, ip: req.ip }, 'staff login refused: too many failed attempts');
        const seconds = Math.ceil(waitMs / 1000);
        void reply.header('retry-after', String(seconds));
        const message = `too many failed logins; try again in ${seconds} s`;
        if (form) return html(reply, 429, loginPage({ sso: auth.ssoLabel, next, error: message, username: name }));
        throw new ApiError(429, 'VOLNO_RATE_LIMITED', message);
      }
      const user = await accounts.authenticate(name, req.body.password);
      if (user === undefined) {
        // A mistyped username is often a password: record it only when such an account exists.
        const known = await accounts.byUsername(name);
        await recordFailure({
          userId: known?.userId ?? null,
          username: known?.username ?? null,
          role: known?.role ?? null,
          via: 'anonymous',
          action: 'login.failed',
          target: known === undefined ? 'unknown user' : `user:${known.userId}`,
          ip: req.ip,
          socketIp: socketAddress(req),
          forwardedFor: forwardedHeader(req),
        });
        const message = 'wrong username or password';
        if (form) return html(reply, 401, loginPage({ sso: auth.ssoLabel, next, error: message, username: name }));
        throw new ApiError(401, 'VOLNO_UNAUTHORIZED', message);
      }
      await limits.reset(userKey);
      await limits.undo(ipKey);
      // Rotation: whatever session the browser had before is ended, so a planted id never gains a login.
      const old = req.cookies[SESSION_COOKIE];
      if (old !== undefined) await sessions.destroy(old);
      const s = await sessions.create(user.userId, req.ip);
      void reply.setCookie(SESSION_COOKIE, s.id, cookieOptions(req));
      req.staff = { userId: user.userId, username: user.username, role: user.role, via: 'session' };
      await access.audit(req, 'login', `user:${user.userId}`);
      if (form) return reply.redirect(next, 303);
      return {
        user_id: user.userId,
        username: user.username,
        role: user.role,
        csrf_token: s.csrfToken,
        expires_at: new Date((await sessions.resolve(s.id))!.expiresAt).toISOString(),
      };
    },
  );

  app.post(
    '/staff/logout',
    {
      preHandler: access.require('viewer'),
      schema: {
        tags: ['staff'],
        summary: 'Log out: ends the session (form posts are redirected to the login form)',
        security: access.security,
        body: Type.Optional(
          Type.Object({ csrf_token: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false }),
        ),
        response: { 204: Type.Null(), ...errorResponses(401, 403) },
      },
    },
    async (req, reply) => {
      const cookie = req.cookies[SESSION_COOKIE];
      if (req.staff?.via === 'session' && cookie !== undefined) {
        await sessions.destroy(cookie);
        await access.audit(req, 'logout', `user:${req.staff.userId}`);
      }
      void reply.clearCookie(SESSION_COOKIE, cookieOptions(req));
      if (isForm(req)) return reply.redirect('/staff/login', 303);
      return reply.code(204).send(null);
    },
  );
};
