import type { SqlExecutor } from './sql/port.ts';

export type SlotStateValue = 'free' | 'occupied' | 'unknown';

/** One row of `slot_state`, camelCase. Times are epoch milliseconds. */
export interface SlotStateRow {
  cameraId: string;
  slotId: string;
  state: SlotStateValue;
  reason: string | null;
  confidence: number;
  since: number;
  observedAt: number;
  receivedAt: number;
  agentId: string | null;
  sessionId: string | null;
  seq: number | null;
  modelId: string | null;
  calibrationVersion: number | null;
  source: 'agent' | 'server';
}

export interface TransitionRow {
  cameraId: string;
  slotId: string;
  lotId: string | null;
  fromState: SlotStateValue | null;
  toState: SlotStateValue;
  reason: string | null;
  at: number;
  recordedAt: number;
  source: 'agent' | 'server';
}

const COLUMNS = `camera_id, slot_id, state, reason, confidence, since, observed_at, received_at, agent_id, session_id,
  seq, model_id, calibration_version, source`;

const UPSERT = `INSERT INTO slot_state (${COLUMNS}) VALUES (:cameraId, :slotId, :state, :reason, :confidence, :since,
    :observedAt, :receivedAt, :agentId, :sessionId, :seq, :modelId, :calibrationVersion, :source)
  ON CONFLICT (camera_id, slot_id) DO UPDATE SET state = excluded.state, reason = excluded.reason,
    confidence = excluded.confidence, since = excluded.since, observed_at = excluded.observed_at,
    received_at = excluded.received_at, agent_id = excluded.agent_id, session_id = excluded.session_id,
    seq = excluded.seq, model_id = excluded.model_id, calibration_version = excluded.calibration_version,
    source = excluded.source`;

const INSERT_TRANSITION = `INSERT INTO transitions (camera_id, slot_id, lot_id, from_state, to_state, reason, at,
    recorded_at, source)
  VALUES (:cameraId, :slotId, :lotId, :fromState, :toState, :reason, :at, :recordedAt, :source)`;

interface DbRow {
  camera_id: string;
  slot_id: string;
  state: SlotStateValue;
  reason: string | null;
  confidence: number;
  since: number;
  observed_at: number;
  received_at: number;
  agent_id: string | null;
  session_id: string | null;
  seq: number | null;
  model_id: string | null;
  calibration_version: number | null;
  source: 'agent' | 'server';
}

function fromDb(r: DbRow): SlotStateRow {
  return {
    cameraId: r['camera_id'],
    slotId: r['slot_id'],
    state: r['state'],
    reason: r['reason'],
    confidence: r['confidence'],
    since: r['since'],
    observedAt: r['observed_at'],
    receivedAt: r['received_at'],
    agentId: r['agent_id'],
    sessionId: r['session_id'],
    seq: r['seq'],
    modelId: r['model_id'],
    calibrationVersion: r['calibration_version'],
    source: r['source'],
  };
}

/**
 * The current-state table (UPSERT, one row per slot) and the append-only transition history.
 * Writes are meant to run inside the ingest writer's transaction (pass its handle); see
 * shared/STACK.md for why.
 */
export class StateStore {
  constructor(private readonly sql: SqlExecutor) {}

  async get(cameraId: string, slotId: string, o: { forUpdate?: boolean } = {}): Promise<SlotStateRow | undefined> {
    const sql = `SELECT ${COLUMNS} FROM slot_state WHERE camera_id = $1 AND slot_id = $2`;
    const r = await this.sql.one<DbRow>(this.lock(sql, o.forUpdate), [cameraId, slotId]);
    return r === undefined ? undefined : fromDb(r);
  }

  /**
   * Every current state of these cameras, for a write batch to read once instead of once per
   * report. On PostgreSQL the rows stay locked until the transaction ends (see `forUpdate`).
   */
  async ofCameras(cameraIds: readonly string[], o: { forUpdate?: boolean } = {}): Promise<SlotStateRow[]> {
    if (cameraIds.length === 0) return [];
    const list = cameraIds.map((_, i) => `$${i + 1}`).join(', ');
    const sql = `SELECT ${COLUMNS} FROM slot_state WHERE camera_id IN (${list}) ORDER BY camera_id, slot_id`;
    return (await this.sql.all<DbRow>(this.lock(sql, o.forUpdate), cameraIds)).map(fromDb);
  }

  async put(row: SlotStateRow): Promise<void> {
    await this.sql.run(UPSERT, row as unknown as Record<string, unknown>);
  }

  async addTransition(t: TransitionRow): Promise<void> {
    await this.sql.run(INSERT_TRANSITION, t as unknown as Record<string, unknown>);
  }

  /** Slots last reported by `agentId` that the server has not already turned unknown itself. */
  async notYetOfflineOf(agentId: string, o: { forUpdate?: boolean } = {}): Promise<SlotStateRow[]> {
    const sql = `SELECT ${COLUMNS} FROM slot_state WHERE agent_id = $1 AND NOT (state = 'unknown' AND source = 'server')
      ORDER BY camera_id, slot_id`;
    return (await this.sql.all<DbRow>(this.lock(sql, o.forUpdate), [agentId])).map(fromDb);
  }

  /** Every current state, for readers (availability, open data). */
  async all(): Promise<SlotStateRow[]> {
    return (await this.sql.all<DbRow>(`SELECT ${COLUMNS} FROM slot_state ORDER BY camera_id, slot_id`)).map(fromDb);
  }

  /**
   * `FOR UPDATE` on PostgreSQL: another server instance's writer (shared subscriptions) then waits
   * for this transaction instead of deciding on a state this one is about to change. SQLite has no
   * row locks and needs none: a write transaction there holds the whole file from BEGIN IMMEDIATE.
   */
  private lock(sql: string, forUpdate: boolean | undefined): string {
    return forUpdate === true && this.sql.engine === 'postgres' ? `${sql} FOR UPDATE` : sql;
  }
}
