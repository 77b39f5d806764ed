// Seed and run counts for every property in test/fuzz, so a failure on CI reproduces on a laptop:
//   FUZZ_SEED=123 FUZZ_RUNS=2000 npx vitest run test/fuzz
// FUZZ_SEED=random picks a new seed (printed); FUZZ_RUNS overrides every property's run count;
// FUZZ_TIME_MS=0 lifts the time limits that keep the folder inside its budget on a busy machine.
import fc from 'fast-check';

const DEFAULT_SEED = 20261130;

function envSeed(): number {
  const raw = process.env['FUZZ_SEED'];
  if (raw === undefined || raw === '') return DEFAULT_SEED;
  if (raw === 'random') return Date.now() % 2 ** 31;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new Error(`FUZZ_SEED must be an integer or "random", not "${raw}"`);
  return n;
}

export const FUZZ_SEED = envSeed();

/** `defaultRuns` unless FUZZ_RUNS says otherwise. */
export function fuzzRuns(defaultRuns: number): number {
  const raw = process.env['FUZZ_RUNS'];
  if (raw === undefined || raw === '') return defaultRuns;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`FUZZ_RUNS must be a positive integer, not "${raw}"`);
  return n;
}

/**
 * A property's time budget: `defaultMs` scaled by FUZZ_TIME_MS / 40 000 when set (FUZZ_TIME_MS is
 * the HTTP file's whole budget), or no limit with FUZZ_TIME_MS=0. Runs stop early, never fail, at the limit.
 */
export function fuzzTimeMs(defaultMs: number): number | undefined {
  const raw = process.env['FUZZ_TIME_MS'];
  if (raw === undefined || raw === '') return defaultMs;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`FUZZ_TIME_MS must be a number of milliseconds, not "${raw}"`);
  return n === 0 ? undefined : Math.round((defaultMs * n) / 40_000);
}

export interface FuzzOptions {
  runs: number;
  /** Stop early (not a failure) after this long: keeps slow routes (password hashing) inside the budget. */
  timeLimitMs?: number | undefined;
}

/**
 * Runs a property with the suite's seed and prints how to reproduce it when it fails. Returns
 * how many runs actually executed (fewer than asked when the time limit cut it short).
 */
export async function fuzz<T>(
  name: string,
  property: fc.IAsyncPropertyWithHooks<T> | fc.IPropertyWithHooks<T>,
  o: FuzzOptions,
): Promise<number> {
  let executed = 0;
  const counted = property.beforeEach((previous) => {
    executed++;
    return previous();
  }) as typeof property;
  const params: fc.Parameters<T> = {
    seed: FUZZ_SEED,
    numRuns: o.runs,
    ...(o.timeLimitMs === undefined ? {} : { interruptAfterTimeLimit: o.timeLimitMs, markInterruptAsFailure: false }),
  };
  try {
    await fc.assert(counted as fc.IAsyncProperty<T>, params);
  } catch (err) {
    const how = `reproduce with FUZZ_SEED=${FUZZ_SEED} FUZZ_RUNS=${o.runs} npx vitest run test/fuzz`;
    console.error(`fuzz: "${name}" failed; ${how}`);
    throw new Error(`fuzz: "${name}" failed (seed ${FUZZ_SEED}); ${how}\n${(err as Error).message}`, { cause: err });
  }
  console.log(
    `fuzz: ${name}: ${executed} of ${o.runs} runs${executed < o.runs ? ' (time limit)' : ''}, seed ${FUZZ_SEED}`,
  );
  return executed;
}
