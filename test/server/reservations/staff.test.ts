import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaffUser, loginStaff, type StaffSession } from '../support/staff.ts';
import { booking, staffHeaders, startEnv, type Env } from './support.ts';

let env: Env;
let operator: StaffSession;
let viewer: StaffSession;
beforeAll(async () => {
  env = await startEnv({ reservable: 2 });
  await createStaffUser(env.app, { username: 'olga', role: 'operator' });
  await createStaffUser(env.app, { username: 'vit', role: 'viewer' });
  operator = await loginStaff(env.app, 'olga');
  viewer = await loginStaff(env.app, 'vit');
});
afterAll(async () => {
  await env?.s.stop();
});

const api = '/api/v1/staff/reservations';

describe('staff bookings', () => {
  it('needs a login for every staff route and an operator for changes', async () => {
    const { app } = env;
    expect((await app.inject({ url: `${api}/bookings` })).statusCode).toBe(401);
    const page = await app.inject({ url: '/staff/bookings' });
    expect(page.statusCode).toBe(303); // a browser is sent to the login page
    expect(page.headers.location).toMatch(/^\/staff\/login/);
    expect((await app.inject({ url: `${api}/bookings`, headers: viewer.headers })).statusCode).toBe(200);
    const cancel = await app.inject({ method: 'POST', url: `${api}/bookings/1/cancel`, headers: viewer.headers });
    expect(cancel.statusCode).toBe(403);
    const noCsrf = await app.inject({
      method: 'POST',
      url: `${api}/blocks`,
      headers: { cookie: operator.cookie },
      payload: { lot_id: 'office', date: '2026-12-10' },
    });
    expect(noCsrf.statusCode).toBe(403);
  });

  it('books on someone’s behalf in a named slot, searches, cancels and audits each change', async () => {
    const { app } = env;
    const made = await app.inject({
      method: 'POST',
      url: `${api}/bookings`,
      headers: operator.headers,
      payload: {
        ...booking({ name: 'Karel Dvořák', email: 'karel@example.cz' }),
        consent: undefined,
        camera_id: 'gate-1',
        slot_id: 'R2',
      },
    });
    expect(made.statusCode).toBe(201);
    const b = made.json().booking;
    expect(b).toMatchObject({ slot_id: 'R2', created_by: 'staff:olga', status: 'confirmed' });
    expect(made.json().manage_url).toMatch(/\/reserve\/manage\/[A-Za-z0-9_-]{43}$/);
    const found = await app.inject({ url: `${api}/bookings?q=dvo`, headers: viewer.headers });
    expect(found.json().map((x: { code: string }) => x.code)).toEqual([b.code]);
    expect((await app.inject({ url: `${api}/bookings?q=zzz`, headers: viewer.headers })).json()).toEqual([]);
    const page = await app.inject({ url: '/staff/bookings?q=karel', headers: viewer.headers });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.body).toContain(b.code);
    expect(page.body).toContain('<meta name="csrf-token"');
    const cancelled = await app.inject({
      method: 'POST',
      url: `${api}/bookings/${b.id}/cancel`,
      headers: operator.headers,
    });
    expect(cancelled.json().status).toBe('cancelled');
    const audit = (await app.volno.auth.auditLog.list({ limit: 20 })).map((a) => `${a.action} ${a.target}`);
    expect(audit).toContain(`reservations.book booking:${b.id}`);
    expect(audit).toContain(`reservations.cancel booking:${b.id}`);
    // The audit trail names the booking, never the visitor.
    expect(JSON.stringify(await app.volno.auth.auditLog.list({ limit: 20 }))).not.toMatch(/karel|Dvořák/i);
  });

  it('blocks a whole day so nobody can book it, and unblocks it', async () => {
    const { app } = env;
    const block = await app.inject({
      method: 'POST',
      url: `${api}/blocks`,
      headers: operator.headers,
      payload: { lot_id: 'office', date: '2026-12-10', reason: 'Open day' },
    });
    expect(block.statusCode).toBe(201);
    const options = () =>
      app.inject({ url: '/api/v1/reservations/options?lot_id=office&date=2026-12-10&start=10:00&end=11:00' });
    expect((await options()).json().available).toBe(0);
    const refused = await app.inject({
      method: 'POST',
      url: '/api/v1/reservations',
      payload: booking({ date: '2026-12-10', email: 'blocked@example.cz', plate: '1B' }),
    });
    expect(refused.json().code).toBe('VOLNO_RESERVATION_FULL');
    const slotBlock = await app.inject({
      method: 'POST',
      url: `${api}/blocks`,
      headers: operator.headers,
      payload: {
        lot_id: 'office',
        camera_id: 'gate-1',
        slot_id: 'R1',
        date: '2026-12-11',
        start: '08:00',
        end: '12:00',
      },
    });
    expect(slotBlock.statusCode).toBe(201);
    const d11 = await app.inject({
      url: '/api/v1/reservations/options?lot_id=office&date=2026-12-11&start=10:00&end=11:00',
    });
    expect(d11.json().available).toBe(1);
    const del = await app.inject({
      method: 'DELETE',
      url: `${api}/blocks/${block.json().id}`,
      headers: operator.headers,
    });
    expect(del.statusCode).toBe(204);
    expect((await options()).json().available).toBe(2);
  });

  it('exports CSV that a spreadsheet cannot run as formulas', async () => {
    const { app } = env;
    await app.inject({
      method: 'POST',
      url: '/api/v1/reservations',
      payload: booking({
        date: '2026-12-08',
        name: '=HYPERLINK("http://evil","x")',
        email: 'csv@example.cz',
        plate: '7C',
      }),
    });
    await app.inject({
      method: 'POST',
      url: '/api/v1/reservations',
      payload: booking({ date: '2026-12-09', name: '@SUM(1+1)', email: 'csv2@example.cz', plate: '8C' }),
    });
    const csv = await app.inject({ url: `${api}/bookings.csv`, headers: staffHeaders });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.body).toContain(`"'=HYPERLINK(""http://evil"",""x"")"`);
    expect(csv.body).toContain(`"'@SUM(1+1)"`);
    expect(csv.body).not.toMatch(/(^|,)"[=@+-]/m);
    expect(csv.body.split('\r\n')[0]).toContain('"code","status","lot_id"');
  });
});
