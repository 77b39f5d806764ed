import { readFileSync } from 'node:fs';
import type { FastifyPluginAsync } from 'fastify';
import { roleAtLeast } from '../core/access.ts';
import type { StaffAuth } from './staff-auth.ts';
import { sendAsset, staticAsset } from '../../kit/static-assets.ts';
import { STAFF_CSP, staffPage } from '../core/web/staff-layout.ts';
import { overviewBody } from './overview.ts';
import { Type } from 'typebox';
import { ApiError } from '../core/http/errors.ts';
import { negotiate } from '../core/web/i18n.ts';
import { wallCameras, type WallSources } from './wall-data.ts';
import { snapshotFailure, WALL_TEXTS } from './wall-texts.ts';
import { wallBody, wallGrid } from './wall-view.ts';
import { browserScript } from '../core/web/browser-script.ts';

const CSS = staticAsset(readFileSync(new URL('./staff.css', import.meta.url), 'utf8'), 'text/css; charset=utf-8');
const WALL_CSS = staticAsset(readFileSync(new URL('./wall.css', import.meta.url), 'utf8'), 'text/css; charset=utf-8');
const Lang = Type.Optional(Type.Enum(['cs', 'en'] as const));
// The wall's live refresh is browser code in ui/ (its own program, DOM types); one file, so a
// transform at load is all the build it needs.
const WALL_JS = browserScript(new URL('../../ui/camera-wall/live.ts', import.meta.url));

/** The camera wall's data, passed in by server/main; without it /staff lists only the tools. */
export interface StaffWallOptions extends WallSources {
  now: () => number;
  defaultLanguage: 'cs' | 'en';
}

/** GET /staff (the camera wall and the overview), its snapshot button and the staff stylesheets. */
export const staffWebRoutes: FastifyPluginAsync<{ auth: StaffAuth; wall?: StaffWallOptions | undefined }> = async (
  app,
  { auth, wall },
) => {
  app.get('/staff/assets/staff.css', { schema: { hide: true } }, async (req, reply) =>
    sendAsset(req, reply.header('content-security-policy', STAFF_CSP), CSS, 'public, max-age=300'),
  );
  app.get('/staff/assets/wall.css', { schema: { hide: true } }, async (req, reply) =>
    sendAsset(req, reply.header('content-security-policy', STAFF_CSP), WALL_CSS, 'public, max-age=300'),
  );
  app.get('/staff/assets/wall.js', { schema: { hide: true } }, async (req, reply) =>
    sendAsset(req, reply.header('content-security-policy', STAFF_CSP), WALL_JS, 'public, max-age=300'),
  );
  if (wall !== undefined)
    app.get(
      '/staff/wall',
      {
        preHandler: auth.access.require('viewer'),
        schema: {
          tags: ['staff'],
          summary: 'The camera wall’s tiles alone (HTML), for its live refresh',
          security: auth.access.security,
          produces: ['text/html'],
          querystring: Type.Object({ lang: Lang }),
        },
      },
      async (req, reply) => {
        const q = req.query as { lang?: 'cs' | 'en' };
        const principal = req.staff!;
        const lang = negotiate(q.lang, req.headers.cookie, req.headers['accept-language'], wall.defaultLanguage);
        void reply
          .type('text/html; charset=utf-8')
          .header('content-security-policy', STAFF_CSP)
          .header('cache-control', 'no-store');
        return wallGrid(await wallCameras(wall, wall.now()), {
          lang,
          csrf: principal.csrfToken ?? '',
          canSnapshot: roleAtLeast(principal.role, 'operator'),
        });
      },
    );
  if (wall !== undefined)
    // A form post, so the wall's snapshot works without script; the image itself is the editor's
    // masked snapshot (GET /api/v1/staff/cameras/:id/snapshots/:sid).
    app.post(
      '/staff/cameras/:camera_id/snapshot',
      {
        preHandler: auth.access.require('operator'),
        schema: {
          tags: ['staff'],
          summary: 'Take a masked snapshot for the camera wall, then back to /staff',
          security: auth.access.security,
          params: Type.Object({ camera_id: Type.String({ minLength: 1, maxLength: 64 }) }),
        },
      },
      async (req, reply) => {
        const cameraId = (req.params as { camera_id: string }).camera_id;
        const anchor = `#camera-${encodeURIComponent(cameraId)}`;
        try {
          const s = await wall.calibration.takeSnapshot(cameraId, 640);
          await auth.access.audit(req, 'calibration.snapshot', `camera:${cameraId}`, {
            snapshot_id: s.id,
            via: 'wall',
          });
          return reply.redirect(`/staff${anchor}`, 303);
        } catch (err) {
          if (!(err instanceof ApiError)) throw err;
          // A code, never the message: the page shows the wording it has for it, so a crafted link
          // cannot put its own text in front of staff.
          const q = new URLSearchParams({ failed: cameraId, error: snapshotFailure(err.code) });
          return reply.redirect(`/staff?${q.toString()}${anchor}`, 303);
        }
      },
    );

  app.get(
    '/staff',
    {
      preHandler: auth.access.require('viewer'),
      schema: {
        tags: ['staff'],
        summary: 'Staff camera wall and overview page (HTML)',
        security: auth.access.security,
        produces: ['text/html'],
        querystring: Type.Object({
          lang: Lang,
          failed: Type.Optional(Type.String({ maxLength: 64 })),
          // Any string: an unknown code shows the generic wording.
          error: Type.Optional(Type.String({ maxLength: 32 })),
        }),
      },
    },
    async (req, reply) => {
      const principal = req.staff!;
      const admin = roleAtLeast(principal.role, 'admin');
      const q = req.query as { lang?: 'cs' | 'en'; failed?: string; error?: string };
      const lang = negotiate(q.lang, req.headers.cookie, req.headers['accept-language'], wall?.defaultLanguage ?? 'en');
      const cameras =
        wall === undefined
          ? ''
          : wallBody(await wallCameras(wall, wall.now()), {
              lang,
              csrf: principal.csrfToken ?? '',
              canSnapshot: roleAtLeast(principal.role, 'operator'),
              ...(q.failed !== undefined ? { failed: { camera: q.failed, error: q.error ?? '' } } : {}),
            });
      void reply
        .type('text/html; charset=utf-8')
        .header('content-security-policy', STAFF_CSP)
        .header('cache-control', 'no-store');
      return staffPage({
        title: wall === undefined ? 'Overview' : WALL_TEXTS[lang].title,
        lang,
        principal,
        styles: ['/staff/assets/wall.css'],
        ...(wall === undefined ? {} : { scripts: ['/staff/assets/wall.js'] }),
        body:
          cameras +
          overviewBody({
            lang,
            principal,
            ...(admin ? { users: await auth.accounts.list(), audit: await auth.auditLog.list({ limit: 20 }) } : {}),
          }),
      });
    },
  );
};
