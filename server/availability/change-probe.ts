import { sqliteConnection } from '../core/storage/sql/open.ts';
import type { SqlDatabase } from '../core/storage/sql/port.ts';

/** Least real time between two looks at the database; a page or SSE tick in between gets the last answer. */
export const PROBE_INTERVAL_MS = 50;

// PostgreSQL has no data_version. Every row version carries the id of the transaction that wrote it
// (xmin), so a changed row changes the sum of xmin over its table, and an added or deleted one the
// count. Summed over slot_state and slots (one row per slot: hundreds, a few thousand at most) and
// over the bookings that can hold a slot (status 'confirmed', through the bookings_active index),
// this sees another instance's states, catalog changes and bookings without a column the writers
// would have to maintain. A false alarm (VACUUM FREEZE rewriting xmin) only costs one reload.
const POSTGRES_PROBE = `SELECT
  (SELECT count(*) || '/' || COALESCE(sum(xmin::text::bigint), 0) FROM slot_state) AS states,
  (SELECT count(*) || '/' || COALESCE(sum(xmin::text::bigint), 0) FROM slots) AS slots,
  (SELECT count(*) || '/' || COALESCE(sum(xmin::text::bigint), 0) FROM bookings WHERE status = 'confirmed') AS held`;

/**
 * A number that changes when another process committed what the public read model shows. On
 * SQLite it is `PRAGMA data_version` of the reading connection (it counts other connections'
 * commits, never its own), on PostgreSQL a counter bumped whenever the probe's answer changes.
 */
export class ChangeProbe {
  private checkedAt = -Infinity;
  private current = 0;
  private lastAnswer: string | undefined;
  private inFlight: Promise<number> | undefined;
  /** The SQLite connection behind `sql`, when it is SQLite: data_version is per connection. */
  private readonly sqlite: ReturnType<typeof sqliteConnection>;

  constructor(private readonly sql: SqlDatabase) {
    this.sqlite = sqliteConnection(sql);
  }

  version(): Promise<number> {
    const t = performance.now();
    if (t - this.checkedAt < PROBE_INTERVAL_MS) return Promise.resolve(this.current);
    // Concurrent callers (many SSE clients on one tick) share one look.
    this.inFlight ??= this.look().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async look(): Promise<number> {
    const startedAt = performance.now();
    if (this.sqlite !== undefined) {
      this.current = this.sqlite.pragma('data_version', { simple: true }) as number;
    } else {
      const row = await this.sql.one<{ states: string; slots: string; held: string }>(POSTGRES_PROBE);
      const answer = `${row?.states}:${row?.slots}:${row?.held}`;
      if (this.lastAnswer !== undefined && answer !== this.lastAnswer) this.current++;
      this.lastAnswer = answer;
    }
    this.checkedAt = startedAt;
    return this.current;
  }
}
