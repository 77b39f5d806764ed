import type { Clock } from '../clock.ts';
import type { Aggregates, BucketRow } from './aggregates.ts';

/** One weekday × hour cell of the "usually" grid. */
export interface UsualCell {
  /** Mean free spaces over the samples in this local weekday and hour; null without data. */
  free: number | null;
  /** Distinct local dates (so: weeks) that contributed. */
  weeks: number;
}

/** Typical free spaces by local weekday (0 = Monday) and hour (0–23). */
export interface UsualGrid {
  cells: UsualCell[][];
  /** Distinct weeks behind the grid as a whole (the cell with the most data). */
  weeks: number;
}

/** What a booking page says about a window: the typical free count and what it rests on. */
export interface Expected {
  /** The smallest typical free count over the window's hours, rounded down: the cautious figure. */
  free: number;
  /** The fewest weeks behind any of those hours. */
  weeks: number;
}

const HOURS = 24;
const WEEK_MS = 7 * 86_400_000;

/**
 * Folds hourly buckets into a weekday × hour grid in the office's time zone. Buckets are UTC hours
 * (server/core/storage/aggregates.ts) and every zone the office can use is a whole-hour offset, so
 * each bucket falls into exactly one local hour. Samples are equally spaced, so a plain mean over
 * them is the time-weighted mean.
 */
export function usualGrid(hours: BucketRow[], timezone: string): UsualGrid {
  const fmt = new Intl.DateTimeFormat('en-GB', {
    timeZone: timezone,
    hourCycle: 'h23',
    weekday: 'short',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
  });
  const names = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
  const acc = Array.from({ length: 7 }, () =>
    Array.from({ length: HOURS }, () => ({ samples: 0, free: 0, dates: new Set<string>() })),
  );
  for (const b of hours) {
    if (typeof b.start !== 'number' || b.samples === 0) continue;
    const p = Object.fromEntries(fmt.formatToParts(b.start).map((x) => [x.type, x.value]));
    const cell = acc[names.indexOf(p['weekday'] ?? '')]?.[Number(p['hour'])];
    if (cell === undefined) continue;
    cell.samples += b.samples;
    cell.free += b.freeSum;
    cell.dates.add(`${p['year']}-${p['month']}-${p['day']}`);
  }
  let weeks = 0;
  const cells = acc.map((row) =>
    row.map((c) => {
      weeks = Math.max(weeks, c.dates.size);
      return { free: c.samples === 0 ? null : c.free / c.samples, weeks: c.dates.size };
    }),
  );
  return { cells, weeks };
}

/**
 * The expected free spaces for a window on a local weekday, from minute `start` to `end` of the
 * day: the lowest typical value among the hours it touches (a driver needs a space for the whole
 * window), or null when none of those hours has history.
 */
export function expectedFree(grid: UsualGrid, weekday: number, start: number, end: number): Expected | null {
  let best: Expected | null = null;
  const last = Math.min(HOURS - 1, Math.floor((Math.max(end, start + 1) - 1) / 60));
  for (let h = Math.floor(start / 60); h <= last; h++) {
    const c = grid.cells[weekday]?.[h];
    if (c === undefined || c.free === null) continue;
    const free = Math.floor(c.free);
    best =
      best === null
        ? { free, weeks: c.weeks }
        : { free: Math.min(best.free, free), weeks: Math.min(best.weeks, c.weeks) };
  }
  return best;
}

/** Reads the last `weeks` weeks of a lot's hourly history as a {@link UsualGrid}. */
export class UsualFree {
  constructor(
    private readonly aggregates: Aggregates,
    private readonly clock: Clock,
    readonly weeks = 8,
  ) {}

  grid(lotId: string): UsualGrid {
    const now = this.clock.now();
    return usualGrid(this.aggregates.hours(lotId, now - this.weeks * WEEK_MS, now + 1), this.aggregates.timezone);
  }
}
