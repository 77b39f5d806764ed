import type { Logger } from 'pino';
import { AgentsStore } from '../core/storage/agents-store.ts';
import { CamerasStore } from '../core/storage/cameras-store.ts';
import type { Catalog } from '../core/storage/catalog.ts';
import { sqlErrorKind, SqlError, type SqlExecutor } from '../core/storage/sql/port.ts';
import { StateStore } from '../core/storage/state-store.ts';
import { AgentBook, type SessionEvents } from './agent-book.ts';
import { slotKey, type ApplyDeps, type ApplyHooks, type BatchContext } from './apply-context.ts';
import { applyOp, type IngestOp } from './apply.ts';
import type { IgnoreReason, IngestMetrics } from './metrics.ts';

export interface BatchDeps {
  catalog: Catalog;
  metrics: IngestMetrics;
  log: Logger;
  events: SessionEvents;
  trackGaps: boolean;
  startedAt: number;
  agentTtlMs: number;
  missedHeartbeats: number;
  hooks?: ApplyHooks | undefined;
}

/**
 * One write batch inside its transaction `tx`: reads the batch's agents and the current states of
 * the cameras it reports on once (locked on PostgreSQL, see `AgentsStore.lockForBatch`), applies
 * every operation in arrival order, each in a savepoint, and writes the agents back. Returns what
 * changed, for the live updates after the commit.
 */
export async function applyBatch(tx: SqlExecutor, batch: readonly IngestOp[], d: BatchDeps): Promise<BatchContext> {
  const agents = new AgentsStore(tx);
  const book = new AgentBook(d.events, d.trackGaps);
  const seen = new Map<string, number>();
  const cameras = new Set<string>();
  const ctx: BatchContext = { book, lots: new Set(), health: false, slots: new Map() };
  for (const op of batch) {
    if (op.type !== 'message') continue;
    const m = op.message;
    if (!seen.has(m.payload.agent_id)) seen.set(m.payload.agent_id, op.receivedAt);
    if (m.kind !== 'slot_state') continue;
    cameras.add(m.payload.camera_id);
    ctx.slots.set(slotKey(m.payload.camera_id, m.payload.slot_id), null);
  }
  book.load(
    await agents.lockForBatch(
      seen,
      batch.some((op) => op.type === 'sweep'),
    ),
  );
  // The current states of the reported cameras in one read, so that a report needs none of its own
  // (a third of a batch's statements); a reported slot left at null has no state yet.
  for (const row of await new StateStore(tx).ofCameras([...cameras].sort(), { forUpdate: true }))
    ctx.slots.set(slotKey(row.cameraId, row.slotId), row);
  const ignore = (reason: IgnoreReason) => d.metrics.ignored.inc({ reason });
  const deps = (sql: SqlExecutor): ApplyDeps => ({
    sql,
    catalog: d.catalog,
    states: new StateStore(sql),
    cameras: new CamerasStore(sql),
    ignore,
    startedAt: d.startedAt,
    agentTtlMs: d.agentTtlMs,
    missedHeartbeats: d.missedHeartbeats,
    hooks: d.hooks,
  });
  // One bad operation (a bug, a refused row) must not cost the rest of the batch. PostgreSQL aborts
  // the whole transaction on a failed statement, so each operation runs in a savepoint there. SQLite
  // takes back just the failed statement and goes on; a savepoint per operation cost about a sixth
  // of the writer's CPU time (50,000 slot states through Ingestor and IngestWriter alone), so there
  // the operations share the transaction, as they did before the port.
  const direct = tx.engine === 'sqlite' ? deps(tx) : undefined;
  for (const op of batch) {
    try {
      if (direct !== undefined) await applyOp(op, ctx, direct);
      else await tx.transaction((sp) => applyOp(op, ctx, deps(sp)));
    } catch (err) {
      if (!isOperationFault(err)) throw err;
      d.metrics.storageErrors.inc({ stage: 'operation' });
      d.log.error({ err, op: describe(op) }, 'could not apply an ingest operation');
      // Some of the operation's writes were taken back (its savepoint, or SQLite's failed
      // statement): what this batch and the catalog remember of them must go too.
      ctx.slots.clear();
      await d.catalog.refresh(tx);
    }
  }
  await book.flush(agents);
  return ctx;
}

/**
 * Whether an error is the operation's own (a bug, a value or row the schema refuses), which its
 * savepoint contains, rather than the storage failing (a full disk, a lost connection, a deadlock
 * on PostgreSQL), which must fail the whole batch so that it is retried. SQLite may have rolled
 * back the whole transaction on such an error, and the batch must not go on outside it.
 */
export function isOperationFault(err: unknown): boolean {
  if (err instanceof SqlError) return err.code === 'VOLNO_DB_PARAMS';
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return true;
  if (code.startsWith('SQLITE_')) return /^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG|RANGE)/.test(code);
  const kind = sqlErrorKind(err);
  if (kind === 'busy' || kind === 'conflict') return false;
  // SQLSTATE classes 22 (data exception) and 23 (integrity constraint violation).
  if (/^[0-9A-Z]{5}$/.test(code)) return code.startsWith('22') || code.startsWith('23');
  return true;
}

export function describe(op: IngestOp): Record<string, unknown> {
  return op.type === 'sweep' ? { type: 'sweep' } : { type: op.message.kind, retained: op.retained };
}
