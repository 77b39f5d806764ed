// The hub against a reader whose reads take as long as a test says: the fault here is timing (a read
// that overtakes another), which a real database cannot be made to produce on cue.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Catalog } from '../../../server/core/storage/catalog.ts';
import type { AvailabilityReader, LotAvailability } from '../../../server/core/availability/reader.ts';
import { ManualClock } from '../../../server/core/clock.ts';
import { EventBus } from '../../../server/core/events.ts';
import { LiveHub } from '../../../server/live/hub.ts';

const log = pino({ level: 'silent' });
const counts = { total: 2, occupied: 0, unknown: 0, reserved: 0 };
const availabilityOf = (free: number): LotAvailability =>
  ({ lot_id: 'north', ...counts, free, by_type: {}, updated_at: null, stale_slots: 0 }) as unknown as LotAvailability;

/** Each read answers the database's state at the moment it started, after the delay the test queued. */
function slowReader(state: { free: number }, delays: number[]): AvailabilityReader {
  const catalog = { lots: () => [{ lotId: 'north' }], refresh: async () => {} } as unknown as Catalog;
  return {
    catalog,
    async lotAvailability() {
      const seen = state.free;
      await new Promise((r) => setTimeout(r, delays.shift() ?? 0));
      return availabilityOf(seen);
    },
    async lotSlots() {
      return { lot_id: 'north', slots: [] };
    },
    allAvailability: async () => [],
    lots: async () => [],
    externalVersion: async () => 0,
    markChanged: () => {},
  };
}

describe('the live hub', () => {
  it('never emits an older payload after a newer one when a slow read is overtaken', async () => {
    const state = { free: 1 };
    // The first read is slow (and sees free 1), the one after the next commit is fast (free 2).
    const hub = new LiveHub(slowReader(state, [60, 0, 0]), new ManualClock(), log, 60_000, new EventBus(log));
    const emitted: number[] = [];
    hub.on('availability', (a) => emitted.push(a.free));
    const first = hub.committed(['north']);
    state.free = 2;
    const second = hub.committed(['north']);
    await Promise.all([first, second]);
    expect(emitted).toEqual([1, 2]);
    expect(emitted.at(-1)).toBe(2);
  });

  it('merges what is asked for during a check into one next check', async () => {
    const state = { free: 1 };
    const reads: number[] = [];
    const reader = slowReader(state, [30, 0, 0, 0]);
    const read = reader.lotAvailability.bind(reader);
    reader.lotAvailability = (id) => (reads.push(state.free), read(id));
    const hub = new LiveHub(reader, new ManualClock(), log, 60_000, new EventBus(log));
    const running = hub.committed(['north']);
    await Promise.all([running, hub.committed(['north']), hub.committed(['north']), hub.tick()]);
    expect(reads).toHaveLength(2);
  });
});
