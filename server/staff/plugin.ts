import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { staffWebRoutes, type StaffWallOptions } from './pages.ts';
import type { StaffRole } from '../core/access.ts';
import { STAFF_ROLE } from './account-access.ts';
import { loginRoutes } from './login-routes.ts';
import type { StaffAuth } from './staff-auth.ts';
import { usersRoutes } from './users-routes.ts';

export type { RouteRecord } from './staff-auth.ts';

type Hook = NonNullable<RouteOptions['preHandler']> extends infer H ? (H extends (infer E)[] ? E : H) : never;
const asList = (h: Hook | Hook[] | undefined): Hook[] => (h === undefined ? [] : Array.isArray(h) ? h : [h]);

/**
 * Registers cookies, form bodies, the staff route table and the accounts' own routes. Call it on the
 * app before any route it should see: every route registered afterwards is recorded with the role
 * it requires (tests use the table to check all of them), and its `access.require()` guard is
 * checked in `onRequest`, before the body is read or parsed (issue 13, finding 5: an anonymous 4 MiB
 * nested body froze the event loop for seconds on its way to a 401). The guard itself moves to
 * preValidation, where it only checks a form post's CSRF field, the one thing that needs the body.
 */
export async function registerStaffAuth(
  app: FastifyInstance,
  auth: StaffAuth,
  o: { wall?: StaffWallOptions | undefined } = {},
): Promise<void> {
  // Others may register these too (fastify-plugin refuses a second copy in one context).
  if (!app.hasRequestDecorator('cookies')) await app.register(cookie);
  if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) await app.register(formbody);
  app.addHook('onRoute', (route) => {
    type Guard = Hook & { [STAFF_ROLE]: StaffRole };
    const tagged = (hooks: Hook[]) => hooks.find((h) => STAFF_ROLE in h) as Guard | undefined;
    const pre = asList(route.preHandler as Hook | Hook[] | undefined);
    const validation = asList(route.preValidation as Hook | Hook[] | undefined);
    const early = asList(route.onRequest as Hook | Hook[] | undefined);
    const guard = tagged(pre);
    if (guard !== undefined) {
      route.preHandler = pre.filter((h) => h !== guard);
      route.preValidation = [guard, ...validation];
    }
    // A route may declare the guard as preValidation itself; a HEAD copy of a GET arrives moved already.
    const role = (guard ?? tagged(validation))?.[STAFF_ROLE];
    if (role !== undefined && tagged(early) === undefined)
      route.onRequest = [auth.access.early(role) as Hook, ...early];
    for (const method of [route.method].flat()) auth.routes.push({ method: String(method), url: route.url, role });
  });
  await app.register(loginRoutes, { auth });
  await app.register(usersRoutes, { prefix: '/api/v1', auth });
  await app.register(staffWebRoutes, { auth, wall: o.wall });
}
