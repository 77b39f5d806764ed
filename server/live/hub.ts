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

  start(): void {
    if (this.timer.running) return;
    this.lastVersion = this.availability.externalVersion();
    this.unsubscribe = [
      this.bus.on('ingest.committed', (e) => this.committed(e.lots)),
      this.bus.on('lots.changed', (e) => this.committed(e.lots)),
    ];
    this.check(null);
    this.timer.start();
  }

  /** This process committed changes to these lots (`null`: unassigned slots, nothing public). */
  committed(lots: Iterable<string | null>): void {
    this.availability.markChanged();
    const ids = [...lots].filter((l): l is string => l !== null);
    if (ids.length > 0) this.check(ids);
  }

  /** Re-checks every lot; tests call it with an injected clock. */
  tick(): void {
    // Another instance wrote (shared database): it may have added unassigned slots too.
    const version = this.availability.externalVersion();
    if (version !== this.lastVersion) this.availability.catalog.refresh();
    this.lastVersion = version;
    this.check(null);
  }

  /** Compares the current payloads with the last emitted ones; `null` checks every lot. */
  private check(lotIds: string[] | null): void {
    const ids = lotIds ?? this.availability.catalog.lots().map((l) => l.lotId);
    for (const lotId of ids) {
      try {
        const a = this.availability.lotAvailability(lotId);
        const s = this.availability.lotSlots(lotId);
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

  stop(): void {
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
    this.timer.stop();
  }
}
