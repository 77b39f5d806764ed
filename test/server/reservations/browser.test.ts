import { readFile } from 'node:fs/promises';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaffUser, loginStaff } from '../support/staff.ts';
import { booking, startEnv, type Env } from './support.ts';
import { AXE_PATH, launchChromium } from '../../support/chromium.ts';

// Debian's Chromium with the flags measured in shared/STACK.md; never a downloaded browser.
declare const window: {
  axe: {
    run(
      ctx: unknown,
      o: object,
    ): Promise<{ violations: { id: string; nodes: { target: string[] }[] }[]; passes: unknown[] }>;
  };
};
declare const document: unknown;
declare function getComputedStyle(el: unknown): { backgroundColor: string };

let env: Env;
let browser: Browser;
beforeAll(async () => {
  env = await startEnv({ listen: true });
  // History before the first page: the "usually" grid is built once per lot and hour.
  const counts = { free: 2, occupied: 1, unknown: 0, reserved: 0 };
  await env.app.volno.aggregates.record([{ lotId: 'office', counts }], Date.parse('2026-11-25T09:10:00Z'));
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await env?.s.stop();
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

describe('booking in Chromium', () => {
  it('books a space, shows the code, downloads the .ics and cancels through the manage link', async () => {
    const context = await browser.newContext({ bypassCSP: true, acceptDownloads: true });
    const page = await context.newPage();
    try {
      await page.goto(`${env.s.httpUrl}/reserve?lang=en`);
      expect(await axe(page)).toEqual([]);
      await page.getByLabel('Car park').selectOption('office');
      await page.getByLabel('Day').fill('2026-12-02');
      await page.getByLabel('From').fill('10:00');
      await page.getByLabel('Until').fill('12:00');
      await page.getByRole('button', { name: 'Check free spaces' }).click();
      await expect.poll(() => page.locator('#result').textContent()).toBe('2 spaces can be reserved');
      expect(await axe(page)).toEqual([]);

      await page.getByLabel('Full name').fill('Jana Nováková');
      await page.getByLabel(/^E-mail/).fill('jana@example.cz');
      await page.getByLabel('Licence plate (optional)').fill('1AB 2345');
      await page.getByLabel(/I agree/).check();
      await page.getByRole('button', { name: 'Reserve' }).click();
      await page.waitForURL(/\/reserve\/manage\/[A-Za-z0-9_-]{43}\?lang=en$/);
      const code = await page.locator('[data-code]').textContent();
      expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
      expect(await page.locator('h1').textContent()).toBe('Booking confirmed');
      expect(await page.locator('[data-manage]').getAttribute('href')).toBe(page.url().replace(/\?lang=en$/, ''));
      const qr = await page
        .locator('img.qr')
        .evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth);
      expect(qr).toBeGreaterThan(0); // the QR SVG loaded from this origin
      expect(await axe(page)).toEqual([]);

      const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-ics]').click()]);
      const ics = await readFile((await download.path())!, 'utf8');
      expect(ics).toContain(`UID:${code}@volno`);
      expect(ics).toContain('DTSTART:20261202T090000Z');
      expect(ics).toContain('DTEND:20261202T110000Z');

      const manageUrl = page.url();
      await page.getByRole('button', { name: 'Cancel booking' }).click();
      await page.waitForURL(manageUrl);
      expect(await page.getByRole('status').textContent()).toBe('The booking is cancelled.');
      expect(await page.locator('[data-status]').textContent()).toBe('cancelled');
      const row = (await env.app.volno.sql.one<{ status: string }>('SELECT status FROM bookings WHERE code = $1', [
        code,
      ]))!;
      expect(row.status).toBe('cancelled');
    } finally {
      await context.close();
    }
  });

  it('has no axe-core violations on the Czech pages, including an error', async () => {
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    try {
      await page.goto(`${env.s.httpUrl}/reserve?lang=cs&lot_id=office&date=2026-12-02&start=10:00&end=12:00`);
      expect(await page.locator('#result').textContent()).toBe('2 místa lze rezervovat');
      expect(await axe(page)).toEqual([]);
      await page.goto(`${env.s.httpUrl}/reserve?lang=cs&lot_id=office&date=2026-12-02&start=10:00&end=10:05`);
      expect(await page.getByRole('alert').textContent()).toContain('Rezervaci nelze provést');
      expect(await axe(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows the estimate from history on the GOV.CZ-styled page, axe-clean in both languages, all from 127.0.0.1', async () => {
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    try {
      for (const lang of ['cs', 'en']) {
        await page.goto(`${env.s.httpUrl}/reserve?lang=${lang}&lot_id=office&date=2026-12-02&start=10:00&end=11:00`);
        expect(await page.locator('[data-expected]').getAttribute('data-expected')).toBe('2');
        // --button-solid-primary: the GOV.CZ stylesheet is applied. Polled, because the button's
        // colour transition may still be running when the page has just loaded (one run in three read
        // a lighter shade on this loaded machine).
        const button = page.locator('.gov-button').first();
        await expect
          .poll(() => button.evaluate((b) => getComputedStyle(b).backgroundColor), { timeout: 5000 })
          .toBe('rgb(35, 98, 162)');
        expect(await axe(page)).toEqual([]);
      }
      expect(requests.length).toBeGreaterThan(2);
      expect(requests.filter((u) => !u.startsWith(env.s.httpUrl))).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('lets an operator cancel a booking from the staff page (script + CSRF token), with no axe violations', async () => {
    const made = await env.app.inject({
      method: 'POST',
      url: '/api/v1/reservations',
      payload: booking({ date: '2026-12-04', email: 'staffpage@example.cz', plate: '4SP' }),
    });
    const code = made.json().code as string;
    await createStaffUser(env.app, { username: 'olga', role: 'operator' });
    const session = await loginStaff(env.s.httpUrl, 'olga');
    const context = await browser.newContext({ bypassCSP: true });
    await context.addCookies([{ name: session.name, value: session.value, url: env.s.httpUrl }]);
    const page = await context.newPage();
    try {
      await page.goto(`${env.s.httpUrl}/staff/bookings?q=${code}`);
      expect(await axe(page)).toEqual([]);
      await page.getByRole('button', { name: `Cancel ${code}` }).click();
      await expect.poll(() => page.locator('[data-message]').textContent()).toBe('Done.');
      const row = (await env.app.volno.sql.one<{ status: string }>('SELECT status FROM bookings WHERE code = $1', [
        code,
      ]))!;
      expect(row.status).toBe('cancelled');
    } finally {
      await context.close();
    }
  });
});
