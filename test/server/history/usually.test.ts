import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../server/core/clock.ts';
import { Aggregates } from '../../../server/core/storage/aggregates.ts';
import type { BucketRow } from '../../../server/core/storage/aggregates.ts';
import { expectedFree, UsualFree, usualGrid, type UsualGrid } from '../../../server/core/storage/usual-free.ts';
import { useEngines } from '../../support/engines.ts';

const engines = useEngines();
const counts = (free: number) => ({ free, occupied: 10 - free, unknown: 0, reserved: 0 });

describe.each(engines)('what is usually free, by weekday and hour, on $engine', ({ available, open }) => {
  it.skipIf(!available)(
    'averages the stored hourly samples per local weekday and hour and counts the weeks behind each',
    async () => {
      const aggregates = new Aggregates(await open(), 'Europe/Prague');
      const clock = new ManualClock(0);
      // Three Mondays at 09:xx in Prague: one in summer time (UTC+2), two in winter time (UTC+1).
      await aggregates.record([{ lotId: 'north', counts: counts(2) }], Date.parse('2026-10-19T07:10:00Z'));
      await aggregates.record([{ lotId: 'north', counts: counts(4) }], Date.parse('2026-11-16T08:10:00Z'));
      await aggregates.record([{ lotId: 'north', counts: counts(6) }], Date.parse('2026-11-23T08:10:00Z'));
      await aggregates.record([{ lotId: 'north', counts: counts(8) }], Date.parse('2026-11-23T08:40:00Z'));
      // 10:xx on one Monday only.
      await aggregates.record([{ lotId: 'north', counts: counts(1) }], Date.parse('2026-11-23T09:05:00Z'));
      clock.set(Date.parse('2026-11-29T12:00:00Z'));

      const grid = await new UsualFree(aggregates, clock, 8).grid('north');
      // Samples 2, 4, 6, 8 → mean 5; three distinct Mondays.
      expect(grid.cells[0]![9]).toEqual({ free: 5, weeks: 3 });
      expect(grid.cells[0]![10]).toEqual({ free: 1, weeks: 1 });
      expect(grid.cells[0]![8]).toEqual({ free: null, weeks: 0 });
      expect(grid.cells[1]![9]).toEqual({ free: null, weeks: 0 });
      expect(grid.weeks).toBe(3);
    },
  );

  it.skipIf(!available)('only reads the window of weeks it was given', async () => {
    const aggregates = new Aggregates(await open(), 'Europe/Prague');
    const clock = new ManualClock(Date.parse('2026-11-29T12:00:00Z'));
    await aggregates.record([{ lotId: 'north', counts: counts(2) }], Date.parse('2026-09-07T07:10:00Z'));
    expect((await new UsualFree(aggregates, clock, 8).grid('north')).weeks).toBe(0);
    expect((await new UsualFree(aggregates, clock, 20).grid('north')).cells[0]![9]).toEqual({ free: 2, weeks: 1 });
  });

  it.skipIf(!available)(
    'is built once per lot and UTC hour, and rebuilt with the new samples when the hour changes',
    async () => {
      const aggregates = new Aggregates(await open(), 'Europe/Prague');
      const clock = new ManualClock(Date.parse('2026-11-23T08:10:00Z'));
      await aggregates.record([{ lotId: 'north', counts: counts(2) }], clock.now());
      const usually = new UsualFree(aggregates, clock, 8);
      const first = usually.grid('north');
      expect((await first).cells[0]![9]).toEqual({ free: 2, weeks: 1 });

      // Another sample in the same hour: the cached grid is answered, without reading the history.
      clock.set(Date.parse('2026-11-23T08:50:00Z'));
      await aggregates.record([{ lotId: 'north', counts: counts(4) }], clock.now());
      expect(usually.grid('north')).toBe(first);
      expect(usually.grid('south')).not.toBe(first);

      // The next hour reads it again, with both samples.
      clock.set(Date.parse('2026-11-23T09:00:00Z'));
      const next = usually.grid('north');
      expect(next).not.toBe(first);
      expect((await next).cells[0]![9]).toEqual({ free: 3, weeks: 1 });
    },
  );
});

/** The grid as it was built before the per-day offsets: one Intl.formatToParts per bucket. */
function referenceGrid(hours: BucketRow[], timezone: string): UsualGrid {
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
    Array.from({ length: 24 }, () => ({ samples: 0, free: 0, dates: new Set<string>() })),
  );
  for (const b of hours) {
    if (typeof b.start !== 'number' || b.samples === 0) continue;
    const p = Object.fromEntries(fmt.formatToParts(b.start).map((x) => [x.type, x.value]));
    const cell = acc[names.indexOf(p['weekday'] ?? '')]![Number(p['hour'])]!;
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

/** Every UTC hour from `from` for `weeks` weeks, with varying (deterministic) samples and counts. */
function hourlyBuckets(from: string, weeks: number): BucketRow[] {
  const start = Date.parse(from);
  return Array.from({ length: weeks * 7 * 24 }, (_, i) => ({
    start: start + i * 3_600_000,
    samples: i % 11 === 0 ? 0 : 1 + (i % 7),
    freeSum: (i * 37) % 101,
    occupiedSum: 0,
    unknownSum: 0,
    reservedSum: 0,
    freeMin: 0,
    freeMax: 0,
  }));
}

describe('the grid across daylight saving changes', () => {
  it.each([
    ['Europe/Prague', '2026-09-28T00:00:00Z'], // 8 weeks over the October change (25 Oct, 01:00 UTC)
    ['Europe/Prague', '2026-03-09T00:00:00Z'], // and over the March one (29 Mar, 01:00 UTC)
    ['America/Santiago', '2026-03-16T00:00:00Z'], // southern hemisphere, change at 03:00 UTC
    ['Asia/Kolkata', '2026-03-09T00:00:00Z'], // a half-hour offset: buckets start at hh:30 local
  ])('is the same as one built by formatting every bucket (%s from %s)', (zone, from) => {
    const hours = hourlyBuckets(from, 8);
    expect(usualGrid(hours, zone)).toEqual(referenceGrid(hours, zone));
  });
});

describe('the expected free spaces for a booking window', () => {
  const grid = usualGrid(
    [
      {
        start: Date.parse('2026-11-23T08:00:00Z'),
        samples: 2,
        freeSum: 13,
        occupiedSum: 0,
        unknownSum: 0,
        reservedSum: 0,
        freeMin: 6,
        freeMax: 7,
      },
      {
        start: Date.parse('2026-11-16T08:00:00Z'),
        samples: 1,
        freeSum: 5,
        occupiedSum: 0,
        unknownSum: 0,
        reservedSum: 0,
        freeMin: 5,
        freeMax: 5,
      },
      {
        start: Date.parse('2026-11-23T09:00:00Z'),
        samples: 1,
        freeSum: 3,
        occupiedSum: 0,
        unknownSum: 0,
        reservedSum: 0,
        freeMin: 3,
        freeMax: 3,
      },
    ],
    'Europe/Prague',
  );

  it('is the cautious figure: the lowest typical value of the hours the window touches', () => {
    // Monday 09:00 mean (13 + 5) / 3 = 6; 10:00 is 3.
    expect(expectedFree(grid, 0, 9 * 60, 10 * 60)).toEqual({ free: 6, weeks: 2 });
    expect(expectedFree(grid, 0, 9 * 60 + 30, 10 * 60 + 15)).toEqual({ free: 3, weeks: 1 });
    // 08:00–09:00 has no history, 08:30–09:30 rests on the 09:00 hour alone.
    expect(expectedFree(grid, 0, 8 * 60, 9 * 60)).toBeNull();
    expect(expectedFree(grid, 0, 8 * 60 + 30, 9 * 60 + 30)).toEqual({ free: 6, weeks: 2 });
  });

  it('says nothing on a weekday without history', () => {
    expect(expectedFree(grid, 2, 9 * 60, 10 * 60)).toBeNull();
  });
});
