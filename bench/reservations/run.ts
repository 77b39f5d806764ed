/**
 * Booking benchmark, each figure against a baseline measured in the same run:
 * - service: bookings per second through ReservationService.book (rules, limits, capacity check and
 *   insert in one BEGIN IMMEDIATE transaction) vs a bare one-row INSERT transaction on the same file;
 * - http: POST /api/v1/reservations with N concurrent clients, all fighting for the same window
 *   (contended: one space per slot, the rest 409) vs the same load spread over distinct windows
 *   (uncontended: every request books). Throughput and p50/p99 latency, and their ratios.
 *
 *   npx tsx bench/reservations/run.ts [--requests 2000] [--connections 50] [--service 3000]
 *
 * Prints one JSON object. Compare ratios, not absolute numbers: the machine is shared, and the
 * HTTP clients run in the server's own process (both modes pay that equally).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { buildApp } from '../../server/main/app.ts';
import { ManualClock } from '../../server/core/clock.ts';
import { parseConfig } from '../../server/core/config/load.ts';
import { listen } from '../../server/main/server.ts';
import { addDays } from '../../server/reservations/time.ts';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '2000' },
    connections: { type: 'string', default: '50' },
    service: { type: 'string', default: '3000' },
  },
});
const REQUESTS = Number(values.requests);
const CONNECTIONS = Number(values.connections);
const SERVICE_N = Number(values.service);
const SLOTS = 10;
const T0 = Date.parse('2026-12-01T06:00:00Z');
const all = ['00:00-24:00'];

function config(dir: string) {
  return parseConfig(
    {
      data_dir: dir,
      log_level: 'silent',
      http: { port: 0 },
      mqtt: { embedded: { port: 0 } },
      home_assistant: { enabled: false },
      lots: [
        {
          lot_id: 'bench',
          name: 'Bench',
          cameras: [
            {
              camera_id: 'cam',
              slots: Array.from({ length: SLOTS }, (_, i) => ({ slot_id: `S${i}`, reservable: true })),
            },
          ],
          reservations: {
            // Measures the booking transaction itself, without sign-in or e-mail confirmation.
            identity: 'none',
            granularity_min: 15,
            min_duration_min: 15,
            max_duration_min: 60,
            horizon_days: 366,
            lead_time_min: 0,
            czech_public_holidays: false,
            opening_hours: { mon: all, tue: all, wed: all, thu: all, fri: all, sat: all, sun: all },
            limits: { max_active_per_email: 100, max_active_per_plate: 100, max_per_day_per_person: 100 },
          },
        },
      ],
    },
    { baseDir: dir, env: {} },
  );
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

/** The i-th distinct 15-minute window: 96 per day, from the day after T0. */
function window(i: number) {
  const day = addDays('2026-12-02', Math.floor(i / 96));
  const m = (i % 96) * 15;
  const hh = (x: number) => `${String(Math.floor(x / 60)).padStart(2, '0')}:${String(x % 60).padStart(2, '0')}`;
  return { date: day, start: hh(m), end: m + 15 === 1440 ? '24:00' : hh(m + 15) };
}

async function withApp<T>(f: (a: Awaited<ReturnType<typeof buildApp>>, url: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'volno-bench-res-'));
  const cfg = config(dir);
  const app = await buildApp(cfg, { clock: new ManualClock(T0), logger: pino({ level: 'silent' }) });
  try {
    const { httpUrl } = await listen(app, cfg);
    return await f(app, httpUrl);
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchService() {
  return withApp(async (app) => {
    const db = app.volno.db;
    db.exec('CREATE TABLE bench_baseline (id INTEGER PRIMARY KEY, a TEXT, b INTEGER, c INTEGER)');
    const ins = db.prepare('INSERT INTO bench_baseline (a, b, c) VALUES (?, ?, ?)');
    let t = performance.now();
    for (let i = 0; i < SERVICE_N; i++) db.transaction(() => ins.run(`row-${i}`, i, i)).immediate();
    const bare = SERVICE_N / ((performance.now() - t) / 1000);
    const svc = app.volno.reservations.service;
    t = performance.now();
    for (let i = 0; i < SERVICE_N; i++)
      svc.book(
        'bench',
        window(Math.floor(i / SLOTS)),
        { name: 'B', email: `s${i}@example.cz` },
        { lang: 'cs', by: 'public' },
      );
    const book = SERVICE_N / ((performance.now() - t) / 1000);
    return {
      bookings: SERVICE_N,
      bare_insert_tx_per_s: Math.round(bare),
      book_per_s: Math.round(book),
      book_vs_bare_ratio: round(book / bare, 3),
    };
  });
}

async function load(url: string, body: (i: number) => object) {
  const lat: number[] = [];
  const codes: Record<number, number> = {};
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      for (;;) {
        const i = next++;
        if (i >= REQUESTS) return;
        const s = performance.now();
        const r = await fetch(`${url}/api/v1/reservations`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body(i)),
        });
        await r.arrayBuffer();
        lat.push(performance.now() - s);
        codes[r.status] = (codes[r.status] ?? 0) + 1;
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  return {
    requests_per_s: Math.round(REQUESTS / secs),
    p50_ms: round(pct(lat, 0.5)),
    p99_ms: round(pct(lat, 0.99)),
    status: codes,
  };
}

const person = (i: number) => ({ name: 'Bench', email: `h${i}@example.cz`, consent: true, lot_id: 'bench' });

async function benchHttp() {
  const uncontended = await withApp((_a, url) =>
    load(url, (i) => ({ ...person(i), ...window(Math.floor(i / SLOTS)) })),
  );
  const contended = await withApp((_a, url) => load(url, (i) => ({ ...person(i), ...window(0) })));
  return {
    requests: REQUESTS,
    connections: CONNECTIONS,
    slots: SLOTS,
    uncontended,
    contended,
    throughput_ratio_contended_vs_uncontended: round(contended.requests_per_s / uncontended.requests_per_s),
    p99_ratio_contended_vs_uncontended: round(contended.p99_ms / uncontended.p99_ms),
    winners_in_contended_window: contended.status[201] ?? 0,
  };
}

const result = {
  node: process.version,
  cpus: cpus().length,
  load_average_1m: round(loadavg()[0]!),
  service: await benchService(),
  http: await benchHttp(),
};
console.log(JSON.stringify(result, null, 2));
