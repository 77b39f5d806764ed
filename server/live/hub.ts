import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import type { EventBus } from '../core/events.ts';
import type { AvailabilityReader, PublicEvents } from '../core/availability/reader.ts';
import { PeriodicTimer } from '../../kit/timer.ts';

/** Least time between two availability events that differ only in `updated_at`. */
export const REFRESH_EMIT_MS = 5000;

export type { PublicEvents as LiveEvents } from '../core/availability/reader.ts';

/**
 * Finds out what changed for the public and tells listeners (SSE clients, Home Assistant): after
 * every commit of this process, and on a tick that catches what no commit announces, namely slots
 * turning stale with time and writes by other server instances sharing the database.
 * A lot's payload is emitted only when it differs from the last one emitted.
 */
export class LiveHub extends EventEmitter<PublicEvents> {
  private readonly lastAvailability = new Map<string, { counts: string; updatedAt: string | null; at: number }>();
  private readonly lastSlots = new Map<string, string>();
  private readonly timer: PeriodicTimer;
  private lastVersion = 0;
  private unsubscribe: (() => void)[] = [];
  /** Lots waiting for a check (`all`: every lot), and the check running now. */
  private pending: Set<string> | 'all' | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly availability: AvailabilityReader,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly tickMs: number,
    /** Ingest commits and other changes (bookings, catalog edits) arrive here. */
    private readonly bus: EventBus,
  ) {
    super();
    this.timer = new PeriodicTimer(() => this.tick(), { everyMs: tickMs, name: 'live update', log });
  }

  async start(): Promise<void> {
    if (this.timer.running) return;
    this.timer.start();
    this.unsubscribe = [
      this.bus.on('ingest.committed', (e) => void this.committed(e.lots)),
      this.bus.on('lots.changed', (e) => void this.committed(e.lots)),
    ];
    try {
      this.lastVersion = await this.availability.externalVersion();
    } catch (err) {
      this.log.error({ err }, 'live update failed');
    }
    await this.request(null);
  }

  /**
   * This process committed changes to these lots (`null`: unassigned slots, nothing public).
   * Resolves once they were checked.
   */
  committed(lots: Iterable<string | null>): Promise<void> {
    this.availability.markChanged();
    const ids = [...lots].filter((l): l is string => l !== null);
    return ids.length > 0 ? this.request(ids) : Promise.resolve();
  }

  /** Re-checks every lot; tests call it with an injected clock. Never rejects. */
  async tick(): Promise<void> {
    try {
      // Another instance wrote (shared database): it may have added unassigned slots too.
      const version = await this.availability.externalVersion();
      if (version !== this.lastVersion) await this.availability.catalog.refresh();
      this.lastVersion = version;
    } catch (err) {
      this.log.error({ err }, 'live update failed');
    }
    await this.request(null);
  }

  /**
   * Checks run one at a time, so a slower read can never emit an older payload after a newer one;
   * what is asked for meanwhile is merged into one next check (a burst of commits costs one or two).
   */
  private request(lotIds: string[] | null): Promise<void> {
    if (lotIds === null || this.pending === 'all') this.pending = 'all';
    else {
      this.pending ??= new Set();
      for (const id of lotIds) this.pending.add(id);
    }
    this.running ??= this.drain().finally(() => (this.running = undefined));
    return this.running;
  }

  private async drain(): Promise<void> {
    while (this.pending !== undefined) {
      const lots = this.pending;
      this.pending = undefined;
      try {
        await this.check(lots === 'all' ? null : [...lots]);
      } catch (err) {
        // Callers do not wait on this (bus listeners); a rejection here would be unhandled.
        this.log.error({ err }, 'live update failed');
      }
    }
  }

  /** Compares the current payloads with the last emitted ones; `null` checks every lot. */
  private async check(lotIds: string[] | null): Promise<void> {
    const ids = lotIds ?? this.availability.catalog.lots().map((l) => l.lotId);
    for (const lotId of ids) {
      try {
        // Both read before either is compared: one pass, one version of the lot.
        const [a, s] = await Promise.all([this.availability.lotAvailability(lotId), this.availability.lotSlots(lotId)]);
        if (a === undefined || s === undefined) continue;
        const { updated_at: updatedAt, ...rest } = a;
        const counts = JSON.stringify(rest);
        const last = this.lastAvailability.get(lotId);
        const now = this.clock.now();
        // A changed count goes out at once; a mere refresh (newer updated_at) at most every few
        // seconds, because every agent refresh would otherwise be a broadcast to every client.
        if (
          last === undefined ||
          last.counts !== counts ||
          (last.updatedAt !== updatedAt && now - last.at >= REFRESH_EMIT_MS)
        ) {
          this.lastAvailability.set(lotId, { counts, updatedAt, at: now });
          this.emit('availability', a);
        }
        // Ages and observation times move all the time; only a change of what the map shows is news.
        const sKey = JSON.stringify(s.slots.map((v) => [v.state, v.stale, v.since, v.reserved]));
        if (this.lastSlots.get(lotId) !== sKey) {
          this.lastSlots.set(lotId, sKey);
          this.emit('slots', s);
        }
      } catch (err) {
        this.log.error({ err, lot_id: lotId }, 'live update failed');
      }
    }
  }

  /** Resolves once a check in progress has ended, so nothing is emitted after it. */
  async stop(): Promise<void> {
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
    this.timer.stop();
    this.pending = undefined;
    await this.running;
  }
}
