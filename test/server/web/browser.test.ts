import type { MqttClient } from 'mqtt';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../fixtures/process.ts';
import { FakeAgent } from '../support/messages.ts';
import { publisher, startTestServer, type TestServer } from '../support/server.ts';
import { AXE_PATH, launchChromium } from '../../support/chromium.ts';

// Debian's Chromium with the flags measured in shared/STACK.md; never a downloaded browser.
// The callbacks passed to page.evaluate run in the browser; this project is type-checked without
// the DOM library, so the little of it they use is declared here.
declare const window: Record<string, unknown>;
declare const document: {
  querySelector(selector: string): { textContent: string | null; classList: { contains(c: string): boolean } } | null;
  activeElement: { textContent: string | null } | null;
};
declare function getComputedStyle(el: unknown): { animationName: string };

let s: TestServer;
let pub: MqttClient;
let browser: Browser;
const agent = new FakeAgent();
const publish = (m: { topic: string; payload: string }) =>
  pub.publishAsync(m.topic, m.payload, { qos: 1, retain: true });

beforeAll(async () => {
  s = await startTestServer();
  pub = await publisher(s.mqttUrl);
  await publish(agent.availability('online'));
  await publish(agent.slotState('north-1', 'A1', 'free'));
  await publish(agent.slotState('north-1', 'A2', 'occupied'));
  await publish(agent.slotState('south-1', 'B1', 'free'));
  await waitFor(() => s.app.volno.metrics.accepted.get({ kind: 'slot_state' }) === 3, {
    timeoutMs: 5000,
    what: 'states',
  });
  await s.app.volno.writer.flush();
  // A week of hourly history, so the lot page draws its "usually" chart.
  const now = Date.now();
  for (let h = 1; h <= 7 * 24; h++)
    s.app.volno.aggregates.record(
      [{ lotId: 'north', counts: { free: h % 4, occupied: 3 - (h % 4), unknown: 0, reserved: 0 } }],
      now - h * 3_600_000,
    );
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await pub?.endAsync();
  await s?.stop();
});

/** A page with the CSP bypassed only so that axe can be injected; the app itself runs under its CSP. */
async function open(
  path: string,
  o: { reducedMotion?: 'reduce'; geolocation?: { latitude: number; longitude: number } } = {},
): Promise<Page> {
  const context = await browser.newContext({
    bypassCSP: true,
    ...(o.reducedMotion ? { reducedMotion: o.reducedMotion } : {}),
    ...(o.geolocation ? { geolocation: o.geolocation, permissions: ['geolocation'] } : {}),
  });
  const page = await context.newPage();
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  outside.set(page, requests);
  await page.goto(`${s.httpUrl}${path}`);
  return page;
}
/** Every URL each page requested: nothing may leave the test server on 127.0.0.1. */
const outside = new WeakMap<Page, string[]>();
const external = (page: Page) => (outside.get(page) ?? []).filter((u) => !u.startsWith(s.httpUrl));

const freeCount = (page: Page, lot = 'north') => page.locator(`section[data-lot="${lot}"] [data-free]`).textContent();

describe('the public page in Chromium', () => {
  // How fast is measured by bench/server (SSE fan-out); a wall-clock bound here only measured how
  // busy the shared test machine was.
  it('shows the free count and changes it after an MQTT message, without reloading', async () => {
    const page = await open('/?lang=cs');
    try {
      expect(await freeCount(page)).toBe('1');
      await page.locator('[data-live]', { hasText: 'Údaje se aktualizují samy.' }).waitFor({ timeout: 5000 });
      await page.evaluate(() => (window['marker'] = 42));
      await publish(agent.slotState('north-1', 'A2', 'free'));
      await page.waitForFunction(
        () => document.querySelector('section[data-lot="north"] [data-free]')?.textContent === '2',
        null,
        { polling: 50, timeout: 15_000 },
      );
      expect(await page.evaluate(() => window['marker'])).toBe(42);
      expect(await page.locator('section[data-lot="north"] [data-free-label]').textContent()).toBe('volná místa');
      expect(await page.locator('section[data-lot="north"] [data-announce]').textContent()).toBe(
        'Severní parkoviště: 2 volná místa',
      );
    } finally {
      await page.context().close();
    }
  });

  it('says honestly when it does not know, and how old the data is', async () => {
    const page = await open('/lot/north?lang=en');
    try {
      await page.locator('[data-live]', { hasText: 'The data updates by itself.' }).waitFor({ timeout: 5000 });
      await publish(agent.slotState('north-1', 'A2', 'free'));
      await expect.poll(() => page.locator('[data-slot="north-1/A2"]').getAttribute('class')).toContain('s-free');
      expect(await page.locator('[data-slot="north-1/A2"] [data-state-text]').textContent()).toBe('free');
      await expect.poll(() => page.locator('[data-updated]').textContent()).toMatch(/^Updated \d+ s ago$/);
      expect(await page.locator('[data-unknown]').textContent()).toBe('1');
      expect(await page.locator('[data-slot="north-1/A3"]').getAttribute('class')).toContain('s-unknown');
      expect(await page.locator('[data-unknown-note]').isVisible()).toBe(true);
    } finally {
      await page.context().close();
    }
  });

  it('can be used with the keyboard: the first Tab reaches the skip link, the map is focusable', async () => {
    const page = await open('/?lang=en');
    try {
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
      await page.keyboard.press('Enter');
      expect(page.url()).toMatch(/#main$/);
      await page.goto(`${s.httpUrl}/lot/north?lang=en`);
      expect(await page.locator('.map-scroll[tabindex="0"]').count()).toBe(1);
      // The "usually" table opens from the keyboard and scrolls in its own focusable region.
      await page.locator('details.usually-details summary').focus();
      await page.keyboard.press('Enter');
      expect(await page.locator('.table-scroll[tabindex="0"]').isVisible()).toBe(true);
    } finally {
      await page.context().close();
    }
  });

  it('does not animate for visitors who ask for reduced motion', async () => {
    const page = await open('/?lang=en', { reducedMotion: 'reduce' });
    try {
      await page.locator('[data-live]', { hasText: 'The data updates by itself.' }).waitFor({ timeout: 5000 });
      await publish(agent.slotState('north-1', 'A1', 'occupied'));
      await page.waitForFunction(() =>
        document.querySelector('section[data-lot="north"] [data-free]')?.classList.contains('changed'),
      );
      const animation = await page
        .locator('section[data-lot="north"] [data-free]')
        .evaluate((el) => getComputedStyle(el).animationName);
      expect(animation).toBe('none');
    } finally {
      await page.context().close();
    }
  });

  it('sorts the overview by free spaces, and by distance once the browser shares its location', async () => {
    // North full, south with one free space: south first.
    await publish(agent.slotState('north-1', 'A1', 'occupied'));
    await publish(agent.slotState('north-1', 'A2', 'occupied'));
    await expect.poll(async () => (await s.app.volno.availability.lotAvailability('north'))?.free).toBe(0);
    const page = await open('/?lang=en', { geolocation: { latitude: 50.09, longitude: 14.42 } });
    try {
      const order = () =>
        page
          .locator('[data-lot-item] section')
          .evaluateAll((els) => els.map((e) => (e as unknown as { dataset: { lot: string } }).dataset.lot));
      expect(await order()).toEqual(['south', 'north']);
      await page.getByRole('button', { name: 'Sort by distance from me' }).click();
      await expect.poll(order).toEqual(['north', 'south']);
      expect(await page.locator('[data-sort-status]').textContent()).toBe('Sorted by distance from your location.');
      expect(await page.locator('section[data-lot="north"] [data-distance]').textContent()).toMatch(
        /^\d+(\.\d)? km from you$/,
      );
      expect(await page.locator('section[data-lot="south"] [data-distance]').isHidden()).toBe(true);
      expect(external(page)).toEqual([]);
    } finally {
      await page.context().close();
    }
  });

  it('keeps the distance button hidden without JavaScript, where the list stays sorted by free spaces', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    try {
      await page.goto(`${s.httpUrl}/?lang=en`);
      expect(await page.getByRole('button', { name: 'Sort by distance from me' }).isHidden()).toBe(true);
      expect(await page.locator('[data-lot-item]').count()).toBe(2);
    } finally {
      await context.close();
    }
  });

  for (const [path, label] of [
    ['/?lang=cs', 'Czech page'],
    ['/?lang=en', 'English page'],
    ['/embed/north?lang=cs', 'Czech widget'],
    ['/embed/north?lang=en', 'English widget'],
    ['/lot/north?lang=cs', 'Czech lot page with its "usually" chart and table'],
    ['/lot/north?lang=en', 'English lot page with its "usually" chart and table'],
    ['/lot/nowhere?lang=cs', 'Czech not-found page'],
  ] as const) {
    it(`has no axe-core violations (WCAG 2.1 A and AA) on the ${label}`, async () => {
      const page = await open(path);
      try {
        await page.locator('[data-live]').waitFor();
        // Open every <details> so that axe also checks what it hides (the "usually" table).
        for (const summary of await page.locator('details summary').all()) await summary.click();
        await page.addScriptTag({ path: AXE_PATH });
        const result = await page.evaluate(async () => {
          const axe = (
            window as unknown as {
              axe: {
                run: (
                  ctx: typeof document,
                  o: object,
                ) => Promise<{
                  violations: { id: string; help: string; nodes: { target: string[] }[] }[];
                  passes: unknown[];
                }>;
              };
            }
          ).axe;
          const r = await axe.run(document, {
            runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
          });
          return {
            violations: r.violations.map((v) => ({
              id: v.id,
              help: v.help,
              targets: v.nodes.map((n) => n.target.join(' ')),
            })),
            passes: r.passes.length,
          };
        });
        expect(result.violations).toEqual([]);
        expect(result.passes).toBeGreaterThan(10);
        expect(external(page)).toEqual([]);
      } finally {
        await page.context().close();
      }
    });
  }
});
