import type { BucketRow } from '../core/storage/aggregates.ts';

export interface Point {
  start: string;
  samples: number;
  occupancy_ratio: number | null;
  free_avg: number;
  occupied_avg: number;
  unknown_avg: number;
  free_min: number;
  free_max: number;
}

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Share of the known slots that were occupied; null when nothing was known. */
export function occupancyRatio(freeSum: number, occupiedSum: number): number | null {
  const known = freeSum + occupiedSum;
  return known === 0 ? null : round(occupiedSum / known);
}

export function toPoint(b: BucketRow): Point {
  return {
    start: typeof b.start === 'number' ? new Date(b.start).toISOString() : b.start,
    samples: b.samples,
    occupancy_ratio: occupancyRatio(b.freeSum, b.occupiedSum),
    free_avg: round(b.freeSum / b.samples, 2),
    occupied_avg: round(b.occupiedSum / b.samples, 2),
    unknown_avg: round(b.unknownSum / b.samples, 2),
    free_min: b.freeMin,
    free_max: b.freeMax,
  };
}

interface Acc {
  samples: number;
  free: number;
  occupied: number;
}

/**
 * Typical occupancy by local hour of day (0–23) and ISO weekday (1 = Monday), from hourly buckets:
 * what a chart of "when is it usually full" needs.
 */
export function profile(hours: BucketRow[], timezone: string) {
  const fmt = new Intl.DateTimeFormat('en-GB', {
    timeZone: timezone,
    hour: '2-digit',
    hourCycle: 'h23',
    weekday: 'short',
  });
  const weekdays = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
  const byHour: Acc[] = Array.from({ length: 24 }, () => ({ samples: 0, free: 0, occupied: 0 }));
  const byDay: Acc[] = Array.from({ length: 7 }, () => ({ samples: 0, free: 0, occupied: 0 }));
  for (const b of hours) {
    const parts = fmt.formatToParts(b.start as number);
    const hour = Number(parts.find((p) => p.type === 'hour')?.value);
    const day = weekdays.indexOf(parts.find((p) => p.type === 'weekday')?.value ?? '');
    for (const acc of [byHour[hour], byDay[day]]) {
      if (acc === undefined) continue;
      acc.samples += b.samples;
      acc.free += b.freeSum;
      acc.occupied += b.occupiedSum;
    }
  }
  const view = (a: Acc) => ({ samples: a.samples, occupancy_ratio: occupancyRatio(a.free, a.occupied) });
  const byHourView = byHour.map((a, hour) => ({ hour, ...view(a) }));
  let peak: number | null = null;
  for (const h of byHourView)
    if (h.occupancy_ratio !== null && (peak === null || h.occupancy_ratio > byHourView[peak]!.occupancy_ratio!))
      peak = h.hour;
  return {
    by_hour: byHourView,
    by_weekday: byDay.map((a, i) => ({ weekday: i + 1, ...view(a) })),
    peak_hour: peak,
  };
}
