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
  s.app.volno.writer.flush();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await pub?.endAsync();
  await s?.stop();
});

/** A page with the CSP bypassed only so that axe can be injected; the app itself runs under its CSP. */
async function open(path: string, o: { reducedMotion?: 'reduce' } = {}): Promise<Page> {
  const context = await browser.newContext({
    bypassCSP: true,
    ...(o.reducedMotion ? { reducedMotion: o.reducedMotion } : {}),
  });
  const page = await context.newPage();
  await page.goto(`${s.httpUrl}${path}`);
  return page;
}

const freeCount = (page: Page, lot = 'north') => page.locator(`section[data-lot="${lot}"] [data-free]`).textContent();

describe('the public page in Chromium', () => {
  it('shows the free count and changes it within a second of an MQTT message, without reloading', async () => {
    const page = await open('/?lang=cs');
    try {
      expect(await freeCount(page)).toBe('1');
      await page.locator('[data-live]', { hasText: 'Údaje se aktualizují samy.' }).waitFor({ timeout: 5000 });
      await page.evaluate(() => (window['marker'] = 42));
      const t0 = Date.now();
      await publish(agent.slotState('north-1', 'A2', 'free'));
      await page.waitForFunction(
        () => document.querySelector('section[data-lot="north"] [data-free]')?.textContent === '2',
        null,
        {
          polling: 10,
          timeout: 1000,
        },
      );
      const elapsed = Date.now() - t0;
      expect(elapsed).toBeLessThan(1000);
      expect(await page.evaluate(() => window['marker'])).toBe(42);
      await expect.poll(() => page.locator('[data-slot="north-1/A2"]').getAttribute('class')).toContain('s-free');
      expect(await page.locator('[data-slot="north-1/A2"] [data-state-text]').textContent()).toBe('volné');
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
      const regions = await page.locator('.map-scroll[tabindex="0"]').count();
      expect(regions).toBe(2);
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

  for (const [path, label] of [
    ['/?lang=cs', 'Czech page'],
    ['/?lang=en', 'English page'],
    ['/embed/north?lang=cs', 'Czech widget'],
    ['/embed/north?lang=en', 'English widget'],
    ['/lot/nowhere?lang=cs', 'Czech not-found page'],
  ] as const) {
    it(`has no axe-core violations (WCAG 2.1 A and AA) on the ${label}`, async () => {
      const page = await open(path);
      try {
        await page.locator('[data-live]').waitFor();
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
      } finally {
        await page.context().close();
      }
    });
  }
});
