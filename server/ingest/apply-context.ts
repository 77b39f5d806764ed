import type { CalibrationAckPayload, CalibrationRunningPayload, SnapshotReplyPayload } from '../../protocol/index.ts';
import type { CamerasStore } from '../core/storage/cameras-store.ts';
import type { Catalog } from '../core/storage/catalog.ts';
import type { SqlExecutor } from '../core/storage/sql/port.ts';
import type { SlotStateRow, StateStore } from '../core/storage/state-store.ts';
import type { AgentBook } from './agent-book.ts';
import type { IgnoreReason } from './metrics.ts';

// Shared by apply.ts and apply-slot.ts, which would otherwise import each other.

/** What one batch changed, for live updates, and what it read once for all its operations. */
export interface BatchContext {
  book: AgentBook;
  /** `null` stands for unassigned slots. */
  lots: Set<string | null>;
  health: boolean;
  /**
   * Current slot states read at the start of the batch, by `slotKey`, and kept in step with every
   * write; null: the slot has no state yet. A slot not in it is read when needed.
   */
  slots: Map<string, SlotStateRow | null>;
}

export const slotKey = (cameraId: string, slotId: string): string => `${cameraId}\u0000${slotId}`;

/** What one operation works with; the stores and `sql` are bound to the operation's savepoint. */
export interface ApplyDeps {
  sql: SqlExecutor;
  catalog: Catalog;
  states: StateStore;
  cameras: CamerasStore;
  ignore(reason: IgnoreReason): void;
  /** When this server process started; agents not seen live since then are timed from it. */
  startedAt: number;
  agentTtlMs: number;
  missedHeartbeats: number;
  /** Receivers outside ingest (calibration, issue 7); called inside the transaction, so cheap only. */
  hooks?: ApplyHooks | undefined;
}

/**
 * What calibration needs from ingest: snapshot replies (never stored) and acknowledgements. A hook
 * that writes does so through `tx`, the operation's savepoint in the writer's transaction: its
 * rows then commit, or roll back, with the message that caused them.
 */
export interface ApplyHooks {
  /** True when a request was waiting for this reply. */
  snapshotReply?(p: SnapshotReplyPayload): boolean;
  calibrationAck?(p: CalibrationAckPayload, tx: SqlExecutor): void | Promise<void>;
  /** The calibration an agent runs (issue 15); `at` is the server's receive time. */
  calibrationRunning?(p: CalibrationRunningPayload, at: number, tx: SqlExecutor): void | Promise<void>;
}
