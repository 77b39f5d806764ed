import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import type { Catalog } from '../core/storage/catalog.ts';
import type { SqlExecutor } from '../core/storage/sql/port.ts';
import type { SessionEvents } from './agent-book.ts';
import type { ApplyHooks, IngestOp } from './apply.ts';
import { applyBatch, type BatchDeps } from './batch.ts';
import type { IngestMetrics } from './metrics.ts';

export interface WriterOptions {
  batchMax: number;
  batchDelayMs: number;
  agentTtlS: number;
  missedHeartbeats: number;
  trackGaps: boolean;
  /** Passed to applyOp (calibration's snapshot replies and acks). */
  hooks?: ApplyHooks | undefined;
}

/** Emitted after each committed batch. */
export interface CommitEvent {
  /** Lots whose slots changed; `null` for unassigned slots. */
  lots: Set<string | null>;
  /** Agent or camera health changed. */
  health: boolean;
  operations: number;
}

const RETRY_DELAYS_MS = [50, 250, 1000];
/** The queue holds at most this many full batches. */
const MAX_QUEUED_BATCHES = 50;

/**
 * The only writer of ingest data. Operations queue in arrival order and are applied in one
 * transaction per batch: single autocommit inserts manage ~20k rows/s here, one transaction
 * ~350k rows/s (shared/STACK.md). A batch is written when it is full or `batchDelayMs` after its
 * first operation, so a lone update still reaches the page quickly. One batch is in flight at a
 * time; what arrives meanwhile waits for the next.
 */
export class IngestWriter extends EventEmitter<{ commit: [CommitEvent]; drained: [] }> {
  private queue: IngestOp[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** The pending timer is a zero-delay one (the queue is full). */
  private timerImmediate = false;
  private stopped = false;
  private dropped = 0;
  /**
   * Failed tries of the batch at the head of the queue. Each retry comes back through flush(), so
   * the count must live here: passing 0 from flush() retried a failing batch every 50 ms forever,
   * logging a warning each time (seen on a full disk, test/system/disk-full.test.ts).
   */
  private failedTries = 0;
  /** The drain in progress, if any: batches are written one after another, never two at once. */
  private running: Promise<number> | undefined;
  private stopping: Promise<void> | undefined;
  private readonly events: SessionEvents;
  readonly startedAt: number;

  constructor(
    private readonly sql: SqlExecutor,
    private readonly catalog: Catalog,
    private readonly metrics: IngestMetrics,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly opts: WriterOptions,
  ) {
    super();
    this.startedAt = clock.now();
    this.events = {
      restart: (agentId) => {
        metrics.restarts.inc({ agent: agentId });
        log.info({ agent_id: agentId }, 'agent restarted (new session)');
      },
      gap: (agentId, lost) => {
        metrics.gaps.inc({ agent: agentId });
        metrics.lost.inc({ agent: agentId }, lost);
        log.warn({ agent_id: agentId, lost }, 'sequence gap: messages from this agent were lost');
      },
    };
  }

  /** Operations waiting to be written. */
  get pending(): number {
    return this.queue.length;
  }

  /**
   * The last write transaction failed and none has succeeded since (a full disk, a locked file).
   * Holding MQTT acknowledgements then only makes the broker queue, and drop the newest messages
   * when its queue is full (seen in test/system/disk-full), so they are not held while failing.
   */
  get failing(): boolean {
    return this.failedTries > 0 || this.lastFailed;
  }

  private lastFailed = false;

  enqueue(op: IngestOp): void {
    if (this.stopped) return;
    if (this.queue.length >= this.opts.batchMax * MAX_QUEUED_BATCHES) {
      // The database is stuck or far slower than the broker: memory must stay bounded. Slot states
      // heal with the agents' periodic refresh; the drop is counted and logged.
      this.metrics.storageErrors.inc({ stage: 'queue_full' });
      if (this.dropped++ % 1000 === 0)
        this.log.error({ dropped: this.dropped }, 'ingest queue full; dropping messages');
      return;
    }
    this.queue.push(op);
    if (this.queue.length >= this.opts.batchMax) {
      // Full: write on the next turn, so a burst of socket data is parsed before the transaction.
      this.schedule(0);
    } else {
      this.schedule(this.opts.batchDelayMs);
    }
  }

  /**
   * Writes on the next turn instead of after `batchDelayMs`: someone (the broker) waits for the
   * commit. Messages parsed from the same socket read still share the transaction.
   */
  expedite(): void {
    if (this.queue.length > 0 && !this.stopped) this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.timer !== undefined) {
      if (delayMs > 0 || this.timerImmediate) return;
      clearTimeout(this.timer);
    }
    this.timerImmediate = delayMs === 0;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush().catch((err: unknown) => this.log.error({ err }, 'the ingest writer failed'));
    }, delayMs);
  }

  /**
   * Writes everything queued now, and what arrives while it writes. Resolves with the number of
   * operations committed once the queue is empty (or a failed batch waits for its retry). A call
   * while a drain runs joins that drain.
   */
  flush(): Promise<number> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    return (this.running ??= this.drain().finally(() => (this.running = undefined)));
  }

  private async drain(): Promise<number> {
    let total = 0;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.opts.batchMax);
      if (!(await this.writeBatch(batch, this.failedTries))) break;
      this.failedTries = 0;
      total += batch.length;
    }
    // Everything received so far is committed (or, after its retries, dropped and counted): the
    // MQTT acknowledgements held for it may go. Nothing is in flight here: a message taken into a
    // batch is acknowledged only after that batch's transaction has ended.
    if (this.queue.length === 0) this.emit('drained');
    return total;
  }

  private async writeBatch(batch: IngestOp[], attempt: number): Promise<boolean> {
    const deps: BatchDeps = {
      catalog: this.catalog,
      metrics: this.metrics,
      log: this.log,
      events: this.events,
      trackGaps: this.opts.trackGaps,
      startedAt: this.startedAt,
      agentTtlMs: this.opts.agentTtlS * 1000,
      missedHeartbeats: this.opts.missedHeartbeats,
      hooks: this.opts.hooks,
    };
    const t0 = performance.now();
    let ctx;
    try {
      ctx = await this.sql.transaction((tx) => applyBatch(tx, batch, deps));
    } catch (err) {
      if (!this.lastFailed) {
        this.lastFailed = true;
        // Let the acknowledgements already held go: see `failing`.
        this.emit('drained');
      }
      // The catalog may remember slots and cameras whose rows were rolled back.
      await this.catalog.refresh().catch((refreshErr: unknown) => {
        this.log.warn({ err: refreshErr }, 'could not reload the catalog after a failed write');
      });
      this.metrics.storageErrors.inc({ stage: 'transaction' });
      const delay = RETRY_DELAYS_MS[attempt];
      const code = storageErrorCode(err);
      if (delay === undefined || this.stopped) {
        this.log.error({ err, code, operations: batch.length }, 'write transaction failed; batch dropped');
        return true;
      }
      this.log.warn(
        { err, code, attempt: attempt + 1, operations: batch.length },
        'write transaction failed; retrying',
      );
      this.failedTries = attempt + 1;
      this.queue.unshift(...batch);
      this.schedule(delay);
      return false;
    }
    this.lastFailed = false;
    this.metrics.batches.inc();
    this.metrics.written.inc({}, batch.length);
    this.metrics.writeSeconds.inc({}, (performance.now() - t0) / 1000);
    if (ctx.lots.size > 0 || ctx.health) {
      try {
        this.emit('commit', { lots: ctx.lots, health: ctx.health, operations: batch.length });
      } catch (err) {
        this.log.error({ err }, 'a commit listener threw');
      }
    }
    return true;
  }

  /** Writes what is queued (and what arrives meanwhile), then refuses more. Idempotent. */
  stop(): Promise<void> {
    return (this.stopping ??= (async () => {
      await this.flush();
      this.stopped = true;
      if (this.timer !== undefined) clearTimeout(this.timer);
      this.timer = undefined;
    })());
  }
}

/**
 * A stable code for operators' alerts: a full disk (SQLITE_FULL, seen for real on a full tmpfs in
 * test/system/disk-full.test.ts; PostgreSQL's SQLSTATE 53100 disk_full) needs space, anything else
 * needs a look at the error.
 */
function storageErrorCode(err: unknown): 'VOLNO_DB_FULL' | 'VOLNO_DB_WRITE' {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_FULL' || code === '53100' ? 'VOLNO_DB_FULL' : 'VOLNO_DB_WRITE';
}
