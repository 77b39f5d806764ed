import type { Database, Statement } from 'better-sqlite3';

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
 * Writes are meant to run inside the ingest writer's transaction; see shared/STACK.md for why.
 */
export class StateStore {
  private readonly selectOne: Statement;
  private readonly upsert: Statement;
  private readonly insertTransition: Statement;
  private readonly selectKnownOfAgent: Statement;

  constructor(private readonly db: Database) {
    this.selectOne = db.prepare(`SELECT ${COLUMNS} FROM slot_state WHERE camera_id = ? AND slot_id = ?`);
    this.upsert = db.prepare(
      `INSERT INTO slot_state (${COLUMNS}) VALUES (@cameraId, @slotId, @state, @reason, @confidence, @since, @observedAt,
         @receivedAt, @agentId, @sessionId, @seq, @modelId, @calibrationVersion, @source)
       ON CONFLICT (camera_id, slot_id) DO UPDATE SET state = excluded.state, reason = excluded.reason,
         confidence = excluded.confidence, since = excluded.since, observed_at = excluded.observed_at,
         received_at = excluded.received_at, agent_id = excluded.agent_id, session_id = excluded.session_id,
         seq = excluded.seq, model_id = excluded.model_id, calibration_version = excluded.calibration_version,
         source = excluded.source`,
    );
    this.insertTransition = db.prepare(
      `INSERT INTO transitions (camera_id, slot_id, lot_id, from_state, to_state, reason, at, recorded_at, source)
       VALUES (@cameraId, @slotId, @lotId, @fromState, @toState, @reason, @at, @recordedAt, @source)`,
    );
    this.selectKnownOfAgent = db.prepare(
      `SELECT ${COLUMNS} FROM slot_state WHERE agent_id = ? AND NOT (state = 'unknown' AND source = 'server')`,
    );
  }

  get(cameraId: string, slotId: string): SlotStateRow | undefined {
    const r = this.selectOne.get(cameraId, slotId) as DbRow | undefined;
    return r === undefined ? undefined : fromDb(r);
  }

  put(row: SlotStateRow): void {
    this.upsert.run(row);
  }

  addTransition(t: TransitionRow): void {
    this.insertTransition.run(t);
  }

  /** Slots last reported by `agentId` that the server has not already turned unknown itself. */
  notYetOfflineOf(agentId: string): SlotStateRow[] {
    return (this.selectKnownOfAgent.all(agentId) as DbRow[]).map(fromDb);
  }

  /** Every current state, for readers (availability, open data). */
  all(): SlotStateRow[] {
    return (this.db.prepare(`SELECT ${COLUMNS} FROM slot_state`).all() as DbRow[]).map(fromDb);
  }
}
