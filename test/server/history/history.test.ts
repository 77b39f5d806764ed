import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { AggregateSampler } from '../../../server/history/sampler.ts';
import { profile } from '../../../server/history/stats.ts';
import { Aggregates } from '../../../server/core/storage/aggregates.ts';
import { RetentionPurger } from '../../../server/core/storage/retention.ts';
import { ingestHarness, type Harness } from '../support/ingest-harness.ts';
import { FakeAgent } from '../support/messages.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
let h: Harness;
let aggregates: Aggregates;
let sampler: AggregateSampler;
const log = pino({ level: 'silent' });

beforeEach(async () => {
  h = await ingestHarness({ freshness: { stale_after_s: 7 * 86_400 } });
  h.clock.set(Date.parse('2026-11-30T08:00:00.000Z')); // 09:00 in Prague
  aggregates = new Aggregates(h.sql, 'Europe/Prague');
  sampler = new AggregateSampler(h.availability, aggregates, h.clock, log, 60);
});
afterEach(() => h.close());

describe('hourly and daily aggregates', () => {
  it('sample each lot’s counts into hour and local-day buckets with an occupancy ratio', async () => {
    const agent = new FakeAgent('agent-1', 'session-aaaaaaaa', () => h.clock.now());
    await h.send(agent.slotState('north-1', 'A1', 'occupied'));
    await h.send(agent.slotState('north-1', 'A2', 'free'));
    for (let i = 0; i < 30; i++) {
      await sampler.tick();
      h.clock.advance(60_000);
    }
    await h.send(agent.slotState('north-1', 'A2', 'occupied'));
    for (let i = 0; i < 30; i++) {
      await sampler.tick();
      h.clock.advance(60_000);
    }
    const hours = await aggregates.hours('north', h.clock.now() - 2 * HOUR, h.clock.now());
    expect(hours).toHaveLength(1);
    expect(hours[0]).toMatchObject({
      start: Date.parse('2026-11-30T08:00:00.000Z'),
      samples: 60,
      occupiedSum: 90,
      freeSum: 30,
      freeMin: 0,
      freeMax: 1,
    });
    const days = await aggregates.days('north', '2026-11-30', '2026-11-30');
    expect(days).toEqual([expect.objectContaining({ start: '2026-11-30', samples: 60 })]);
    const stats = profile(hours, 'Europe/Prague');
    expect(stats.peak_hour).toBe(9);
    expect(stats.by_hour[9]).toEqual({ hour: 9, samples: 60, occupancy_ratio: 0.75 });
    expect(stats.by_weekday[0]).toEqual({ weekday: 1, samples: 60, occupancy_ratio: 0.75 }); // a Monday
  });

  it('uses the local calendar day, not the UTC one', () => {
    expect(aggregates.localDay(Date.parse('2026-11-30T23:30:00.000Z'))).toBe('2026-12-01');
  });

  it('are purged with the transitions once past their retention', async () => {
    const agent = new FakeAgent('agent-1', 'session-aaaaaaaa', () => h.clock.now());
    await h.send(agent.slotState('north-1', 'A1', 'occupied'));
    await sampler.tick();
    const purger = new RetentionPurger(h.sql, aggregates, h.clock, log, {
      transitions_days: 2,
      hourly_days: 3,
      daily_days: 4,
      purge_interval_s: 3600,
    });
    h.clock.advance(2 * DAY + HOUR);
    expect(await purger.tick()).toEqual({ transitions: 1, hourly: 0, daily: 0 });
    h.clock.advance(DAY);
    expect(await purger.tick()).toEqual({ transitions: 0, hourly: 2, daily: 0 }); // both lots
    h.clock.advance(2 * DAY);
    expect(await purger.tick()).toEqual({ transitions: 0, hourly: 0, daily: 2 });
  });
});
