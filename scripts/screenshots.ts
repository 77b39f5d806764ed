// Writes the README's screenshots (docs/screenshots/*.png): the public overview, a lot page with its
// "usually" chart and the embeddable widget, on the GOV.CZ design system. Starts the server
// in-process on 127.0.0.1 with demo-like lots, six weeks of made-up hourly history and live slot
// states, and drives Debian's Chromium the way the tests do. Nothing is fetched from outside.
//
//   npx tsx scripts/screenshots.ts [--out docs/screenshots]
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildTopic, encodeMessage, type PayloadOf } from '../protocol/index.ts';
import { buildApp } from '../server/main/app.ts';
import { parseConfig } from '../server/main/config/load.ts';
import { listen } from '../server/main/server.ts';
import { launchChromium } from '../test/support/chromium.ts';

const SITE = 'demo';
const PREFIX = 'volno/v1';
const out = resolve(process.argv[process.argv.indexOf('--out') + 1 || -1] ?? 'docs/screenshots');
// A fixed "now" for the history, so the chart is the same on every run: Wednesday 2026-12-02.
const NOW = Date.parse('2026-12-02T13:00:00Z');
// The server runs on a clock that starts at NOW, so the eight-week chart window always holds the history.
const shift = Date.now() - NOW;
const clock = { now: () => Date.now() - shift };

const row = (r: number, n: number, prefix: string, o: (i: number) => object = () => ({})) =>
  Array.from({ length: n }, (_, i) => ({
    slot_id: `${prefix}${i + 1}`,
    label: `${prefix}${i + 1}`,
    row: r,
    col: i + 1,
    ...o(i),
  }));
const LOTS = [
  {
    lot_id: 'urad',
    name: 'Parkoviště krajského úřadu',
    name_en: 'Regional office car park',
    latitude: 50.0875,
    longitude: 14.4213,
    cameras: [
      {
        camera_id: 'urad-1',
        slots: [
          ...row(1, 10, 'A', (i) => (i < 2 ? { type: 'disabled' } : i === 9 ? { type: 'ev' } : {})),
          ...row(3, 10, 'B', (i) => (i < 3 ? { type: 'visitor', reservable: true } : {})),
        ],
      },
    ],
    reservations: { identity: 'none' },
  },
  {
    lot_id: 'nemocnice',
    name: 'Parkoviště u nemocnice',
    name_en: 'Hospital car park',
    latitude: 50.0755,
    longitude: 14.4378,
    cameras: [{ camera_id: 'nem-1', slots: row(1, 8, 'N') }],
  },
];

/** Office hours fill the office car park; evenings and weekends empty it. */
function freeAt(lot: (typeof LOTS)[number], ms: number): number {
  const total = lot.cameras.reduce((n, c) => n + c.slots.length, 0);
  const local = new Date(ms + 3_600_000); // Prague in winter; the pattern only needs to look plausible
  const day = (local.getUTCDay() + 6) % 7;
  const h = local.getUTCHours();
  const busy = day < 5 ? (h >= 7 && h < 17 ? 0.95 - Math.abs(h - 11) * 0.04 : h >= 17 && h < 20 ? 0.4 : 0.1) : 0.15;
  const wobble = ((ms / 3_600_000) % 5) / 40;
  return Math.max(0, Math.min(total, Math.round(total * (1 - busy - wobble))));
}

let seq = 0;
function slotState(camera: string, slot: string, state: 'free' | 'occupied'): { topic: string; payload: string } {
  const t = new Date(clock.now()).toISOString();
  const value: PayloadOf<'slot_state'> = {
    agent_id: 'demo-agent',
    session_id: 'session-screens',
    seq: seq++,
    sent_at: t,
    camera_id: camera,
    slot_id: slot,
    state,
    confidence: 0.95,
    since: t,
    observed_at: t,
    model_id: 'volno-slotnet-v1',
    calibration_version: 1,
  };
  return {
    topic: buildTopic('slot_state', { site: SITE, camera, slot }, PREFIX),
    payload: encodeMessage('slot_state', value),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'volno-screens-'));
const config = parseConfig(
  {
    site: SITE,
    data_dir: dir,
    log_level: 'silent',
    lots: LOTS,
    http: { host: '127.0.0.1', port: 0 },
    mqtt: { embedded: { port: 0 } },
  },
  { baseDir: dir, env: {} },
);
const app = await buildApp(config, { clock });
try {
  const { httpUrl } = await listen(app, config);
  const v = app.volno;
  for (const lot of LOTS)
    for (let h = 6 * 7 * 24; h >= 1; h--) {
      const at = NOW - h * 3_600_000;
      const total = lot.cameras.reduce((n, c) => n + c.slots.length, 0);
      const free = freeAt(lot, at);
      v.aggregates.record(
        [{ lotId: lot.lot_id, counts: { free, occupied: total - free, unknown: 0, reserved: 0 } }],
        at,
      );
    }
  // Live states: the office lot mostly taken, the hospital lot half free.
  for (const lot of LOTS)
    for (const cam of lot.cameras)
      cam.slots.forEach((s, i) => {
        const free = lot.lot_id === 'urad' ? i % 4 === 1 : i % 2 === 0;
        const m = slotState(cam.camera_id, s.slot_id, free ? 'free' : 'occupied');
        v.ingestor.handle(m.topic, Buffer.from(m.payload), false);
      });
  v.writer.flush();

  mkdirSync(out, { recursive: true });
  const browser = await launchChromium();
  try {
    const shots: [string, string, { width: number; height: number }, boolean][] = [
      ['public-page.png', '/?lang=cs', { width: 1100, height: 760 }, true],
      ['lot-page.png', '/lot/urad?lang=cs', { width: 1100, height: 900 }, true],
      [
        'booking-page.png',
        '/reserve?lang=cs&lot_id=urad&date=2026-12-03&start=10:00&end=12:00',
        { width: 1100, height: 900 },
        true,
      ],
      ['widget.png', '/embed/urad?lang=cs', { width: 380, height: 320 }, true],
    ];
    for (const [file, path, viewport, full] of shots) {
      const page = await browser.newPage({ viewport });
      page.on('request', (r) => {
        if (!r.url().startsWith(httpUrl)) throw new Error(`request left 127.0.0.1: ${r.url()}`);
      });
      await page.goto(`${httpUrl}${path}`);
      if (!path.startsWith('/reserve'))
        await page.locator('[data-live]', { hasText: /aktualizují/ }).waitFor({ timeout: 10_000 });
      const target = join(out, file);
      await page.screenshot({ path: target, fullPage: full, animations: 'disabled' });
      console.log(`${target}: ${Math.round(statSync(target).size / 1024)} KB`);
      await page.close();
    }
  } finally {
    await browser.close();
  }
} finally {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
}
