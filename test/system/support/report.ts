// Fault measurements for the lead's closing note: one JSON file, one entry per fault (the latest
// run of each replaces the previous one), plus one JSON line on stdout per fault.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** What one fault test saw. `recovery_ms` is measured by the test, never asserted. */
export interface FaultRecord {
  fault: string;
  observed: string;
  recovery_ms: number | null;
  /** The command that reproduces the measurement. */
  command: string;
}

/** `$VOLNO_FAULT_REPORT`, or `.volno/fault-report.json` in the repository. */
export function faultReportPath(): string {
  return resolve(ROOT, process.env['VOLNO_FAULT_REPORT'] ?? '.volno/fault-report.json');
}

/**
 * Upserts `r` by fault name. Files run in parallel workers, so the read-modify-write holds an
 * exclusive lock file (O_EXCL) for the few microseconds it takes.
 */
export async function recordFault(r: FaultRecord): Promise<void> {
  const entry = { ...r, measured_at: new Date().toISOString() };
  console.log(JSON.stringify({ volno_fault: entry }));
  const file = faultReportPath();
  mkdirSync(dirname(file), { recursive: true });
  const lock = `${file}.lock`;
  for (let i = 0; ; i++) {
    try {
      closeSync(openSync(lock, 'wx'));
      break;
    } catch (err) {
      // A lock older than a few seconds belongs to a killed worker.
      if (i > 100) rmSync(lock, { force: true });
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      await delay(20);
    }
  }
  try {
    let all: (FaultRecord & { measured_at: string })[] = [];
    try {
      all = JSON.parse(readFileSync(file, 'utf8')) as typeof all;
    } catch {
      all = [];
    }
    all = [...all.filter((e) => e.fault !== r.fault), entry];
    writeFileSync(file, JSON.stringify(all, null, 2) + '\n');
  } finally {
    rmSync(lock, { force: true });
  }
}

/** Milliseconds since `t0` (a `performance.now()` reading), rounded. */
export const since = (t0: number): number => Math.round(performance.now() - t0);

/**
 * Writes the whole output of each process to `.volno/fault-logs/<test>/<name>.log` (next to the
 * report) when a case fails, and returns the folder: the error itself can only carry a tail.
 */
export function keepLogs(test: string, procs: Record<string, { logs(): string } | undefined>): string {
  const dir = join(dirname(faultReportPath()), 'fault-logs', test);
  mkdirSync(dir, { recursive: true });
  for (const [name, p] of Object.entries(procs)) if (p) writeFileSync(join(dir, `${name}.log`), p.logs());
  return dir;
}
