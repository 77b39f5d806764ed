import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roleAtLeast, STAFF_ROLES, type StaffRole } from '../../../server/core/access.ts';
import type { RouteRecord } from '../../../server/staff/plugin.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { createStaffUser, loginStaff, type StaffSession } from '../support/staff.ts';

/**
 * Every staff route, found from the app itself (the route table the accounts plugin records and the
 * OpenAPI document), so routes other parts add later are checked without editing this file.
 */
let s: TestServer;
let sessions: Record<StaffRole, StaffSession>;
let staffRoutes: RouteRecord[];
let doc: { paths: Record<string, Record<string, { tags?: string[]; security?: Record<string, string[]>[] }>> };

/** Routes under /staff that need no login: the form itself and the stylesheet it uses. */
const PUBLIC = [/^\/staff\/login$/, /^\/staff\/assets\//];
const openApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
const concrete = (url: string) => url.replace(/:[A-Za-z0-9_]+/g, '1').replace(/\*$/, 'x');
const isPage = (r: RouteRecord) => (r.method === 'GET' || r.method === 'HEAD') && /^\/staff(\/|$)/.test(r.url);
const changes = (m: string) => !['GET', 'HEAD', 'OPTIONS'].includes(m);

beforeAll(async () => {
  s = await startTestServer({}, { listen: false });
  sessions = {} as Record<StaffRole, StaffSession>;
  for (const role of STAFF_ROLES) {
    await createStaffUser(s.app, { username: `${role}-user`, role });
    sessions[role] = await loginStaff(s.app, `${role}-user`);
  }
  doc = (await s.app.inject({ url: '/docs/json' })).json();
  const documented = (r: RouteRecord) => doc.paths[openApiPath(r.url)]?.[r.method.toLowerCase()];
  staffRoutes = s.app.volno.auth.routes.filter((r) => {
    if (r.method === 'OPTIONS' || PUBLIC.some((p) => p.test(r.url))) return false;
    const op = documented(r);
    return (
      r.role !== undefined ||
      /^\/(api\/v1\/)?staff(\/|$)/.test(r.url) ||
      op?.tags?.includes('staff') === true ||
      (op?.security?.length ?? 0) > 0
    );
  });
});
afterAll(() => s.stop());

describe('the staff route table', () => {
  it('holds the accounts API, the staff pages and the older staff routes (health, metrics, history)', () => {
    const urls = staffRoutes.map((r) => `${r.method} ${r.url}`);
    expect(urls).toEqual(
      expect.arrayContaining([
        'GET /staff',
        'POST /staff/logout',
        'GET /api/v1/staff/me',
        'GET /api/v1/staff/users',
        'POST /api/v1/staff/users',
        'PATCH /api/v1/staff/users/:user_id',
        'POST /api/v1/staff/users/:user_id/password',
        'GET /api/v1/staff/audit',
        'GET /api/v1/health/agents',
        'GET /api/v1/health/cameras',
        'GET /api/v1/health/unassigned-slots',
        'GET /api/v1/slots/:camera_id/:slot_id/transitions',
        'GET /metrics',
      ]),
    );
  });

  it('gives every staff route a required role through access.require()', () => {
    expect(staffRoutes.filter((r) => r.role === undefined).map((r) => `${r.method} ${r.url}`)).toEqual([]);
  });

  it('declares a security requirement in the OpenAPI document for every staff API', () => {
    const missing = staffRoutes
      .filter((r) => r.method !== 'HEAD')
      .filter((r) => {
        const op = doc.paths[openApiPath(r.url)]?.[r.method.toLowerCase()];
        // Hidden routes (schema.hide) are not in the document; an undocumented staff API is a gap too.
        return op === undefined ? !isPage(r) : (op.security?.length ?? 0) === 0;
      })
      .map((r) => `${r.method} ${r.url}`);
    expect(missing).toEqual([]);
    expect(
      Object.keys((doc as unknown as { components: { securitySchemes: object } }).components.securitySchemes),
    ).toEqual(expect.arrayContaining(['staffSession', 'staffToken']));
  });
});

describe('every staff route', () => {
  it('answers 401 to an API request without credentials, and sends a page request to the login form', async () => {
    const wrong: string[] = [];
    for (const r of staffRoutes) {
      for (const remoteAddress of ['127.0.0.1', '203.0.113.9']) {
        const res = await s.app.inject({ method: r.method as 'GET', url: concrete(r.url), remoteAddress });
        const ok = isPage(r)
          ? res.statusCode === 303 && res.headers.location?.startsWith('/staff/login?next=')
          : res.statusCode === 401 && (r.method === 'HEAD' || res.json().code === 'VOLNO_UNAUTHORIZED');
        if (!ok) wrong.push(`${r.method} ${r.url} from ${remoteAddress}: ${res.statusCode}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('answers 401 to a forged or expired session cookie and to a wrong bearer token', async () => {
    const wrong: string[] = [];
    for (const r of staffRoutes.filter((x) => !isPage(x))) {
      for (const headers of [
        { cookie: 'volno_staff=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
        { authorization: 'Bearer not-the-staff-token-at-all' },
      ]) {
        const res = await s.app.inject({ method: r.method as 'GET', url: concrete(r.url), headers });
        if (res.statusCode !== 401) wrong.push(`${r.method} ${r.url} ${Object.keys(headers)[0]}: ${res.statusCode}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('answers 403 to a logged-in role below the one the route requires', async () => {
    const wrong: string[] = [];
    let checked = 0;
    for (const r of staffRoutes) {
      for (const role of STAFF_ROLES.filter((x) => !roleAtLeast(x, r.role!))) {
        checked++;
        const res = await s.app.inject({
          method: r.method as 'GET',
          url: concrete(r.url),
          headers: sessions[role].headers,
        });
        if (res.statusCode !== 403 || (r.method !== 'HEAD' && res.json().code !== 'VOLNO_FORBIDDEN'))
          wrong.push(`${r.method} ${r.url} as ${role}: ${res.statusCode}`);
      }
    }
    expect(wrong).toEqual([]);
    // viewer and operator on the admin routes at least
    expect(checked).toBeGreaterThanOrEqual(10);
  });

  it('refuses a state-changing request with a session cookie but no CSRF token (403 VOLNO_CSRF)', async () => {
    const wrong: string[] = [];
    for (const r of staffRoutes.filter((x) => changes(x.method))) {
      const res = await s.app.inject({
        method: r.method as 'POST',
        url: concrete(r.url),
        headers: { cookie: sessions.admin.cookie },
      });
      if (res.statusCode !== 403 || res.json().code !== 'VOLNO_CSRF')
        wrong.push(`${r.method} ${r.url}: ${res.statusCode}`);
    }
    expect(wrong).toEqual([]);
  });

  it('lets a sufficient role through (GET routes without parameters)', async () => {
    const wrong: string[] = [];
    for (const r of staffRoutes.filter((x) => x.method === 'GET' && !x.url.includes(':') && !x.url.includes('*'))) {
      const res = await s.app.inject({ url: r.url, headers: sessions[r.role!].headers });
      if (res.statusCode === 401 || res.statusCode === 403) wrong.push(`${r.url} as ${r.role}: ${res.statusCode}`);
    }
    expect(wrong).toEqual([]);
  });
});
