/**
 * Booking benchmark, each figure against a baseline measured in the same run:
 * - service: bookings per second through ReservationService.book (rules, limits, capacity check and
 *   insert in one transaction) and through bookBatched (the public routes' path: a group commit per
 *   event-loop turn) vs a bare one-row INSERT transaction through the same storage port;
 * - race: N clients (default 200), each on its own open connection, POST /api/v1/reservations at
 *   the same instant, round after round:
 *   - same_slot: all for the one space of lot `single` in one window (exactly one 201, the rest 409);
 *   - spread: over the SLOTS spaces of lot `bench` and N / SLOTS windows (every one 201);
 *   - bare: a bare Fastify route on the same storage running one INSERT transaction per POST.
 *   p50/p95/p99/max over all rounds, the server's CPU and event-loop time per request, and the
 *   ratios of both to the bare route.
 *
 *   npx tsx bench/reservations/run.ts [--racers 200] [--rounds 5] [--service 3000]
 *     [--engine sqlite|postgres|both] [--pg-url postgres://…]
 *
 * `--engine postgres` runs the same on a throw-away PostgreSQL (Debian's, started and deleted here,
 * a fresh database for each part) unless `--pg-url` names one; `both` runs SQLite, then PostgreSQL.
 * On PostgreSQL the server CPU figures count this Node process only, not the database's processes.
 *
 * Prints one JSON object. Compare ratios, not absolute numbers: the machine is shared (see the load
 * average printed with it); CPU time per request moves less with other load than latency does. The
 * clients run in a child process.
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import { startPostgres, type PostgresServer } from '../../test/support/postgres.ts';
import {
  type App,
  clientAddress,
  type Engine,
  race,
  type RaceResult,
  round,
  SLOTS,
  summary,
  window,
  withApp,
} from './setup.ts';

const { values } = parseArgs({
  options: {
    racers: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '5' },
    service: { type: 'string', default: '3000' },
    engine: { type: 'string', default: 'sqlite' },
    'pg-url': { type: 'string' },
  },
});
const RACERS = Number(values.racers);
const ROUNDS = Number(values.rounds);
const SERVICE_N = Number(values.service);
if (!['sqlite', 'postgres', 'both'].includes(values.engine)) throw new Error('--engine is sqlite, postgres or both');
const ENGINES: Engine[] = values.engine === 'both' ? ['sqlite', 'postgres'] : [values.engine as Engine];

/**
 * Where each part's database is: nothing for SQLite (a temp directory per part); on PostgreSQL the
 * given URL, or a fresh database on the throw-away server for each part (the parts book the same windows).
 */
let throwAway: PostgresServer | undefined;
async function pgUrlFor(engine: Engine): Promise<string | undefined> {
  if (engine === 'sqlite') return undefined;
  if (values['pg-url'] !== undefined) return values['pg-url'];
  throwAway ??= await startPostgres();
  return throwAway.createDatabase();
}

/** The bare baseline: one INSERT transaction per call through the app's storage port. */
async function bareInsert(app: App): Promise<() => Promise<void>> {
  const sql = app.volno.sql;
  await sql.exec('CREATE TABLE IF NOT EXISTS bench_baseline (id integer PRIMARY KEY, a text, b integer, c integer)');
  let i = 0;
  return async () => {
    const n = i++;
    await sql.transaction((tx) =>
      tx.run('INSERT INTO bench_baseline (id, a, b, c) VALUES ($1, $2, $3, $4)', [n, `row-${n}`, n, n]),
    );
  };
}

async function benchService(engine: Engine) {
  return withApp(engine, await pgUrlFor(engine), async (app) => {
    const insert = await bareInsert(app);
    let t = performance.now();
    for (let i = 0; i < SERVICE_N; i++) await insert();
    const bare = SERVICE_N / ((performance.now() - t) / 1000);
    const svc = app.volno.reservations.service;
    t = performance.now();
    for (let i = 0; i < SERVICE_N; i++)
      await svc.book(
        'bench',
        window(Math.floor(i / SLOTS)),
        { name: 'B', email: `s${i}@example.cz` },
        { lang: 'cs', by: 'public' },
      );
    const book = SERVICE_N / ((performance.now() - t) / 1000);
    // The public routes' path: RACERS bookings at a time, committed in groups (WriteBatch).
    t = performance.now();
    for (let i = 0; i < SERVICE_N; i += RACERS)
      await Promise.all(
        Array.from({ length: Math.min(RACERS, SERVICE_N - i) }, (_, j) =>
          svc.bookBatched(
            'bench',
            window(SERVICE_N / SLOTS + Math.floor((i + j) / SLOTS)),
            { name: 'B', email: `g${i + j}@example.cz` },
            { lang: 'cs', by: 'public' },
          ),
        ),
      );
    const batched = SERVICE_N / ((performance.now() - t) / 1000);
    return {
      bookings: SERVICE_N,
      bare_insert_tx_per_s: Math.round(bare),
      book_per_s: Math.round(book),
      book_vs_bare_ratio: round(book / bare, 3),
      book_batched_per_s: Math.round(batched),
      book_batched_vs_bare_ratio: round(batched / bare, 3),
    };
  });
}

const person = (r: number, i: number) => ({
  name: 'Bench',
  email: `r${r}-${i}@example.cz`,
  consent: true,
});

async function benchRace(engine: Engine) {
  return withApp(engine, await pgUrlFor(engine), async (app, url) => {
    const insert = await bareInsert(app);
    const bare = Fastify();
    bare.get('/warm', async () => ({ ok: true }));
    bare.post('/bare', async (_req, reply) => {
      await insert();
      return reply.code(201).send({ ok: true });
    });
    await bare.listen({ host: '127.0.0.1', port: 0 });
    const bareUrl = `http://127.0.0.1:${(bare.server.address() as { port: number }).port}`;
    const windowsPerRound = Math.ceil(RACERS / SLOTS);
    const modes = {
      bare: [] as RaceResult[],
      same_slot: [] as RaceResult[],
      spread: [] as RaceResult[],
    };
    try {
      // Round 0 warms the JIT and the connections' code paths; it is not counted.
      for (let r = 0; r <= ROUNDS; r++) {
        const bodies = (f: (i: number) => object) =>
          Array.from({ length: RACERS }, (_, i) => JSON.stringify({ ...person(r, i), ...f(i) }));
        const api = '/api/v1/reservations';
        const warm = '/api/v1/reservations/lots';
        // Interleaved, so that a burst of load from elsewhere on the machine hits every mode alike.
        const from = (mode: number) =>
          Array.from({ length: RACERS }, (_, i) => clientAddress((mode * (ROUNDS + 1) + r) * RACERS + i));
        const b = await race(
          bareUrl,
          '/warm',
          '/bare',
          bodies(() => ({})),
          from(0),
        );
        const s = await race(
          url,
          warm,
          api,
          bodies(() => ({ lot_id: 'single', ...window(r) })),
          from(1),
        );
        const w = await race(
          url,
          warm,
          api,
          bodies((i) => ({ lot_id: 'bench', ...window(r * windowsPerRound + Math.floor(i / SLOTS)) })),
          from(2),
        );
        if (r === 0) continue;
        modes.bare.push(b);
        modes.same_slot.push(s);
        modes.spread.push(w);
      }
    } finally {
      await bare.close();
    }
    const bareSummary = summary(modes.bare);
    const same = summary(modes.same_slot);
    const spread = summary(modes.spread);
    return {
      racers: RACERS,
      rounds: ROUNDS,
      same_slot: {
        ...same,
        winners_per_round: modes.same_slot.map((r) => r.statuses.filter((x) => x === 201).length),
      },
      spread,
      bare_insert_http: bareSummary,
      p99_ratio_same_slot_vs_bare: round(same.p99_ms / bareSummary.p99_ms),
      p99_ratio_spread_vs_bare: round(spread.p99_ms / bareSummary.p99_ms),
      cpu_ratio_same_slot_vs_bare: round(same.server_cpu_ms_per_request / bareSummary.server_cpu_ms_per_request),
      cpu_ratio_spread_vs_bare: round(spread.server_cpu_ms_per_request / bareSummary.server_cpu_ms_per_request),
    };
  });
}

const load0 = loadavg()[0]!;
const results: Record<string, unknown> = {};
try {
  for (const engine of ENGINES)
    results[engine] = { service: await benchService(engine), race: await benchRace(engine) };
} finally {
  await throwAway?.stop();
}
console.log(
  JSON.stringify(
    {
      node: process.version,
      cpus: cpus().length,
      load_average_1m: { start: round(load0), end: round(loadavg()[0]!) },
      ...(ENGINES.length === 1 ? { engine: ENGINES[0], ...(results[ENGINES[0]!] as object) } : { engines: results }),
    },
    null,
    2,
  ),
);
