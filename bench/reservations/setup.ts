// Shared pieces of the booking benchmark: the config, an app on a temp directory, windows, racing clients.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { ManualClock } from '../../server/core/clock.ts';
import { parseConfig } from '../../server/main/config/load.ts';
import { buildApp } from '../../server/main/app.ts';
import { listen } from '../../server/main/server.ts';
import { addDays } from '../../server/reservations/time.ts';

export type Engine = 'sqlite' | 'postgres';
export const SLOTS = 10;
export const T0 = Date.parse('2026-12-01T06:00:00Z');
const all = ['00:00-24:00'];

const rules = {
  // Measures the booking itself, without sign-in or e-mail confirmation.
  identity: 'none',
  granularity_min: 15,
  min_duration_min: 15,
  max_duration_min: 60,
  horizon_days: 366,
  lead_time_min: 0,
  czech_public_holidays: false,
  opening_hours: { mon: all, tue: all, wed: all, thu: all, fri: all, sat: all, sun: all },
  limits: { max_active_per_email: 100, max_active_per_plate: 100, max_per_day_per_person: 100 },
};

const lot = (lotId: string, slots: number) => ({
  lot_id: lotId,
  name: lotId,
  cameras: [
    {
      camera_id: `cam-${lotId}`,
      slots: Array.from({ length: slots }, (_, i) => ({ slot_id: `S${i}`, reservable: true })),
    },
  ],
  reservations: rules,
});

/** Where the bookings are stored: SQLite in the data directory, or the PostgreSQL database at `pgUrl`. */
function storage(engine: Engine, pgUrl: string | undefined): Record<string, unknown> {
  if (engine === 'sqlite') return {};
  if (pgUrl === undefined) throw new Error('--engine postgres needs --pg-url postgres://…');
  return { storage: { engine: 'postgres', url: pgUrl } };
}

/**
 * Lot `bench` has SLOTS reservable spaces, lot `single` one (a race for it has exactly one winner).
 * The per-client booking budget keeps its defaults: the racers come from distinct addresses (and
 * subnets) through X-Forwarded-For from a trusted proxy on 127.0.0.1, as people behind nginx would.
 */
export function benchConfig(dir: string, engine: Engine, pgUrl?: string) {
  return parseConfig(
    {
      data_dir: dir,
      log_level: 'silent',
      http: { port: 0, trust_proxy: ['127.0.0.1'] },
      mqtt: { embedded: { port: 0 } },
      home_assistant: { enabled: false },
      lots: [lot('bench', SLOTS), lot('single', 1)],
      ...storage(engine, pgUrl),
    },
    { baseDir: dir, env: {} },
  );
}

export type App = Awaited<ReturnType<typeof buildApp>>;

/** Builds and starts the whole server on a temp directory, runs `f`, closes and deletes it. */
export async function withApp<T>(engine: Engine, pgUrl: string | undefined, f: (a: App, url: string) => Promise<T>) {
  const dir = mkdtempSync(join(tmpdir(), 'volno-bench-res-'));
  const cfg = benchConfig(dir, engine, pgUrl);
  const app = await buildApp(cfg, { clock: new ManualClock(T0), logger: pino({ level: 'silent' }) });
  try {
    const { httpUrl } = await listen(app, cfg);
    return await f(app, httpUrl);
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The i-th distinct 15-minute window: 96 per day, from the day after T0. */
export function window(i: number) {
  const day = addDays('2026-12-02', Math.floor(i / 96));
  const m = (i % 96) * 15;
  const hh = (x: number) => `${String(Math.floor(x / 60)).padStart(2, '0')}:${String(x % 60).padStart(2, '0')}`;
  return { date: day, start: hh(m), end: m + 15 === 1440 ? '24:00' : hh(m + 15) };
}

export const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
export const pct = (sorted: ArrayLike<number>, p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

export interface RaceResult {
  latencies: number[];
  statuses: number[];
  /** CPU time of this process (the server; the clients are a child process) during the race. */
  serverCpuMs: number;
  /** Time the server's event loop was busy during the race. */
  serverBusyMs: number;
}

/** A distinct client address in a distinct /24 for every k, so no per-address or per-subnet budget is shared. */
export const clientAddress = (k: number) => `${10 + (k >> 16)}.${(k >> 8) & 255}.${k & 255}.1`;

/**
 * One race: every body POSTed to `path` at the same instant from its own connection and as its own
 * client address (race-worker.mjs, a child process). Also the server's CPU time and event-loop busy
 * time for the race, per request: on a shared machine these move less than latency does.
 */
export function race(
  url: string,
  warmPath: string,
  path: string,
  bodies: string[],
  addresses: string[],
): Promise<RaceResult> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(new URL('./race-worker.mjs', import.meta.url)), { stdio: 'inherit' });
    let cpu0 = process.cpuUsage();
    let elu0 = performance.eventLoopUtilization();
    let out: RaceResult | undefined;
    child.on('message', (m: { type: string; latencies: number[]; statuses: number[] }) => {
      if (m.type === 'ready') {
        cpu0 = process.cpuUsage();
        elu0 = performance.eventLoopUtilization();
        child.send('go');
        return;
      }
      const cpu = process.cpuUsage(cpu0);
      const busy = performance.eventLoopUtilization(elu0);
      out = {
        latencies: m.latencies,
        statuses: m.statuses,
        serverCpuMs: (cpu.user + cpu.system) / 1000,
        serverBusyMs: busy.active,
      };
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 && out ? resolve(out) : reject(new Error(`race client exited with ${code}`)),
    );
    child.send({ url, warmPath, path, bodies, addresses });
  });
}

/** p50/p95/p99/max over all rounds, the p99 of each round, and the statuses counted. */
export function summary(rounds: RaceResult[]) {
  const lat = rounds.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const status: Record<number, number> = {};
  for (const s of rounds.flatMap((r) => r.statuses)) status[s] = (status[s] ?? 0) + 1;
  const perRequest = (f: (r: RaceResult) => number) =>
    round(rounds.reduce((a, r) => a + f(r), 0) / rounds.reduce((a, r) => a + r.latencies.length, 0), 3);
  return {
    server_cpu_ms_per_request: perRequest((r) => r.serverCpuMs),
    server_busy_ms_per_request: perRequest((r) => r.serverBusyMs),
    p50_ms: round(pct(lat, 0.5)),
    p95_ms: round(pct(lat, 0.95)),
    p99_ms: round(pct(lat, 0.99)),
    max_ms: round(lat.at(-1)!),
    p99_per_round_ms: rounds.map((r) =>
      round(
        pct(
          [...r.latencies].sort((a, b) => a - b),
          0.99,
        ),
      ),
    ),
    status,
  };
}
