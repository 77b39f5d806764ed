import type { SqlExecutor } from './sql/port.ts';

export type AgentStatus = 'unknown' | 'online' | 'stopped' | 'offline' | 'silent';

export interface AgentRow {
  agentId: string;
  sessionId: string | null;
  sessionStartedAt: number | null;
  connectionSeq: number | null;
  status: AgentStatus;
  statusAt: number;
  lastSeenAt: number | null;
  lastSeq: number | null;
  heartbeatIntervalS: number | null;
  uptimeS: number | null;
  version: string | null;
  mqttQueueDepth: number | null;
  processCpuPercent: number | null;
  processRssBytes: number | null;
  processHeapUsedBytes: number | null;
  restarts: number;
  seqGaps: number;
  lostMessages: number;
  firstSeenAt: number;
}

const FIELDS: [keyof AgentRow, string][] = [
  ['agentId', 'agent_id'],
  ['sessionId', 'session_id'],
  ['sessionStartedAt', 'session_started_at'],
  ['connectionSeq', 'connection_seq'],
  ['status', 'status'],
  ['statusAt', 'status_at'],
  ['lastSeenAt', 'last_seen_at'],
  ['lastSeq', 'last_seq'],
  ['heartbeatIntervalS', 'heartbeat_interval_s'],
  ['uptimeS', 'uptime_s'],
  ['version', 'version'],
  ['mqttQueueDepth', 'mqtt_queue_depth'],
  ['processCpuPercent', 'process_cpu_percent'],
  ['processRssBytes', 'process_rss_bytes'],
  ['processHeapUsedBytes', 'process_heap_used_bytes'],
  ['restarts', 'restarts'],
  ['seqGaps', 'seq_gaps'],
  ['lostMessages', 'lost_messages'],
  ['firstSeenAt', 'first_seen_at'],
];
const COLUMNS = FIELDS.map(([, c]) => c).join(', ');
const ALIVE = `status IN ('online', 'unknown')`;

const UPSERT = `INSERT INTO agents (${COLUMNS}) VALUES (${FIELDS.map(([k]) => `:${k}`).join(', ')})
  ON CONFLICT (agent_id) DO UPDATE SET ${FIELDS.slice(1)
    .map(([, c]) => `${c} = excluded.${c}`)
    .join(', ')}`;

function fromDb(r: Record<string, unknown>): AgentRow {
  return Object.fromEntries(FIELDS.map(([k, c]) => [k, r[c]])) as unknown as AgentRow;
}

/** `$from, $from+1, …`: one placeholder per value, for an IN list. */
function placeholders(count: number, from = 1): string {
  return Array.from({ length: count }, (_, i) => `$${i + from}`).join(', ');
}

/** One row per agent: its session, liveness and counters. Written only by the ingest writer. */
export class AgentsStore {
  constructor(private readonly sql: SqlExecutor) {}

  async get(agentId: string): Promise<AgentRow | undefined> {
    const r = await this.sql.one(`SELECT ${COLUMNS} FROM agents WHERE agent_id = $1`, [agentId]);
    return r === undefined ? undefined : fromDb(r);
  }

  async put(row: AgentRow): Promise<void> {
    await this.sql.run(UPSERT, row as unknown as Record<string, unknown>);
  }

  async all(): Promise<AgentRow[]> {
    return (await this.sql.all(`SELECT ${COLUMNS} FROM agents ORDER BY agent_id`)).map(fromDb);
  }

  /** Agents that count as alive. */
  async alive(): Promise<AgentRow[]> {
    return (await this.sql.all(`SELECT ${COLUMNS} FROM agents WHERE ${ALIVE} ORDER BY agent_id`)).map(fromDb);
  }

  /**
   * The rows one write batch works on, call inside its transaction: `seen` (agent id → when the
   * batch first heard of it) get a fresh row if they have none, then those rows, and every alive
   * agent with `withAlive` (the liveness sweep), are read. On PostgreSQL they are locked
   * (`FOR UPDATE`) until the transaction ends, in agent order, so another server instance writing
   * the same agents (shared subscriptions) waits for this batch to commit and then reads its
   * result: the batch's read-change-write of counters and sessions is never lost. On SQLite the
   * transaction's BEGIN IMMEDIATE already holds the whole file, and SQLite has no FOR UPDATE.
   */
  async lockForBatch(seen: ReadonlyMap<string, number>, withAlive: boolean): Promise<AgentRow[]> {
    const ids = [...seen.keys()].sort();
    if (ids.length > 0) {
      // Inserted first so that there is a row to lock: two instances seeing a new agent at once
      // then both end up updating the one row instead of one insert overwriting the other.
      const values = ids.map((_, i) => `($${2 * i + 1}, 'unknown', $${2 * i + 2}, 0, 0, 0, $${2 * i + 2})`);
      await this.sql.run(
        `INSERT INTO agents (agent_id, status, status_at, restarts, seq_gaps, lost_messages, first_seen_at)
         VALUES ${values.join(', ')} ON CONFLICT (agent_id) DO NOTHING`,
        ids.flatMap((id) => [id, seen.get(id)!]),
      );
    }
    if (ids.length === 0 && !withAlive) return [];
    const where = [
      ...(ids.length > 0 ? [`agent_id IN (${placeholders(ids.length)})`] : []),
      ...(withAlive ? [ALIVE] : []),
    ].join(' OR ');
    const lock = this.sql.engine === 'postgres' ? ' FOR UPDATE' : '';
    return (await this.sql.all(`SELECT ${COLUMNS} FROM agents WHERE ${where} ORDER BY agent_id${lock}`, ids)).map(
      fromDb,
    );
  }
}
