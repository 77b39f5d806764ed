/**
 * `npm run bench`: runs every benchmark as its own child process, one after the other (they would
 * distort each other in parallel on a 2-core machine), collects the JSON each prints, and writes ONE
 * report in which every figure sits next to the baseline measured in the same run and their ratio.
 *
 *   npm run bench [-- --quick] [-- --only vision,edge,server,reservations] [-- --out bench/results]
 *
 * `--quick` passes smaller sizes to each runner (none has a --quick flag of its own; a runner that
 * declares one in its source gets `--quick` too). A runner whose script is missing is skipped. The report goes to
 * bench/results/report-<timestamp>.json (git-ignored) and to stdout; progress goes to stderr. Exits 1
 * when any runner failed; the others still run and are reported.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TSX = join(ROOT, 'node_modules/tsx/dist/cli.mjs');

/** One figure and the baseline it is judged against, both paths into the runner's JSON. */
interface Pair {
  figure: string;
  baseline: string;
  unit: string;
  /** Which direction of the ratio figure/baseline is good. */
  better: 'lower' | 'higher';
}

interface Runner {
  name: string;
  script: string;
  args: string[];
  quickArgs: string[];
  /** Generous: a stuck runner (a child that never exits) must not hang the whole suite. */
  timeoutS: number;
  pairs: Pair[];
}

const lower = (figure: string, baseline: string, unit: string): Pair => ({ figure, baseline, unit, better: 'lower' });
const higher = (figure: string, baseline: string, unit: string): Pair => ({ figure, baseline, unit, better: 'higher' });
const each = (keys: string[], figure: string, baseline: string, unit: string, better: Pair['better']) =>
  keys.map((k) => ({ figure: `${figure}.${k}`, baseline: `${baseline}.${k}`, unit, better }));

const RUNNERS: Runner[] = [
  {
    name: 'vision',
    script: 'bench/vision/run.ts',
    args: [],
    quickArgs: ['--iterations', '10'],
    timeoutS: 300,
    pairs: [
      // Floor: onnxruntime alone on a ready tensor, same model, same threads.
      lower('classifier.pipeline_ms', 'classifier.inference_floor_ms', 'ms'),
      lower('classifier.total_with_decode_ms', 'classifier.inference_floor_ms', 'ms'),
      lower('classifier.warp_ms', 'classifier.inference_floor_ms', 'ms'),
      lower('classifier.inference_ms', 'classifier.inference_floor_ms', 'ms'),
      lower('decode_jpeg_ms', 'classifier.inference_floor_ms', 'ms'),
      lower('warp_variants_ms.mip_pyramid', 'warp_variants_ms.plain_bilinear', 'ms'),
      lower('warp_variants_ms.supersample_2x2_equivalent', 'warp_variants_ms.plain_bilinear', 'ms'),
      lower('detector.total_ms', 'detector.inference_floor_ms', 'ms'),
      lower('detector.inference_ms', 'detector.inference_floor_ms', 'ms'),
      lower('detector.letterbox_ms', 'detector.inference_floor_ms', 'ms'),
    ],
  },
  {
    name: 'edge',
    script: 'bench/edge/run.ts',
    args: [],
    quickArgs: ['--seconds', '8', '--warmup', '4'],
    timeoutS: 300,
    pairs: [
      // Baseline: the same camera with every frame decoded (ffmpeg's default).
      ...each(
        ['ffmpeg_cpu_pct', 'agent_cpu_pct', 'total_cpu_pct'],
        'keyframes_only',
        'full_decode',
        '% of a core',
        'lower',
      ),
      ...each(['cameras_per_core', 'frames_per_s'], 'keyframes_only', 'full_decode', 'count', 'higher'),
    ],
  },
  {
    name: 'server',
    script: 'bench/server/run.ts',
    args: [],
    quickArgs: ['--messages', '10000', '--duration', '2', '--clients', '1000'],
    timeoutS: 420,
    pairs: [
      higher('ingest.volno_sqlite_msg_per_s', 'ingest.bare_subscriber_msg_per_s', 'msg/s'),
      ...each(['req_per_s'], 'http.volno_availability', 'http.bare_fastify', 'req/s', 'higher'),
      ...each(
        ['server_us_per_req', 'p50_ms', 'p99_ms'],
        'http.volno_availability',
        'http.bare_fastify',
        'µs|ms',
        'lower',
      ),
      ...each(['req_per_s'], 'http.volno_availability_304', 'http.bare_fastify', 'req/s', 'higher'),
      ...each(['server_us_per_req', 'p99_ms'], 'http.volno_availability_304', 'http.bare_fastify', 'µs|ms', 'lower'),
      ...each(
        ['first_ms', 'p50_ms', 'p99_ms', 'last_ms'],
        'sse.volno_mqtt_to_clients',
        'sse.bare_node_broadcast',
        'ms',
        'lower',
      ),
      lower('sse.connect_all_ms.volno', 'sse.connect_all_ms.bare', 'ms'),
    ],
  },
  {
    name: 'reservations',
    script: 'bench/reservations/run.ts',
    args: [],
    quickArgs: ['--rounds', '2', '--service', '1000'],
    timeoutS: 300,
    pairs: [
      higher('service.book_per_s', 'service.bare_insert_tx_per_s', 'bookings/s'),
      higher('service.book_batched_per_s', 'service.bare_insert_tx_per_s', 'bookings/s'),
      // Baseline: 200 racing POSTs to a bare Fastify route running one INSERT transaction each.
      ...each(['p50_ms', 'p99_ms'], 'race.same_slot', 'race.bare_insert_http', 'ms', 'lower'),
      ...each(['p50_ms', 'p99_ms'], 'race.spread', 'race.bare_insert_http', 'ms', 'lower'),
      lower('race.same_slot.server_cpu_ms_per_request', 'race.bare_insert_http.server_cpu_ms_per_request', 'ms'),
      lower('race.spread.server_cpu_ms_per_request', 'race.bare_insert_http.server_cpu_ms_per_request', 'ms'),
    ],
  },
];

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    out: { type: 'string', default: join(ROOT, 'bench/results') },
  },
});
const only = values.only === undefined ? undefined : new Set(values.only.split(','));

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function at(json: Json, path: string): number | undefined {
  let v: Json | undefined = json;
  for (const key of path.split('.')) v = v !== null && typeof v === 'object' && !Array.isArray(v) ? v[key] : undefined;
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function leaves(json: Json, prefix = ''): [string, number][] {
  if (typeof json === 'number') return [[prefix, json]];
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return [];
  return Object.entries(json).flatMap(([k, v]) => leaves(v, prefix === '' ? k : `${prefix}.${k}`));
}

const BASELINE_NAME = /(^|_)(bare|baseline|floor|reference)(_|$)/;
const RATIO_NAME = /(^|_)ratio(_|$)|_over_|_vs_/;
const unitOf = (key: string) => /(_per_s|_ms|_us|_pct|_bytes|_s)$/.exec(key)?.[1];
const betterOf = (key: string): Pair['better'] => (/per_s|per_core|throughput/.test(key) ? 'higher' : 'lower');

/**
 * For a runner without declared pairs: sibling objects where one is named like a baseline
 * (`bare_*`, `baseline`, `*_floor`) are paired key by key with each other sibling; leaf names
 * decide the direction (rates are better higher, everything else lower).
 */
function inferPairs(json: Json, prefix = ''): Pair[] {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return [];
  const path = (k: string) => (prefix === '' ? k : `${prefix}.${k}`);
  const objects = Object.entries(json).filter(([, v]) => v !== null && typeof v === 'object' && !Array.isArray(v));
  const base = objects.find(([k]) => BASELINE_NAME.test(k));
  const out: Pair[] = [];
  if (base !== undefined) {
    for (const [k, v] of objects) {
      if (k === base[0]) continue;
      for (const [leaf] of leaves(v)) {
        if (at(base[1], leaf) === undefined) continue;
        out.push({
          figure: path(`${k}.${leaf}`),
          baseline: path(`${base[0]}.${leaf}`),
          unit: unitOf(leaf)?.slice(1) ?? '',
          better: betterOf(leaf),
        });
      }
    }
  }
  // Flat siblings with the same unit: `bare_subscriber_msg_per_s` is the baseline of `volno_sqlite_msg_per_s`.
  const numbers = Object.entries(json).filter(([k, v]) => typeof v === 'number' && !RATIO_NAME.test(k));
  for (const [b] of numbers.filter(([k]) => BASELINE_NAME.test(k))) {
    for (const [k] of numbers) {
      if (k === b || BASELINE_NAME.test(k) || unitOf(k) === undefined || unitOf(k) !== unitOf(b)) continue;
      out.push({ figure: path(k), baseline: path(b), unit: unitOf(k)!.slice(1), better: betterOf(k) });
    }
  }
  for (const [k, v] of objects) out.push(...inferPairs(v, path(k)));
  return out;
}

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Parses the runner's stdout: one JSON object, possibly after stray lines. */
function parseOutput(stdout: string): Json | undefined {
  const start = stdout.search(/^\{/m);
  if (start < 0) return undefined;
  try {
    return JSON.parse(stdout.slice(start)) as Json;
  } catch {
    return undefined;
  }
}

/** The running benchmark's process group: Ctrl+C reaches only our own group, so it is passed on. */
let current: number | undefined;
let interrupted = false;

function stopGroup(pid: number): void {
  const kill = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // already gone
    }
  };
  kill('SIGTERM');
  setTimeout(() => kill('SIGKILL'), 5000).unref();
}

for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    interrupted = true;
    if (current !== undefined) stopGroup(current);
    process.exitCode = 130;
    setTimeout(() => process.exit(130), 5500).unref();
  });

async function run(r: Runner): Promise<Record<string, unknown>> {
  const quickFlag = values.quick && /\bquick\s*:/.test(readFileSync(join(ROOT, r.script), 'utf8')) ? ['--quick'] : [];
  const args = [TSX, r.script, ...r.args, ...(values.quick ? r.quickArgs : []), ...quickFlag];
  const command = ['npx tsx', ...args.slice(1)].join(' ');
  process.stderr.write(`bench: ${r.name}: ${command}\n`);
  const t0 = performance.now();
  // Its own process group, so a timeout also stops what it started (RTSP server, ffmpeg, workers).
  const child = spawn(process.execPath, args, { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-8000)));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    stopGroup(child.pid!);
  }, r.timeoutS * 1000);
  current = child.pid;
  const code = await new Promise<number | null>((ok) => child.once('close', (c) => ok(c)));
  current = undefined;
  clearTimeout(timer);
  const wallS = round((performance.now() - t0) / 1000, 1);
  const json = parseOutput(stdout);
  const ok = code === 0 && json !== undefined;
  process.stderr.write(`bench: ${r.name}: ${ok ? 'ok' : 'FAILED'} in ${wallS} s\n`);
  // Declared pairs first; when a runner's JSON no longer has them (its shape changed), pairs by name.
  const declared = json === undefined ? [] : r.pairs.flatMap((p) => pair(json, p));
  const pairs = json === undefined || declared.length > 0 ? declared : inferPairs(json).flatMap((p) => pair(json, p));
  const ownRatios =
    json === undefined ? {} : Object.fromEntries(leaves(json).filter(([k]) => RATIO_NAME.test(k.split('.').at(-1)!)));
  return {
    name: r.name,
    command,
    ok,
    exit_code: code,
    timed_out: timedOut,
    wall_s: wallS,
    pairs,
    runner_ratios: ownRatios,
    result: json ?? null,
    ...(ok ? {} : { stderr_tail: stderr.slice(-3000), stdout_tail: stdout.slice(-1000) }),
  };
}

/** A figure, its baseline and the ratio; absent figures (an optional part did not run) are dropped. */
function pair(json: Json, p: Pair): Record<string, unknown>[] {
  const value = at(json, p.figure);
  const baseline = at(json, p.baseline);
  if (value === undefined || baseline === undefined) return [];
  return [
    {
      figure: p.figure,
      value,
      baseline: p.baseline,
      baseline_value: baseline,
      // A zero baseline (a latency under the clock's resolution) has no meaningful ratio.
      ratio: baseline === 0 ? null : round(value / baseline),
      unit: p.unit,
      better: p.better,
    },
  ];
}

function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

const startedAt = new Date();
const selected = RUNNERS.filter((r) => (only === undefined || only.has(r.name)) && existsSync(join(ROOT, r.script)));
const skipped = RUNNERS.filter((r) => !selected.includes(r)).map((r) => ({
  name: r.name,
  why: existsSync(join(ROOT, r.script)) ? 'not in --only' : `${r.script} does not exist`,
}));
const loadBefore = round(loadavg()[0]!, 2);
const benches = [];
for (const r of selected) if (!interrupted) benches.push(await run(r));

const report = {
  report: 'volno-bench',
  started_at: startedAt.toISOString(),
  wall_s: round((Date.now() - startedAt.getTime()) / 1000, 1),
  quick: values.quick,
  commit: gitCommit(),
  node: process.version,
  cpus: cpus().length,
  cpu_model: cpus()[0]?.model ?? null,
  load_average_1m: { before: loadBefore, after: round(loadavg()[0]!, 2) },
  note: 'ratio = value / baseline, both measured in the same run; compare ratios across machines, not absolute numbers.',
  benches,
  skipped,
};

let text = JSON.stringify(report, null, 2);
try {
  // Formatted like the rest of the repo, so `prettier --check .` stays quiet about saved reports.
  const prettier = await import('prettier');
  text = await prettier.format(text, { parser: 'json', printWidth: 120 });
} catch {
  text += '\n';
}
mkdirSync(values.out, { recursive: true });
const file = join(values.out, `report-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, text);
process.stdout.write(text);
process.stderr.write(`bench: report written to ${file}\n`);
process.exitCode = interrupted ? 130 : benches.every((b) => b.ok) ? 0 : 1;
