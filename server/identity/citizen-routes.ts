import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { ApiError } from '../core/http/errors.ts';
import { CITIZEN_CALLBACK, CITIZEN_COOKIE, type Identity } from './index.ts';
import { sendPage } from '../core/web/message-page.ts';
import { subjectKey } from './store.ts';

const FLOW_COOKIE = 'volno_oidc_flow';
const CSS = '/reserve/assets/reserve.css';
const hide = { hide: true, tags: ['web'] };
const Lang = Type.Optional(Type.Enum(['cs', 'en'] as const));
const field = (pattern: string) => Type.Optional(Type.String({ maxLength: 40, pattern }));

const T = {
  cs: {
    failed: 'Přihlášení se nezdařilo',
    expired: 'Přihlášení vypršelo nebo už bylo použito. Začněte prosím znovu.',
    refused: 'Přihlášení nešlo ověřit. Zkuste to prosím znovu.',
    unavailable: 'Přihlašovací služba je nedostupná. Zkuste to prosím později.',
    back: 'Zpět na rezervace',
  },
  en: {
    failed: 'Sign-in failed',
    expired: 'The sign-in expired or was already used. Please start again.',
    refused: 'The sign-in could not be verified. Please try again.',
    unavailable: 'The sign-in service is unavailable. Please try again later.',
    back: 'Back to reservations',
  },
};

/**
 * Citizen sign-in through the region's identity gateway: /reserve/signin sends the browser to the
 * provider (code flow, PKCE, state, nonce; the secrets stay in SQLite, the browser holds a flow id),
 * /reserve/oidc/callback checks the answer and starts a server-side session bound to the hashed
 * subject, /reserve/signout ends it. Nothing else from the ID token is kept, except an e-mail
 * address the provider marked verified when the operator asked for the `email` scope.
 */
export const citizenRoutes: FastifyPluginAsyncTypebox<{ identity: Identity }> = async (app, { identity }) => {
  const rp = identity.citizenRp!;
  const sessions = identity.citizens!;
  const cookie = (path: string, maxAge?: number) =>
    ({
      path,
      httpOnly: true,
      sameSite: 'lax',
      secure: identity.secureCookies,
      ...(maxAge !== undefined ? { maxAge } : {}),
    }) as const;
  const fail = (reply: FastifyReply, lang: 'cs' | 'en', status: number, text: string) =>
    sendPage(reply, status, {
      lang,
      title: T[lang].failed,
      text,
      css: CSS,
      link: { href: `/reserve?lang=${lang}`, label: T[lang].back },
    });

  app.get(
    '/reserve/signin',
    {
      schema: {
        ...hide,
        summary: 'Citizen sign-in: redirects to the identity gateway',
        querystring: Type.Object(
          {
            lang: Lang,
            lot_id: field('^[A-Za-z0-9_-]*$'),
            date: field('^[0-9-]*$'),
            start: field('^[0-9:]*$'),
            end: field('^[0-9:]*$'),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const q = req.query;
      const lang = q.lang ?? 'cs';
      // Back to the same window after sign-in; only these validated fields, so never another site.
      const back = new URLSearchParams({ lang });
      for (const k of ['lot_id', 'date', 'start', 'end'] as const) if (q[k]) back.set(k, q[k]);
      try {
        const { url, secrets } = await rp.begin();
        const id = await identity.flows.create('citizen', secrets, `/reserve?${back.toString()}`);
        void reply.setCookie(FLOW_COOKIE, id, cookie(CITIZEN_CALLBACK, 600));
        return reply.header('cache-control', 'no-store').redirect(url.href, 303);
      } catch (err) {
        if (err instanceof ApiError && err.statusCode === 503) return fail(reply, lang, 503, T[lang].unavailable);
        throw err;
      }
    },
  );

  app.get(
    CITIZEN_CALLBACK,
    {
      schema: {
        ...hide,
        summary: 'Where the identity gateway sends the citizen back',
        querystring: Type.Record(Type.String(), Type.String({ maxLength: 4096 })),
      },
    },
    async (req, reply) => {
      const flowId = req.cookies[FLOW_COOKIE];
      void reply.clearCookie(FLOW_COOKIE, cookie(CITIZEN_CALLBACK));
      const flow = flowId === undefined ? undefined : await identity.flows.take(flowId, 'citizen');
      const lang = langOf(flow?.returnTo);
      if (flow === undefined) {
        req.log.warn('citizen sign-in callback without a live flow (expired, replayed or forged)');
        return fail(reply, lang, 400, T[lang].expired);
      }
      let claims;
      try {
        claims = await rp.finish(identity.callbackUrl(CITIZEN_CALLBACK, req.url), flow);
      } catch (err) {
        if (err instanceof ApiError && err.statusCode === 503) return fail(reply, lang, 503, T[lang].unavailable);
        if (err instanceof ApiError && err.statusCode === 401) return fail(reply, lang, 401, T[lang].refused);
        throw err;
      }
      const email =
        claims['email_verified'] === true && typeof claims['email'] === 'string' && claims['email'].length <= 254
          ? claims['email']
          : undefined;
      // A new session id at every sign-in: an id planted before sign-in never gains one.
      await sessions.destroy(req.cookies[CITIZEN_COOKIE]);
      const id = await sessions.create(subjectKey(claims.iss, claims.sub), email);
      void reply.setCookie(CITIZEN_COOKIE, id, cookie('/'));
      req.log.info('citizen signed in');
      return reply.header('cache-control', 'no-store').redirect(flow.returnTo, 303);
    },
  );

  app.post(
    '/reserve/signout',
    {
      schema: {
        ...hide,
        summary: 'Citizen sign-out',
        querystring: Type.Object({ lang: Lang }, { additionalProperties: false }),
        body: Type.Record(Type.String(), Type.String({ maxLength: 400 })),
      },
    },
    async (req: FastifyRequest<{ Querystring: { lang?: 'cs' | 'en' }; Body: Record<string, string> }>, reply) => {
      const lang = req.query.lang ?? 'cs';
      const id = req.cookies[CITIZEN_COOKIE];
      const s = await sessions.resolve(id);
      // Another site cannot sign a citizen out either: the form carries the session's CSRF token.
      if (s !== undefined && !same(req.body['csrf_token'], s.csrfToken))
        throw new ApiError(403, 'VOLNO_CSRF', 'missing or wrong CSRF token');
      await sessions.destroy(id);
      void reply.clearCookie(CITIZEN_COOKIE, cookie('/'));
      return reply.header('cache-control', 'no-store').redirect(`/reserve?lang=${lang}`, 303);
    },
  );
};

const langOf = (returnTo: string | undefined): 'cs' | 'en' => (returnTo?.includes('lang=en') ? 'en' : 'cs');

function same(given: string | undefined, want: string): boolean {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(want);
  return a.length === b.length && timingSafeEqual(a, b);
}
