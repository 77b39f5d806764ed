import type { AgentRow, AgentsStore } from '../core/storage/agents-store.ts';

/** How a message's session relates to the agent's current one. */
export type SessionRelation = 'first' | 'current' | 'restart' | 'old_session';

export interface SessionEvents {
  restart(agentId: string): void;
  gap(agentId: string, lost: number): void;
}

/** The envelope fields session tracking needs; the `offline` last will has no seq or sent_at. */
export interface Envelope {
  agent_id: string;
  session_id: string;
  seq?: number;
  sent_at?: string;
}

const ALIVE = new Set(['online', 'unknown']);

/**
 * Agent rows for the duration of one write batch: read (and on PostgreSQL locked) once at its
 * start, changed in memory, written back at its end, all in the batch's transaction. One per batch,
 * never kept across batches, because another server instance may write the same rows (shared
 * subscriptions over one database): see `AgentsStore.lockForBatch`.
 */
export class AgentBook {
  private readonly rows = new Map<string, AgentRow>();
  private readonly dirty = new Set<string>();

  constructor(
    private readonly events: SessionEvents,
    /** False with shared subscriptions: each instance sees only part of the seqs, so gaps mean nothing. */
    private readonly trackGaps: boolean,
  ) {}

  /** The rows read at the start of the batch. */
  load(rows: readonly AgentRow[]): void {
    for (const row of rows) this.rows.set(row.agentId, row);
  }

  get(agentId: string): AgentRow | undefined {
    return this.rows.get(agentId);
  }

  ensure(agentId: string, now: number): AgentRow {
    let row = this.get(agentId);
    if (row === undefined) {
      row = {
        agentId,
        sessionId: null,
        sessionStartedAt: null,
        connectionSeq: null,
        status: 'unknown',
        statusAt: now,
        lastSeenAt: null,
        lastSeq: null,
        heartbeatIntervalS: null,
        uptimeS: null,
        version: null,
        mqttQueueDepth: null,
        processCpuPercent: null,
        processRssBytes: null,
        processHeapUsedBytes: null,
        restarts: 0,
        seqGaps: 0,
        lostMessages: 0,
        firstSeenAt: now,
      };
      this.rows.set(agentId, row);
      this.dirty.add(agentId);
    }
    return row;
  }

  /**
   * Agents alive as of now in this batch, in agent order. A batch with a sweep has loaded every
   * agent the database lists as alive (another instance may have written them), and any agent
   * that comes alive is one this batch heard from, so loaded too.
   */
  alive(): AgentRow[] {
    return [...this.rows.values()]
      .filter((r) => ALIVE.has(r.status))
      .sort((a, b) => (a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : 0));
  }

  touch(row: AgentRow): void {
    this.dirty.add(row.agentId);
  }

  /**
   * Session and sequence bookkeeping (docs/adr/0006): a new session_id whose messages are not older
   * than the current session's start is a restart; an older one is a leftover (a retained message of
   * a dead process). Gaps are counted only on live messages: retained replays arrive in any order.
   */
  observe(p: Envelope, live: boolean, now: number): { relation: SessionRelation; row: AgentRow } {
    const row = this.ensure(p.agent_id, now);
    const sentAt = p.sent_at === undefined ? now : Date.parse(p.sent_at);
    let relation: SessionRelation;
    if (row.sessionId === null) {
      relation = 'first';
      this.startSession(row, p, sentAt);
    } else if (row.sessionId !== p.session_id) {
      if (row.sessionStartedAt !== null && sentAt < row.sessionStartedAt) {
        relation = 'old_session';
      } else {
        relation = 'restart';
        row.restarts++;
        this.events.restart(row.agentId);
        this.startSession(row, p, sentAt);
        row.status = 'unknown';
        row.statusAt = now;
      }
    } else {
      relation = 'current';
      if (p.seq !== undefined && (row.lastSeq === null || p.seq > row.lastSeq)) {
        if (live && this.trackGaps && row.lastSeq !== null && p.seq > row.lastSeq + 1) {
          const lost = p.seq - row.lastSeq - 1;
          row.seqGaps++;
          row.lostMessages += lost;
          this.events.gap(row.agentId, lost);
        }
        row.lastSeq = p.seq;
      }
      if (row.sessionStartedAt === null || sentAt < row.sessionStartedAt) row.sessionStartedAt = sentAt;
    }
    if (live && relation !== 'old_session') row.lastSeenAt = now;
    this.dirty.add(row.agentId);
    return { relation, row };
  }

  private startSession(row: AgentRow, p: Envelope, sentAt: number): void {
    row.sessionId = p.session_id;
    row.sessionStartedAt = sentAt;
    row.lastSeq = p.seq ?? null;
    row.connectionSeq = null;
  }

  /** Writes changed rows through `store` (bound to the batch's transaction). */
  async flush(store: AgentsStore): Promise<void> {
    for (const id of this.dirty) {
      const row = this.rows.get(id);
      if (row !== undefined) await store.put(row);
    }
    this.dirty.clear();
  }
}
