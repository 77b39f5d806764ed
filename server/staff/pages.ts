import { readFileSync } from 'node:fs';
import type { FastifyPluginAsync } from 'fastify';
import { roleAtLeast } from '../core/access.ts';
import type { StaffAuth } from './staff-auth.ts';
import { etagOf } from '../core/http/etag.ts';
import { STAFF_CSP, staffPage } from './layout.ts';
import { overviewBody } from './overview.ts';

const CSS = readFileSync(new URL('./staff.css', import.meta.url), 'utf8');
const CSS_ETAG = etagOf(CSS);

/** GET /staff (overview) and the staff stylesheet. */
export const staffWebRoutes: FastifyPluginAsync<{ auth: StaffAuth }> = async (app, { auth }) => {
  app.get(
    '/staff/assets/staff.css',
    { schema: { hide: true }, config: { cacheControl: 'public, max-age=300' } },
    async (req, reply) => {
      void reply.type('text/css; charset=utf-8').header('content-security-policy', STAFF_CSP).header('etag', CSS_ETAG);
      if (req.headers['if-none-match'] === CSS_ETAG) return reply.code(304).send();
      return CSS;
    },
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
