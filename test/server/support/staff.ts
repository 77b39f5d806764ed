import type { FastifyInstance } from 'fastify';
import type { StaffRole } from '../../../server/core/access.ts';
import { SESSION_COOKIE } from '../../../server/staff/account-access.ts';

/** A password that passes the rules (12+ characters, not the username). */
export const STAFF_PASSWORD = 'correct-horse-battery-staple';

/**
 * scrypt cost for test apps: 2^12 takes a few ms, where the production default (2^17) takes about
 * a second per login on the CI machine. Hashes keep their own parameters, so nothing else changes.
 */
const TEST_HASH_LOG2N = 12;

export interface CreatedStaffUser {
  userId: number;
  username: string;
  role: StaffRole;
  password: string;
}

/**
 * Creates a staff account in a running app (built with buildApp or startTestServer). Note that
 * once any account exists, anonymous requests from 127.0.0.1 are no longer admins: log in.
 */
export async function createStaffUser(
  app: FastifyInstance,
  o: { username: string; role: StaffRole; password?: string },
): Promise<CreatedStaffUser> {
  const accounts = app.volno.auth.accounts;
  accounts.setHashCost(TEST_HASH_LOG2N);
  const password = o.password ?? STAFF_PASSWORD;
  const user = await accounts.create({ username: o.username, role: o.role, password });
  return { userId: user.userId, username: user.username, role: user.role, password };
}

/** A logged-in staff session, ready to send. */
export interface StaffSession {
  /** `volno_staff=<id>`, for a `cookie` header. */
  cookie: string;
  /** The session's CSRF token, for `x-csrf-token` on POST/PUT/PATCH/DELETE. */
  csrfToken: string;
  /** The cookie's name and value, e.g. for Playwright's `context.addCookies([{ name, value, url }])`. */
  name: string;
  value: string;
  /** `{ cookie, 'x-csrf-token' }`: spread into inject() or fetch() headers. */
  headers: { cookie: string; 'x-csrf-token': string };
}

function session(setCookie: string | string[] | undefined | null, csrfToken: string): StaffSession {
  const all = [setCookie ?? []].flat().flatMap((h) => h.split(/,(?=\s*[A-Za-z0-9_-]+=)/));
  const line = all.find((c) => c.trim().startsWith(`${SESSION_COOKIE}=`));
  if (line === undefined) throw new Error('login answered without a session cookie');
  const value = line
    .trim()
    .slice(SESSION_COOKIE.length + 1)
    .split(';')[0]!;
  const cookie = `${SESSION_COOKIE}=${value}`;
  return { cookie, csrfToken, name: SESSION_COOKIE, value, headers: { cookie, 'x-csrf-token': csrfToken } };
}

/**
 * Logs in over HTTP: through `app.inject()` when given the app, or with fetch() against a listening
 * server's base URL (`http://127.0.0.1:PORT`). Throws with the server's answer when it refuses.
 */
export async function loginStaff(
  target: FastifyInstance | string,
  username: string,
  password: string = STAFF_PASSWORD,
): Promise<StaffSession> {
  const payload = { username, password };
  if (typeof target === 'string') {
    const r = await fetch(`${target.replace(/\/$/, '')}/staff/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    });
    const body = await r.text();
    if (r.status !== 200) throw new Error(`login as ${username} failed: ${r.status} ${body}`);
    return session(r.headers.getSetCookie(), (JSON.parse(body) as { csrf_token: string }).csrf_token);
  }
  const r = await target.inject({ method: 'POST', url: '/staff/login', payload });
  if (r.statusCode !== 200) throw new Error(`login as ${username} failed: ${r.statusCode} ${r.body}`);
  return session(r.headers['set-cookie'], r.json<{ csrf_token: string }>().csrf_token);
}
