import { readFileSync } from 'node:fs';
import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { StaffAccess } from '../core/access.ts';
import type { Clock } from '../core/clock.ts';
import type { SqlExecutor } from '../core/storage/sql/port.ts';
import type { ReservationsConfig } from './config.ts';
import type { Reservations } from './index.ts';
import type { CitizenLookup } from './identity.ts';
import { STAFF_CSP } from '../core/web/staff-layout.ts';
import { EventsStore } from './events.ts';
import { reservationApiRoutes } from './routes-api.ts';
import { reservationPageRoutes } from './routes-pages.ts';
import type { UsuallySource } from './expected.ts';
import { staffBlockRoutes } from './routes-staff-blocks.ts';
import { list, staffReservationRoutes, type ListQuery } from './routes-staff.ts';
import { staffBookingsPage } from './staff-page.ts';
import { sendAsset, staticAsset } from '../../kit/static-assets.ts';

const JS = staticAsset(readFileSync(new URL('./staff-bookings.js', import.meta.url)), 'text/javascript; charset=utf-8');
const JS_URL = `/staff/assets/bookings.js?v=${JS.etag.slice(1, 9)}`;

export interface ReservationRoutesOptions {
  reservations: Reservations;
  sql: SqlExecutor;
  config: ReservationsConfig;
  clock: Clock;
  access: StaffAccess;
  /** The signed-in citizen of a request (identity `oidc` lots), from the identity feature. */
  citizen: CitizenLookup;
  /** Typical free spaces from the stored history, for the booking page's estimate. */
  usually?: UsuallySource;
}

/**
 * Every reservation route: the public API (/api/v1/reservations…), the public pages (/reserve…),
 * the staff API (/api/v1/staff/reservations…) and the staff page (/staff/bookings).
 */
export async function reservationRoutes(app: FastifyInstance, c: ReservationRoutesOptions): Promise<void> {
  // The pages post plain HTML forms; another part may have registered the parser already.
  if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) await app.register(formbody);
  const service = c.reservations.service;
  const events = new EventsStore(c.sql);
  const base = { service, config: c.config, clock: c.clock, citizen: c.citizen };
  const pages = c.usually === undefined ? base : { ...base, usually: c.usually };
  await app.register(reservationApiRoutes, { prefix: '/api/v1', ...base });
  await app.register(reservationPageRoutes, pages);
  const staff = { prefix: '/api/v1/staff/reservations', ...base, events, access: c.access };
  await app.register(staffReservationRoutes, staff);
  await app.register(staffBlockRoutes, staff);

  app.get('/staff/assets/bookings.js', { schema: { hide: true } }, async (req, reply) =>
    sendAsset(req, reply, JS, 'public, max-age=31536000, immutable'),
  );

  app.get(
    '/staff/bookings',
    {
      preHandler: c.access.require('viewer'),
      schema: {
        tags: ['staff'],
        summary: 'Staff bookings page (HTML)',
        security: c.access.security,
        querystring: Type.Object(
          {
            q: Type.Optional(Type.String({ maxLength: 100 })),
            lot_id: Type.Optional(Type.String({ maxLength: 64 })),
            status: Type.Optional(Type.String({ maxLength: 20 })),
            date: Type.Optional(Type.String({ maxLength: 10 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const raw = req.query as { q?: string; lot_id?: string; status?: string; date?: string };
      const q = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== '')) as typeof raw;
      const status = ['confirmed', 'checked_in', 'no_show', 'cancelled'].find(
        (s) => s === q.status,
      ) as ListQuery['status'];
      const bookings = await list(
        service,
        {
          limit: 500,
          ...(q.q !== undefined ? { q: q.q } : {}),
          ...(q.lot_id !== undefined && /^[A-Za-z0-9_-]+$/.test(q.lot_id) ? { lot_id: q.lot_id } : {}),
          ...(status !== undefined ? { status } : {}),
          ...(q.date !== undefined ? { date: q.date } : {}),
        },
        c.config.timezone,
      );
      const html = staffBookingsPage({
        principal: req.staff!,
        bookings,
        alerts: await events.list({ alertsOnly: true, openOnly: true, limit: 100 }),
        blocks: await service.store.blocks(c.clock.now()),
        lots: service.lots().map(({ lotId }) => ({
          lotId,
          name: c.config.lots.find((l) => l.lot_id === lotId)?.name ?? lotId,
          slots: service
            .reservableSlots(lotId)
            .map((s) => ({ cameraId: s.cameraId, slotId: s.slotId, label: s.label })),
        })),
        query: q,
        tz: c.config.timezone,
        scriptUrl: JS_URL,
      });
      return reply
        .type('text/html; charset=utf-8')
        .header('content-security-policy', STAFF_CSP)
        .header('cache-control', 'no-store')
        .send(html);
    },
  );
}
