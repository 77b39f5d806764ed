import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../server/core/clock.ts';
import { Aggregates } from '../../../server/core/storage/aggregates.ts';
import { openDatabase } from '../../../server/core/storage/database.ts';
import { expectedFree, UsualFree, usualGrid } from '../../../server/core/storage/usual-free.ts';
import { tempDir } from '../support/config.ts';

const counts = (free: number) => ({ free, occupied: 10 - free, unknown: 0, reserved: 0 });
let tmp: ReturnType<typeof tempDir>;
let db: Database;
let aggregates: Aggregates;
const clock = new ManualClock(0);

beforeEach(() => {
  tmp = tempDir();
  db = openDatabase(join(tmp.dir, 'volno.db'));
  aggregates = new Aggregates(db, 'Europe/Prague');
});
afterEach(() => {
  db.close();
  tmp.cleanup();
});

describe('what is usually free, by weekday and hour', () => {
  it('averages the stored hourly samples per local weekday and hour and counts the weeks behind each', () => {
    // Three Mondays at 09:xx in Prague: one in summer time (UTC+2), two in winter time (UTC+1).
    aggregates.record([{ lotId: 'north', counts: counts(2) }], Date.parse('2026-10-19T07:10:00Z'));
    aggregates.record([{ lotId: 'north', counts: counts(4) }], Date.parse('2026-11-16T08:10:00Z'));
    aggregates.record([{ lotId: 'north', counts: counts(6) }], Date.parse('2026-11-23T08:10:00Z'));
    aggregates.record([{ lotId: 'north', counts: counts(8) }], Date.parse('2026-11-23T08:40:00Z'));
    // 10:xx on one Monday only.
    aggregates.record([{ lotId: 'north', counts: counts(1) }], Date.parse('2026-11-23T09:05:00Z'));
    clock.set(Date.parse('2026-11-29T12:00:00Z'));

    const grid = new UsualFree(aggregates, clock, 8).grid('north');
    // Samples 2, 4, 6, 8 → mean 5; three distinct Mondays.
    expect(grid.cells[0]![9]).toEqual({ free: 5, weeks: 3 });
    expect(grid.cells[0]![10]).toEqual({ free: 1, weeks: 1 });
    expect(grid.cells[0]![8]).toEqual({ free: null, weeks: 0 });
    expect(grid.cells[1]![9]).toEqual({ free: null, weeks: 0 });
    expect(grid.weeks).toBe(3);
  });

  it('only reads the window of weeks it was given', () => {
    aggregates.record([{ lotId: 'north', counts: counts(2) }], Date.parse('2026-09-07T07:10:00Z'));
    clock.set(Date.parse('2026-11-29T12:00:00Z'));
    expect(new UsualFree(aggregates, clock, 8).grid('north').weeks).toBe(0);
    expect(new UsualFree(aggregates, clock, 20).grid('north').cells[0]![9]).toEqual({ free: 2, weeks: 1 });
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
