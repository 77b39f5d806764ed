import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safeNext } from '../../../server/staff/login-page.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { createStaffUser, loginStaff, STAFF_PASSWORD, type StaffSession } from '../support/staff.ts';

let s: TestServer;
let alice: StaffSession;
beforeAll(async () => {
  s = await startTestServer({}, { listen: false });
  await createStaffUser(s.app, { username: 'alice', role: 'viewer' });
  alice = await loginStaff(s.app, 'alice');
});
afterAll(() => s.stop());

/** The hostile `next` values of issue 13, finding 8, as they arrive in a URL. */
const HOSTILE = [
  '/staff/%0d%0aSet-Cookie:%20x=1',
  '/staff%0a',
  '/staff/%E2%80%A8',
  '/staff/%00',
  '/staff/%20x',
  '/staff/%7F',
];

describe('the login redirect target (next)', () => {
  it('falls back to /staff for CR/LF, U+2028 and other non-printable characters, with no 500', async () => {
    for (const next of HOSTILE) {
      // Logged in: the form redirects straight on, which used to put the raw value into Location.
      const r = await s.app.inject({ url: `/staff/login?next=${next}`, headers: { cookie: alice.cookie } });
      expect(r.statusCode, next).toBe(303);
      expect(r.headers.location, next).toBe('/staff');
      const page = await s.app.inject({ url: `/staff/login?next=${next}` });
      expect(page.statusCode, next).toBe(200);
      expect(page.body).toContain('name="next" value="/staff"');
      const post = await s.app.inject({
        method: 'POST',
        url: '/staff/login',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `username=alice&password=${STAFF_PASSWORD}&next=${next}`,
      });
      expect(post.statusCode, next).toBe(303);
      expect(post.headers.location, next).toBe('/staff');
      expect(post.body).not.toMatch(/at .*\.ts:\d+/);
    }
  });

  it('keeps a plain staff path with its query', () => {
    expect(safeNext('/staff/bookings?date=2026-12-01&lot=north')).toBe('/staff/bookings?date=2026-12-01&lot=north');
    expect(safeNext('/staff/x\u2028')).toBe('/staff');
    expect(safeNext('//evil.example/staff')).toBe('/staff');
  });
});
