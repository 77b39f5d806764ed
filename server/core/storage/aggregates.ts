import type { SqlExecutor } from './sql/port.ts';

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

// The existing row's columns qualified with the table name: PostgreSQL reads an unqualified one as
// the target anyway, but saying so keeps one text obviously right on both engines. CASE instead of
// SQLite's scalar min()/max(), which PostgreSQL lacks (it has LEAST/GREATEST, SQLite lacks those).
const upsertSql = (table: string, keyColumn: string) =>
  `INSERT INTO ${table} (lot_id, ${keyColumn}, samples, free_sum, occupied_sum, unknown_sum, reserved_sum, free_min, free_max)
   VALUES (:lot, :key, 1, :free, :occupied, :unknown, :reserved, :free, :free)
   ON CONFLICT (lot_id, ${keyColumn}) DO UPDATE SET samples = ${table}.samples + 1,
     free_sum = ${table}.free_sum + excluded.free_sum,
     occupied_sum = ${table}.occupied_sum + excluded.occupied_sum,
     unknown_sum = ${table}.unknown_sum + excluded.unknown_sum,
     reserved_sum = ${table}.reserved_sum + excluded.reserved_sum,
     free_min = CASE WHEN excluded.free_min < ${table}.free_min THEN excluded.free_min ELSE ${table}.free_min END,
     free_max = CASE WHEN excluded.free_max > ${table}.free_max THEN excluded.free_max ELSE ${table}.free_max END`;
const UPSERT_HOURLY = upsertSql('lot_hourly', 'bucket_start');
const UPSERT_DAILY = upsertSql('lot_daily', 'day');

/**
 * Hourly and daily occupancy aggregates, filled by sampling each lot's counts at a fixed interval;
 * equal intervals make the plain average a time-weighted one. Hours are UTC hours (every time zone
 * the office could use is a whole-hour offset of UTC); days are local calendar days.
 */
export class Aggregates {
  private readonly dayFormat: Intl.DateTimeFormat;

  constructor(
    private readonly sql: SqlExecutor,
    readonly timezone: string,
  ) {
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

  async record(samples: { lotId: string; counts: SampleCounts }[], now: number): Promise<void> {
    const hour = Math.floor(now / HOUR_MS) * HOUR_MS;
    const day = this.localDay(now);
    await this.sql.transaction(async (tx) => {
      for (const { lotId, counts } of samples) {
        const row = { lot: lotId, ...counts };
        await tx.run(UPSERT_HOURLY, { ...row, key: hour });
        await tx.run(UPSERT_DAILY, { ...row, key: day });
      }
    });
  }

  async hours(lotId: string, from: number, to: number): Promise<BucketRow[]> {
    const rows = await this.sql.all<DbBucket>(
      `SELECT bucket_start AS start, samples, free_sum, occupied_sum, unknown_sum, reserved_sum, free_min, free_max
       FROM lot_hourly WHERE lot_id = $1 AND bucket_start >= $2 AND bucket_start < $3 ORDER BY bucket_start`,
      [lotId, Math.floor(from / HOUR_MS) * HOUR_MS, to],
    );
    return rows.map(toBucket);
  }

  async days(lotId: string, fromDay: string, toDay: string): Promise<BucketRow[]> {
    const rows = await this.sql.all<DbBucket>(
      `SELECT day AS start, samples, free_sum, occupied_sum, unknown_sum, reserved_sum, free_min, free_max
       FROM lot_daily WHERE lot_id = $1 AND day >= $2 AND day <= $3 ORDER BY day`,
      [lotId, fromDay, toDay],
    );
    return rows.map(toBucket);
  }

  /** Deletes buckets older than the cut-offs; returns rows removed. */
  async purge(hourlyBefore: number, dailyBefore: string): Promise<{ hourly: number; daily: number }> {
    const hourly = await this.sql.run('DELETE FROM lot_hourly WHERE bucket_start < $1', [hourlyBefore]);
    const daily = await this.sql.run('DELETE FROM lot_daily WHERE day < $1', [dailyBefore]);
    return { hourly: hourly.changes, daily: daily.changes };
  }
}
