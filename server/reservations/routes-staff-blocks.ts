import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import { ID_PATTERN } from '../../protocol/index.ts';
import { errorResponses } from '../core/http/errors.ts';
import { ReservationError } from './errors.ts';
import type { StaffReservationOptions } from './routes-staff.ts';
import { WindowFields } from './schemas.ts';
import { addDays, isDate, parseHhmm, resolveLocal } from './time.ts';

const iso = (ms: number) => new Date(ms).toISOString();
const Id = Type.Object({ id: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const BlockBody = Type.Object(
  {
    lot_id: Type.String({ pattern: ID_PATTERN, maxLength: 64 }),
    camera_id: Type.Optional(Type.String({ pattern: ID_PATTERN, maxLength: 64 })),
    slot_id: Type.Optional(Type.String({ pattern: ID_PATTERN, maxLength: 64 })),
    date: WindowFields.date,
    to_date: Type.Optional(WindowFields.date),
    start: Type.Optional(WindowFields.start),
    end: Type.Optional(WindowFields.end),
    reason: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

/** Staff blocks and camera-loop events under /api/v1/staff/reservations (same access rules as bookings). */
export const staffBlockRoutes: FastifyPluginAsyncTypebox<StaffReservationOptions> = async (app, o) => {
  const { service, access, config } = o;
  const tz = config.timezone;
  const viewer = access.require('viewer');
  const operator = access.require('operator');
  const schema = <T extends object>(s: T) => ({ tags: ['staff'], security: access.security, ...s });
  const noStore = { cacheControl: 'no-store' };

  const BlockSchema = Type.Object({
    id: Type.Integer(),
    lot_id: Type.String(),
    camera_id: Nullable(Type.String()),
    slot_id: Nullable(Type.String()),
    start_at: Type.String({ format: 'date-time' }),
    end_at: Type.String({ format: 'date-time' }),
    reason: Nullable(Type.String()),
    created_by: Type.String(),
  });

  app.get(
    '/blocks',
    {
      preHandler: viewer,
      schema: schema({ summary: 'Current and future blocks', response: { 200: Type.Array(BlockSchema) } }),
      config: noStore,
    },
    async () =>
      (await service.store.blocks(o.clock.now())).map((b) => ({
        id: b.id,
        lot_id: b.lot_id,
        camera_id: b.camera_id,
        slot_id: b.slot_id,
        start_at: iso(b.start_at)!,
        end_at: iso(b.end_at)!,
        reason: b.reason,
        created_by: b.created_by,
      })),
  );

  app.post(
    '/blocks',
    {
      preHandler: operator,
      schema: schema({
        summary: 'Block a slot or the whole lot for days or hours (new bookings only)',
        body: BlockBody,
        response: {
          201: Type.Object({ id: Type.Integer(), overlapping_bookings: Type.Integer() }),
          ...errorResponses(400, 401, 403, 404),
        },
      }),
      config: noStore,
    },
    async (req, reply) => {
      const b = req.body;
      const w = blockWindow(b, tz);
      service.rulesOf(b.lot_id);
      if ((b.camera_id === undefined) !== (b.slot_id === undefined))
        throw new ReservationError(400, 'VOLNO_RESERVATION_INVALID', 'give both camera_id and slot_id, or neither');
      if (
        b.slot_id !== undefined &&
        !service.reservableSlots(b.lot_id).some((s) => s.cameraId === b.camera_id && s.slotId === b.slot_id)
      )
        throw new ReservationError(404, 'VOLNO_RESERVATION_NOT_FOUND', 'that slot is not reservable in this lot');
      const id = await service.store.insertBlock({
        lotId: b.lot_id,
        cameraId: b.camera_id ?? null,
        slotId: b.slot_id ?? null,
        startAt: w.start,
        endAt: w.end,
        reason: b.reason ?? null,
        createdBy: req.staff!.username,
        now: o.clock.now(),
      });
      const overlapping = (await service.store.list({ lotId: b.lot_id, from: w.start, to: w.end, limit: 5000 })).filter(
        (x) =>
          (x.status === 'confirmed' || x.status === 'checked_in') &&
          (b.slot_id === undefined || (x.cameraId === b.camera_id && x.slotId === b.slot_id)),
      ).length;
      await access.audit(req, 'reservations.block', `block:${id}`, { lot_id: b.lot_id, slot_id: b.slot_id ?? null });
      void reply.code(201);
      return { id, overlapping_bookings: overlapping };
    },
  );

  app.delete(
    '/blocks/:id',
    {
      preHandler: operator,
      schema: schema({
        summary: 'Remove a block',
        params: Id,
        response: { 204: Type.Null(), ...errorResponses(401, 403, 404) },
      }),
    },
    async (req, reply) => {
      if (!(await service.store.deleteBlock(req.params.id)))
        throw new ReservationError(404, 'VOLNO_RESERVATION_NOT_FOUND', 'no such block');
      await access.audit(req, 'reservations.unblock', `block:${req.params.id}`);
      return reply.code(204).send(null);
    },
  );

  const EventSchema = Type.Object({
    id: Type.Integer(),
    at: Type.String({ format: 'date-time' }),
    kind: Type.String(),
    lot_id: Type.String(),
    camera_id: Type.String(),
    slot_id: Type.String(),
    booking_id: Nullable(Type.Integer()),
    detail: Nullable(Type.String()),
    resolved_at: Nullable(Type.String({ format: 'date-time' })),
  });

  app.get(
    '/events',
    {
      preHandler: viewer,
      schema: schema({
        summary: 'Camera-loop events: check-ins, no-shows and alerts',
        querystring: Type.Object(
          {
            alerts: Type.Boolean({ default: false }),
            limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(EventSchema) },
      }),
      config: noStore,
    },
    async (req) => await o.events.list({ alertsOnly: req.query.alerts, limit: req.query.limit }),
  );

  app.post(
    '/events/:id/resolve',
    {
      preHandler: operator,
      schema: schema({
        summary: 'Mark an alert as dealt with',
        params: Id,
        response: { 204: Type.Null(), ...errorResponses(401, 403, 404) },
      }),
    },
    async (req, reply) => {
      if (!(await o.events.resolve(req.params.id, o.clock.now())))
        throw new ReservationError(404, 'VOLNO_RESERVATION_NOT_FOUND', 'no open alert with that id');
      await access.audit(req, 'reservations.resolve_alert', `event:${req.params.id}`);
      return reply.code(204).send(null);
    },
  );
};

function blockWindow(b: Static<typeof BlockBody>, tz: string): { start: number; end: number } {
  const last = b.to_date ?? b.date;
  if (!isDate(b.date) || !isDate(last) || last < b.date)
    throw new ReservationError(
      400,
      'VOLNO_RESERVATION_INVALID',
      'date and to_date must be dates, to_date not before date',
    );
  const startMin = b.start === undefined ? 0 : parseHhmm(b.start);
  const endMin = b.end === undefined ? 1440 : parseHhmm(b.end);
  if (startMin === undefined || endMin === undefined)
    throw new ReservationError(400, 'VOLNO_RESERVATION_INVALID', 'times must be HH:MM');
  const start = resolveLocal(b.date, startMin, tz).ms;
  const end = endMin === 1440 ? resolveLocal(addDays(last, 1), 0, tz).ms : resolveLocal(last, endMin, tz).ms;
  if (end <= start) throw new ReservationError(400, 'VOLNO_RESERVATION_INVALID', 'the block ends before it starts');
  return { start, end };
}
