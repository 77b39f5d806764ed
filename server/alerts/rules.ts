import type { AgentRow } from '../core/storage/agents-store.ts';
import type { CameraRow } from '../core/storage/cameras-store.ts';
import type { SlotStateRow } from '../core/storage/state-store.ts';
import { conditionKey, type AlertKind, type Condition } from './types.ts';

/** Everything the rules look at in one evaluation; gathered by the monitor, so the rules stay pure. */
export interface Observations {
  now: number;
  cameras: readonly CameraRow[];
  agents: readonly AgentRow[];
  states: readonly SlotStateRow[];
  /** Slots kept free for a booking right now, as `camera/slot`. */
  held: ReadonlySet<string>;
  /** Storage errors counted since the previous evaluation. */
  storageErrors: number;
}

/** Agent statuses that mean nobody hears from it; `stopped` is a deliberate shutdown and raises nothing. */
const AGENT_GONE = new Set(['offline', 'silent']);
/** Stream statuses of a camera whose agent is alive but gets no usable frames from it. */
const STREAM_DOWN = new Set(['down', 'stalled']);

/** The conditions that hold now, at most one per key. */
export function evaluateRules(o: Observations, unknownAfterMs: number): Condition[] {
  const out = new Map<string, Condition>();
  const add = (kind: AlertKind, subject: string, detail: string | null) =>
    out.set(conditionKey(kind, subject), { key: conditionKey(kind, subject), kind, subject, detail });
  const gone = new Set(o.agents.filter((a) => AGENT_GONE.has(a.status)).map((a) => a.agentId));
  for (const a of o.agents) if (gone.has(a.agentId)) add('agent_offline', a.agentId, a.status);
  // A camera whose agent is gone reports nothing: that is the agent's alert, not one per camera.
  const explained = new Set<string>();
  for (const c of o.cameras) {
    if (c.agentId !== null && gone.has(c.agentId)) {
      explained.add(c.cameraId);
      continue;
    }
    if (c.streamStatus !== null && STREAM_DOWN.has(c.streamStatus)) {
      add('camera_down', c.cameraId, c.streamDetail ?? c.streamStatus);
      explained.add(c.cameraId);
    } else if (c.streamStatus === 'camera_moved') {
      add('camera_moved', c.cameraId, c.streamDetail);
      explained.add(c.cameraId);
    }
  }
  if (o.storageErrors > 0) add('storage_errors', 'server', `${o.storageErrors} failed writes`);
  const unknownLong = new Map<string, { n: number; reasons: Set<string> }>();
  for (const s of o.states) {
    if (s.state === 'occupied' && o.held.has(`${s.cameraId}/${s.slotId}`))
      add('held_space_taken', `${s.cameraId}/${s.slotId}`, null);
    // Slots of a camera that already has an alert go unknown for that reason: one alert, not two.
    if (s.state === 'unknown' && o.now - s.since >= unknownAfterMs && !explained.has(s.cameraId)) {
      const u = unknownLong.get(s.cameraId) ?? { n: 0, reasons: new Set<string>() };
      u.n++;
      if (s.reason !== null) u.reasons.add(s.reason);
      unknownLong.set(s.cameraId, u);
    }
  }
  for (const [camera, u] of unknownLong)
    add('unknown_too_long', camera, `${u.n} slots${u.reasons.size > 0 ? `: ${[...u.reasons].sort().join(', ')}` : ''}`);
  return [...out.values()];
}
