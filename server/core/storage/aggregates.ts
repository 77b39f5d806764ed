import type { Database, Statement } from 'better-sqlite3';

export interface SampleCounts {
  free: number;
  occupied: number;
  unknown: number;
  reserved: number;
}

export interface BucketRow {
  /** Epoch ms of the hour (hourly) or the local calendar day 'YYYY-MM-DD' (daily). */
  start: number | string;
  samples: number;
  freeSum: number;
  occupiedSum: number;
  unknownSum: number;
  reservedSum: number;
  freeMin: number;
  freeMax: number;
}

const HOUR_MS = 3_600_000;

interface DbBucket {
  start: number | string;
  samples: number;
  free_sum: number;
  occupied_sum: number;
  unknown_sum: number;
  reserved_sum: number;
  free_min: number;
  free_max: number;
}

const toBucket = (r: DbBucket): BucketRow => ({
  start: r.start,
  samples: r.samples,
  freeSum: r.free_sum,
  occupiedSum: r.occupied_sum,
  unknownSum: r.unknown_sum,
  reservedSum: r.reserved_sum,
  freeMin: r.free_min,
  freeMax: r.free_max,
});

const upsertSql = (table: string, keyColumn: string) =>
  `INSERT INTO ${table} (lot_id, ${keyColumn}, samples, free_sum, occupied_sum, unknown_sum, reserved_sum, free_min, free_max)
   VALUES (@lot, @key, 1, @free, @occupied, @unknown, @reserved, @free, @free)
   ON CONFLICT (lot_id, ${keyColumn}) DO UPDATE SET samples = samples + 1, free_sum = free_sum + excluded.free_sum,
     occupied_sum = occupied_sum + excluded.occupied_sum, unknown_sum = unknown_sum + excluded.unknown_sum,
     reserved_sum = reserved_sum + excluded.reserved_sum, free_min = min(free_min, excluded.free_min),
     free_max = max(free_max, excluded.free_max)`;

/**
 * Hourly and daily occupancy aggregates, filled by sampling each lot's counts at a fixed interval;
 * equal intervals make the plain average a time-weighted one. Hours are UTC hours (every time zone
 * the office could use is a whole-hour offset of UTC); days are local calendar days.
 */
export class Aggregates {
  private readonly hourly: Statement;
  private readonly daily: Statement;
  private readonly dayFormat: Intl.DateTimeFormat;

  constructor(
    private readonly db: Database,
    readonly timezone: string,
  ) {
    this.hourly = db.prepare(upsertSql('lot_hourly', 'bucket_start'));
    this.daily = db.prepare(upsertSql('lot_daily', 'day'));
    this.dayFormat = new Intl.DateTimeFormat('en-CA', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
  }

  /** The local calendar day of an instant, 'YYYY-MM-DD'. */
  localDay(ms: number): string {
    return this.dayFormat.format(ms);
  }

  record(samples: { lotId: string; counts: SampleCounts }[], now: number): void {
    const hour = Math.floor(now / HOUR_MS) * HOUR_MS;
    const day = this.localDay(now);
    this.db
      .transaction(() => {
        for (const { lotId, counts } of samples) {
          const row = { lot: lotId, ...counts };
          this.hourly.run({ ...row, key: hour });
          this.daily.run({ ...row, key: day });
        }
      })
      .immediate();
  }

  hours(lotId: string, from: number, to: number): BucketRow[] {
    const rows = this.db
      .prepare(
        `SELECT bucket_start AS start, samples, free_sum, occupied_sum, unknown_sum, reserved_sum, free_min, free_max
         FROM lot_hourly WHERE lot_id = ? AND bucket_start >= ? AND bucket_start < ? ORDER BY bucket_start`,
      )
      .all(lotId, Math.floor(from / HOUR_MS) * HOUR_MS, to) as DbBucket[];
    return rows.map(toBucket);
  }

  days(lotId: string, fromDay: string, toDay: string): BucketRow[] {
    const rows = this.db
      .prepare(
        `SELECT day AS start, samples, free_sum, occupied_sum, unknown_sum, reserved_sum, free_min, free_max
         FROM lot_daily WHERE lot_id = ? AND day >= ? AND day <= ? ORDER BY day`,
      )
      .all(lotId, fromDay, toDay) as DbBucket[];
    return rows.map(toBucket);
  }

  /** Deletes buckets older than the cut-offs; returns rows removed. */
  purge(hourlyBefore: number, dailyBefore: string): { hourly: number; daily: number } {
    return {
      hourly: this.db.prepare('DELETE FROM lot_hourly WHERE bucket_start < ?').run(hourlyBefore).changes,
      daily: this.db.prepare('DELETE FROM lot_daily WHERE day < ?').run(dailyBefore).changes,
    };
  }
}
