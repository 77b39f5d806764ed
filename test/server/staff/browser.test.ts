import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';
import { createStaffUser, loginStaff, STAFF_PASSWORD } from '../support/staff.ts';
import { AXE_PATH, launchChromium } from '../../support/chromium.ts';

// Debian's Chromium with the flags measured in shared/STACK.md; never a downloaded browser.
declare const window: Record<string, unknown>;
declare const document: { cookie: string };

let s: TestServer;
let browser: Browser;

beforeAll(async () => {
  s = await startTestServer();
  await createStaffUser(s.app, { username: 'alice', role: 'admin' });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await s?.stop();
});

/** Collects what Chromium reports as CSP violations and failed requests on a page. */
function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text());
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && !r.url().endsWith('/staff/login')) problems.push(`${r.status()} ${r.url()}`);
  });
  return problems;
}

describe('staff login in Chromium', () => {
  it('sends a visitor to the form, logs in with an HttpOnly SameSite=Strict cookie, and logs out', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = watch(page);
    try {
      await page.goto(`${s.httpUrl}/staff`);
      expect(new URL(page.url()).pathname).toBe('/staff/login');

      await page.getByLabel(/Username/).fill('alice');
      await page.getByLabel(/Password/).fill('not-the-right-password');
      await page.getByRole('button', { name: /Log in/ }).click();
      await expect(page.getByRole('alert').textContent()).resolves.toContain('wrong username or password');

      await page.getByLabel(/Password/).fill(STAFF_PASSWORD);
      await page.getByRole('button', { name: /Log in/ }).click();
      await page.waitForURL(`${s.httpUrl}/staff`);
      await expect(page.locator('.who').textContent()).resolves.toBe('alice (admin)');
      const [cookie] = await context.cookies();
      expect(cookie).toMatchObject({ name: 'volno_staff', httpOnly: true, sameSite: 'Strict' });
      // Scripts on the page cannot read the session id.
      expect(await page.evaluate(() => document.cookie)).toBe('');
      const color = await page
        .locator('th')
        .first()
        .evaluate((el) => getComputedStyle(el as never).backgroundColor);
      expect(color).toBe('rgb(243, 244, 246)'); // the staff stylesheet applied under the CSP

      await page.getByRole('button', { name: 'Log out' }).click();
      await page.waitForURL(/\/staff\/login$/);
      await page.goto(`${s.httpUrl}/staff`);
      expect(new URL(page.url()).pathname).toBe('/staff/login');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('accepts a session from the test helper as a Playwright cookie', async () => {
    const session = await loginStaff(s.httpUrl, 'alice');
    const context = await browser.newContext();
    try {
      await context.addCookies([{ name: session.name, value: session.value, url: s.httpUrl }]);
      const page = await context.newPage();
      await page.goto(`${s.httpUrl}/staff`);
      expect(await page.locator('meta[name="csrf-token"]').getAttribute('content')).toBe(session.csrfToken);
    } finally {
      await context.close();
    }
  });

  it('has a login form without axe-core violations (WCAG 2.1 A and AA)', async () => {
    // CSP bypassed only so axe can be injected.
    const context = await browser.newContext({ bypassCSP: true });
    try {
      const page = await context.newPage();
      await page.goto(`${s.httpUrl}/staff/login`);
      await page.addScriptTag({ path: AXE_PATH });
      const violations = await page.evaluate(async () => {
        const axe = (window as { axe?: { run: (o: object) => Promise<{ violations: { id: string }[] }> } }).axe!;
        const r = await axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
        return r.violations.map((v) => v.id);
      });
      expect(violations).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

declare function getComputedStyle(el: unknown): { backgroundColor: string };
