import type { SlotStatePayload } from '../../protocol/index.ts';
import type { AgentRow } from '../core/storage/agents-store.ts';
import type { SlotStateRow } from '../core/storage/state-store.ts';
import type { SessionRelation } from './agent-book.ts';
import { slotKey, type ApplyDeps, type BatchContext } from './apply-context.ts';

export interface SlotContext {
  relation: SessionRelation;
  agent: AgentRow;
  live: boolean;
  now: number;
}

const DOWN = new Set(['offline', 'stopped', 'silent']);

/**
 * Current state plus history for one slot report.
 * - A report not newer than the stored observation is a replay and changes nothing (retained
 *   messages come back on every resubscribe, in any order).
 * - A report from a dead session, or a retained one from an agent known to be down, says what the
 *   slot looked like when nobody can vouch for it any more: it is stored as `unknown`.
 * - History gets a row only when the state changes, never for a refresh.
 */
export async function applySlotState(
  p: SlotStatePayload,
  s: SlotContext,
  ctx: BatchContext,
  d: ApplyDeps,
): Promise<void> {
  await d.catalog.ensureSlot(p.camera_id, p.slot_id, s.now, d.sql);
  // Read once per batch (applyBatch); a slot missing from that read is read on its own.
  const known = ctx.slots.get(slotKey(p.camera_id, p.slot_id));
  const prev = known !== undefined ? (known ?? undefined) : await readState(p.camera_id, p.slot_id, ctx, d);
  const observedAt = Date.parse(p.observed_at);
  if (prev !== undefined && observedAt < prev.observedAt) return d.ignore('stale');
  // The server itself turned this very report unknown (its agent went silent or offline). The agent
  // saying it again while back online is news, not a replay: an agent that resumes republishes its
  // last reports unchanged, and ignoring them left its slots unknown until the next full refresh
  // (test/system/agent-broker-faults.test.ts, a frozen agent resumed).
  const reasserted = prev?.source === 'server' && s.relation !== 'old_session' && (s.live || !DOWN.has(s.agent.status));
  if (prev !== undefined && observedAt === prev.observedAt && !reasserted) return d.ignore('duplicate');
  const forced = s.relation === 'old_session' || (!s.live && DOWN.has(s.agent.status));
  const state = forced ? 'unknown' : p.state;
  const changed = prev?.state !== state;
  // The agent knows when a state began (its debounce), but per slot history must stay in order.
  const reported = Math.min(Date.parse(p.since), observedAt);
  const since = !changed ? prev.since : forced ? s.now : Math.max(reported, prev?.since ?? reported);
  const row: SlotStateRow = {
    cameraId: p.camera_id,
    slotId: p.slot_id,
    state,
    reason: forced ? 'agent_offline' : (p.reason ?? null),
    confidence: forced ? 0 : p.confidence,
    since,
    observedAt,
    receivedAt: s.now,
    agentId: p.agent_id,
    sessionId: p.session_id,
    seq: p.seq,
    modelId: p.model_id,
    calibrationVersion: p.calibration_version,
    source: forced ? 'server' : 'agent',
  };
  await put(row, ctx, d);
  const lotId = d.catalog.lotOf(p.camera_id, p.slot_id);
  if (changed) {
    await d.states.addTransition({
      cameraId: p.camera_id,
      slotId: p.slot_id,
      lotId,
      fromState: prev?.state ?? null,
      toState: state,
      reason: row.reason,
      at: since,
      recordedAt: s.now,
      source: row.source,
    });
  }
  ctx.lots.add(lotId);
}

/**
 * Turns every slot last reported by `agentId` unknown, because nobody can vouch for it now
 * (the agent went offline or silent, or restarted and has not reported yet). With `keepSession`,
 * slots already reported by that session are left alone.
 */
export async function forceUnknown(
  agentId: string,
  reason: 'agent_offline' | 'starting',
  now: number,
  ctx: BatchContext,
  d: ApplyDeps,
  keepSession?: string | null,
): Promise<void> {
  // From the database, not the batch's map: the map has only the cameras the batch reports on, and
  // inside the transaction the database already holds every write of the batch.
  for (const prev of await d.states.notYetOfflineOf(agentId, { forUpdate: true })) {
    if (keepSession != null && prev.sessionId === keepSession) continue;
    const changed = prev.state !== 'unknown';
    await put(
      {
        ...prev,
        state: 'unknown',
        reason,
        confidence: 0,
        since: changed ? now : prev.since,
        receivedAt: now,
        source: 'server',
      },
      ctx,
      d,
    );
    const lotId = d.catalog.lotOf(prev.cameraId, prev.slotId);
    if (changed)
      await d.states.addTransition({
        cameraId: prev.cameraId,
        slotId: prev.slotId,
        lotId,
        fromState: prev.state,
        toState: 'unknown',
        reason,
        at: now,
        recordedAt: now,
        source: 'server',
      });
    ctx.lots.add(lotId);
  }
}

/** A slot's current state from the database, remembered for the rest of the batch. */
async function readState(
  cameraId: string,
  slotId: string,
  ctx: BatchContext,
  d: ApplyDeps,
): Promise<SlotStateRow | undefined> {
  const row = await d.states.get(cameraId, slotId, { forUpdate: true });
  ctx.slots.set(slotKey(cameraId, slotId), row ?? null);
  return row;
}

async function put(row: SlotStateRow, ctx: BatchContext, d: ApplyDeps): Promise<void> {
  await d.states.put(row);
  ctx.slots.set(slotKey(row.cameraId, row.slotId), row);
}
