import type { SqlExecutor } from '../core/storage/sql/port.ts';
import type { RunningRow } from './running.ts';
import type { CalibrationService } from './service.ts';

/** What a camera's agent has said about its calibration (the `cameras` row). */
export interface AgentCalibrationFacts {
  /** The version in the agent's last camera summary; 0 means it runs without a calibration. */
  calibrationVersion: number | null;
  ackVersion: number | null;
  ackResult: string | null;
}

/** The calibration in force on a camera, and whether the agent has confirmed it. */
export interface InForce {
  version: number;
  /**
   * True when the agent says it runs this version; false when it is the published version the
   * agent has not confirmed yet (it was sent, nothing newer runs as far as the server knows).
   */
  applied: boolean;
}

/**
 * The version the agent runs: a file's recorded version (the file's own number means nothing to the
 * server), else the camera summary's, else its last `applied` answer; null when none is known.
 */
export function appliedVersion(facts: AgentCalibrationFacts, running: RunningRow | undefined): number | null {
  const fromFile = running?.origin === 'file' ? running.serverVersion : null;
  const fromSummary = (facts.calibrationVersion ?? 0) > 0 ? facts.calibrationVersion : null;
  const fromAck = facts.ackResult === 'applied' ? facts.ackVersion : null;
  return fromFile ?? fromSummary ?? fromAck;
}

/**
 * The one answer to "what is in force": the applied version, else the published one. A staff draft
 * (saved, never published) is never in force, even when it is the newest version.
 */
export function decideInForce(applied: number | null, published: number | null | undefined): InForce | null {
  if (applied !== null) return { version: applied, applied: true };
  return published == null ? null : { version: published, applied: false };
}

interface FactsRow {
  camera_id: string;
  calibration_version: number | null;
  calibration_ack_version: number | null;
  calibration_ack_result: string | null;
}

const facts = (r: FactsRow): AgentCalibrationFacts => ({
  calibrationVersion: r.calibration_version,
  ackVersion: r.calibration_ack_version,
  ackResult: r.calibration_ack_result,
});

const FACTS = 'SELECT camera_id, calibration_version, calibration_ack_version, calibration_ack_result FROM cameras';

/** Reads {@link decideInForce}'s inputs for one camera or for all of them at once. */
export class CalibrationInForce {
  constructor(
    private readonly sql: SqlExecutor,
    private readonly service: CalibrationService,
  ) {}

  /** The calibration in force on one camera, or null. */
  async inForce(cameraId: string): Promise<InForce | null> {
    const r = await this.sql.one<FactsRow>(`${FACTS} WHERE camera_id = $1`, [cameraId]);
    const applied = r === undefined ? null : appliedVersion(facts(r), await this.service.running.get(cameraId));
    return decideInForce(applied, await this.service.versions.latestStaffPublished(cameraId));
  }

  /** Every camera's, for a page that shows them all: one pass over each table, not one per camera. */
  async all(): Promise<Map<string, InForce>> {
    const summaries = await this.service.versions.summaries();
    const running = await this.service.running.all();
    const out = new Map<string, InForce>();
    for (const r of await this.sql.all<FactsRow>(FACTS)) {
      const applied = appliedVersion(facts(r), running.get(r.camera_id));
      const f = decideInForce(applied, summaries.get(r.camera_id)?.published);
      if (f !== null) out.set(r.camera_id, f);
    }
    return out;
  }
}
