import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../server/core/clock.ts';
import { Aggregates } from '../../../../server/core/storage/aggregates.ts';
import { RetentionPurger } from '../../../../server/core/storage/retention.ts';
import { useEngines } from '../../../support/engines.ts';

const engines = useEngines();
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.parse('2026-11-30T08:10:00.000Z'); // 09:10 in Prague, a Monday
const counts = (free: number, occupied: number) => ({ free, occupied, unknown: 1, reserved: 0 });

describe.each(engines)('aggregates and their retention on $engine', ({ available, open }) => {
  it.skipIf(!available)('add samples into one hourly and one local-day bucket, keeping sums, min and max', async () => {
    const aggregates = new Aggregates(await open(), 'Europe/Prague');
    await aggregates.record([{ lotId: 'north', counts: counts(3, 5) }], T0);
    await aggregates.record([{ lotId: 'north', counts: counts(1, 7) }], T0 + 60_000);
    await aggregates.record([{ lotId: 'north', counts: counts(6, 2) }], T0 + 120_000);
    const bucket = { samples: 3, freeSum: 10, occupiedSum: 14, unknownSum: 3, reservedSum: 0, freeMin: 1, freeMax: 6 };
    expect(await aggregates.hours('north', T0 - HOUR, T0 + HOUR)).toEqual([
      { start: Date.parse('2026-11-30T08:00:00.000Z'), ...bucket },
    ]);
    expect(await aggregates.days('north', '2026-11-30', '2026-11-30')).toEqual([{ start: '2026-11-30', ...bucket }]);
    expect(await aggregates.hours('south', T0 - HOUR, T0 + HOUR)).toEqual([]);
  });

  it.skipIf(!available)('are purged with old transitions once past their retention, and only those', async () => {
    const sql = await open();
    const aggregates = new Aggregates(sql, 'Europe/Prague');
    const clock = new ManualClock(T0);
    await aggregates.record([{ lotId: 'north', counts: counts(1, 1) }], T0);
    await aggregates.record([{ lotId: 'north', counts: counts(1, 1) }], T0 + 3 * DAY);
    for (const at of [T0, T0 + 3 * DAY])
      await sql.run(
        `INSERT INTO transitions (camera_id, slot_id, lot_id, from_state, to_state, at, recorded_at, source)
         VALUES ('north-1', 'A1', 'north', NULL, 'free', $1, $1, 'agent')`,
        [at],
      );
    const log = pino({ level: 'silent' });
    const opts = { transitions_days: 2, hourly_days: 3, daily_days: 4, purge_interval_s: 3600 };
    const purger = new RetentionPurger(sql, aggregates, clock, log, opts);
    expect(await purger.tick()).toEqual({ transitions: 0, hourly: 0, daily: 0 });
    clock.set(T0 + 2 * DAY + HOUR);
    expect(await purger.tick()).toEqual({ transitions: 1, hourly: 0, daily: 0 });
    clock.set(T0 + 3 * DAY + HOUR);
    expect(await purger.tick()).toEqual({ transitions: 0, hourly: 1, daily: 0 });
    clock.set(T0 + 5 * DAY);
    expect(await purger.tick()).toEqual({ transitions: 0, hourly: 0, daily: 1 });
    expect(await sql.one('SELECT count(*) AS n FROM transitions')).toEqual({ n: 1 });
    expect(await aggregates.days('north', '2026-11-01', '2026-12-31')).toEqual([
      expect.objectContaining({ start: '2026-12-03', samples: 1 }),
    ]);
  });

  it.skipIf(!available)('never throws from a purge: a failure is logged and retried next time', async () => {
    const sql = await open();
    await sql.close();
    const aggregates = new Aggregates(sql, 'Europe/Prague');
    const opts = { transitions_days: 2, hourly_days: 3, daily_days: 4, purge_interval_s: 3600 };
    const purger = new RetentionPurger(sql, aggregates, new ManualClock(T0), pino({ level: 'silent' }), opts);
    expect(await purger.tick()).toBeUndefined();
  });
});
