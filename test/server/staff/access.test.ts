import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';
import { createStaffUser, loginStaff } from '../support/staff.ts';

const TOKEN = 'a-long-enough-staff-token-for-tests';
let s: TestServer | undefined;
/** Starts a server whose new password hashes are cheap (production cost is ~1 s per hash here). */
async function start(raw: Record<string, unknown> = {}): Promise<TestServer> {
  const t = await startTestServer(raw, { listen: false });
  t.app.volno.auth.accounts.setHashCost(12);
  return t;
}
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

const me = (remoteAddress = '127.0.0.1', headers: Record<string, string> = {}) =>
  s!.app.inject({ url: '/api/v1/staff/me', remoteAddress, headers });

describe('before the first account (bootstrap)', () => {
  it('treats a request from this machine as admin and refuses other machines, until the first account exists', async () => {
    s = await start();
    expect((await me()).json()).toMatchObject({ username: 'localhost', role: 'admin', via: 'loopback' });
    const remote = await me('203.0.113.7');
    expect(remote.statusCode).toBe(403);
    expect(remote.json().code).toBe('VOLNO_FORBIDDEN');

    // The bootstrap admin creates the first account over the API…
    const created = await s.app.inject({
      method: 'POST',
      url: '/api/v1/staff/users',
      payload: { username: 'first-admin', role: 'admin', password: 'a-good-long-password' },
    });
    expect(created.statusCode).toBe(201);
    // …and from then on this machine is nobody special.
    expect((await me()).statusCode).toBe(401);
    expect((await s.app.inject({ url: '/metrics' })).statusCode).toBe(401);
    expect((await me('203.0.113.7')).statusCode).toBe(401);
    const page = await s.app.inject({ url: '/staff' });
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe('/staff/login?next=%2Fstaff');
    const audit = await s.app.volno.auth.auditLog.list({ limit: 10 });
    expect(audit[0]).toMatchObject({ action: 'user.create', via: 'loopback', username: 'localhost', ip: '127.0.0.1' });
  });

  it('refuses a cross-site browser request from this machine, so a web page cannot act as the bootstrap admin', async () => {
    s = await start();
    for (const headers of [{ 'sec-fetch-site': 'cross-site' }, { origin: 'https://evil.example' }]) {
      const r = await s.app.inject({
        method: 'POST',
        url: '/api/v1/staff/users',
        headers,
        payload: { username: 'mallory', role: 'admin', password: 'a-good-long-password' },
      });
      expect(r.statusCode).toBe(403);
      expect(r.json().code).toBe('VOLNO_CSRF');
    }
    expect(await s.app.volno.auth.accounts.count()).toBe(0);
  });
});

describe('the staff token', () => {
  it('stays an admin credential for scripts next to accounts, needs no CSRF token, and is audited as the token', async () => {
    s = await start({ http: { staff_token: TOKEN } });
    // With a token configured there is no loopback bootstrap.
    expect((await me()).statusCode).toBe(401);
    const bearer = { authorization: `Bearer ${TOKEN}` };
    const r = await s.app.inject({
      method: 'POST',
      url: '/api/v1/staff/users',
      headers: bearer,
      remoteAddress: '203.0.113.7',
      payload: { username: 'opal', role: 'operator', password: 'a-good-long-password' },
    });
    expect(r.statusCode).toBe(201);
    expect((await me('203.0.113.7', bearer)).json()).toMatchObject({ username: 'token', role: 'admin', via: 'token' });
    const wrong = await me('127.0.0.1', { authorization: `Bearer ${TOKEN}x` });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['www-authenticate']).toMatch(/^Bearer/);
    expect((await s.app.volno.auth.auditLog.list({ limit: 1 }))[0]).toMatchObject({
      action: 'user.create',
      via: 'token',
      username: 'token',
      ip: '203.0.113.7',
      detail: { username: 'opal', role: 'operator' },
    });
    // A wrong bearer token is not rescued by a valid session cookie sent alongside.
    const o = await loginStaff(s.app, 'opal', 'a-good-long-password');
    expect((await me('127.0.0.1', { ...o.headers, authorization: 'Bearer nope' })).statusCode).toBe(401);
    expect((await me('127.0.0.1', o.headers)).json()).toMatchObject({ username: 'opal', role: 'operator' });
  });
});

describe('cookies over HTTPS', () => {
  it('are marked Secure when the request came over HTTPS through a trusted proxy, or when configured', async () => {
    s = await start({ http: { trust_proxy: ['127.0.0.1'] } });
    await createStaffUser(s.app, { username: 'alice', role: 'viewer' });
    const login = (headers: Record<string, string>) =>
      s!.app.inject({
        method: 'POST',
        url: '/staff/login',
        headers,
        payload: { username: 'alice', password: 'correct-horse-battery-staple' },
      });
    expect(String((await login({ 'x-forwarded-proto': 'https' })).headers['set-cookie'])).toContain('Secure');
    expect(String((await login({})).headers['set-cookie'])).not.toContain('Secure');
    await s.stop();

    s = await start({ auth: { cookie_secure: true } });
    await createStaffUser(s.app, { username: 'alice', role: 'viewer' });
    expect(String((await login({})).headers['set-cookie'])).toContain('Secure');
  });
});
