import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { IdParam, LotParams } from '../core/availability/schemas.ts';
import type { AvailabilityReader } from '../core/availability/reader.ts';
import type { Clock } from '../core/clock.ts';
import { ApiError, errorResponses } from '../core/http/errors.ts';
import type { StaffAccess } from '../core/access.ts';
import type { Aggregates } from '../core/storage/aggregates.ts';
import type { SqlExecutor } from '../core/storage/sql/port.ts';
import { profile, toPoint } from './stats.ts';

export interface HistoryRoutesOptions {
  availability: AvailabilityReader;
  aggregates: Aggregates;
  sql: SqlExecutor;
  clock: Clock;
  access: StaffAccess;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const MAX_POINTS = 2000;

const PointSchema = Type.Object(
  {
    start: Type.String({ description: 'Hour start (RFC 3339, UTC) or local day (YYYY-MM-DD).' }),
    samples: Type.Integer(),
    occupancy_ratio: Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()], {
      description: 'occupied / (free + occupied); null when nothing was known.',
    }),
    free_avg: Type.Number(),
    occupied_avg: Type.Number(),
    unknown_avg: Type.Number(),
    free_min: Type.Integer(),
    free_max: Type.Integer(),
  },
  { additionalProperties: false },
);
const ProfileEntry = (key: string, description: string) =>
  Type.Object(
    {
      [key]: Type.Integer({ description }),
      samples: Type.Integer(),
      occupancy_ratio: Type.Union([Type.Number(), Type.Null()]),
    },
    { additionalProperties: false },
  );
const Time = Type.String({ format: 'date-time' });

function range(from: string | undefined, to: string | undefined, defaultSpan: number, now: number): [number, number] {
  const end = to === undefined ? now : Date.parse(to);
  const start = from === undefined ? end - defaultSpan : Date.parse(from);
  if (!Number.isFinite(start) || !Number.isFinite(end))
    throw new ApiError(400, 'VOLNO_BAD_REQUEST', 'from/to must be times');
  if (start >= end) throw new ApiError(400, 'VOLNO_BAD_REQUEST', 'from must be before to');
  return [start, end];
}

/** Occupancy history and statistics for charts; per-slot transitions for staff. */
export const historyRoutes: FastifyPluginAsyncTypebox<HistoryRoutesOptions> = async (app, o) => {
  const requireLot = (lotId: string) => {
    if (o.availability.catalog.lot(lotId) === undefined)
      throw new ApiError(404, 'VOLNO_LOT_NOT_FOUND', `no lot "${lotId}"`);
  };

  app.get(
    '/lots/:lot_id/history',
    {
      schema: {
        tags: ['history'],
        summary: 'Occupancy over time, hourly or daily',
        params: LotParams,
        querystring: Type.Object(
          {
            bucket: Type.Enum(['hour', 'day'] as const, { default: 'hour' }),
            from: Type.Optional(Time),
            to: Type.Optional(Time),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object(
            { lot_id: Type.String(), bucket: Type.String(), timezone: Type.String(), points: Type.Array(PointSchema) },
            { additionalProperties: false },
          ),
          ...errorResponses(400, 404),
        },
      },
    },
    async (req) => {
      const { lot_id: lotId } = req.params;
      requireLot(lotId);
      const { bucket } = req.query;
      const [from, to] = range(req.query.from, req.query.to, bucket === 'hour' ? DAY_MS : 30 * DAY_MS, o.clock.now());
      if ((to - from) / (bucket === 'hour' ? HOUR_MS : DAY_MS) > MAX_POINTS)
        throw new ApiError(400, 'VOLNO_BAD_REQUEST', `at most ${MAX_POINTS} ${bucket}s per request`);
      const rows =
        bucket === 'hour'
          ? await o.aggregates.hours(lotId, from, to)
          : await o.aggregates.days(lotId, o.aggregates.localDay(from), o.aggregates.localDay(to));
      return { lot_id: lotId, bucket, timezone: o.aggregates.timezone, points: rows.map(toPoint) };
    },
  );

  app.get(
    '/lots/:lot_id/stats',
    {
      schema: {
        tags: ['history'],
        summary: 'Typical occupancy by hour of day and weekday',
        params: LotParams,
        querystring: Type.Object(
          { days: Type.Integer({ minimum: 1, maximum: 366, default: 28 }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object(
            {
              lot_id: Type.String(),
              days: Type.Integer(),
              timezone: Type.String(),
              by_hour: Type.Array(ProfileEntry('hour', 'Local hour, 0–23.')),
              by_weekday: Type.Array(ProfileEntry('weekday', 'ISO weekday, 1 = Monday.')),
              peak_hour: Type.Union([Type.Integer(), Type.Null()]),
            },
            { additionalProperties: false },
          ),
          ...errorResponses(400, 404),
        },
      },
    },
    async (req) => {
      const { lot_id: lotId } = req.params;
      requireLot(lotId);
      const now = o.clock.now();
      const hours = await o.aggregates.hours(lotId, now - req.query.days * DAY_MS, now + 1);
      return {
        lot_id: lotId,
        days: req.query.days,
        timezone: o.aggregates.timezone,
        ...profile(hours, o.aggregates.timezone),
      };
    },
  );

  app.get(
    '/slots/:camera_id/:slot_id/transitions',
    {
      preHandler: o.access.require('viewer'),
      schema: {
        tags: ['staff'],
        summary: 'State changes of one slot (staff)',
        security: o.access.security,
        params: Type.Object(
          { camera_id: IdParam('Camera id'), slot_id: IdParam('Slot id') },
          { additionalProperties: false },
        ),
        querystring: Type.Object(
          {
            from: Type.Optional(Time),
            to: Type.Optional(Time),
            limit: Type.Integer({ minimum: 1, maximum: 5000, default: 500 }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object(
            {
              camera_id: Type.String(),
              slot_id: Type.String(),
              transitions: Type.Array(
                Type.Object(
                  {
                    from_state: Type.Union([Type.String(), Type.Null()]),
                    to_state: Type.String(),
                    reason: Type.Union([Type.String(), Type.Null()]),
                    at: Time,
                    source: Type.String(),
                  },
                  { additionalProperties: false },
                ),
              ),
            },
            { additionalProperties: false },
          ),
          ...errorResponses(400, 401, 403, 404),
        },
      },
    },
    async (req) => {
      const { camera_id: cameraId, slot_id: slotId } = req.params;
      const exists = await o.sql.one('SELECT 1 AS found FROM slots WHERE camera_id = $1 AND slot_id = $2', [
        cameraId,
        slotId,
      ]);
      if (exists === undefined) throw new ApiError(404, 'VOLNO_SLOT_NOT_FOUND', `no slot "${cameraId}/${slotId}"`);
      const [from, to] = range(req.query.from, req.query.to, 7 * DAY_MS, o.clock.now() + 1);
      const rows = await o.sql.all<{
        from_state: string | null;
        to_state: string;
        reason: string | null;
        at: number;
        source: string;
      }>(
        `SELECT from_state, to_state, reason, at, source FROM transitions
         WHERE camera_id = $1 AND slot_id = $2 AND at >= $3 AND at < $4 ORDER BY at DESC, id DESC LIMIT $5`,
        [cameraId, slotId, from, to, req.query.limit],
      );
      return {
        camera_id: cameraId,
        slot_id: slotId,
        transitions: rows.map((r) => ({ ...r, at: new Date(r.at).toISOString() })),
      };
    },
  );
};
