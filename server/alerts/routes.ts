import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import type { StaffAccess } from '../core/access.ts';
import type { Clock } from '../core/clock.ts';
import { negotiate } from '../core/web/i18n.ts';
import { STAFF_CSP, staffPage } from '../core/web/staff-layout.ts';
import type { AlertsConfig } from './config.ts';
import { ALERT_TEXTS } from './i18n.ts';
import type { AlertMonitor } from './monitor.ts';
import { alertsBody } from './page.ts';
import { ALERT_KINDS } from './types.ts';

const DAY_MS = 86_400_000;
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const AlertJson = Type.Object({
  alert_id: Type.Integer(),
  key: Type.String(),
  kind: Type.Enum(ALERT_KINDS),
  subject: Type.String(),
  detail: Type.Union([Type.String(), Type.Null()]),
  raised_at: Type.String({ format: 'date-time' }),
  resolved_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  mailed: Type.Boolean({ description: 'A digest has told staff about the latest change (raise or resolution).' }),
});

/** GET /staff/alerts (HTML) and GET /api/v1/staff/alerts (JSON): open and recently resolved alerts. */
export const alertRoutes: FastifyPluginAsync<{
  monitor: AlertMonitor;
  access: StaffAccess;
  clock: Clock;
  config: AlertsConfig;
  timezone: string;
}> = async (app, { monitor, access, clock, config, timezone }) => {
  const listed = () => monitor.store.listed(clock.now() - config.keep_resolved_days * DAY_MS);

  app.get(
    '/api/v1/staff/alerts',
    {
      preHandler: access.require('viewer'),
      schema: {
        tags: ['staff'],
        summary: 'Open alerts, then those resolved in the last `keep_resolved_days`',
        security: access.security,
        response: { 200: Type.Array(AlertJson) },
      },
    },
    async () =>
      (await listed()).map((a) => ({
        alert_id: a.alertId,
        key: a.key,
        kind: a.kind,
        subject: a.subject,
        detail: a.detail,
        raised_at: iso(a.raisedAt)!,
        resolved_at: iso(a.resolvedAt),
        mailed: (a.resolvedAt === null ? a.raisedMailedAt : a.resolvedMailedAt) !== null,
      })),
  );

  app.get(
    '/staff/alerts',
    {
      preHandler: access.require('viewer'),
      schema: {
        tags: ['staff'],
        summary: 'Alerts page (HTML)',
        security: access.security,
        produces: ['text/html'],
        querystring: Type.Object({ lang: Type.Optional(Type.Enum(['cs', 'en'] as const)) }),
      },
    },
    async (req, reply) => {
      const q = req.query as { lang?: 'cs' | 'en' };
      const lang = negotiate(q.lang, req.headers.cookie, req.headers['accept-language'], config.language);
      void reply
        .type('text/html; charset=utf-8')
        .header('content-security-policy', STAFF_CSP)
        .header('cache-control', 'no-store');
      return staffPage({
        title: ALERT_TEXTS[lang].title,
        lang,
        principal: req.staff!,
        body: alertsBody({ lang, tz: timezone, rows: await listed(), keepDays: config.keep_resolved_days }),
      });
    },
  );
};
