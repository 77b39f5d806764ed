import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import type { EventBus } from '../core/events.ts';
import type { Catalog } from '../core/storage/catalog.ts';
import type { SqlDatabase } from '../core/storage/sql/port.ts';
import type { ReservationRules, ReservationsConfig } from './config.ts';
import { ReservationLoop } from './loop.ts';
import { Mailer } from './mailer.ts';
import { PrivacyPurger } from './purge.ts';
import { ReservationService } from './service.ts';
import { BookingStore } from './store.ts';
import { PeriodicTimer } from '../../kit/timer.ts';

export interface ReservationsOptions {
  /** How often the camera loop looks for deadlines without any message (default 5 s). */
  loopIntervalMs?: number;
}

/**
 * Everything about bookings as one component: the service (rules, capacity, limits), the camera
 * loop, the e-mail outbox (only with `smtp`) and the privacy purge. start()/stop() like the others.
 */
export class Reservations {
  readonly service: ReservationService;
  readonly loop: ReservationLoop;
  readonly mailer: Mailer | undefined;
  readonly purger: PrivacyPurger;
  readonly rules: ReadonlyMap<string, ReservationRules>;
  private offCommitted: (() => void) | undefined;
  private readonly pendingTimer: PeriodicTimer;

  constructor(
    sql: SqlDatabase,
    catalog: Catalog,
    readonly config: ReservationsConfig,
    clock: Clock,
    private readonly log: Logger,
    /** Ingest commits wake the camera loop; booking changes go out as `lots.changed`. */
    private readonly bus: EventBus,
    o: ReservationsOptions = {},
  ) {
    const rules = new Map<string, ReservationRules>();
    for (const l of config.lots) if (l.reservations !== undefined) rules.set(l.lot_id, l.reservations);
    this.rules = rules;
    const store = new BookingStore(sql);
    this.service = new ReservationService(store, catalog, rules, clock, log, config.timezone);
    this.loop = new ReservationLoop(sql, this.service, rules, clock, log, {
      staleAfterMs: config.freshness.stale_after_s * 1000,
      intervalMs: o.loopIntervalMs ?? 5000,
    });
    this.purger = new PrivacyPurger(sql, clock, log, config.privacy);
    this.service.onChange((lots) => bus.emit('lots.changed', { lots }));
    this.pendingTimer = new PeriodicTimer(() => this.service.expirePending(), {
      everyMs: 30_000,
      name: 'expiring unconfirmed bookings',
      log,
    });
    if (config.smtp !== undefined) {
      const lotInfo = (lotId: string, lang: 'cs' | 'en') => {
        const l = config.lots.find((x) => x.lot_id === lotId);
        return { name: (lang === 'en' ? l?.name_en : undefined) ?? l?.name ?? lotId, address: l?.address ?? '' };
      };
      const mailer = new Mailer(sql, store, config.smtp, clock, log, lotInfo, config.timezone);
      this.mailer = mailer;
      this.service.hooks = mailer;
      this.service.onChange(() => void mailer.kick());
    }
  }

  /** Slots kept for a booking now, for availability (`reserved`). */
  async held(lotId: string, now: number): Promise<{ keys: ReadonlySet<string>; until: number }> {
    if (!this.rules.has(lotId)) return { keys: new Set(), until: Infinity };
    return this.service.store.held(lotId, now, this.service.holdMs(lotId));
  }

  start(): void {
    // Only flags a pass for later (setImmediate): the commit path never waits for bookings.
    this.offCommitted ??= this.bus.on('ingest.committed', () => this.loop.committed());
    this.loop.start();
    this.purger.start();
    this.mailer?.start();
    void this.loop.tick();
    // Lapsed unconfirmed bookings (identity `email`) give their space back even when nobody books.
    if ([...this.rules.values()].some((r) => r.identity === 'email')) {
      this.pendingTimer.start();
    }
    for (const [lotId, r] of this.rules)
      if (r.enabled && r.identity === 'none')
        this.log.warn(
          { lot_id: lotId },
          'reservations.identity is none: anyone books with any address, unverified (demo only; use oidc or email)',
        );
  }

  async stop(): Promise<void> {
    this.offCommitted?.();
    this.offCommitted = undefined;
    this.pendingTimer.stop();
    this.purger.stop();
    // A pass in flight finishes before the database closes under it.
    await this.loop.stop();
    await this.mailer?.stop();
  }
}
