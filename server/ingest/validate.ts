import { calibrationDigest } from '../../protocol/calibration-digest.ts';
import {
  decodeMessage,
  parseTopic,
  type AvailabilityPayload,
  type CalibrationAckPayload,
  type CalibrationRunningPayload,
  type CameraSummaryPayload,
  type HeartbeatPayload,
  type MessageKind,
  type SlotStatePayload,
  type SnapshotReplyPayload,
  type StatsPayload,
} from '../../protocol/index.ts';

/** Stable labels for why a message was rejected; they are Prometheus label values and log fields. */
export const REJECT_REASONS = [
  'topic_invalid',
  'wrong_site',
  'wrong_direction',
  'too_large',
  'not_json',
  'schema',
  'topic_mismatch',
  'future_timestamp',
  'agent_mismatch',
  'hash_mismatch',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/** A message that passed every check, ready for the writer. */
export type IngestMessage =
  | { kind: 'slot_state'; payload: SlotStatePayload }
  | { kind: 'camera_summary'; payload: CameraSummaryPayload }
  | { kind: 'availability'; payload: AvailabilityPayload }
  | { kind: 'heartbeat'; payload: HeartbeatPayload }
  | { kind: 'stats'; payload: StatsPayload }
  | { kind: 'calibration_ack'; payload: CalibrationAckPayload }
  | { kind: 'calibration_running'; payload: CalibrationRunningPayload }
  | { kind: 'snapshot_reply'; payload: SnapshotReplyPayload };

export type Validated =
  { ok: true; message: IngestMessage } | { ok: false; reason: RejectReason; kind: MessageKind | null; detail: string };

/** Kinds the server receives; the others are ones it publishes. */
export const INGEST_KINDS = [
  'slot_state',
  'camera_summary',
  'availability',
  'heartbeat',
  'stats',
  'calibration_ack',
  'calibration_running',
  'snapshot_reply',
] as const satisfies readonly MessageKind[];
const INGEST_KIND_SET = new Set<MessageKind>(INGEST_KINDS);

export interface ValidateOptions {
  site: string;
  prefix: string;
  /** Server clock, ms. */
  now: number;
  futureToleranceMs: number;
  /**
   * camera id → the agent configured to watch it (`lots[].cameras[].agent_id`). A message about such a
   * camera from another agent is rejected (issue 13, finding 4). Cameras without agent_id are not bound.
   */
  cameraAgents?: ReadonlyMap<string, string>;
}

/**
 * Everything that can be said about one message without the database: the topic is ours, the
 * payload is valid, the ids in the payload match the topic and no timestamp is from the future.
 * Never throws.
 */
export function validateMessage(topic: string, payload: Buffer | Uint8Array, o: ValidateOptions): Validated {
  const parsed = parseTopic(topic, o.prefix);
  if (parsed === null)
    return { ok: false, reason: 'topic_invalid', kind: null, detail: 'topic is not part of the contract' };
  const { kind, params } = parsed;
  if (params.site !== o.site)
    return { ok: false, reason: 'wrong_site', kind, detail: `site "${params.site}" is not "${o.site}"` };
  if (!INGEST_KIND_SET.has(kind))
    return { ok: false, reason: 'wrong_direction', kind, detail: `${kind} is published by the server, not agents` };
  const decoded = decodeMessage(kind, payload);
  if (!decoded.ok) {
    const reason: RejectReason =
      decoded.error.code === 'VOLNO_PAYLOAD_TOO_LARGE'
        ? 'too_large'
        : decoded.error.code === 'VOLNO_PAYLOAD_NOT_JSON'
          ? 'not_json'
          : 'schema';
    const detail =
      decoded.error.issues.length > 0 ? decoded.error.issues.slice(0, 5).join('; ') : decoded.error.message;
    return { ok: false, reason, kind, detail };
  }
  if (hasLoneSurrogate(decoded.value))
    return { ok: false, reason: 'schema', kind, detail: 'a string holds a lone UTF-16 surrogate (not Unicode text)' };
  const message = { kind, payload: decoded.value } as IngestMessage;
  const mismatch = topicMismatch(message, params);
  if (mismatch !== null) return { ok: false, reason: 'topic_mismatch', kind, detail: mismatch };
  const foreign = o.cameraAgents === undefined ? null : foreignCamera(message, o.cameraAgents);
  if (foreign !== null) return { ok: false, reason: 'agent_mismatch', kind, detail: foreign };
  const future = futureTimestamp(message, o.now + o.futureToleranceMs);
  if (future !== null) return { ok: false, kind, ...future };
  // Checked here, not trusted: the server records a file calibration by this hash (calibration/running.ts).
  if (message.kind === 'calibration_running') {
    const computed = calibrationDigest(message.payload.calibration);
    if (computed !== message.payload.sha256)
      return {
        ok: false,
        reason: 'hash_mismatch',
        kind,
        detail: `/sha256: ${message.payload.sha256} is not the hash of /calibration (${computed})`,
      };
  }
  return { ok: true, message };
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * JSON may escape half a surrogate pair (`"\ud800"`); JSON Schema accepts it, but it is not text
 * and turns into U+FFFD in SQLite and in every UTF-8 output, so such payloads are rejected.
 */
function hasLoneSurrogate(v: unknown): boolean {
  if (typeof v === 'string') return LONE_SURROGATE.test(v);
  if (Array.isArray(v)) return v.some(hasLoneSurrogate);
  if (v !== null && typeof v === 'object')
    return Object.entries(v).some(([k, x]) => LONE_SURROGATE.test(k) || hasLoneSurrogate(x));
  return false;
}

function topicMismatch(
  m: IngestMessage,
  params: { camera?: string; agent?: string; slot?: string; request?: string },
): string | null {
  const checks: [string, string | undefined, string | undefined][] = [];
  switch (m.kind) {
    case 'slot_state':
      checks.push(['camera_id', m.payload.camera_id, params.camera], ['slot_id', m.payload.slot_id, params.slot]);
      break;
    case 'camera_summary':
    case 'calibration_ack':
    case 'calibration_running':
      checks.push(['camera_id', m.payload.camera_id, params.camera]);
      break;
    case 'snapshot_reply':
      checks.push(
        ['camera_id', m.payload.camera_id, params.camera],
        ['request_id', m.payload.request_id, params.request],
      );
      break;
    case 'availability':
    case 'heartbeat':
    case 'stats':
      checks.push(['agent_id', m.payload.agent_id, params.agent]);
      break;
  }
  const bad = checks.find(([, inPayload, inTopic]) => inPayload !== inTopic);
  return bad === undefined ? null : `/${bad[0]}: "${bad[1]}" does not match the topic ("${bad[2]}")`;
}

/**
 * The broker lets an agent publish only on its own cameras' topics (broker-rules.ts), but the
 * payload names the agent, and the writer trusts that name for restarts, liveness and per-camera
 * health: agent-1 saying `agent_id: agent-2` made the server declare agent-2 restarted. So every
 * camera a message speaks about must be configured for the agent it names.
 */
function foreignCamera(m: IngestMessage, owners: ReadonlyMap<string, string>): string | null {
  const agent = m.payload.agent_id;
  const cameras =
    m.kind === 'heartbeat' || m.kind === 'stats'
      ? m.payload.cameras.map((c) => c.camera_id)
      : m.kind === 'availability'
        ? []
        : [m.payload.camera_id];
  for (const camera of cameras) {
    const owner = owners.get(camera);
    if (owner !== undefined && owner !== agent)
      return `/agent_id: "${agent}" is not the agent of camera ${camera} (configured: "${owner}")`;
  }
  return null;
}

/** The timestamps each kind carries; `last_frame_at` values are checked too, they feed health pages. */
function timestamps(m: IngestMessage): [string, string | null | undefined][] {
  const p = m.payload;
  switch (m.kind) {
    case 'slot_state':
      return [
        ['sent_at', m.payload.sent_at],
        ['observed_at', m.payload.observed_at],
        ['since', m.payload.since],
      ];
    case 'camera_summary':
      return [
        ['sent_at', m.payload.sent_at],
        ['observed_at', m.payload.observed_at],
        ['stream/last_frame_at', m.payload.stream.last_frame_at],
      ];
    case 'heartbeat':
      return [
        ['sent_at', m.payload.sent_at],
        ...m.payload.cameras.map((c, i): [string, string | null] => [
          `cameras/${i}/stream/last_frame_at`,
          c.stream.last_frame_at,
        ]),
      ];
    case 'snapshot_reply':
      return [['sent_at', m.payload.sent_at]];
    default:
      return [['sent_at', 'sent_at' in p ? p.sent_at : undefined]];
  }
}

function futureTimestamp(m: IngestMessage, latest: number): { reason: RejectReason; detail: string } | null {
  for (const [path, value] of timestamps(m)) {
    if (value === undefined || value === null) continue;
    const t = Date.parse(value);
    // The date-time format admits a leap second (":60"), which Date cannot represent.
    if (!Number.isFinite(t)) return { reason: 'schema', detail: `/${path}: "${value}" is not a representable time` };
    if (t > latest)
      return {
        reason: 'future_timestamp',
        detail: `/${path}: ${value} is ${Math.ceil((t - latest) / 1000)} s beyond the tolerated clock skew`,
      };
  }
  return null;
}
