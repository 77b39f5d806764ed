// The calibration editor end to end with real parts: a GStreamer RTSP server streaming the UFPR05
// timelapse from ../shared, a real edge agent (in process, real ffmpeg and ONNX model) on the
// server's embedded broker, the real server, and Debian's Chromium driving the editor like a person.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { test } from '../../../fixtures/index.ts';
import { waitFor } from '../../../fixtures/process.ts';
import { requireDataset } from '../../../support/datasets.ts';
import { stopAfterEach } from '../../../support/stop-after-each.ts';
import { MODELS_DIR } from '../../../edge/support/agent.ts';
import { startRtspAgent } from './rtsp-agent.ts';
import { UFPR05_VIDEO } from '../../../edge/support/ufpr05.ts';
import { startTestServer } from '../../support/server.ts';
import { createStaffUser, loginStaff } from '../../support/staff.ts';
import { launchChromium } from '../../../support/chromium.ts';

const MODEL = 'volno-slotnet-v1';
// Debian's Chromium with the flags measured in shared/STACK.md; never a downloaded browser.

/** Real UFPR05 bays (pixels of the 1280×720 frame, from the dataset's labels of slots 21, 1 and 4). */
const SLOT_21: [number, number][] = [
  [1179, 354],
  [1181, 421],
  [1083, 413],
  [1087, 341],
];
const SLOT_1: [number, number][] = [
  [608, 613],
  [741, 654],
  [775, 582],
  [608, 526],
];
const SLOT_4: [number, number][] = [
  [453, 369],
  [543, 386],
  [573, 334],
  [446, 304],
];
const SLOT_1_CENTRE: [number, number] = [683, 594];

const keep = stopAfterEach();

/** Clicks a point given in frame pixels on the editor's picture, wherever zoom and layout put it. */
async function clickFrame(page: Page, [x, y]: readonly [number, number]): Promise<void> {
  const [cx, cy] = (await page.evaluate(
    `(() => { const m = document.querySelector('#canvas').getScreenCTM();
      return [m.a * ${x} + m.c * ${y} + m.e, m.b * ${x} + m.d * ${y} + m.f]; })()`,
  )) as [number, number];
  await page.mouse.click(cx, cy);
}

async function drawPolygon(page: Page, corners: readonly (readonly [number, number])[]): Promise<void> {
  await page.getByRole('button', { name: 'Draw slot' }).click();
  for (const c of corners) await clickFrame(page, c);
  await clickFrame(page, corners[0]!); // closing on the first corner, as in Frigate
}

/** What a person does: log in, open the camera, fetch a snapshot, draw, save, publish, wait for `applied`. */
async function calibrate(page: Page, baseUrl: string, user: { username: string; password: string }): Promise<void> {
  // Through the login form, as staff do: the calibration page sends a stranger there and back.
  await page.goto(`${baseUrl}/staff/calibration`);
  expect(new URL(page.url()).pathname).toBe('/staff/login');
  await page.getByLabel(/Username/).fill(user.username);
  await page.getByLabel(/Password/).fill(user.password);
  await page.getByRole('button', { name: /Log in/ }).click();
  await page.waitForURL(`${baseUrl}/staff/calibration`);
  await page.getByRole('link', { name: 'cam-1' }).click();
  await page.locator('#editor[data-ready="true"]').waitFor({ timeout: 30_000 });

  // A fresh snapshot from the agent, drawn under the canvas.
  const before = await page.locator('#editor').getAttribute('data-snapshot');
  await page.getByRole('button', { name: 'Fetch snapshot' }).click();
  await expect.poll(() => page.locator('#editor').getAttribute('data-snapshot'), { timeout: 20_000 }).not.toBe(before);
  expect(await page.locator('#canvas image').getAttribute('width')).toBe('1280');

  // One slot by clicking its four corners.
  await drawPolygon(page, SLOT_21);
  await expect.poll(() => page.locator('#canvas [data-slot]').count()).toBe(1);
  // A row: draw its first and its last bay, select the first, take the row tool, end it at the last
  // bay, say how many bays, add the two between them.
  await drawPolygon(page, SLOT_1);
  await drawPolygon(page, SLOT_4);
  await page.keyboard.press('v');
  await clickFrame(page, SLOT_1_CENTRE);
  await page.keyboard.press('r');
  await page.locator('#row-last').selectOption({ label: '3' });
  await page.locator('#row-count').fill('4');
  await expect.poll(() => page.locator('#row-status').textContent()).toMatch(/^4 slots; the two drawn ends fit within/);
  await page.getByRole('button', { name: 'Add row' }).click();
  await expect.poll(() => page.locator('#canvas [data-slot]').count()).toBe(5);
  expect(await page.locator('[data-validation]').getAttribute('data-validation')).toBe('ok');

  // Save with a note, then publish and watch the agent's answer arrive in the versions panel.
  await page.locator('#save-note').fill('first calibration of cam-1');
  await page.getByRole('button', { name: 'Save version' }).click();
  const v1 = page.locator('[data-version="1"]');
  await v1.waitFor({ timeout: 10_000 });
  expect(await v1.textContent()).toContain('first calibration of cam-1');
  await v1.getByRole('button', { name: 'Publish version 1' }).click();
  await v1.locator('[data-ack-status="applied"]').waitFor({ timeout: 30_000 });
}

interface SlotView {
  camera_id: string;
  slot_id: string;
  state: string;
}

describe('the calibration editor against a live camera', () => {
  test('a logged-in operator draws a slot and a row on a fresh snapshot, saves and publishes; the agent applies it and the slots get states', async ({
    rtsp,
    skip,
  }) => {
    if (!existsSync(join(MODELS_DIR, MODEL, 'model.json'))) return skip(`model ${MODEL} is not built`);
    const video = requireDataset({ skip }, UFPR05_VIDEO);
    const camera = await rtsp({ video });
    const server = keep(
      await startTestServer({
        lots: [{ lot_id: 'east', name: 'Východní parkoviště', cameras: [{ camera_id: 'cam-1', slots: [] }] }],
      }),
    );
    const agent = keep(
      await startRtspAgent({
        agentId: 'agent-e2e',
        rtspUrl: camera.url,
        mqttUrl: server.mqttUrl,
        model: MODEL,
        statsS: 5,
      }),
    );
    const user = await createStaffUser(server.app, { username: 'calibrator', role: 'operator' });
    // Staff open the editor once the camera streams (as the camera list shows them); before that a
    // snapshot request can only time out.
    const headers = (await loginStaff(server.httpUrl, user.username, user.password)).headers;
    await waitFor(
      async () => {
        const res = await fetch(`${server.httpUrl}/api/v1/staff/cameras`, { headers });
        const cams = (await res.json()) as { camera_id: string; stream_status: string | null }[];
        return cams.find((c) => c.camera_id === 'cam-1')?.stream_status === 'ok';
      },
      { timeoutMs: 30_000, intervalMs: 250, what: 'cam-1 to stream' },
    );
    const browser = keep(await launchChromium());
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    try {
      await calibrate(page, server.httpUrl, user);
    } catch (err) {
      // What the page showed when it failed: the URL, the editor's status line and the agent's log.
      const status = await page
        .locator('#status')
        .textContent({ timeout: 1000 })
        .catch(() => null);
      const text = (
        await page
          .locator('body')
          .textContent({ timeout: 1000 })
          .catch(() => '')
      )?.slice(0, 1500);
      throw new Error(
        `${(err as Error).message}\nurl: ${page.url()}\nstatus: ${status}\npage: ${text}\n` +
          `page errors: ${errors.join(' | ')}\n--- agent log ---\n${agent.logText().slice(-3000)}`,
        { cause: err },
      );
    }

    // The drawn slots now have real states in the public availability API.
    const slots = await waitFor(
      async () => {
        const res = await fetch(`${server.httpUrl}/api/v1/lots/east/slots`);
        const body = (await res.json()) as { slots: SlotView[] };
        const mine = body.slots.filter((s) => s.camera_id === 'cam-1');
        return mine.length === 5 && mine.every((s) => s.state === 'free' || s.state === 'occupied') ? mine : null;
      },
      { timeoutMs: 30_000, intervalMs: 250, what: 'states of the five drawn slots' },
    );
    expect(slots.map((s) => s.slot_id).sort()).toEqual(['1', '2', '3', '4', '5']);
    expect(errors).toEqual([]);
  });
});
