import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { RetentionConfig } from '../config/schema.ts';
import type { Aggregates } from './aggregates.ts';
import type { SqlExecutor } from './sql/port.ts';
import { PeriodicTimer } from '../../../kit/timer.ts';

/** The `retention` section (server/core/config/schema.ts). */
export type RetentionOptions = RetentionConfig;

const DAY_MS = 86_400_000;

/** Deletes history older than the retention settings, at start and then every `purgeIntervalS`. */
export class RetentionPurger {
  private readonly timer: PeriodicTimer;

  constructor(
    private readonly sql: SqlExecutor,
    private readonly aggregates: Aggregates,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly opts: RetentionOptions,
  ) {
    this.timer = new PeriodicTimer(() => this.tick(), {
      everyMs: opts.purge_interval_s * 1000,
      name: 'history purge',
      log,
      immediate: true,
    });
  }

  start(): void {
    this.timer.start();
  }

  /** One purge now. Returns what was deleted; never throws (a failed purge is retried next time). */
  async tick(): Promise<{ transitions: number; hourly: number; daily: number } | undefined> {
    const now = this.clock.now();
    try {
      const { changes: transitions } = await this.sql.run('DELETE FROM transitions WHERE at < $1', [
        now - this.opts.transitions_days * DAY_MS,
      ]);
      const aggregates = await this.aggregates.purge(
        now - this.opts.hourly_days * DAY_MS,
        this.aggregates.localDay(now - this.opts.daily_days * DAY_MS),
      );
      const result = { transitions, ...aggregates };
      if (transitions + aggregates.hourly + aggregates.daily > 0) this.log.info(result, 'purged old history');
      return result;
    } catch (err) {
      this.log.error({ err }, 'history purge failed');
      return undefined;
    }
  }

  stop(): void {
    this.timer.stop();
  }
}
