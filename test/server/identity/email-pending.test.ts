import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../server/core/clock.ts';
import type { Page } from 'playwright-core';
import { waitFor } from '../../fixtures/process.ts';
import { AXE_PATH, launchChromium } from '../../support/chromium.ts';
import { booking, lots, rules, T0 } from '../reservations/support.ts';
import { decodedMail, startSmtpReceiver, type ReceivedMail, type SmtpReceiver } from '../../support/smtp.ts';
import { tempDir } from '../support/config.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

declare const window: {
  axe: {
    run(ctx: unknown, o: object): Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }>;
  };
};
declare const document: unknown;

const inbox: ReceivedMail[] = [];
let smtp: SmtpReceiver;
let port: number;
const data = tempDir('volno-pending-');

const mailsTo = (addr: string) => inbox.filter((m) => m.to.includes(addr));
const linkIn = (m: ReceivedMail) =>
  /https:\/\/parking\.example\.cz\/reserve\/manage\/([A-Za-z0-9_-]{43})/.exec(decodedMail(m.raw))![1]!;

beforeAll(async () => {
  smtp = await startSmtpReceiver(inbox);
  port = smtp.port;
});
afterAll(async () => {
  await smtp.stop();
  data.cleanup();
});

let s: TestServer;
let clock: ManualClock;
beforeEach(async () => {
  inbox.length = 0;
  clock = new ManualClock(T0);
  // One reservable space, e-mail confirmation with a 10-minute hold.
  s = await startTestServer(
    {
      lots: lots(1, rules({ identity: 'email', pending_min: 10 })),
      smtp: { host: '127.0.0.1', port, from: 'parking@example.cz', public_url: 'https://parking.example.cz/' },
      limits: { bookings_per_address: 100_000, bookings_per_subnet: 100_000 },
    },
    { clock, dataDir: tempDir('volno-pending-db-').dir, listen: false },
  );
});
afterEach(async () => {
  await s.stop();
});

const book = (o: Record<string, unknown> = {}) =>
  s.app.inject({ method: 'POST', url: '/api/v1/reservations', payload: booking({ lang: 'en', ...o }) });
/** The confirm button's form post, as a browser sends it. */
const confirmPost = (token: string) =>
  s.app.inject({
    method: 'POST',
    url: `/reserve/manage/${token}/confirm?lang=en`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: '',
  });
const options = async () =>
  (
    await s.app.inject({ url: '/api/v1/reservations/options?lot_id=office&date=2026-12-02&start=10:00&end=12:00' })
  ).json().available as number;

describe('identity email: a booking is pending until its mailed link is confirmed', () => {
  it('holds the space while pending, shows no manage token to the booker, and the mailed link confirms it', async () => {
    const res = await book({ email: 'jana@example.cz' });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ status: 'pending' });
    expect(res.body).not.toMatch(/manage/);
    // The only space is held: a second person is told it is full.
    expect(await options()).toBe(0);
    expect((await book({ email: 'petr@example.cz', plate: '2BB 2222' })).json().code).toBe('VOLNO_RESERVATION_FULL');

    await waitFor(() => mailsTo('jana@example.cz').length === 1, { timeoutMs: 10_000, what: 'the confirmation link' });
    const mail = decodedMail(mailsTo('jana@example.cz')[0]!.raw);
    expect(mail).toMatch(/Subject: Confirm your parking booking/);
    const token = linkIn(mailsTo('jana@example.cz')[0]!);
    // Opening the link (a GET, as mail scanners do) confirms nothing; the button does.
    const page = await s.app.inject({ url: `/reserve/manage/${token}?lang=en` });
    expect(page.body).toContain('data-confirm');
    expect((await s.app.inject({ url: `/api/v1/reservations/manage/${token}` })).statusCode).toBe(200);
    const confirm = await confirmPost(token);
    expect(confirm.statusCode).toBe(303);
    expect((await s.app.inject({ url: `/reserve/manage/${token}?lang=en` })).body).not.toContain('data-confirm');

    // Confirmed bookings do not lapse: the space stays taken after the hold would have ended.
    clock.advance(11 * 60_000);
    expect(await options()).toBe(0);
    const row = await s.app.volno.sql.one('SELECT status, pending_until FROM bookings');
    expect(row).toEqual({ status: 'confirmed', pending_until: null });
  });

  it('frees the space when the hold lapses, and the late link no longer confirms', async () => {
    expect((await book({ email: 'jana@example.cz' })).statusCode).toBe(202);
    await waitFor(() => mailsTo('jana@example.cz').length === 1, { timeoutMs: 10_000, what: 'the confirmation link' });
    const token = linkIn(mailsTo('jana@example.cz')[0]!);
    clock.advance(9 * 60_000);
    expect(await options()).toBe(0);
    clock.advance(60_000);
    expect(await options()).toBe(1);
    const late = await confirmPost(token);
    expect(late.statusCode).toBe(409);
    expect(late.body).toMatch(/ran out/);
    // Someone else gets the space now.
    expect((await book({ email: 'petr@example.cz', plate: '2BB 2222' })).statusCode).toBe(202);
    expect(await s.app.volno.sql.one("SELECT count(*) AS n FROM bookings WHERE status = 'cancelled'")).toEqual({
      n: 1,
    });
  });

  it('sends one mail only to an unconfirmed address, however often it is typed in', async () => {
    expect((await book({ email: 'victim@example.cz', plate: '1AA 0001' })).statusCode).toBe(202);
    await waitFor(() => mailsTo('victim@example.cz').length === 1, { timeoutMs: 10_000, what: 'the first mail' });
    clock.advance(11 * 60_000); // the first hold lapsed; the space is free again
    for (const [i, address] of ['victim@example.cz', 'VICTIM@example.cz', 'victim@EXAMPLE.cz'].entries()) {
      const again = await book({ email: address, plate: `1AA 000${i + 2}` });
      expect(again.statusCode).toBe(429);
      expect(again.json().code).toBe('VOLNO_RESERVATION_UNVERIFIED');
    }
    await s.app.volno.reservations.mailer!.kick();
    expect(mailsTo('victim@example.cz')).toHaveLength(1);
    // A day later the address may get one more link.
    clock.advance(24 * 3600_000);
    expect((await book({ email: 'victim@example.cz', date: '2026-12-03' })).statusCode).toBe(202);
    await waitFor(() => mailsTo('victim@example.cz').length === 2, { timeoutMs: 10_000, what: 'the mail a day later' });
  });

  it('lets a confirmed address book again, each booking pending until its own link is confirmed', async () => {
    expect((await book({ email: 'jana@example.cz', start: '08:00', end: '09:00' })).statusCode).toBe(202);
    await waitFor(() => mailsTo('jana@example.cz').length === 1, { timeoutMs: 10_000, what: 'the first link' });
    const first = linkIn(mailsTo('jana@example.cz')[0]!);
    expect((await confirmPost(first)).statusCode).toBe(303);
    const second = await book({ email: 'jana@example.cz', date: '2026-12-03' });
    expect(second.statusCode).toBe(202);
    await waitFor(() => mailsTo('jana@example.cz').length === 2, { timeoutMs: 10_000, what: 'the second link' });
  });

  it('refuses `email` without smtp, so a lot never waits for a mail that cannot be sent', async () => {
    const { parseConfig } = await import('../../../server/main/config/load.ts');
    expect(() => parseConfig({ lots: lots(1, rules({ identity: 'email' })) }, { baseDir: '/tmp', env: {} })).toThrow(
      /\/lots\/0\/reservations\/identity: email needs smtp/,
    );
  });
});

describe('identity email in Chromium', () => {
  it('shows the check-your-mail page and the confirm button, both axe-clean, and confirms', async () => {
    const web = await startTestServer(
      {
        lots: lots(1, rules({ identity: 'email', pending_min: 10 })),
        smtp: { host: '127.0.0.1', port, from: 'parking@example.cz', public_url: 'https://parking.example.cz/' },
        limits: { bookings_per_address: 100_000, bookings_per_subnet: 100_000 },
      },
      { clock: new ManualClock(T0), dataDir: tempDir('volno-pending-web-').dir },
    );
    const browser = await launchChromium();
    try {
      const page = await (await browser.newContext({ bypassCSP: true })).newPage();
      await page.goto(`${web.httpUrl}/reserve?lang=en&lot_id=office&date=2026-12-02&start=10:00&end=12:00`);
      await page.getByLabel('Full name').fill('Eva Svobodová');
      await page.getByLabel(/^E-mail/).fill('eva@example.cz');
      await page.getByLabel(/I agree/).check();
      await page.getByRole('button', { name: 'Reserve' }).click();
      await page.locator('[data-pending]').waitFor();
      expect(await page.locator('h1').textContent()).toBe('Check your e-mail');
      expect(await axe(page)).toEqual([]);
      await waitFor(() => mailsTo('eva@example.cz').length === 1, { timeoutMs: 10_000, what: 'the link' });
      const token = linkIn(mailsTo('eva@example.cz')[0]!);
      await page.goto(`${web.httpUrl}/reserve/manage/${token}?lang=en`);
      expect(await axe(page)).toEqual([]);
      await page.locator('[data-confirm]').click();
      await page.waitForURL(`${web.httpUrl}/reserve/manage/${token}?lang=en`);
      expect(await page.locator('h1').textContent()).toBe('Booking confirmed');
      expect(await page.locator('[data-confirm]').count()).toBe(0);
      expect(await axe(page)).toEqual([]);
    } finally {
      await browser.close();
      await web.stop();
    }
  });
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
