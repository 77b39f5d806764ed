import { readFileSync } from 'node:fs';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Clock } from '../core/clock.ts';
import type { Language } from '../core/config/schema.ts';
import type { ReservationsConfig } from './config.ts';
import { ApiError } from '../core/http/errors.ts';
import { pageLanguage } from '../core/web/i18n.ts';
import { R } from './i18n.ts';
import { bookForm, errorBox, managePage, searchForm, shell } from './pages.ts';
import { beforeCutoff } from './rules.ts';
import { sameSecret, type CitizenLookup } from './identity.ts';
import { checkMailBody, confirmBox, signedInBox, signInBox } from './identity-pages.ts';
import { I } from './identity-i18n.ts';
import { TokenParams } from './schemas.ts';
import type { ReservationService } from './service.ts';
import { MINUTE_MS } from './time.ts';
import { manageBase, origin } from './views.ts';
import { expectedBox, type UsuallySource } from './expected.ts';
import { sendAsset, staticAsset } from '../../kit/static-assets.ts';

export interface ReservationPagesOptions {
  service: ReservationService;
  config: ReservationsConfig;
  clock: Clock;
  /** The signed-in citizen of a request (identity `oidc` lots); absent without identity.citizen. */
  citizen?: CitizenLookup;
  /** Typical free spaces from the stored history, for the estimate beside a searched window. */
  usually?: UsuallySource;
}

const CSS = staticAsset(readFileSync(new URL('./reserve.css', import.meta.url)), 'text/css; charset=utf-8');
const CSS_URL = `/reserve/assets/reserve.css?v=${CSS.etag.slice(1, 9)}`;
const CSP =
  "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
  "base-uri 'none'; form-action 'self'; object-src 'none'; frame-ancestors 'none'";

const Lang = { lang: Type.Optional(Type.Enum(['cs', 'en'] as const)) };
const loose = (pattern: string) => Type.Optional(Type.String({ maxLength: 300, pattern }));
const SearchQuery = Type.Object(
  {
    ...Lang,
    lot_id: loose('^[A-Za-z0-9_-]*$'),
    date: loose('^[0-9-]*$'),
    start: loose('^[0-9:]*$'),
    end: loose('^[0-9:]*$'),
  },
  { additionalProperties: false },
);
/** Form posts are validated by the service with readable messages, not by schema 400s. */
const FormBody = Type.Record(Type.String(), Type.String({ maxLength: 400 }));

/**
 * The public booking pages: plain HTML forms that work without JavaScript (the CSP allows none),
 * the same look for Czech and English. Only the visitor's own booking is ever shown, and only
 * through its secret link; no camera image is served here.
 */
export const reservationPageRoutes: FastifyPluginAsyncTypebox<ReservationPagesOptions> = async (app, o) => {
  const { service, config } = o;
  const hide = { hide: true, tags: ['web'] };

  const language = (req: Parameters<typeof pageLanguage>[0], reply: FastifyReply): Language =>
    pageLanguage(req, reply, config.web.default_language);
  const send = (reply: FastifyReply, status: number, html: string) =>
    reply
      .code(status)
      .type('text/html; charset=utf-8')
      .header('content-security-policy', CSP)
      .header('cache-control', 'no-store')
      .header('vary', 'Accept-Language, Cookie')
      .send(html);
  const lotName = (lotId: string, lang: Language) => {
    const l = config.lots.find((x) => x.lot_id === lotId);
    return (lang === 'en' ? l?.name_en : undefined) ?? l?.name ?? lotId;
  };
  const lots = (lang: Language) => service.lots().map((l) => ({ lotId: l.lotId, name: lotName(l.lotId, lang) }));
  const stepOf = (lotId: string | undefined) =>
    service.lots().find((l) => l.lotId === lotId)?.rules.granularity_min ?? 15;
  const modeOf = (lotId: string) => service.lots().find((l) => l.lotId === lotId)?.rules.identity;
  const citizenOf = (req: FastifyRequest) => o.citizen?.(req);
  const message = (err: unknown) => {
    if (err instanceof ApiError && err.statusCode < 500)
      return { status: err.statusCode, text: err.message, details: err.details ?? [] };
    throw err;
  };

  app.get('/reserve/assets/reserve.css', { schema: { hide: true } }, async (req, reply) =>
    sendAsset(req, reply, CSS, 'public, max-age=31536000, immutable'),
  );

  const searchPage = (
    lang: Language,
    q: { lot_id?: string; date?: string; start?: string; end?: string },
    extra: string,
  ) => {
    const s = R[lang];
    const all = lots(lang);
    const path = `/reserve${q.lot_id ? `?lot_id=${encodeURIComponent(q.lot_id)}` : ''}`;
    const body =
      all.length === 0
        ? `<p>${s.noLots}</p>`
        : searchForm(
            lang,
            { lots: all, lotId: q.lot_id, date: q.date, start: q.start, end: q.end },
            stepOf(q.lot_id ?? all[0]?.lotId),
          ) + extra;
    return shell({ lang, title: s.title, path, css: CSS_URL }, body);
  };

  app.get(
    '/reserve',
    { schema: { ...hide, summary: 'Booking page', querystring: SearchQuery } },
    async (req, reply) => {
      const lang = language(req, reply);
      const q = req.query;
      if (!q.lot_id || !q.date || !q.start || !q.end) return send(reply, 200, searchPage(lang, q, ''));
      try {
        const r = await service.options(q.lot_id, { date: q.date, start: q.start, end: q.end });
        const citizen = modeOf(q.lot_id) === 'oidc' ? await citizenOf(req) : undefined;
        if (modeOf(q.lot_id) === 'oidc' && citizen === undefined && r.available > 0)
          return send(reply, 200, searchPage(lang, q, signInBox(lang, q)));
        const form = bookForm(lang, {
          lotId: q.lot_id,
          date: q.date,
          start: q.start,
          end: q.end,
          available: r.available,
          purgeDays: config.privacy.purge_after_days,
          ...(citizen !== undefined ? { email: citizen.email, hidden: csrfField(citizen.csrfToken) } : {}),
          ...(o.usually !== undefined
            ? {
                note: await expectedBox(lang, o.usually, { lotId: q.lot_id, date: q.date, start: q.start, end: q.end }),
              }
            : {}),
        });
        return send(
          reply,
          200,
          searchPage(
            lang,
            q,
            `<section aria-labelledby="result">${form.replace('<p class="result"', '<p id="result" class="result"')}</section>` +
              (citizen !== undefined ? signedInBox(lang, citizen.csrfToken) : ''),
          ),
        );
      } catch (err) {
        const m = message(err);
        return send(reply, m.status, searchPage(lang, q, errorBox(lang, m.text, m.details)));
      }
    },
  );

  app.post(
    '/reserve/book',
    {
      schema: { ...hide, summary: 'Booking form post', querystring: Type.Object(Lang), body: FormBody },
      config: {
        rateLimit: 'booking',
        rateLimitPage: (req, reply, seconds) => {
          const lang = language(req as Parameters<typeof language>[0], reply);
          const f = req.body as Record<string, string | undefined>;
          const q = { lot_id: f['lot_id'] ?? '', date: f['date'] ?? '', start: f['start'] ?? '', end: f['end'] ?? '' };
          const minutes = Math.ceil(seconds / 60);
          const text =
            lang === 'cs'
              ? `Z vaší adresy přišlo příliš mnoho rezervací. Zkuste to znovu za ${minutes} min.`
              : `Too many bookings from your address. Try again in ${minutes} min.`;
          return send(reply, 429, searchPage(lang, q, errorBox(lang, text)));
        },
      },
    },
    async (req, reply) => {
      const lang = language(req, reply);
      const f = req.body;
      const q = { lot_id: f['lot_id'] ?? '', date: f['date'] ?? '', start: f['start'] ?? '', end: f['end'] ?? '' };
      const again = (status: number, text: string, details: string[] = []) => {
        const form = bookForm(lang, {
          lotId: q.lot_id,
          date: q.date,
          start: q.start,
          end: q.end,
          available: 1,
          purgeDays: config.privacy.purge_after_days,
          name: f['name'],
          email: f['email'],
          plate: f['plate'],
          ...(citizen !== undefined ? { hidden: csrfField(citizen.csrfToken) } : {}),
        });
        return send(reply, status, searchPage(lang, q, errorBox(lang, text, details) + form));
      };
      // An `oidc` lot books only for a signed-in citizen, with their session's CSRF token.
      const citizen = modeOf(q.lot_id) === 'oidc' ? await citizenOf(req) : undefined;
      if (modeOf(q.lot_id) === 'oidc') {
        if (citizen === undefined) return send(reply, 401, searchPage(lang, q, signInBox(lang, q)));
        if (!sameSecret(f['csrf_token'], citizen.csrfToken))
          return send(reply, 403, searchPage(lang, q, errorBox(lang, 'CSRF token missing or wrong; reload the page')));
      }
      const person = checkPerson(f);
      if (typeof person === 'string') return again(400, person);
      if (f['consent'] !== 'yes')
        return again(400, lang === 'cs' ? 'Bez souhlasu nelze rezervovat.' : 'Booking needs your consent.');
      try {
        const { booking, token } = await service.bookBatched(q.lot_id, q, person, {
          lang,
          by: 'public',
          ...(citizen !== undefined ? { subjectKey: citizen.subjectKey } : {}),
        });
        // Identity `email`: the manage link goes only to the mailbox; this browser must not see it.
        if (booking.pendingUntil !== null)
          return send(
            reply,
            202,
            shell(
              { lang, title: I[lang].checkMail, path: '/reserve', css: CSS_URL },
              checkMailBody(lang, booking, config.timezone),
            ),
          );
        return reply
          .code(303)
          .header('cache-control', 'no-store')
          .redirect(`${manageBase(token)}?lang=${lang}`, 303);
      } catch (err) {
        const m = message(err);
        if (m.status === 409 && /FULL/.test((err as ApiError).code))
          return send(reply, 409, searchPage(lang, q, errorBox(lang, m.text)));
        return again(m.status, m.text, m.details);
      }
    },
  );

  const manageHtml = async (req: FastifyRequest, lang: Language, token: string, extra = '') => {
    const b = await service.byToken(token);
    const r = service.rulesOf(b.lotId);
    const now = o.clock.now();
    const slot = service.reservableSlots(b.lotId).find((x) => x.cameraId === b.cameraId && x.slotId === b.slotId);
    const s = R[lang];
    const pending = b.pendingUntil !== null && b.status === 'confirmed';
    return shell(
      {
        lang,
        title: pending ? I[lang].checkMail : b.status === 'confirmed' ? s.confirmed : s.yourBooking,
        path: manageBase(token),
        css: CSS_URL,
      },
      extra +
        (pending ? confirmBox(lang, b, manageBase(token), config.timezone) : '') +
        managePage(lang, {
          booking: b,
          token,
          lotName: lotName(b.lotId, lang),
          slotLabel: slot?.label ?? b.slotId,
          tz: config.timezone,
          changeable: beforeCutoff(r, b.startAt, now),
          cutoffAt: b.startAt - r.cancel_cutoff_min * MINUTE_MS,
          noShowAt: b.startAt + r.grace_min * MINUTE_MS,
          manageUrl: `${origin(req, config.smtp?.public_url)}${manageBase(token)}`,
          step: r.granularity_min,
        }),
    );
  };
  const notFound = (lang: Language, reply: FastifyReply) =>
    send(
      reply,
      404,
      shell(
        { lang, title: R[lang].notFound, path: '/reserve', css: CSS_URL },
        `<p><a href="/reserve?lang=${lang}">${R[lang].back}</a></p>`,
      ),
    );

  app.get(
    '/reserve/manage/:token',
    { schema: { ...hide, summary: 'Manage page', params: TokenParams, querystring: Type.Object(Lang) } },
    async (req, reply) => {
      const lang = language(req, reply);
      try {
        return send(reply, 200, await manageHtml(req, lang, req.params.token));
      } catch (err) {
        if (message(err).status === 404) return notFound(lang, reply);
        throw err;
      }
    },
  );

  for (const action of ['cancel', 'modify', 'confirm'] as const) {
    app.post(
      `/reserve/manage/:token/${action}`,
      {
        schema: {
          ...hide,
          summary: `Manage: ${action}`,
          params: TokenParams,
          querystring: Type.Object(Lang),
          body: Type.Optional(FormBody),
        },
      },
      async (req, reply) => {
        const lang = language(req, reply);
        const token = req.params.token;
        try {
          if (action === 'cancel') await service.cancel(await service.byToken(token), { staff: false });
          else if (action === 'confirm') await service.confirm(token);
          else {
            const f = req.body ?? {};
            await service.modify(token, { date: f['date'] ?? '', start: f['start'] ?? '', end: f['end'] ?? '' });
          }
          return reply
            .code(303)
            .header('cache-control', 'no-store')
            .redirect(`${manageBase(token)}?lang=${lang}`, 303);
        } catch (err) {
          const m = message(err);
          if (m.status === 404) return notFound(lang, reply);
          return send(reply, m.status, await manageHtml(req, lang, token, errorBox(lang, m.text, m.details)));
        }
      },
    );
  }
};

/** Name, e-mail and plate from a form, or a message saying what is wrong. */
function checkPerson(f: Record<string, string>): { name: string; email: string; plate?: string } | string {
  const name = (f['name'] ?? '').trim();
  const email = (f['email'] ?? '').trim();
  const plate = (f['plate'] ?? '').trim();
  if (name.length < 1 || name.length > 100) return 'name: 1–100 characters';
  if (email.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) return 'e-mail: not an address';
  if (plate !== '' && !/^[A-Za-z0-9 -]{2,12}$/.test(plate)) return 'plate: letters, digits, spaces, dashes';
  return { name, email, ...(plate !== '' ? { plate } : {}) };
}

const csrfField = (token: string) => `<input type="hidden" name="csrf_token" value="${token}">`;
