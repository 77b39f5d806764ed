import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../server/core/clock.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { createStaffUser, loginStaff, STAFF_PASSWORD } from '../support/staff.ts';

let s: TestServer;
let clock: ManualClock;
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const form = (o: Record<string, string>) => new URLSearchParams(o).toString();
const cookieOf = (setCookie: string | string[] | undefined) => [setCookie ?? []].flat().join('\n');

beforeAll(async () => {
  clock = new ManualClock(Date.now());
  s = await startTestServer(
    { auth: { login_max_per_user: 3, login_max_per_ip: 6, login_window_s: 600 } },
    {
      clock,
      listen: false,
    },
  );
  await createStaffUser(s.app, { username: 'alice', role: 'admin' });
  await createStaffUser(s.app, { username: 'victor', role: 'viewer' });
});
afterAll(() => s.stop());

describe('the login form', () => {
  it('is served as HTML under the staff CSP with Czech and English labels', async () => {
    const r = await s.app.inject({ url: '/staff/login?next=/staff/calibration' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/html/);
    expect(r.headers['content-security-policy']).toContain("script-src 'self'");
    expect(r.body).toContain('Uživatelské jméno');
    expect(r.body).toContain('Username');
    expect(r.body).toContain('name="next" value="/staff/calibration"');
    const css = await s.app.inject({ url: '/staff/assets/staff.css' });
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
  });

  it('logs in with a form post, sets an HttpOnly SameSite=Strict cookie and redirects to the staff page asked for', async () => {
    const r = await s.app.inject({
      method: 'POST',
      url: '/staff/login',
      headers: FORM,
      payload: form({ username: 'Alice', password: STAFF_PASSWORD, next: '/staff/calibration' }),
    });
    expect(r.statusCode).toBe(303);
    expect(r.headers.location).toBe('/staff/calibration');
    const cookie = cookieOf(r.headers['set-cookie']);
    expect(cookie).toMatch(/^volno_staff=[A-Za-z0-9_-]{43};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain('Path=/');
    expect(cookie).not.toContain('Secure');
  });

  it('never redirects to another site after login', async () => {
    for (const next of ['https://evil.example/', '//evil.example/staff', '/\\evil.example', '/elsewhere']) {
      const r = await s.app.inject({
        method: 'POST',
        url: '/staff/login',
        headers: FORM,
        payload: form({ username: 'alice', password: STAFF_PASSWORD, next }),
      });
      expect(r.headers.location, next).toBe('/staff');
    }
  });

  it('answers a wrong password with 401 and the form again, without saying which part was wrong', async () => {
    const r = await s.app.inject({
      method: 'POST',
      url: '/staff/login',
      headers: FORM,
      payload: form({ username: 'alice', password: 'not-the-password-at-all' }),
      remoteAddress: '198.51.100.1',
    });
    expect(r.statusCode).toBe(401);
    expect(r.body).toContain('wrong username or password');
    expect(r.headers['set-cookie']).toBeUndefined();
    const json = await s.app.inject({
      method: 'POST',
      url: '/staff/login',
      payload: { username: 'nobody', password: 'not-the-password-at-all' },
      remoteAddress: '198.51.100.1',
    });
    expect(json.statusCode).toBe(401);
    expect(json.json()).toMatchObject({ code: 'VOLNO_UNAUTHORIZED', message: 'wrong username or password' });
  });

  it('refuses a login posted from another site’s page, and accepts our own form under no-referrer', async () => {
    const post = (headers: Record<string, string>) =>
      s.app.inject({
        method: 'POST',
        url: '/staff/login',
        headers,
        payload: { username: 'alice', password: STAFF_PASSWORD },
      });
    for (const headers of <Record<string, string>[]>[
      { origin: 'https://evil.example' },
      { origin: 'null' }, // a sandboxed frame
      { 'sec-fetch-site': 'cross-site', origin: 'null' },
      { 'sec-fetch-site': 'same-site' },
    ]) {
      const r = await post(headers);
      expect(r.statusCode, JSON.stringify(headers)).toBe(403);
      expect(r.json().code).toBe('VOLNO_CSRF');
    }
    // Chromium under Referrer-Policy: no-referrer sends Origin: null with Sec-Fetch-Site: same-origin.
    expect((await post({ 'sec-fetch-site': 'same-origin', origin: 'null' })).statusCode).toBe(200);
    expect((await post({ origin: 'http://staff.example', host: 'staff.example:80' })).statusCode).toBe(200);
    expect((await post({ origin: 'http://staff.example:8080', host: 'staff.example:8080' })).statusCode).toBe(200);
    expect((await post({ origin: 'http://staff.example:8081', host: 'staff.example:8080' })).statusCode).toBe(403);
  });

  it('sends a logged-in user from the form straight on', async () => {
    const a = await loginStaff(s.app, 'alice');
    const r = await s.app.inject({ url: '/staff/login', headers: { cookie: a.cookie } });
    expect(r.statusCode).toBe(303);
    expect(r.headers.location).toBe('/staff');
  });
});

describe('sessions', () => {
  it('rotate at login: the session a browser had before stops working', async () => {
    const first = await loginStaff(s.app, 'alice');
    const again = await s.app.inject({
      method: 'POST',
      url: '/staff/login',
      headers: { cookie: first.cookie },
      payload: { username: 'alice', password: STAFF_PASSWORD },
    });
    expect(again.statusCode).toBe(200);
    expect(cookieOf(again.headers['set-cookie'])).not.toContain(first.value);
    expect((await s.app.inject({ url: '/api/v1/staff/me', headers: { cookie: first.cookie } })).statusCode).toBe(401);
  });

  it('end at logout (a form post with the CSRF field), which redirects to the login form', async () => {
    const a = await loginStaff(s.app, 'alice');
    const out = await s.app.inject({
      method: 'POST',
      url: '/staff/logout',
      headers: { ...FORM, cookie: a.cookie },
      payload: form({ csrf_token: a.csrfToken }),
    });
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe('/staff/login');
    expect(cookieOf(out.headers['set-cookie'])).toMatch(/volno_staff=;/);
    expect((await s.app.inject({ url: '/api/v1/staff/me', headers: a.headers })).statusCode).toBe(401);
  });

  it('end after the idle timeout and after the absolute lifetime however busy (injected clock)', async () => {
    const idle = await loginStaff(s.app, 'victor');
    clock.advance(1799_000);
    expect((await s.app.inject({ url: '/api/v1/staff/me', headers: idle.headers })).statusCode).toBe(200);
    clock.advance(1799_000); // renewed by the request above
    expect((await s.app.inject({ url: '/api/v1/staff/me', headers: idle.headers })).statusCode).toBe(200);
    clock.advance(1800_000);
    expect((await s.app.inject({ url: '/api/v1/staff/me', headers: idle.headers })).statusCode).toBe(401);

    const busy = await loginStaff(s.app, 'victor');
    for (let t = 0; t < 12 * 3600; t += 1200) {
      clock.advance(1200_000);
      const r = await s.app.inject({ url: '/api/v1/staff/me', headers: busy.headers });
      expect(r.statusCode, `after ${t + 1200} s`).toBe(t + 1200 < 12 * 3600 ? 200 : 401);
    }
  });

  it('report who is asking, with the CSRF token pages and scripts send back', async () => {
    const v = await loginStaff(s.app, 'victor');
    const me = (await s.app.inject({ url: '/api/v1/staff/me', headers: v.headers })).json();
    expect(me).toMatchObject({ username: 'victor', role: 'viewer', via: 'session', csrf_token: v.csrfToken });
    const page = await s.app.inject({ url: '/staff?lang=en', headers: v.headers });
    expect(page.body).toContain(`<meta name="csrf-token" content="${v.csrfToken}">`);
    expect(page.body).toContain('victor (viewer)');
    expect(page.body).not.toContain('<h2>Accounts</h2>');
  });
});

describe('CSRF', () => {
  it('refuses a state-changing request with the cookie and a wrong or another session’s token', async () => {
    const a = await loginStaff(s.app, 'alice');
    const other = await loginStaff(s.app, 'victor');
    for (const token of ['', 'x'.repeat(43), other.csrfToken]) {
      const r = await s.app.inject({
        method: 'POST',
        url: '/api/v1/staff/users',
        headers: { cookie: a.cookie, 'x-csrf-token': token },
        payload: { username: 'mallory', role: 'admin', password: STAFF_PASSWORD },
      });
      expect(r.statusCode, token).toBe(403);
      expect(r.json().code).toBe('VOLNO_CSRF');
    }
    expect(await s.app.volno.auth.accounts.byUsername('mallory')).toBeUndefined();
  });

  it('reads the token from the csrf_token form field as well, and refuses a wrong one there too', async () => {
    const a = await loginStaff(s.app, 'alice');
    const post = (csrf_token: string) =>
      s.app.inject({
        method: 'POST',
        url: '/staff/logout',
        headers: { ...FORM, cookie: a.cookie },
        payload: form({ csrf_token }),
      });
    const wrong = await post('wrong');
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().code).toBe('VOLNO_CSRF');
    expect((await s.app.inject({ url: '/api/v1/staff/me', headers: a.headers })).statusCode).toBe(200);
    expect((await post(a.csrfToken)).statusCode).toBe(303);
  });
});

describe('login rate limiting', () => {
  it('refuses a username from an address after 3 failures there with 429 and retry-after, even with the right password, until the window slides on', async () => {
    await createStaffUser(s.app, { username: 'rita', role: 'viewer' });
    const attempt = (password: string, remoteAddress: string) =>
      s.app.inject({ method: 'POST', url: '/staff/login', payload: { username: 'rita', password }, remoteAddress });
    for (let i = 0; i < 3; i++) {
      clock.advance(60_000);
      expect((await attempt(`wrong-password-${i}-xx`, '192.0.2.4')).statusCode).toBe(401);
    }
    // Failures from other addresses count for those addresses only (issue 13, finding 6).
    expect((await attempt('wrong-password-elsewhere', '192.0.2.5')).statusCode).toBe(401);
    const blocked = await attempt(STAFF_PASSWORD, '192.0.2.4');
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json().code).toBe('VOLNO_RATE_LIMITED');
    // The first failure leaves the 600 s window 480 s from now.
    expect(blocked.headers['retry-after']).toBe('480');
    clock.advance(479_000);
    expect((await attempt(STAFF_PASSWORD, '192.0.2.4')).statusCode).toBe(429);
    clock.advance(1_000);
    expect((await attempt(STAFF_PASSWORD, '192.0.2.4')).statusCode).toBe(200);
  });

  it('refuses an address after 6 failures whatever the username, while other addresses still log in', async () => {
    clock.advance(3_600_000);
    for (let i = 0; i < 6; i++) {
      const r = await s.app.inject({
        method: 'POST',
        url: '/staff/login',
        payload: { username: `guess-${i}`, password: 'guessing-password' },
        remoteAddress: '203.0.113.50',
      });
      expect(r.statusCode).toBe(401);
    }
    const r = await s.app.inject({
      method: 'POST',
      url: '/staff/login',
      headers: FORM,
      payload: form({ username: 'alice', password: STAFF_PASSWORD }),
      remoteAddress: '203.0.113.50',
    });
    expect(r.statusCode).toBe(429);
    expect(Number(r.headers['retry-after'])).toBe(600);
    expect(r.body).toContain('too many failed logins');
    await expect(loginStaff(s.app, 'alice')).resolves.toMatchObject({ name: 'volno_staff' });
  });

  it('records failed logins in the audit log, naming only accounts that exist', async () => {
    const a = await loginStaff(s.app, 'alice');
    const entries = (await s.app.inject({ url: '/api/v1/staff/audit?action=login.failed', headers: a.headers })).json()
      .entries as { username: string | null; target: string; via: string }[];
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.every((e) => e.via === 'anonymous')).toBe(true);
    expect(entries.filter((e) => e.username === null).every((e) => e.target === 'unknown user')).toBe(true);
    expect(entries.some((e) => e.username === 'rita')).toBe(true);
    expect(JSON.stringify(entries)).not.toContain('guess-');
  });
});
