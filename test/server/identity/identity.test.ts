import { afterEach, describe, expect, it } from 'vitest';
import { mapRole } from '../../../server/staff/sso-accounts.ts';
import { ManualClock } from '../../../server/core/clock.ts';
import { parseConfig } from '../../../server/main/config/load.ts';
import { subjectKey } from '../../../server/identity/store.ts';
import { lots, rules, T0 } from '../reservations/support.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { createStaffUser } from '../support/staff.ts';

const ROLES = { viewer: ['staff'], operator: ['ops'], admin: ['it-admins'] };

describe('mapRole', () => {
  it('gives the strongest role any claim value maps to', () => {
    expect(mapRole(['staff', 'ops'], ROLES)).toBe('operator');
    expect(mapRole(['it-admins', 'staff'], ROLES)).toBe('admin');
    expect(mapRole('staff', ROLES)).toBe('viewer');
  });

  it('refuses when nothing maps, and never matches non-strings or look-alikes', () => {
    expect(mapRole(undefined, ROLES)).toBeUndefined();
    expect(mapRole(['Ops', 'ops ', 'it-admins-old'], ROLES)).toBeUndefined();
    expect(mapRole([{ toString: () => 'ops' }, 1, null], ROLES)).toBeUndefined();
    expect(mapRole({ ops: true }, ROLES)).toBeUndefined();
  });
});

describe('identity configuration', () => {
  const parse = (raw: Record<string, unknown>) => () => parseConfig(raw, { baseDir: '/tmp', env: {} });
  const citizen = { issuer: 'https://idp.example.cz', client_id: 'volno' };

  it('refuses a plain-http issuer unless the test-only flag is set', () => {
    const raw = { identity: { public_url: 'https://p.example.cz', citizen: { ...citizen, issuer: 'http://idp' } } };
    expect(parse(raw)).toThrow(/\/identity\/citizen\/issuer: must be https/);
    expect(parse({ identity: { ...raw.identity, allow_insecure_requests: true } })).not.toThrow();
  });

  it('refuses an oidc lot without identity.citizen, and a provider without public_url', () => {
    expect(parse({ lots: lots(1, rules({ identity: 'oidc' })) })).toThrow(
      /\/lots\/0\/reservations\/identity: oidc needs identity.citizen/,
    );
    expect(parse({ identity: { citizen } })).toThrow(/\/identity\/public_url: is needed/);
  });

  it('refuses staff single sign-on that maps no claim value to a role', () => {
    const staff = { ...citizen, client_id: 'staff' };
    expect(parse({ identity: { public_url: 'https://p.example.cz', staff } })).toThrow(/maps no claim value/);
  });

  it('hashes issuer and subject together: one person per issuer, nothing readable', () => {
    expect(subjectKey('https://a', 'x')).not.toBe(subjectKey('https://b', 'x'));
    expect(subjectKey('https://a', 'x')).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('identity routes without a reachable provider', () => {
  let s: TestServer | undefined;
  afterEach(async () => {
    await s?.stop();
    s = undefined;
  });
  const start = (clock = new ManualClock(T0)) =>
    startTestServer(
      {
        lots: lots(1, rules({ identity: 'oidc' })),
        identity: {
          public_url: 'http://127.0.0.1:9',
          allow_insecure_requests: true,
          // Port 9 (discard) on loopback: nothing answers, so any call to the provider would fail.
          citizen: { issuer: 'http://127.0.0.1:9', client_id: 'c' },
          staff: { issuer: 'http://127.0.0.1:9', client_id: 's', roles: { admin: ['a'] } },
        },
        privacy: { purge_after_days: 1 },
      },
      { clock, listen: false },
    );

  it('refuses staff single sign-on while no local account exists (volno user add makes the first admin)', async () => {
    s = await start();
    const r = await s.app.inject({ url: '/staff/sso' });
    expect(r.statusCode).toBe(403);
    expect(r.body).toContain('volno user add');
  });

  it('answers 503 with a page, not a crash, when the provider cannot be reached', async () => {
    s = await start();
    await createStaffUser(s.app, { username: 'root', role: 'admin' });
    expect((await s.app.inject({ url: '/staff/sso' })).statusCode).toBe(503);
    expect((await s.app.inject({ url: '/reserve/signin?lang=en' })).statusCode).toBe(503);
  });

  it('refuses a callback without a live flow: missing, forged or replayed', async () => {
    s = await start();
    const none = await s.app.inject({ url: '/reserve/oidc/callback?code=x&state=y' });
    expect(none.statusCode).toBe(400);
    const forged = await s.app.inject({
      url: '/reserve/oidc/callback?code=x&state=y',
      cookies: { volno_oidc_flow: 'A'.repeat(43) },
    });
    expect(forged.statusCode).toBe(400);
    const staff = await s.app.inject({ url: '/staff/sso/callback?code=x&state=y' });
    expect(staff.statusCode).toBe(400);
    expect(
      await s.app.volno.sql.one("SELECT count(*) AS n FROM staff_audit WHERE action = 'login.sso_refused'"),
    ).toEqual({ n: 1 });
  });

  it('refuses a booking on an oidc lot without a signed-in citizen, in the API too', async () => {
    s = await start();
    const r = await s.app.inject({
      method: 'POST',
      url: '/api/v1/reservations',
      payload: {
        lot_id: 'office',
        date: '2026-12-02',
        start: '10:00',
        end: '11:00',
        name: 'X',
        email: 'x@example.cz',
        consent: true,
      },
    });
    expect(r.statusCode).toBe(401);
    expect(r.json().code).toBe('VOLNO_RESERVATION_SIGN_IN');
  });

  it('erases the subject key with the other personal data at the privacy purge', async () => {
    const clock = new ManualClock(T0);
    s = await start(clock);
    const svc = s.app.volno.reservations.service;
    await svc.book(
      'office',
      { date: '2026-12-02', start: '10:00', end: '11:00' },
      { name: 'X', email: 'x@example.cz' },
      { lang: 'en', by: 'public', subjectKey: subjectKey('https://idp', 'person-1') },
    );
    clock.set(Date.parse('2026-12-04T12:00:00Z'));
    await s.app.volno.reservations.purger.tick();
    const purged = 'SELECT subject_key, CASE WHEN purged_at IS NULL THEN 0 ELSE 1 END AS purged FROM bookings';
    expect(await s.app.volno.sql.one(purged)).toEqual({
      subject_key: null,
      purged: 1,
    });
  });
});
