import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';
import { API, call, logInStaff, type Staff } from './support.ts';

let s: TestServer;
let staff: Staff;

beforeAll(async () => {
  s = await startTestServer({}, { listen: false });
  staff = await logInStaff(s.app);
});
afterAll(() => s.stop());

const C = `${API}/cameras/north-1`;
/** Every calibration route, with the least role it needs. */
const ROUTES: { method: 'GET' | 'POST' | 'PUT'; url: string; role: 'viewer' | 'operator' }[] = [
  { method: 'GET', url: `${API}/cameras`, role: 'viewer' },
  { method: 'POST', url: `${C}/snapshot`, role: 'operator' },
  { method: 'GET', url: `${C}/snapshots/latest`, role: 'viewer' },
  { method: 'GET', url: `${C}/snapshots/abcdefghijkl`, role: 'viewer' },
  { method: 'GET', url: `${C}/reference`, role: 'viewer' },
  { method: 'GET', url: `${C}/masks`, role: 'viewer' },
  { method: 'PUT', url: `${C}/masks`, role: 'operator' },
  { method: 'POST', url: `${C}/reproject`, role: 'operator' },
  { method: 'GET', url: `${C}/calibrations`, role: 'viewer' },
  { method: 'GET', url: `${C}/calibrations/1`, role: 'viewer' },
  { method: 'POST', url: `${C}/calibrations/validate`, role: 'operator' },
  { method: 'POST', url: `${C}/calibrations`, role: 'operator' },
  { method: 'GET', url: `${C}/calibrations/1/diff`, role: 'viewer' },
  { method: 'POST', url: `${C}/calibrations/1/rollback`, role: 'operator' },
  { method: 'POST', url: `${C}/calibrations/1/publish`, role: 'operator' },
  { method: 'GET', url: `${C}/calibrations/1/ack`, role: 'viewer' },
  { method: 'POST', url: `${C}/calibrations/import?format=volno`, role: 'operator' },
  { method: 'GET', url: `${C}/calibrations/1/export?format=volno`, role: 'viewer' },
];

describe('calibration API access', () => {
  it('refuses every route without credentials (401)', async () => {
    for (const r of ROUTES) {
      const res = await s.app.inject({ method: r.method, url: r.url, payload: r.method === 'GET' ? undefined : {} });
      expect(res.statusCode, `${r.method} ${r.url}`).toBe(401);
    }
  });

  it('refuses a viewer every change (403) and lets a viewer read', async () => {
    for (const r of ROUTES) {
      const res = await call(s.app, staff.viewer, {
        method: r.method,
        url: r.url,
        ...(r.method === 'GET' ? {} : { payload: {} }),
      });
      if (r.role === 'operator') expect(res.statusCode, `${r.method} ${r.url}`).toBe(403);
      else expect([200, 404], `${r.method} ${r.url}`).toContain(res.statusCode);
    }
  });

  it('refuses a session’s change without its CSRF token (403)', async () => {
    const res = await s.app.inject({
      method: 'POST',
      url: `${C}/calibrations/validate`,
      headers: { cookie: staff.operator.cookie },
      payload: { document: {} },
    });
    expect(res.statusCode).toBe(403);
  });

  it('declares the staff security requirement on every route in the OpenAPI document', async () => {
    const spec = (await s.app.inject({ url: '/docs/json' })).json() as {
      paths: Record<string, Record<string, { security?: unknown[]; tags?: string[] }>>;
    };
    const ours = Object.entries(spec.paths).filter(([p]) => p.startsWith('/api/v1/staff/cameras'));
    const operations = ours.flatMap(([, ops]) => Object.entries(ops).filter(([m]) => m !== 'head'));
    expect(operations.length).toBeGreaterThanOrEqual(ROUTES.length - 1);
    for (const [, op] of operations) {
      expect(op.security?.length).toBeGreaterThan(0);
      expect(op.tags).toContain('staff');
    }
  });
});
