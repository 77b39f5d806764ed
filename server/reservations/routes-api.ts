import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ReservationsConfig } from './config.ts';
import { errorResponses } from '../core/http/errors.ts';
import { bookingIcs } from './ics.ts';
import { fill, R } from './i18n.ts';
import { openingOf } from './rules.ts';
import { localParts } from './time.ts';
import {
  BookBody,
  BookingSchema,
  CreatedSchema,
  ModifyBody,
  OptionsQuery,
  OptionsSchema,
  TokenParams,
} from './schemas.ts';
import type { ReservationService } from './service.ts';
import { bookingView, manageBase, origin, qrSvg } from './views.ts';
import type { Booking } from './store.ts';
import type { Clock } from '../core/clock.ts';
import { ReservationError } from './errors.ts';
import { sameSecret, type CitizenLookup } from './identity.ts';

export interface ReservationApiOptions {
  service: ReservationService;
  config: ReservationsConfig;
  clock: Clock;
  /** The signed-in citizen of a request (identity `oidc` lots). */
  citizen?: CitizenLookup;
}

const PendingSchema = Type.Object(
  {
    code: Type.String(),
    status: Type.Literal('pending'),
    pending_until: Type.String({
      format: 'date-time',
      description: 'The space is held until then; the link mailed to the address confirms the booking.',
    }),
  },
  { additionalProperties: false, title: 'Pending booking' },
);

const iso = (ms: number) => new Date(ms).toISOString();
const NO_STORE = { cacheControl: 'no-store' };

/**
 * The public booking API under /api/v1/reservations. Everything about one booking is reached
 * only through its secret manage token; nothing here lists or reveals other people's bookings.
 */
export const reservationApiRoutes: FastifyPluginAsyncTypebox<ReservationApiOptions> = async (app, o) => {
  const { service, config } = o;
  const publicUrl = config.smtp?.public_url;

  app.get(
    '/reservations/lots',
    {
      schema: {
        tags: ['reservations'],
        summary: 'Lots that take bookings, with their rules',
        response: {
          200: Type.Array(
            Type.Object({
              lot_id: Type.String(),
              reservable: Type.Integer(),
              granularity_min: Type.Integer(),
              min_duration_min: Type.Integer(),
              max_duration_min: Type.Integer(),
              horizon_days: Type.Integer(),
              lead_time_min: Type.Integer(),
              grace_min: Type.Integer(),
              cancel_cutoff_min: Type.Integer(),
              opening_today: Type.Array(Type.String()),
            }),
          ),
        },
      },
    },
    async () => {
      // A DateTimeFormat per request cost ~150 µs; localParts keeps one per zone.
      const today = localParts(o.clock.now(), config.timezone).date;
      return service.lots().map(({ lotId, rules: r }) => ({
        lot_id: lotId,
        reservable: service.reservableSlots(lotId).length,
        granularity_min: r.granularity_min,
        min_duration_min: r.min_duration_min,
        max_duration_min: r.max_duration_min,
        horizon_days: r.horizon_days,
        lead_time_min: r.lead_time_min,
        grace_min: r.grace_min,
        cancel_cutoff_min: r.cancel_cutoff_min,
        opening_today: openingOf(r, today),
      }));
    },
  );

  app.get(
    '/reservations/options',
    {
      schema: {
        tags: ['reservations'],
        summary: 'How many spaces can be reserved for a window',
        querystring: OptionsQuery,
        response: { 200: OptionsSchema, ...errorResponses(400, 404, 422) },
      },
      config: NO_STORE,
    },
    async (req) => {
      const { lot_id, ...w } = req.query;
      const r = await service.options(lot_id, w);
      return {
        lot_id,
        start_at: iso(r.window.startMs),
        end_at: iso(r.window.endMs),
        reservable: r.reservable,
        available: r.available,
      };
    },
  );

  app.post(
    '/reservations',
    {
      schema: {
        tags: ['reservations'],
        summary: 'Book a space',
        description:
          'Checks the rules, the per-person limits and the capacity and inserts the booking in one transaction. 409 VOLNO_RESERVATION_FULL when no space is left. The manage token in the answer is shown only once.',
        body: BookBody,
        response: { 201: CreatedSchema, 202: PendingSchema, ...errorResponses(400, 401, 403, 404, 409, 422, 429) },
      },
      // Per-address and per-subnet booking budget, 429 past it (server/core/http/rate-limit.ts).
      config: { ...NO_STORE, rateLimit: 'booking' },
    },
    async (req, reply) => {
      const { lot_id, date, start, end, name, email, plate, lang } = req.body;
      // An `oidc` lot: the citizen's session cookie plus its CSRF token as x-csrf-token.
      const citizen =
        service.lots().find((l) => l.lotId === lot_id)?.rules.identity === 'oidc' ? await o.citizen?.(req) : undefined;
      if (citizen !== undefined && !sameSecret(req.headers['x-csrf-token'], citizen.csrfToken))
        throw new ReservationError(403, 'VOLNO_RESERVATION_SIGN_IN', 'send the session’s CSRF token as x-csrf-token');
      const { booking, token } = await service.bookBatched(
        lot_id,
        { date, start, end },
        { name, email, ...(plate ? { plate } : {}) },
        {
          lang: lang ?? config.web.default_language,
          by: 'public',
          ...(citizen !== undefined ? { subjectKey: citizen.subjectKey } : {}),
        },
      );
      // Identity `email`: the token travels only by mail, so this answer does not carry it.
      if (booking.pendingUntil !== null) {
        void reply.code(202);
        return { code: booking.code, status: 'pending' as const, pending_until: iso(booking.pendingUntil) };
      }
      void reply.code(201);
      return {
        ...bookingView(booking, token, service),
        manage_token: token,
        manage_url: `${origin(req, publicUrl)}${manageBase(token)}`,
      };
    },
  );

  const manage = { tags: ['reservations'], params: TokenParams };

  app.get(
    '/reservations/manage/:token',
    {
      schema: { ...manage, summary: 'Your booking', response: { 200: BookingSchema, ...errorResponses(404) } },
      config: NO_STORE,
    },
    async (req) => bookingView(await service.byToken(req.params.token), req.params.token, service),
  );

  app.patch(
    '/reservations/manage/:token',
    {
      schema: {
        ...manage,
        summary: 'Change the window (until the cut-off)',
        body: ModifyBody,
        response: { 200: BookingSchema, ...errorResponses(400, 404, 409, 422) },
      },
      config: NO_STORE,
    },
    async (req) => bookingView(await service.modify(req.params.token, req.body), req.params.token, service),
  );

  app.delete(
    '/reservations/manage/:token',
    {
      schema: {
        ...manage,
        summary: 'Cancel (until the cut-off)',
        response: { 200: BookingSchema, ...errorResponses(404, 409) },
      },
      config: NO_STORE,
    },
    async (req) =>
      bookingView(
        await service.cancel(await service.byToken(req.params.token), { staff: false }),
        req.params.token,
        service,
      ),
  );

  app.get(
    '/reservations/manage/:token/booking.ics',
    {
      schema: { ...manage, summary: 'The booking as an iCalendar file', produces: ['text/calendar'] },
      config: NO_STORE,
    },
    async (req, reply) => {
      const b = await service.byToken(req.params.token);
      void reply
        .type('text/calendar; charset=utf-8')
        .header('content-disposition', `attachment; filename="parking-${b.code}.ics"`);
      return icsOf(b, `${origin(req, publicUrl)}${manageBase(req.params.token)}`, o);
    },
  );

  app.get(
    '/reservations/manage/:token/qr.svg',
    {
      schema: { ...manage, summary: 'QR code of the manage link (SVG)', produces: ['image/svg+xml'] },
      config: NO_STORE,
    },
    async (req, reply) => {
      await service.byToken(req.params.token);
      void reply
        .type('image/svg+xml')
        .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'");
      return qrSvg(`${origin(req, publicUrl)}${manageBase(req.params.token)}`);
    },
  );
};

function icsOf(b: Booking, link: string, o: ReservationApiOptions): string {
  const s = R[b.lang];
  const lot = o.config.lots.find((l) => l.lot_id === b.lotId);
  const name = (b.lang === 'en' ? lot?.name_en : undefined) ?? lot?.name ?? b.lotId;
  return bookingIcs({
    code: b.code,
    startAt: b.startAt,
    endAt: b.endAt,
    summary: fill(s.mailSubject, { code: b.code }),
    location: lot?.address ? `${name}, ${lot.address}` : name,
    description: `${s.code}: ${b.code}\n${fill(s.mailManage, { url: link })}`,
    cancelled: b.status === 'cancelled',
    now: o.clock.now(),
  });
}
