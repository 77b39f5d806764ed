import type { Clock } from '../clock.ts';
import type { Aggregates, BucketRow } from './aggregates.ts';
import { offsetAt } from '../time-zone.ts';

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
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

/**
 * Folds hourly buckets into a weekday × hour grid in the office's time zone. Buckets are UTC hours
 * (server/core/storage/aggregates.ts); each is moved to local time by its UTC offset, so each bucket
 * falls into exactly one local hour. Samples are equally spaced, so a plain mean over them is the
 * time-weighted mean.
 */
export function usualGrid(hours: BucketRow[], timezone: string): UsualGrid {
  const offsetOf = utcOffsets(timezone);
  const acc = Array.from({ length: 7 }, () =>
    Array.from({ length: HOURS }, () => ({ samples: 0, free: 0, dates: new Set<number>() })),
  );
  for (const b of hours) {
    if (typeof b.start !== 'number' || b.samples === 0) continue;
    // Local wall time written as if it were UTC: its UTC fields are the local date and hour.
    const local = b.start + offsetOf(b.start);
    const day = Math.floor(local / DAY_MS);
    const cell = acc[(new Date(local).getUTCDay() + 6) % 7]?.[new Date(local).getUTCHours()];
    if (cell === undefined) continue;
    cell.samples += b.samples;
    cell.free += b.freeSum;
    cell.dates.add(day);
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
 * `ms → local − UTC` for a zone. `formatToParts` is slow (~5 µs a call here; one per bucket was most
 * of an 8-week grid's 6–8 ms), so it is asked twice per UTC day: a day whose first and last hour share an offset
 * uses it for every hour, and only a day with a change (DST, twice a year) asks hour by hour.
 */
function utcOffsets(timezone: string): (ms: number) => number {
  const exact = (ms: number): number => offsetAt(ms, timezone);
  const days = new Map<number, number | null>();
  return (ms) => {
    const day = Math.floor(ms / DAY_MS);
    let offset = days.get(day);
    if (offset === undefined) {
      const first = exact(day * DAY_MS);
      offset = first === exact(day * DAY_MS + DAY_MS - HOUR_MS) ? first : null;
      days.set(day, offset);
    }
    return offset ?? exact(ms);
  };
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

/** Lots whose grid is kept; far above any site's lot count, it only bounds the cache. */
const MAX_CACHED = 1000;

/**
 * Reads the last `weeks` weeks of a lot's hourly history as a {@link UsualGrid}, once per lot and UTC
 * hour. The grid is built on every public lot page and booking search, without logging in, and cost
 * ~10 ms of CPU for 8 weeks (SQL and folding); the hourly buckets it reads change only by the samples of the current
 * hour, which a mean over up to 8 weeks does not need at once (they count from the next hour on).
 */
export class UsualFree {
  /** Grids built this UTC hour, or being built (concurrent page loads share one read). */
  private readonly cache = new Map<string, Promise<UsualGrid>>();
  private cachedHour = Number.NaN;

  constructor(
    private readonly aggregates: Aggregates,
    private readonly clock: Clock,
    readonly weeks = 8,
  ) {}

  grid(lotId: string): Promise<UsualGrid> {
    const now = this.clock.now();
    const hour = Math.floor(now / HOUR_MS);
    if (hour !== this.cachedHour || this.cache.size >= MAX_CACHED) {
      this.cache.clear();
      this.cachedHour = hour;
    }
    const hit = this.cache.get(lotId);
    if (hit !== undefined) return hit;
    const grid = this.aggregates
      .hours(lotId, now - this.weeks * WEEK_MS, now + 1)
      .then((hours) => usualGrid(hours, this.aggregates.timezone));
    this.cache.set(lotId, grid);
    // A failed read is not kept: the next page asks the database again.
    grid.catch(() => {
      if (this.cache.get(lotId) === grid) this.cache.delete(lotId);
    });
    return grid;
  }
}
