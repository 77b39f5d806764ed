import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Clock } from '../core/clock.ts';
import { forwardedHeader, socketAddress } from '../core/http/client-address.ts';
import { ApiError } from '../core/http/errors.ts';
import type { StaffSignIn } from '../core/staff-sign-in.ts';
import type { SqlExecutor } from '../core/storage/sql/port.ts';
import { sendPage } from '../core/web/message-page.ts';
import { SESSION_COOKIE } from './account-access.ts';
import { safeNext } from './login-page.ts';
import { SsoAccounts, mapRole } from './sso-accounts.ts';
import type { StaffAuth } from './staff-auth.ts';

const FLOW_COOKIE = 'volno_sso_flow';
const CSS = '/staff/assets/staff.css';
const hide = { hide: true, tags: ['staff'] };

/**
 * Staff single sign-on through the office's OpenID provider (Keycloak, ADFS, Entra ID). The role
 * comes from a configured claim (`roles`, `groups`…) through the configured mapping; no match, no
 * entry. A successful sign-in becomes an ordinary server-side staff session (sessions.ts), so CSRF,
 * idle and absolute expiry, disabling and the audit log work as for local accounts, which stay as
 * break-glass. While no local account exists SSO is refused: `volno user add` creates the first admin.
 */
export interface SsoRoutesOptions {
  auth: StaffAuth;
  /** The office's OpenID provider, through the identity feature. */
  signIn: StaffSignIn;
  sql: SqlExecutor;
  clock: Clock;
}

export const ssoRoutes: FastifyPluginAsyncTypebox<SsoRoutesOptions> = async (app, { auth, signIn, sql, clock }) => {
  const callbackPath = signIn.callbackPath;
  const accounts = new SsoAccounts(sql, clock);
  const page = (reply: FastifyReply, status: number, text: string) =>
    sendPage(reply, status, {
      lang: 'cs',
      title: 'Jednotné přihlášení / Single sign-on',
      text,
      css: CSS,
      link: { href: '/staff/login', label: 'Přihlášení pracovníků / Staff login' },
    });
  const refuse = async (req: FastifyRequest, reply: FastifyReply, status: number, why: string, text: string) => {
    const entry = {
      userId: null,
      username: null,
      role: null,
      via: 'sso',
      action: 'login.sso_refused',
      target: why,
      ip: req.ip,
      socketIp: socketAddress(req),
      forwardedFor: forwardedHeader(req),
    };
    // As access.audit(): a failed write is logged, and the refusal still answers.
    await auth.auditLog
      .record(entry)
      .catch((err: unknown) => req.log.error({ err, audit: entry.action }, 'audit entry not written'));
    req.log.warn({ why }, 'staff single sign-on refused');
    return page(reply, status, text);
  };

  app.get(
    '/staff/sso',
    {
      schema: {
        ...hide,
        summary: 'Staff single sign-on: redirects to the office’s OpenID provider',
        querystring: Type.Object({ next: Type.Optional(Type.String({ maxLength: 2000 })) }),
      },
    },
    async (req, reply) => {
      if ((await auth.accounts.count()) === 0)
        return page(
          reply,
          403,
          'Nejprve vytvořte prvního správce (volno user add). / Create the first admin first (volno user add).',
        );
      try {
        const { url, flowId } = await signIn.begin(safeNext(req.query.next));
        void reply.setCookie(FLOW_COOKIE, flowId, {
          path: callbackPath,
          httpOnly: true,
          sameSite: 'lax',
          secure: signIn.secureCookies,
          maxAge: 600,
        });
        return reply.header('cache-control', 'no-store').redirect(url.href, 303);
      } catch (err) {
        if (err instanceof ApiError && err.statusCode === 503)
          return page(reply, 503, 'Přihlašovací služba je nedostupná. / The sign-in service is unavailable.');
        throw err;
      }
    },
  );

  app.get(
    callbackPath,
    {
      schema: {
        ...hide,
        summary: 'Where the OpenID provider sends staff back',
        querystring: Type.Record(Type.String(), Type.String({ maxLength: 4096 })),
      },
    },
    async (req, reply) => {
      const flowId = req.cookies[FLOW_COOKIE];
      void reply.clearCookie(FLOW_COOKIE, { path: callbackPath });
      const expired = () =>
        refuse(
          req,
          reply,
          400,
          'no live flow',
          'Přihlášení vypršelo. Začněte znovu. / The sign-in expired; start again.',
        );
      if (flowId === undefined) return expired();
      let done;
      try {
        done = await signIn.finish(flowId, req.url);
      } catch (err) {
        if (err instanceof ApiError && err.statusCode < 500)
          return refuse(
            req,
            reply,
            401,
            'not verified',
            'Přihlášení nešlo ověřit. / The sign-in could not be verified.',
          );
        if (err instanceof ApiError)
          return page(reply, 503, 'Přihlašovací služba je nedostupná. / The sign-in service is unavailable.');
        throw err;
      }
      if (done === undefined) return expired();
      const { claims, returnTo } = done;
      const role = mapRole(claims[signIn.roleClaim], signIn.roles);
      if (role === undefined)
        return refuse(
          req,
          reply,
          403,
          'no mapped role',
          'Váš účet nemá v tomto systému žádnou roli. / Your account has no role here.',
        );
      const user = await accounts.signIn(claims.iss, claims.sub, claims[signIn.usernameClaim], role);
      if (user === undefined)
        return refuse(req, reply, 403, 'account disabled', 'Váš účet je zablokován. / Your account is disabled.');
      const old = req.cookies[SESSION_COOKIE];
      if (old !== undefined) await auth.sessions.destroy(old);
      const s = await auth.sessions.create(user.userId, req.ip);
      void reply.setCookie(SESSION_COOKIE, s.id, {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: auth.config.cookie_secure || signIn.secureCookies || req.protocol === 'https',
      });
      req.staff = { userId: user.userId, username: user.username, role: user.role, via: 'session' };
      await auth.access.audit(req, 'login.sso', `user:${user.userId}`, { created: user.created, role });
      // A page, not a redirect: the Strict cookie is not sent on a redirect the provider's site started.
      return sendPage(reply, 200, {
        lang: 'cs',
        title: 'Přihlášeno / Signed in',
        text: `${user.username} (${role})`,
        css: CSS,
        link: { href: returnTo, label: 'Pokračovat / Continue' },
        refresh: true,
      });
    },
  );
};
