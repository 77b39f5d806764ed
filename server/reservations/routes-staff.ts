import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import { ID_PATTERN } from '../../protocol/index.ts';
import type { StaffAccess } from '../core/access.ts';
import type { Clock } from '../core/clock.ts';
import type { ReservationsConfig } from './config.ts';
import { errorResponses } from '../core/http/errors.ts';
import { csvRow } from './csv.ts';
import { PersonFields, WindowFields } from './schemas.ts';
import type { ReservationService } from './service.ts';
import { BOOKING_STATUSES, type Booking } from './store.ts';
import { addDays, isDate, resolveLocal } from './time.ts';
import { manageBase, origin } from './views.ts';
import type { EventsStore } from './events.ts';

export interface StaffReservationOptions {
  service: ReservationService;
  events: EventsStore;
  access: StaffAccess;
  config: ReservationsConfig;
  clock: Clock;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const Id = Type.Object({ id: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const StaffBookingSchema = Type.Object(
  {
    id: Type.Integer(),
    code: Type.String(),
    status: Type.Enum(BOOKING_STATUSES),
    lot_id: Type.String(),
    camera_id: Type.String(),
    slot_id: Type.String(),
    start_at: Type.String({ format: 'date-time' }),
    end_at: Type.String({ format: 'date-time' }),
    name: Nullable(Type.String()),
    email: Nullable(Type.String()),
    plate: Nullable(Type.String()),
    created_by: Type.String(),
    created_at: Type.String({ format: 'date-time' }),
    checked_in_at: Nullable(Type.String({ format: 'date-time' })),
    released_at: Nullable(Type.String({ format: 'date-time' })),
    cancelled_at: Nullable(Type.String({ format: 'date-time' })),
    purged: Type.Boolean(),
  },
  { additionalProperties: false, title: 'Booking (staff)' },
);

export const staffView = (b: Booking): Static<typeof StaffBookingSchema> => ({
  id: b.id,
  code: b.code,
  status: b.status,
  lot_id: b.lotId,
  camera_id: b.cameraId,
  slot_id: b.slotId,
  start_at: iso(b.startAt)!,
  end_at: iso(b.endAt)!,
  name: b.name,
  email: b.email,
  plate: b.plate,
  created_by: b.createdBy,
  created_at: iso(b.createdAt)!,
  checked_in_at: iso(b.checkedInAt),
  released_at: iso(b.releasedAt),
  cancelled_at: iso(b.cancelledAt),
  purged: b.purgedAt !== null,
});

export const ListQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 100, description: 'Code, name, e-mail or plate contains.' })),
    lot_id: Type.Optional(Type.String({ pattern: ID_PATTERN, maxLength: 64 })),
    status: Type.Optional(Type.Enum(BOOKING_STATUSES)),
    date: Type.Optional(Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: 'Local day.' })),
    limit: Type.Integer({ minimum: 1, maximum: 5000, default: 200 }),
  },
  { additionalProperties: false },
);
export type ListQuery = Static<typeof ListQuery>;

/** Staff API for bookings under /api/v1/staff/reservations: every route needs a role, every change is audited. */
export const staffReservationRoutes: FastifyPluginAsyncTypebox<StaffReservationOptions> = async (app, o) => {
  const { service, access, config } = o;
  const tz = config.timezone;
  const viewer = access.require('viewer');
  const operator = access.require('operator');
  // Every visitor's name, e-mail and plate in one file: an admin right, and audited (issue 13, finding 8).
  const admin = access.require('admin');
  const schema = <T extends object>(s: T) => ({ tags: ['staff'], security: access.security, ...s });
  const noStore = { cacheControl: 'no-store' };

  app.get(
    '/bookings',
    {
      preHandler: viewer,
      schema: schema({
        summary: 'List and search bookings',
        querystring: ListQuery,
        response: { 200: Type.Array(StaffBookingSchema), ...errorResponses(401, 403) },
      }),
      config: noStore,
    },
    async (req) => (await list(service, req.query, tz)).map(staffView),
  );

  app.get(
    '/bookings.csv',
    {
      preHandler: admin,
      schema: schema({
        summary: 'Export bookings as CSV (admin; audited)',
        querystring: ListQuery,
        produces: ['text/csv'],
      }),
      config: noStore,
    },
    async (req, reply) => {
      const rows = (await list(service, req.query, tz)).map(staffView);
      await access.audit(req, 'reservations.export', 'bookings', { rows: rows.length });
      const cols = Object.keys(StaffBookingSchema.properties) as (keyof Static<typeof StaffBookingSchema>)[];
      void reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="bookings.csv"');
      return (
        '\ufeff' + csvRow(cols) + rows.map((r) => csvRow(cols.map((c) => r[c] as string | number | null))).join('')
      );
    },
  );

  app.post(
    '/bookings',
    {
      preHandler: operator,
      schema: schema({
        summary: 'Book on someone’s behalf (no per-person limits; may name the slot)',
        body: Type.Object(
          {
            lot_id: Type.String({ pattern: ID_PATTERN, maxLength: 64 }),
            ...WindowFields,
            ...PersonFields,
            camera_id: Type.Optional(Type.String({ pattern: ID_PATTERN, maxLength: 64 })),
            slot_id: Type.Optional(Type.String({ pattern: ID_PATTERN, maxLength: 64 })),
            lang: Type.Optional(Type.Enum(['cs', 'en'] as const)),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({ booking: StaffBookingSchema, manage_url: Type.String() }),
          ...errorResponses(400, 401, 403, 404, 409, 422),
        },
      }),
      config: noStore,
    },
    async (req, reply) => {
      const b = req.body;
      const slot =
        b.camera_id !== undefined && b.slot_id !== undefined ? { cameraId: b.camera_id, slotId: b.slot_id } : undefined;
      const { booking, token } = await service.book(
        b.lot_id,
        { date: b.date, start: b.start, end: b.end },
        { name: b.name, email: b.email, ...(b.plate ? { plate: b.plate } : {}) },
        {
          lang: b.lang ?? config.web.default_language,
          by: `staff:${req.staff!.username}`,
          staff: slot ? { slot } : {},
        },
      );
      await access.audit(req, 'reservations.book', `booking:${booking.id}`, { lot_id: booking.lotId });
      void reply.code(201);
      return { booking: staffView(booking), manage_url: `${origin(req, config.smtp?.public_url)}${manageBase(token)}` };
    },
  );

  app.post(
    '/bookings/:id/cancel',
    {
      preHandler: operator,
      schema: schema({
        summary: 'Cancel a booking',
        params: Id,
        response: { 200: StaffBookingSchema, ...errorResponses(401, 403, 404, 409) },
      }),
      config: noStore,
    },
    async (req) => {
      const b = await service.cancel(await service.byId(req.params.id), { staff: true });
      await access.audit(req, 'reservations.cancel', `booking:${b.id}`);
      return staffView(b);
    },
  );
};

export function list(service: ReservationService, q: ListQuery, tz: string): Promise<Booking[]> {
  const day =
    q.date !== undefined && isDate(q.date)
      ? { from: resolveLocal(q.date, 0, tz).ms, to: resolveLocal(addDays(q.date, 1), 0, tz).ms }
      : {};
  return service.store.list({
    ...(q.lot_id !== undefined ? { lotId: q.lot_id } : {}),
    ...(q.status !== undefined ? { status: q.status } : {}),
    ...(q.q !== undefined ? { q: q.q.trim() } : {}),
    ...day,
    limit: q.limit,
  });
}
