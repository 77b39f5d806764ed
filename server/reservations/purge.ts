import type { Database, Statement } from 'better-sqlite3';
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { PrivacySettings } from './config.ts';

const DAY_MS = 86_400_000;

/**
 * GDPR data minimisation: `purge_after_days` after a booking ends, its name, e-mail and plate (and
 * their match keys and any unsent mail) are erased. The row stays, so anonymous counts (bookings,
 * check-ins, no-shows per lot and day) survive.
 */
export class PrivacyPurger {
  private timer: NodeJS.Timeout | undefined;
  private readonly purge: Statement;
  private readonly mail: Statement;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly o: PrivacySettings,
  ) {
    this.purge = db.prepare(
      `UPDATE bookings SET name = NULL, email = NULL, plate = NULL, email_key = NULL, plate_key = NULL, purged_at = ?
       WHERE purged_at IS NULL AND end_at < ?`,
    );
    this.mail = db.prepare(
      `DELETE FROM reservation_mail WHERE booking_id IN (SELECT id FROM bookings WHERE purged_at = ?)`,
    );
  }

  start(): void {
    if (this.timer !== undefined) return;
    this.tick();
    this.timer = setInterval(() => this.tick(), this.o.purgeIntervalS * 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One purge now; returns how many bookings were anonymised (undefined on failure, retried next time). */
  tick(): number | undefined {
    const now = this.clock.now();
    try {
      const n = this.db
        .transaction(() => {
          const changes = this.purge.run(now, now - this.o.purgeAfterDays * DAY_MS).changes;
          if (changes > 0) this.mail.run(now);
          return changes;
        })
        .immediate();
      if (n > 0) this.log.info({ bookings: n }, 'purged personal data of past bookings');
      return n;
    } catch (err) {
      this.log.error({ err }, 'booking purge failed');
      return undefined;
    }
  }
}
