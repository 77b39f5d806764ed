// Issue 15, must show: the camera wall in Chromium shows two cameras; killing one camera's RTSP source
// raises one alert and one e-mail (to a real local SMTP receiver); the alert clears when the source
// returns. Real parts throughout: two GStreamer RTSP servers, a real edge agent watching both, the real
// server with its embedded broker, and Debian's Chromium logging in through the form.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { MODELS_DIR, startAgent, type RunningAgent } from '../../edge/support/agent.ts';
import { startRtspOnPort } from '../../edge/support/rtsp-same-port.ts';
import { freePort, waitFor } from '../../fixtures/process.ts';
import { axeViolations, launchChromium } from '../../support/chromium.ts';
import { decodedMail, startSmtpReceiver, type SmtpReceiver } from '../../support/smtp.ts';
import { SITE } from '../support/messages.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { createStaffUser, loginStaff } from '../support/staff.ts';

const MODEL = 'volno-slotnet-v1';
const CAMERAS = ['cam-1', 'cam-2'] as const;

interface AlertJson {
  key: string;
  resolved_at: string | null;
  mailed: boolean;
}

let smtp: SmtpReceiver | undefined;
let server: TestServer | undefined;
let agent: RunningAgent | undefined;
let browser: Browser | undefined;
const sources = new Map<string, { stop(): Promise<void> }>();
afterEach(async () => {
  await browser?.close();
  await agent?.stop();
  await server?.stop();
  await Promise.all([...sources.values()].map((s) => s.stop()));
  await smtp?.stop();
  browser = agent = server = smtp = undefined;
  sources.clear();
});

/** Two wide bays side by side in the 320×240 test pattern, and a privacy mask in the top corner. */
const document = (cameraId: string) => ({
  format: 'volno-calibration',
  format_version: 1,
  camera_id: cameraId,
  frame_width: 320,
  frame_height: 240,
  slots: [
    {
      id: 'A1',
      label: 'A1',
      type: 'standard',
      reservable: false,
      polygon: [
        [0.05, 0.4],
        [0.45, 0.4],
        [0.45, 0.95],
        [0.05, 0.95],
      ],
    },
    {
      id: 'A2',
      label: 'A2',
      type: 'standard',
      reservable: false,
      polygon: [
        [0.55, 0.4],
        [0.95, 0.4],
        [0.95, 0.95],
        [0.55, 0.95],
      ],
    },
  ],
  privacy_masks: [
    {
      id: 'm1',
      polygon: [
        [0, 0],
        [0.3, 0],
        [0.3, 0.2],
        [0, 0.2],
      ],
    },
  ],
});

describe.skipIf(!existsSync(join(MODELS_DIR, MODEL, 'model.json')))('the staff camera wall and its alerts', () => {
  it('shows two cameras; a dead RTSP source raises one alert and one digest e-mail, and the alert clears when it returns', async () => {
    smtp = await startSmtpReceiver();
    const { inbox, port: smtpPort } = smtp;
    const ports = new Map<string, number>();
    for (const id of CAMERAS) {
      const port = await freePort();
      ports.set(id, port);
      sources.set(id, await startRtspOnPort(port, 'testsrc'));
    }
    server = await startTestServer({
      lots: [
        {
          lot_id: 'east',
          name: 'Východní parkoviště',
          cameras: CAMERAS.map((camera_id) => ({ camera_id, slots: [] })),
        },
      ],
      smtp: {
        host: '127.0.0.1',
        port: smtpPort,
        from: 'Volno <volno@example.cz>',
        public_url: 'https://parking.example.cz',
      },
      // Seconds instead of minutes, and one digest an hour: the resolution must wait for the next one.
      alerts: {
        recipients: ['duty@example.cz'],
        language: 'en',
        evaluate_interval_s: 0.25,
        raise_after_s: 3,
        clear_after_s: 3,
        digest_interval_min: 60,
        public_url: 'https://parking.example.cz',
      },
    });
    const base = server.httpUrl;
    agent = await startAgent(`
version: 1
site_id: ${SITE}
agent_id: agent-wall
models_dir: ${MODELS_DIR}
intervals: { heartbeat_s: 1, stats_s: 1, refresh_s: 2 }
mqtt: { url: "${server.mqttUrl}", protocol_version: 4, reconnect_period_s: 0.2 }
cameras:
${CAMERAS.map(
  (id) => `  - id: ${id}
    source: { type: rtsp, url: "rtsp://127.0.0.1:${ports.get(id)}/stream", timeout_s: 3 }
    sample_rate_fps: 2
    model: ${MODEL}
    calibration: {}
    delays: { enter_s: 0, exit_s: 0 }
    frame_ttl_s: 10
    reconnect: { initial_s: 0.2, max_s: 1 }
    shift: { enabled: false }`,
).join('\n')}
`);
    const user = await createStaffUser(server.app, { username: 'duty', role: 'operator' });
    const headers = {
      ...(await loginStaff(base, user.username, user.password)).headers,
      'content-type': 'application/json',
    };
    const api = (path: string, init: RequestInit = {}) => fetch(`${base}/api/v1/staff${path}`, { headers, ...init });
    for (const id of CAMERAS) {
      const saved = await api(`/cameras/${id}/calibrations`, {
        method: 'POST',
        body: JSON.stringify({ document: document(id), note: 'two bays' }),
      });
      expect(saved.status, await saved.clone().text()).toBe(201);
      expect((await api(`/cameras/${id}/calibrations/1/publish`, { method: 'POST', body: '{}' })).status).toBe(202);
    }
    const cameras = async () =>
      new Map(
        (
          (await (await api('/cameras')).json()) as {
            camera_id: string;
            stream_status: string | null;
            applied_version: number | null;
          }[]
        ).map((c) => [c.camera_id, c]),
      );
    await waitFor(
      async () =>
        [...(await cameras()).values()].filter((c) => c.stream_status === 'ok' && c.applied_version === 1).length === 2,
      { timeoutMs: 60_000, intervalMs: 250, what: 'both cameras streaming with version 1 applied' },
    );
    const alerts = async () => (await (await api('/alerts')).json()) as AlertJson[];
    expect(await alerts()).toEqual([]);

    browser = await launchChromium();
    // bypassCSP only so that axe-core can be injected; the pages themselves run no inline code.
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, bypassCSP: true });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/staff?lang=en`);
    await page.getByLabel(/Username/).fill(user.username);
    await page.getByLabel(/Password/).fill(user.password);
    await page.getByRole('button', { name: /Log in/ }).click();
    await page.waitForURL(/\/staff(\?|$)/);
    if (!page.url().includes('lang=en')) await page.goto(`${base}/staff?lang=en`);

    // Two tiles, each with its stream, agent and both bays drawn over the frame.
    const tiles = page.locator('article.camera');
    await expect.poll(() => tiles.count()).toBe(2);
    for (const id of CAMERAS) {
      const tile = page.locator(`article[data-camera="${id}"]`);
      expect(await tile.getAttribute('data-stream')).toBe('ok');
      expect(await tile.locator('svg.overlay polygon.slot').count()).toBe(2);
      expect(await tile.locator('[data-fact="agent"] dd').textContent()).toBe('agent-wall (online)');
      expect(await tile.locator('[data-fact="accuracy"] dd').textContent()).toBe('no labels yet');
    }
    // A masked snapshot on demand: the button goes through the editor's snapshot flow.
    await page.locator('article[data-camera="cam-1"]').getByRole('button', { name: 'Take snapshot' }).click();
    await page.waitForURL(/#camera-cam-1$/);
    const img = page.locator('article[data-camera="cam-1"] .frame img');
    await img.waitFor();
    expect(await img.getAttribute('src')).toMatch(/^\/api\/v1\/staff\/cameras\/cam-1\/snapshots\/[\w-]+$/);
    await expect
      .poll(() =>
        img.evaluate((i) => ((i as { complete: boolean }).complete ? (i as { naturalWidth: number }).naturalWidth : 0)),
      )
      .toBe(320);
    expect(await axeViolations(page)).toEqual([]);
    // Live updates can be paused (WCAG 2.2.2); the button exists only where the script runs.
    expect(await page.getByRole('button', { name: 'Pause live updates' }).getAttribute('aria-pressed')).toBe('false');

    // Kill cam-2's source.
    await sources.get('cam-2')!.stop();
    sources.delete('cam-2');
    const open = await waitFor(
      async () => {
        const a = await alerts();
        return a.some((x) => x.resolved_at === null) ? a : null;
      },
      { timeoutMs: 60_000, intervalMs: 250, what: 'an alert for the dead camera' },
    );
    expect(open.map((a) => a.key)).toEqual(['camera_down:cam-2']);
    await waitFor(() => inbox.length >= 1, { timeoutMs: 20_000, intervalMs: 100, what: 'the digest e-mail' });
    expect(inbox).toHaveLength(1);
    expect(inbox[0]!.to).toEqual(['duty@example.cz']);
    const mail = decodedMail(inbox[0]!.raw);
    expect(mail).toContain('Subject: Volno: 1 new, 0 resolved alerts');
    expect(mail).toContain('Camera down: cam-2');
    expect(mail).toContain('https://parking.example.cz/staff/alerts?lang=en');

    // The wall page still open since the snapshot refreshes itself: no reload needed to see the outage.
    await expect
      .poll(() => page.locator('article[data-camera="cam-2"]').getAttribute('data-stream'), { timeout: 30_000 })
      .toMatch(/^(down|stalled)$/);
    await expect.poll(() => page.locator('article[data-camera="cam-2"] [data-open-alerts]').count()).toBe(1);
    expect(await page.locator('article[data-camera="cam-2"] [data-open-alerts]').getAttribute('data-open-alerts')).toBe(
      '1',
    );
    expect(await page.locator('article[data-camera="cam-1"] [data-open-alerts]').count()).toBe(0);
    await page.goto(`${base}/staff/alerts?lang=en`);
    expect(await page.locator('tr[data-alert="camera_down:cam-2"][data-state="open"]').count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);

    // The source returns on its old address: the agent reconnects and the alert resolves.
    sources.set('cam-2', await startRtspOnPort(ports.get('cam-2')!, 'testsrc'));
    await waitFor(async () => (await alerts()).every((a) => a.resolved_at !== null), {
      timeoutMs: 60_000,
      intervalMs: 250,
      what: 'the alert to clear',
    });
    const after = await alerts();
    expect(after.map((a) => a.key)).toEqual(['camera_down:cam-2']);
    // One alert, one mail: the resolution waits for the next digest, an interval after the first.
    expect(after[0]!.mailed).toBe(false);
    expect(inbox).toHaveLength(1);
    await page.goto(`${base}/staff/alerts?lang=en`);
    const row = page.locator('tr[data-alert="camera_down:cam-2"][data-state="resolved"]');
    expect(await row.count()).toBe(1);
    expect(await row.textContent()).toContain('waits for the next digest');
    await page.goto(`${base}/staff?lang=en`);
    expect(await page.locator('article[data-camera="cam-2"]').getAttribute('data-stream')).toBe('ok');
    const metrics = await (await fetch(`${base}/metrics`, { headers })).text();
    expect(metrics).toContain('volno_alerts_raised_total{kind="camera_down"} 1');
    expect(metrics).toContain('volno_alerts_resolved_total{kind="camera_down"} 1');
    expect(metrics).toContain('volno_alert_digests_total{result="sent"} 1');
    expect(errors).toEqual([]);
  }, 240_000);
});
