// Two server instances behind one database must see each other's states on their public pages and
// SSE: each reader here has its own connection (SQLite) or its own cache and probe on the shared
// database (PostgreSQL), and never hears of the other's writes except through the database.
import { describe, expect, it } from 'vitest';
import { AvailabilityService } from '../../../server/availability/service.ts';
import { ManualClock } from '../../../server/core/clock.ts';
import type { ReservedSource } from '../../../server/core/availability/reader.ts';
import { Catalog } from '../../../server/core/storage/catalog.ts';
import { openSqlDatabase, sqliteConnection } from '../../../server/core/storage/sql/open.ts';
import type { SqlDatabase, SqlExecutor } from '../../../server/core/storage/sql/port.ts';
import { waitFor } from '../../fixtures/process.ts';
import { useEngines } from '../../support/engines.ts';

const engines = useEngines();
const T0 = Date.parse('2026-11-30T08:00:00.000Z');
const LOTS = [
  {
    lot_id: 'north',
    name: 'Sever',
    cameras: [
      {
        camera_id: 'north-1',
        slots: ['A1', 'A2'].map((slot_id) => ({ slot_id, type: 'standard' as const, reservable: true })),
      },
    ],
  },
];

/** The other instance's write, as its ingest writer would leave it. */
async function putState(sql: SqlExecutor, slotId: string, state: 'free' | 'occupied', at: number): Promise<void> {
  await sql.run(
    `INSERT INTO slot_state (camera_id, slot_id, state, confidence, since, observed_at, received_at, source)
     VALUES ('north-1', :slot, :state, 0.9, :at, :at, :at, 'agent')
     ON CONFLICT (camera_id, slot_id) DO UPDATE SET state = excluded.state, since = excluded.since,
       observed_at = excluded.observed_at, received_at = excluded.received_at`,
    { slot: slotId, state, at },
  );
}

/** Held slots straight from the bookings table, as the reservations feature reads them. */
const heldFrom = (sql: SqlExecutor): ReservedSource => ({
  async held(lotId, now) {
    const rows = await sql.all<{ camera_id: string; slot_id: string }>(
      `SELECT camera_id, slot_id FROM bookings WHERE lot_id = $1 AND status = 'confirmed' AND start_at <= $2
         AND end_at > $2`,
      [lotId, now],
    );
    return { keys: new Set(rows.map((r) => `${r.camera_id}/${r.slot_id}`)), until: Infinity };
  },
});

/** A second handle on the same database: another connection to the file, or the shared pool. */
async function secondHandle(sql: SqlDatabase): Promise<SqlDatabase | undefined> {
  const db = sqliteConnection(sql);
  return db === undefined ? undefined : openSqlDatabase({ engine: 'sqlite', path: db.name });
}

describe.each(engines)('availability with another instance writing on $engine', ({ available, open }) => {
  it.skipIf(!available)('shows the other instance’s states and bookings without being told', async () => {
    const mine = await open();
    const second = await secondHandle(mine);
    const theirs = second ?? mine;
    try {
      const catalog = new Catalog(mine);
      await catalog.applyConfig(LOTS);
      const clock = new ManualClock(T0);
      const reader = new AvailabilityService(mine, catalog, clock, 900_000, heldFrom(mine));
      expect(await reader.lotAvailability('north')).toMatchObject({ free: 0, unknown: 2 });
      const before = await reader.externalVersion();

      await putState(theirs, 'A1', 'free', T0);
      await putState(theirs, 'A2', 'occupied', T0);
      // No markChanged: only the database can tell. The probe looks at most every 50 ms.
      await waitFor(async () => (await reader.lotAvailability('north'))?.free === 1, {
        timeoutMs: 3000,
        what: 'the other instance’s states',
      });
      expect(await reader.externalVersion()).not.toBe(before);
      expect((await reader.lotSlots('north'))?.slots.map((s) => s.state)).toEqual(['free', 'occupied']);

      // An update of a row that already exists, then a booking made on the other instance.
      await putState(theirs, 'A2', 'free', T0 + 1000);
      await waitFor(async () => (await reader.lotAvailability('north'))?.free === 2, {
        timeoutMs: 3000,
        what: 'the other instance’s update',
      });
      await theirs.run(
        `INSERT INTO bookings (code, token_hash, lot_id, camera_id, slot_id, start_at, end_at, status, lang,
           created_by, created_at, updated_at)
         VALUES ('AB12', $1, 'north', 'north-1', 'A1', $2, $3, 'confirmed', 'cs', 'public', $2, $2)`,
        [Buffer.alloc(32, 1), T0 - 1000, T0 + 3_600_000],
      );
      await waitFor(async () => (await reader.lotAvailability('north'))?.reserved === 1, {
        timeoutMs: 3000,
        what: 'the other instance’s booking',
      });
      expect(await reader.lotAvailability('north')).toMatchObject({ free: 1, reserved: 1 });
    } finally {
      await second?.close();
    }
  });

  it.skipIf(!available)('answers from its cache while nothing changed: one probe per 50 ms at most', async () => {
    const sql = await open();
    const catalog = new Catalog(sql);
    await catalog.applyConfig(LOTS);
    const reader = new AvailabilityService(sql, catalog, new ManualClock(T0), 900_000);
    const first = await reader.lotAvailability('north');
    // Concurrent readers (an SSE tick with many clients) share one answer and one look.
    const many = await Promise.all(Array.from({ length: 50 }, () => reader.lotAvailability('north')));
    for (const a of many) expect(a).toBe(first);
  });
});
