// The editor's interactions in Chromium against a real server (no agent: drawing needs no picture).
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { createStaffUser, loginStaff, type StaffSession } from '../../support/staff.ts';
import { axeViolations, launchChromium } from '../../../support/chromium.ts';

let s: TestServer;
let browser: Browser;
let session: StaffSession;

beforeAll(async () => {
  // No agent here: the snapshot the editor asks for on opening fails fast instead of after 8 s.
  s = await startTestServer({ calibration: { snapshot_timeout_ms: 100 } });
  const user = await createStaffUser(s.app, { username: 'drawer', role: 'operator' });
  session = await loginStaff(s.httpUrl, user.username, user.password);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await s?.stop();
});

/** The editor of camera north-1 in a fresh context (bypassCSP only where axe must be injected). */
async function openEditor(o: { bypassCSP?: boolean } = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, bypassCSP: o.bypassCSP ?? false });
  await context.addCookies([{ name: session.name, value: session.value, url: s.httpUrl }]);
  const page = await context.newPage();
  await page.goto(`${s.httpUrl}/staff/calibration/north-1`);
  await page.locator('#editor[data-ready="true"]').waitFor();
  // Its answer (no agent, so none) is on screen before the test acts, so it never overwrites a later message.
  await expect.poll(() => page.locator('#status').textContent()).toMatch(/^No snapshot/);
  return page;
}

/** Screen position of a point in frame pixels (the editor starts on an empty 1280×720 frame). */
async function screen(page: Page, [x, y]: readonly [number, number]): Promise<[number, number]> {
  return (await page.evaluate(
    `(() => { const m = document.querySelector('#canvas').getScreenCTM();
      return [m.a * ${x} + m.c * ${y} + m.e, m.b * ${x} + m.d * ${y} + m.f]; })()`,
  )) as [number, number];
}

async function click(page: Page, p: readonly [number, number], o: { button?: 'right' } = {}): Promise<void> {
  const [x, y] = await screen(page, p);
  await page.mouse.click(x, y, o);
}

async function drag(page: Page, from: readonly [number, number], to: readonly [number, number]): Promise<void> {
  const [ax, ay] = await screen(page, from);
  const [bx, by] = await screen(page, to);
  await page.mouse.move(ax, ay);
  await page.mouse.down();
  await page.mouse.move(bx, by, { steps: 5 });
  await page.mouse.up();
}

/** Corners of slot `n` (0-based, in drawing order) in frame pixels, rounded. */
async function corners(page: Page, n = 0): Promise<number[][]> {
  const points = await page.locator('#canvas polygon[data-slot]').nth(n).getAttribute('points');
  return (points ?? '').split(' ').map((p) => p.split(',').map((v) => Math.round(Number(v))));
}

async function drawWithKeys(page: Page, points: readonly (readonly [number, number])[], tool = 'n'): Promise<void> {
  await page.locator('#canvas').focus();
  await page.keyboard.press(tool);
  for (const p of points) await click(page, p);
  await page.keyboard.press('Enter');
}

const BOX: [number, number][] = [
  [100, 100],
  [300, 100],
  [300, 250],
  [100, 250],
];

describe('the calibration editor in Chromium', () => {
  it('draws a slot with clicks and Enter, drags a corner, and undoes and redoes the drag with the keyboard', async () => {
    const page = await openEditor();
    try {
      await drawWithKeys(page, BOX);
      expect(await corners(page)).toEqual(BOX);
      await page.keyboard.press('v');
      await drag(page, [300, 250], [350, 300]);
      expect((await corners(page))[2]).toEqual([350, 300]);
      await page.keyboard.press('Control+z');
      expect((await corners(page))[2]).toEqual([300, 250]);
      await page.keyboard.press('Control+Shift+z');
      expect((await corners(page))[2]).toEqual([350, 300]);
      expect(await page.locator('#editor').getAttribute('data-dirty')).toBe('true');
    } finally {
      await page.context().close();
    }
  });

  it('inserts a corner by dragging the middle of an edge, deletes it with a right-click, then deletes the slot', async () => {
    const page = await openEditor();
    try {
      await drawWithKeys(page, BOX);
      await page.keyboard.press('v');
      await drag(page, [200, 100], [200, 60]); // the middle of the top edge
      expect(await corners(page)).toEqual(
        [
          [100, 100],
          [300, 100],
          [300, 250],
          [100, 250],
        ].toSpliced(1, 0, [200, 60]),
      );
      await expect.poll(() => page.locator('#props').textContent()).toContain('5 corners');
      await click(page, [200, 60], { button: 'right' });
      expect(await corners(page)).toEqual(BOX);
      await page.locator('#canvas').focus();
      await page.keyboard.press('Delete');
      expect(await page.locator('#canvas polygon[data-slot]').count()).toBe(0);
    } finally {
      await page.context().close();
    }
  });

  it('snaps a new corner onto the corner of a neighbouring slot, so neighbours share it exactly', async () => {
    const page = await openEditor();
    try {
      await drawWithKeys(page, BOX);
      await drawWithKeys(page, [
        [304, 103], // a few pixels off the first slot's corner (300, 100)
        [500, 100],
        [500, 250],
        [300, 250],
      ]);
      const [a, b] = [await corners(page, 0), await corners(page, 1)];
      expect(b[0]).toEqual(a[1]);
      expect(b[3]).toEqual(a[2]);
    } finally {
      await page.context().close();
    }
  });

  it('shows the core’s validation messages while drawing and blocks saving while there are errors', async () => {
    const page = await openEditor();
    try {
      const save = page.getByRole('button', { name: 'Save version' });
      expect(await save.isDisabled()).toBe(false);
      await drawWithKeys(page, [
        [100, 100],
        [300, 250],
        [300, 100],
        [100, 250],
      ]);
      await expect.poll(() => page.locator('#issues').textContent()).toContain('crosses itself');
      expect(await page.locator('[data-validation]').getAttribute('data-validation')).toBe('errors');
      expect(await save.isDisabled()).toBe(true);
      await page.keyboard.press('Control+z');
      await expect.poll(() => save.isDisabled()).toBe(false);
      // A slot far smaller than the model's 48 × 48 input: the same rule the server applies on save.
      // Snapping (S) off, or its corners, closer together than the snap radius, would merge.
      await page.keyboard.press('s');
      expect(await page.getByRole('button', { name: 'Snap', exact: true }).getAttribute('aria-pressed')).toBe('false');
      await drawWithKeys(page, [
        [100, 100],
        [107, 100],
        [107, 107],
        [100, 107],
      ]);
      await expect.poll(() => page.locator('#issues').textContent()).toContain('the model needs 48 × 48');
    } finally {
      await page.context().close();
    }
  });

  it('zooms around the pointer with the wheel and shows the whole picture again with 0', async () => {
    const page = await openEditor();
    try {
      const box = () => page.locator('#canvas').getAttribute('viewBox');
      expect(await box()).toBe('0 0 1280 720');
      const [x, y] = await screen(page, [320, 180]);
      await page.mouse.move(x, y);
      await page.mouse.wheel(0, -100);
      // One wheel step zooms 1.25×, and (320, 180) stays under the pointer (to a screen pixel).
      await expect.poll(box).not.toBe('0 0 1280 720');
      const [vx, vy, vw, vh] = (await box())!.split(' ').map(Number);
      expect([vw, vh]).toEqual([1024, 576]);
      expect(Math.abs(vx! - 64)).toBeLessThan(1.5);
      expect(Math.abs(vy! - 36)).toBeLessThan(1.5);
      await page.locator('#canvas').focus();
      await page.keyboard.press('0');
      expect(await box()).toBe('0 0 1280 720');
    } finally {
      await page.context().close();
    }
  });

  it('saves versions, compares and rolls back, imports a file, saves privacy masks and re-projects after a camera move', async () => {
    const page = await openEditor();
    page.on('dialog', (d) => void d.accept());
    const api = (path: string) =>
      fetch(`${s.httpUrl}/api/v1/staff/cameras/north-1${path}`, { headers: session.headers }).then((r) => r.json());
    try {
      await drawWithKeys(page, BOX);
      await page.getByRole('button', { name: 'Save version' }).click();
      await page.locator('[data-version="1"]').waitFor();
      await page.keyboard.press('v');
      await drag(page, [300, 250], [320, 270]);
      await page.locator('#save-note').fill('moved a corner');
      await page.getByRole('button', { name: 'Save version' }).click();
      await page.locator('[data-version="2"]').waitFor();
      await page.getByRole('button', { name: 'Compare version 2' }).click();
      await expect
        .poll(() => page.locator('.diff').textContent())
        .toMatch(/v2 compared with v1.*Moved 1 by up to 28\.3 px/);

      await page.getByRole('button', { name: 'Roll back to version 1' }).click();
      await page.locator('[data-version="3"]').waitFor();
      await expect.poll(() => corners(page)).toEqual(BOX);
      expect(await page.locator('#editor').getAttribute('data-dirty')).toBe('false');
      const exported = await page.locator('#io-export').getAttribute('href');
      expect(exported).toBe('/api/v1/staff/cameras/north-1/calibrations/3/export?format=volno');

      // Import: the exported Volno file of version 2, read back through the import API.
      const file = await fetch(`${s.httpUrl}/api/v1/staff/cameras/north-1/calibrations/2/export?format=volno`, {
        headers: session.headers,
      }).then((r) => r.text());
      await page
        .locator('#io-file')
        .setInputFiles({ name: 'v2.json', mimeType: 'application/json', buffer: Buffer.from(file) });
      await expect
        .poll(() => corners(page))
        .toEqual([
          [100, 100],
          [300, 100],
          [320, 270],
          [100, 250],
        ]);

      // A privacy mask drawn with M and saved for every snapshot from now on.
      await drawWithKeys(
        page,
        [
          [900, 50],
          [1200, 50],
          [1200, 200],
        ],
        'm',
      );
      await page.getByRole('button', { name: 'Save masks now' }).click();
      await expect
        .poll(async () => ((await api('/masks')) as { masks: unknown[] }).masks.length, { timeout: 10_000 })
        .toBe(1);

      // Camera moved: drag marker 1 in the current frame; every outline moves through the homography.
      await page.getByRole('button', { name: 'Camera moved…' }).click();
      const current = page.locator('#moved figure').nth(1).locator('svg');
      await current.scrollIntoViewIfNeeded();
      const m1 = await current.locator('[data-marker="0"] circle').boundingBox();
      const target = await current.boundingBox();
      await page.mouse.move(m1!.x + m1!.width / 2, m1!.y + m1!.height / 2);
      await page.mouse.down();
      await page.mouse.move(m1!.x + m1!.width / 2 + target!.width * 0.05, m1!.y + m1!.height / 2, { steps: 4 });
      await page.mouse.up();
      const before = await corners(page);
      await page.getByRole('button', { name: 'Re-project all outlines' }).click();
      await expect.poll(() => page.locator('#status').textContent()).toMatch(/re-projected/i);
      await expect.poll(() => corners(page)).not.toEqual(before);
      expect(await page.locator('#moved').isHidden()).toBe(true);
      await page.keyboard.press('Control+z');
      await expect.poll(() => corners(page)).toEqual(before);
    } finally {
      await page.context().close();
    }
  });

  it('has no serious accessibility problems, and every control has a name', async () => {
    const page = await openEditor({ bypassCSP: true });
    try {
      expect(await axeViolations(page)).toEqual([]);
    } finally {
      await page.context().close();
    }
  });
});
