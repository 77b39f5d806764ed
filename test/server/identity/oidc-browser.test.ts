import getPort from 'get-port';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../../server/core/clock.ts';
import { AXE_PATH, launchChromium } from '../../support/chromium.ts';
import { startTestProvider, type TestProvider } from '../../support/oidc-provider.ts';
import { lots, rules, T0 } from '../reservations/support.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { createStaffUser } from '../support/staff.ts';

declare const window: {
  axe: {
    run(ctx: unknown, o: object): Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }>;
  };
};
declare const document: unknown;

let provider: TestProvider;
let s: TestServer;
let browser: Browser;
let app: string;

const ACCOUNTS = {
  'citizen-1': { email: 'jana@example.cz', email_verified: true, name: 'Jana Nováková' },
  alice: { preferred_username: 'alice', roles: ['volno-operators', 'unrelated'] },
  mallory: { preferred_username: 'mallory', roles: ['print-room'] },
};

async function startProvider(port?: number): Promise<TestProvider> {
  return startTestProvider({
    ...(port !== undefined ? { port } : {}),
    accounts: ACCOUNTS,
    clients: [
      {
        client_id: 'volno-citizen',
        client_secret: 'citizen-secret-0123456789',
        redirect_uris: [`${app}/reserve/oidc/callback`],
        response_types: ['code'],
        grant_types: ['authorization_code'],
      },
      {
        client_id: 'volno-staff',
        client_secret: 'staff-secret-0123456789',
        redirect_uris: [`${app}/staff/sso/callback`],
        response_types: ['code'],
        grant_types: ['authorization_code'],
      },
    ],
  });
}

beforeAll(async () => {
  const appPort = await getPort({ host: '127.0.0.1' });
  app = `http://127.0.0.1:${appPort}`;
  provider = await startProvider();
  s = await startTestServer(
    {
      http: { port: appPort },
      // Two spaces; one booking per person and day, so the second is refused by the limit, not by capacity.
      lots: lots(2, rules({ identity: 'oidc', limits: { max_per_day_per_person: 1 } })),
      limits: { bookings_per_address: 100_000, bookings_per_subnet: 100_000 },
      identity: {
        public_url: app,
        allow_insecure_requests: true,
        citizen: {
          issuer: provider.issuer,
          client_id: 'volno-citizen',
          client_secret: 'citizen-secret-0123456789',
          scopes: ['openid', 'email'],
        },
        staff: {
          issuer: provider.issuer,
          client_id: 'volno-staff',
          client_secret: 'staff-secret-0123456789',
          roles: { operator: ['volno-operators'], admin: ['volno-admins'] },
        },
      },
    },
    { clock: new ManualClock(T0) },
  );
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await s?.stop();
  await provider?.stop();
});

/** axe-core WCAG 2.1 A/AA + best practice on the page as it is now (CSP bypassed only to inject axe). */
async function axe(page: Page): Promise<{ id: string; targets: string[] }[]> {
  await page.addScriptTag({ path: AXE_PATH });
  return page.evaluate(async () => {
    const r = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    });
    return r.violations.map((v) => ({ id: v.id, targets: v.nodes.map((n) => n.target.join(' ')) }));
  });
}

/** The provider's dev login and consent forms. */
async function signInAtProvider(page: Page, login: string): Promise<void> {
  await page.waitForURL((u) => u.href.startsWith(provider.issuer));
  await page.locator('input[name=login]').fill(login);
  await page.locator('input[name=password]').fill('any password');
  await page.locator('button[type=submit]').click();
  // Consent on the first sign-in of this account at this client; later ones come straight back.
  // Login and consent share one URL, so wait for whichever comes: the Continue button, or our site.
  const consent = page.getByRole('button', { name: 'Continue' });
  await Promise.race([
    consent.waitFor().catch(() => undefined),
    page.waitForURL((u) => !u.href.startsWith(provider.issuer)).catch(() => undefined),
  ]);
  if (page.url().startsWith(provider.issuer)) await consent.click();
}

/** Back on the booking page for this window (the query may come back percent-encoded). */
const atWindow = (start: string) => (u: URL) => u.pathname === '/reserve' && u.searchParams.get('start') === start;

const search = (start: string, end: string) =>
  `${app}/reserve?lang=en&lot_id=office&date=2026-12-02&start=${start}&end=${end}`;

async function book(page: Page, email: string, plate: string): Promise<void> {
  await page.getByLabel('Full name').fill('Jana Nováková');
  await page.getByLabel(/^E-mail/).fill(email);
  await page.getByLabel('Licence plate (optional)').fill(plate);
  await page.getByLabel(/I agree/).check();
  await page.getByRole('button', { name: 'Reserve' }).click();
}

describe('OpenID Connect sign-in against a real provider, in Chromium', () => {
  it('signs a citizen in, books, refuses the booking past the per-person limit, and signs out', async () => {
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    try {
      await page.goto(search('10:00', '12:00'));
      expect(await axe(page)).toEqual([]);
      // Not signed in: no booking form on an `oidc` lot, only the way to sign in.
      expect(await page.getByRole('button', { name: 'Reserve' }).count()).toBe(0);
      await page.locator('[data-signin]').click();
      await signInAtProvider(page, 'citizen-1');
      await page.waitForURL(atWindow('10:00'));
      // Back at the same window, signed in; the address the provider vouched for is prefilled.
      expect(await page.getByLabel(/^E-mail/).inputValue()).toBe('jana@example.cz');
      expect(await axe(page)).toEqual([]);
      await book(page, 'jana@example.cz', '1AB 2345');
      await page.waitForURL(/\/reserve\/manage\//);
      expect(await page.locator('[data-status]').textContent()).toBe('confirmed');
      expect(await axe(page)).toEqual([]);

      // The same person with another e-mail and plate: the limit counts the verified subject.
      await page.goto(search('14:00', '15:00'));
      await book(page, 'someone-else@example.cz', '9ZZ 9999');
      expect(await page.getByRole('alert').textContent()).toContain('at most 1 booking(s) per person and day');
      expect(await axe(page)).toEqual([]);
      const rows = await s.app.volno.sql.all<{ subject_key: string; status: string }>(
        'SELECT subject_key, status FROM bookings',
      );
      expect(rows).toHaveLength(1);
      // Only a hash of issuer and subject is stored, never the provider's identifier itself.
      expect(rows[0]!.subject_key).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(await s.app.volno.sql.all('SELECT * FROM citizen_sessions'))).not.toContain('citizen-1');

      // The signed-in session's cookie alone is not enough for the JSON API: the CSRF token must come too.
      const apiWithoutCsrf = await page.evaluate(async () => {
        const body = { lot_id: 'office', date: '2026-12-03', start: '10:00', end: '11:00', name: 'J', consent: true };
        const r = await fetch('/api/v1/reservations', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ...body, email: 'jana@example.cz' }),
        });
        return r.status;
      });
      expect(apiWithoutCsrf).toBe(403);

      await page.goto(search('14:00', '15:00'));
      await page.locator('[data-signout]').click();
      await page.waitForURL(`${app}/reserve?lang=en`);
      expect(await s.app.volno.sql.one('SELECT count(*) AS n FROM citizen_sessions')).toEqual({ n: 0 });
      await page.goto(search('14:00', '15:00'));
      expect(await page.locator('[data-signin]').count()).toBe(1);
      // A booking post without a session is refused.
      const anon = await fetch(`${app}/reserve/book?lang=en`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'lot_id=office&date=2026-12-02&start=16:00&end=17:00&name=X&email=x%40example.cz&consent=yes',
      });
      expect(anon.status).toBe(401);
    } finally {
      await context.close();
    }
  });

  it('checks ID-token signatures against the JWKS, and follows a key rotation once its copy may be refreshed', async () => {
    const oldKid = provider.kid;
    await provider.stop();
    provider = await startProvider(provider.port);
    expect(provider.kid).not.toBe(oldKid);
    // openid-client (oauth4webapi) fetches the JWKS again for an unknown kid only when its copy is at
    // least 60 s old, so a flood of forged kids cannot make it hammer the provider. Only Date moves
    // (for provider and relying party alike, both in this process); timers and the browser run as usual.
    const now = Date.now();
    vi.useFakeTimers({ toFake: ['Date'] });
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    try {
      // Well inside the cooldown (the copy is from the first test): a token signed with a key the
      // relying party does not have is refused, so signatures really are checked.
      vi.setSystemTime(now - 3000_000);
      await page.goto(search('10:00', '12:00'));
      await page.locator('[data-signin]').click();
      await signInAtProvider(page, 'citizen-1');
      await page.waitForURL((u) => u.pathname === '/reserve/oidc/callback');
      expect(await page.getByRole('status').textContent()).toContain('could not be verified');
      expect(await axe(page)).toEqual([]);

      // Past the cooldown: the JWKS is fetched again, the new key found, the sign-in accepted. (A fresh
      // browser, so the provider asks for the login again rather than answering from its session.)
      vi.setSystemTime(now + 61_000);
      const again = await (await browser.newContext({ bypassCSP: true })).newPage();
      await again.goto(search('10:00', '12:00'));
      await again.locator('[data-signin]').click();
      await signInAtProvider(again, 'citizen-1');
      await again.waitForURL(atWindow('10:00'));
      expect(await again.locator('[data-signout]').count()).toBe(1);
      await again.context().close();
    } finally {
      vi.useRealTimers();
      await context.close();
    }
  });

  it('signs staff in through single sign-on with the mapped role, and refuses an unmapped one', async () => {
    await createStaffUser(s.app, { username: 'breakglass', role: 'admin' });
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    try {
      await page.goto(`${app}/staff/login`);
      expect(await axe(page)).toEqual([]);
      await page.locator('.sso a').click();
      await signInAtProvider(page, 'alice');
      await page.waitForURL(`${app}/staff`);
      expect(await axe(page)).toEqual([]);
      const user = await s.app.volno.sql.one("SELECT role, password_hash FROM staff_users WHERE username = 'alice'");
      expect(user).toEqual({ role: 'operator', password_hash: '!sso' });
      // An operator's session: the staff API answers, the admin-only user list does not.
      const api = await page.evaluate(async () => [
        (await fetch('/api/v1/staff/reservations/bookings')).status,
        (await fetch('/api/v1/staff/users')).status,
      ]);
      expect(api).toEqual([200, 403]);
      const audit = await s.app.volno.sql.all("SELECT username, action FROM staff_audit WHERE action = 'login.sso'");
      expect(audit).toEqual([{ username: 'alice', action: 'login.sso' }]);
    } finally {
      await context.close();
    }

    const other = await browser.newContext({ bypassCSP: true });
    const refused = await other.newPage();
    try {
      await refused.goto(`${app}/staff/login`);
      await refused.locator('.sso a').click();
      await signInAtProvider(refused, 'mallory');
      await refused.waitForURL((u) => u.pathname === '/staff/sso/callback');
      expect(await refused.getByRole('status').textContent()).toContain('no role');
      expect(await axe(refused)).toEqual([]);
      expect(await s.app.volno.sql.one("SELECT count(*) AS n FROM staff_users WHERE username = 'mallory'")).toEqual({
        n: 0,
      });
    } finally {
      await other.close();
    }
  });
});
