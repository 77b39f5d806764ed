import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { booking, startEnv, staffHeaders, type Env } from './support.ts';

let env: Env;
beforeAll(async () => {
  env = await startEnv();
});
afterAll(async () => {
  await env?.s.stop();
});

describe('the public booking API', () => {
  it('shows how many spaces can be reserved, books one and answers the booking through its token only', async () => {
    const { app } = env;
    const opts = await app.inject({
      url: '/api/v1/reservations/options?lot_id=office&date=2026-12-02&start=10:00&end=12:00',
    });
    expect(opts.statusCode).toBe(200);
    expect(opts.json()).toMatchObject({ reservable: 2, available: 2, start_at: '2026-12-02T09:00:00.000Z' });
    const res = await app.inject({ method: 'POST', url: '/api/v1/reservations', payload: booking() });
    expect(res.statusCode).toBe(201);
    const b = res.json();
    expect(b.code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(b.manage_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const own = await app.inject({ url: `/api/v1/reservations/manage/${b.manage_token}` });
    expect(own.json()).toMatchObject({ code: b.code, status: 'confirmed', email: 'jana@example.cz' });
    const again = await app.inject({
      url: '/api/v1/reservations/options?lot_id=office&date=2026-12-02&start=11:00&end=13:00',
    });
    expect(again.json().available).toBe(1);
    const staff = await app.inject({ url: '/api/v1/staff/reservations/bookings', headers: staffHeaders });
    expect(staff.statusCode).toBe(200);
    expect(staff.json()).toHaveLength(1);
  });
});

describe('booking rules through the API', () => {
  it('enforces per-person limits by e-mail and by licence plate, however they are written', async () => {
    const { app } = env;
    const post = (o: Record<string, unknown>) =>
      app.inject({ method: 'POST', url: '/api/v1/reservations', payload: booking({ date: '2026-12-03', ...o }) });
    expect((await post({ email: 'Limit@Example.cz', plate: '5X 1111' })).statusCode).toBe(201);
    const sameDay = await post({ start: '14:00', end: '15:00', email: 'LIMIT@example.CZ', plate: '7Y 2222' });
    expect(sameDay.statusCode).toBe(409);
    expect(sameDay.json()).toMatchObject({ code: 'VOLNO_RESERVATION_LIMIT' });
    const samePlate = await post({ start: '14:00', end: '15:00', email: 'other@example.cz', plate: '5x-1111' });
    expect(samePlate.json()).toMatchObject({ code: 'VOLNO_RESERVATION_LIMIT' });
    expect((await post({ date: '2026-12-04', email: 'limit@example.cz', plate: '8Q 3333' })).statusCode).toBe(201);
    const third = await post({ date: '2026-12-05', email: 'limit@example.cz', plate: '8Q 4444' });
    expect(third.json()).toMatchObject({ code: 'VOLNO_RESERVATION_LIMIT' });
  });

  it('refuses bad input with clear codes: no consent, bad e-mail, closed times, unknown lot', async () => {
    const { app } = env;
    const post = (o: Record<string, unknown>) =>
      app.inject({ method: 'POST', url: '/api/v1/reservations', payload: booking({ date: '2026-12-06', ...o }) });
    expect((await post({ consent: false })).json().code).toBe('VOLNO_BAD_REQUEST');
    expect((await post({ email: 'not-an-address' })).json().code).toBe('VOLNO_BAD_REQUEST');
    expect((await post({ start: '10:07' })).json()).toMatchObject({ status: 422, code: 'VOLNO_RESERVATION_RULE' });
    expect((await post({ date: '2027-06-01' })).json()).toMatchObject({ code: 'VOLNO_RESERVATION_RULE' });
    expect((await post({ lot_id: 'nowhere' })).json()).toMatchObject({ status: 404 });
    const bogus = await app.inject({ url: `/api/v1/reservations/manage/${'A'.repeat(43)}` });
    expect(bogus.statusCode).toBe(404);
    expect((await app.inject({ url: '/api/v1/reservations/manage/short' })).statusCode).toBe(400);
  });

  it('changes and cancels through the manage token until the cut-off, not after', async () => {
    const { app, clock } = env;
    const r = await app.inject({
      method: 'POST',
      url: '/api/v1/reservations',
      payload: booking({ date: '2026-12-01', start: '12:00', end: '13:00', email: 'late@example.cz', plate: '4L' }),
    });
    const token = r.json().manage_token as string;
    const moved = await app.inject({
      method: 'PATCH',
      url: `/api/v1/reservations/manage/${token}`,
      payload: { date: '2026-12-01', start: '12:30', end: '13:30' },
    });
    expect(moved.statusCode).toBe(200);
    expect(moved.json().start_at).toBe('2026-12-01T11:30:00.000Z');
    const before = clock.now();
    clock.set(Date.parse('2026-12-01T10:30:00Z') + 1); // 1 ms past the 60 min cut-off before 11:30Z
    const late = await app.inject({ method: 'DELETE', url: `/api/v1/reservations/manage/${token}` });
    expect(late.json()).toMatchObject({ status: 409, code: 'VOLNO_RESERVATION_CUTOFF' });
    clock.set(Date.parse('2026-12-01T10:30:00Z'));
    const ok = await app.inject({ method: 'DELETE', url: `/api/v1/reservations/manage/${token}` });
    expect(ok.json().status).toBe('cancelled');
    const twice = await app.inject({ method: 'DELETE', url: `/api/v1/reservations/manage/${token}` });
    expect(twice.json().code).toBe('VOLNO_RESERVATION_STATE');
    clock.set(before);
  });

  it('serves the QR code and the calendar file for the token, and nothing without one', async () => {
    const { app } = env;
    const r = await app.inject({
      method: 'POST',
      url: '/api/v1/reservations',
      payload: booking({ date: '2026-12-07', email: 'qr@example.cz', plate: '6Q' }),
    });
    const b = r.json();
    const qr = await app.inject({ url: b.qr_url });
    expect(qr.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(qr.body).toMatch(/^<svg/);
    const ics = await app.inject({ url: b.ics_url });
    expect(ics.headers['content-type']).toMatch(/^text\/calendar/);
    expect(ics.body).toContain('BEGIN:VEVENT\r\n');
    expect(ics.body).toContain(`UID:${b.code}@volno`);
    expect(ics.headers['cache-control']).toBe('no-store');
  });
});
