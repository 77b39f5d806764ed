import type { CalibrationAckPayload, CalibrationRunningPayload, SnapshotReplyPayload } from '../../protocol/index.ts';
import type { CamerasStore } from '../core/storage/cameras-store.ts';
import type { Catalog } from '../core/storage/catalog.ts';
import type { StateStore } from '../core/storage/state-store.ts';
import type { AgentBook } from './agent-book.ts';
import type { IgnoreReason } from './metrics.ts';

// Shared by apply.ts and apply-slot.ts, which would otherwise import each other.

/** What one batch changed, for live updates. `null` stands for unassigned slots. */
export interface BatchContext {
  book: AgentBook;
  lots: Set<string | null>;
  health: boolean;
}

export interface ApplyDeps {
  catalog: Catalog;
  states: StateStore;
  cameras: CamerasStore;
  ignore(reason: IgnoreReason): void;
  /** When this server process started; agents not seen live since then are timed from it. */
  startedAt: number;
  agentTtlMs: number;
  missedHeartbeats: number;
  /** Receivers outside the database (calibration, issue 7); called inside the transaction, so cheap only. */
  hooks?: ApplyHooks;
}

/** What calibration needs from ingest: snapshot replies (never stored) and acknowledgements. */
export interface ApplyHooks {
  /** True when a request was waiting for this reply. */
  snapshotReply?(p: SnapshotReplyPayload): boolean;
  calibrationAck?(p: CalibrationAckPayload): void;
  /** The calibration an agent runs (issue 15); `at` is the server's receive time. */
  calibrationRunning?(p: CalibrationRunningPayload, at: number): void;
}
