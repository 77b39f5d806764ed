import type { Database, Statement } from 'better-sqlite3';

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

function fromDb(r: Record<string, unknown>): AgentRow {
  return Object.fromEntries(FIELDS.map(([k, c]) => [k, r[c]])) as unknown as AgentRow;
}

/** One row per agent: its session, liveness and counters. Written only by the ingest writer. */
export class AgentsStore {
  private readonly selectOne: Statement;
  private readonly upsert: Statement;

  constructor(private readonly db: Database) {
    this.selectOne = db.prepare(`SELECT ${COLUMNS} FROM agents WHERE agent_id = ?`);
    this.upsert = db.prepare(
      `INSERT INTO agents (${COLUMNS}) VALUES (${FIELDS.map(([k]) => `@${k}`).join(', ')})
       ON CONFLICT (agent_id) DO UPDATE SET ${FIELDS.slice(1)
         .map(([, c]) => `${c} = excluded.${c}`)
         .join(', ')}`,
    );
  }

  get(agentId: string): AgentRow | undefined {
    const r = this.selectOne.get(agentId) as Record<string, unknown> | undefined;
    return r === undefined ? undefined : fromDb(r);
  }

  put(row: AgentRow): void {
    this.upsert.run(row);
  }

  all(): AgentRow[] {
    return (this.db.prepare(`SELECT ${COLUMNS} FROM agents ORDER BY agent_id`).all() as Record<string, unknown>[]).map(
      fromDb,
    );
  }

  /** Agents that count as alive, for the liveness sweep. */
  alive(): AgentRow[] {
    return (
      this.db.prepare(`SELECT ${COLUMNS} FROM agents WHERE status IN ('online', 'unknown')`).all() as Record<
        string,
        unknown
      >[]
    ).map(fromDb);
  }
}
