import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaffUser, loginStaff, type StaffSession } from '../support/staff.ts';
import { booking, startEnv, type Env } from './support.ts';

let env: Env;
const as: Record<string, StaffSession> = {};
beforeAll(async () => {
  env = await startEnv();
  for (const [username, role] of [
    ['vera', 'viewer'],
    ['otto', 'operator'],
    ['ada', 'admin'],
  ] as const) {
    await createStaffUser(env.app, { username, role });
    as[role] = await loginStaff(env.app, username);
  }
  const r = await env.app.inject({ method: 'POST', url: '/api/v1/reservations', payload: booking() });
  expect(r.statusCode).toBe(201);
});
afterAll(() => env.s.stop());

const CSV = '/api/v1/staff/reservations/bookings.csv';

describe('the personal-data export', () => {
  it('is refused to viewers and operators', async () => {
    for (const role of ['viewer', 'operator']) {
      const r = await env.app.inject({ url: CSV, headers: as[role]!.headers, remoteAddress: '198.51.100.4' });
      expect(r.statusCode, role).toBe(403);
      expect(r.json().code).toBe('VOLNO_FORBIDDEN');
      expect(r.body).not.toContain('jana@example.cz');
    }
  });

  it('is an admin right, and each export is audited with who, how many rows and from where', async () => {
    const r = await env.app.inject({ url: CSV, headers: as['admin']!.headers, remoteAddress: '198.51.100.4' });
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('jana@example.cz');
    const [entry] = await env.app.volno.auth.auditLog.list({ limit: 1, action: 'reservations.export' });
    expect(entry).toMatchObject({ username: 'ada', role: 'admin', detail: { rows: 1 }, ip: '198.51.100.4' });
  });

  it('is offered on the staff bookings page to admins only', async () => {
    for (const [role, shown] of [
      ['viewer', false],
      ['operator', false],
      ['admin', true],
    ] as const) {
      const page = await env.app.inject({ url: '/staff/bookings', headers: { cookie: as[role]!.cookie } });
      expect(page.statusCode, role).toBe(200);
      expect(page.body.includes('bookings.csv'), role).toBe(shown);
    }
  });

  it('is listed as admin-only in the staff route table', () => {
    const route = env.app.volno.auth.routes.find((x) => x.url.endsWith('/bookings.csv') && x.method === 'GET');
    expect(route?.role).toBe('admin');
  });
});
