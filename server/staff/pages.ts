import { readFileSync } from 'node:fs';
import type { FastifyPluginAsync } from 'fastify';
import { roleAtLeast } from '../core/access.ts';
import type { StaffAuth } from './staff-auth.ts';
import { sendAsset, staticAsset } from '../../kit/static-assets.ts';
import { STAFF_CSP, staffPage } from '../core/web/staff-layout.ts';
import { overviewBody } from './overview.ts';

const CSS = staticAsset(readFileSync(new URL('./staff.css', import.meta.url), 'utf8'), 'text/css; charset=utf-8');

/** GET /staff (overview) and the staff stylesheet. */
export const staffWebRoutes: FastifyPluginAsync<{ auth: StaffAuth }> = async (app, { auth }) => {
  app.get('/staff/assets/staff.css', { schema: { hide: true } }, async (req, reply) =>
    sendAsset(req, reply.header('content-security-policy', STAFF_CSP), CSS, 'public, max-age=300'),
  );

  app.get(
    '/staff',
    {
      preHandler: auth.access.require('viewer'),
      schema: {
        tags: ['staff'],
        summary: 'Staff overview page (HTML)',
        security: auth.access.security,
        produces: ['text/html'],
      },
    },
    async (req, reply) => {
      const principal = req.staff!;
      const admin = roleAtLeast(principal.role, 'admin');
      void reply
        .type('text/html; charset=utf-8')
        .header('content-security-policy', STAFF_CSP)
        .header('cache-control', 'no-store');
      return staffPage({
        title: 'Overview',
        lang: 'en',
        principal,
        body: overviewBody({
          principal,
          ...(admin ? { users: auth.accounts.list(), audit: auth.auditLog.list({ limit: 20 }) } : {}),
        }),
      });
    },
  );
};
