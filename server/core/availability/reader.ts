import type { Catalog } from '../storage/catalog.ts';
import type { Lot, LotAvailability, LotSlots } from './schemas.ts';

export type { Counts, Lot, LotAvailability, LotSlots, SlotView } from './schemas.ts';

/**
 * The public read model: what a citizen, an open-data client or a metric sees of each lot. The
 * availability feature implements it; live, web, history, opendata and the metrics read it through
 * this interface, which server/main passes in, so no feature imports another.
 */
export interface AvailabilityReader {
  readonly catalog: Catalog;
  lotAvailability(lotId: string): Promise<LotAvailability | undefined>;
  allAvailability(): Promise<LotAvailability[]>;
  lots(): Promise<Lot[]>;
  lotSlots(lotId: string): Promise<LotSlots | undefined>;
  /** Changes when another process committed states (shared subscriptions); see markChanged. */
  externalVersion(): Promise<number>;
  /** Tells readers that this process wrote new states. */
  markChanged(): void;
}

/** What the live feature tells listeners (SSE clients, Home Assistant) when a lot's public payload changed. */
export interface PublicEvents {
  availability: [LotAvailability];
  slots: [LotSlots];
}

/** Where those changes can be heard: the live hub, passed in by server/main. */
export interface PublicChanges {
  on<K extends keyof PublicEvents>(event: K, listener: (...args: PublicEvents[K]) => void): unknown;
}

/**
 * Slots kept for a booking (issue 6): they count as `reserved` instead of their camera state.
 * `until` is the next instant the set changes by time alone (a hold beginning or ending). The
 * reservations feature implements it; availability reads it.
 */
export interface ReservedSource {
  held(lotId: string, now: number): Promise<{ keys: ReadonlySet<string>; until: number }>;
}
