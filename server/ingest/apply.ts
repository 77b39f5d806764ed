import type { AvailabilityPayload, CameraSummaryPayload } from '../../protocol/index.ts';
import type { AgentRow } from '../core/storage/agents-store.ts';
import type { ApplyDeps, BatchContext } from './apply-context.ts';
import { applySlotState, forceUnknown } from './apply-slot.ts';
import type { IngestMessage } from './validate.ts';

export type { ApplyDeps, ApplyHooks, BatchContext } from './apply-context.ts';

/** One unit of work for the writer, applied in arrival order inside a transaction. */
export type IngestOp =
  { type: 'message'; message: IngestMessage; retained: boolean; receivedAt: number } | { type: 'sweep'; now: number };

/** Applies one operation to the database. Throws only on a storage failure. */
export async function applyOp(op: IngestOp, ctx: BatchContext, d: ApplyDeps): Promise<void> {
  if (op.type === 'sweep') return sweep(op.now, ctx, d);
  const { message: m, retained, receivedAt: now } = op;
  const live = !retained;
  if (m.kind === 'availability') return applyAvailability(m.payload, live, now, ctx, d);
  const { relation, row } = ctx.book.observe(m.payload, live, now);
  if (relation === 'restart' && live) await forceUnknown(row.agentId, 'starting', now, ctx, d, row.sessionId);
  // A live message proves the agent is connected, whatever we concluded from its silence.
  if (live && relation !== 'old_session' && row.status !== 'online') setStatus(row, 'online', now, ctx);
  switch (m.kind) {
    case 'slot_state':
      return applySlotState(m.payload, { relation, agent: row, live, now }, ctx, d);
    case 'camera_summary': {
      if (relation === 'old_session') return d.ignore('old_session');
      const p = m.payload;
      await d.catalog.ensureCamera(p.camera_id, now, d.sql);
      await d.cameras.putSummary({
        cameraId: p.camera_id,
        agentId: p.agent_id,
        ...streamFields(p.stream),
        at: Date.parse(p.observed_at),
        free: p.free,
        occupied: p.occupied,
        unknown: p.unknown,
        total: p.total,
        calibrationVersion: p.calibration_version,
      });
      ctx.health = true;
      return;
    }
    case 'heartbeat': {
      const p = m.payload;
      if (relation !== 'old_session') {
        row.heartbeatIntervalS = p.interval_s;
        row.uptimeS = p.uptime_s;
        row.version = p.version;
        if (p.process !== undefined) {
          row.processCpuPercent = p.process.cpu_percent;
          row.processRssBytes = p.process.rss_bytes;
          row.processHeapUsedBytes = p.process.heap_used_bytes;
        }
      }
      for (const c of p.cameras) {
        await d.catalog.ensureCamera(c.camera_id, now, d.sql);
        await d.cameras.putHealth({
          cameraId: c.camera_id,
          agentId: p.agent_id,
          ...streamFields(c.stream),
          at: Date.parse(p.sent_at),
        });
      }
      ctx.health = true;
      return;
    }
    case 'stats': {
      const p = m.payload;
      if (relation !== 'old_session') row.mqttQueueDepth = p.mqtt_queue_depth;
      for (const c of p.cameras) {
        await d.catalog.ensureCamera(c.camera_id, now, d.sql);
        const { camera_id: _id, ...stats } = c;
        await d.cameras.putStats(c.camera_id, { ...stats, window_s: p.window_s }, Date.parse(p.sent_at));
      }
      ctx.health = true;
      return;
    }
    case 'calibration_ack': {
      const p = m.payload;
      await d.catalog.ensureCamera(p.camera_id, now, d.sql);
      await d.cameras.putCalibrationAck(p.camera_id, p.version, p.result, p.reason ?? null, Date.parse(p.sent_at));
      await d.hooks?.calibrationAck?.(p, d.sql);
      ctx.health = true;
      return;
    }
    case 'calibration_running': {
      // A retained report from an agent's earlier run says nothing about what it runs now.
      if (relation === 'old_session') return d.ignore('old_session');
      await d.catalog.ensureCamera(m.payload.camera_id, now, d.sql);
      await d.hooks?.calibrationRunning?.(m.payload, now, d.sql);
      // What the camera runs may have changed (a new file becomes a version, its slots the lot's):
      // this batch's commit must be announced even when no state or heartbeat shares it.
      ctx.health = true;
      return;
    }
    case 'snapshot_reply':
      // Images are for staff calibrating a camera and only on request (issue 7); never stored here.
      // The hook only hands the payload to the waiting HTTP request; decoding happens there. A reply
      // nobody waits for (late, unknown request) is counted as ignored, as before.
      if (d.hooks?.snapshotReply?.(m.payload) === true) return;
      return d.ignore('snapshot_reply');
  }
}

function setStatus(row: AgentRow, status: AgentRow['status'], now: number, ctx: BatchContext): void {
  row.status = status;
  row.statusAt = now;
  ctx.book.touch(row);
  ctx.health = true;
}

/**
 * `online` / `stopped` from the agent and the broker's `offline` last will. `connection_seq` tells
 * a will left by an older connection from the current one (Sparkplug bdSeq), so a reconnected agent
 * is never marked offline by its own stale will.
 */
async function applyAvailability(
  p: AvailabilityPayload,
  live: boolean,
  now: number,
  ctx: BatchContext,
  d: ApplyDeps,
): Promise<void> {
  const book = ctx.book;
  if (p.status === 'online') {
    const { relation, row } = book.observe(p, live, now);
    if (relation === 'old_session') return d.ignore('old_session');
    if (relation === 'current' && row.connectionSeq !== null && p.connection_seq < row.connectionSeq)
      return d.ignore('stale_availability');
    // A replay of the availability we already know must not revive an agent we found silent.
    if (!live && relation === 'current' && p.connection_seq === row.connectionSeq) return;
    if (relation === 'restart' && live) await forceUnknown(row.agentId, 'starting', now, ctx, d, row.sessionId);
    row.connectionSeq = p.connection_seq;
    setStatus(row, 'online', now, ctx);
    return;
  }
  const row = book.ensure(p.agent_id, now);
  if (row.sessionId !== null && row.sessionId !== p.session_id) {
    // Another session's will is stale, unless it is the broker's retained word about an agent we
    // have not heard live since we started (it restarted and died while we were away).
    const heardLive = row.lastSeenAt !== null && row.lastSeenAt >= d.startedAt;
    if (live || heardLive) return d.ignore('stale_availability');
    row.sessionId = p.session_id;
    row.sessionStartedAt = p.sent_at === undefined ? null : Date.parse(p.sent_at);
    row.lastSeq = p.seq ?? null;
  } else if (row.connectionSeq !== null && p.connection_seq < row.connectionSeq) {
    return d.ignore('stale_availability');
  }
  if (row.sessionId === null) {
    row.sessionId = p.session_id;
    row.sessionStartedAt = p.sent_at === undefined ? null : Date.parse(p.sent_at);
  }
  if (p.seq !== undefined && (row.lastSeq === null || p.seq > row.lastSeq)) row.lastSeq = p.seq;
  if (live) row.lastSeenAt = now;
  row.connectionSeq = p.connection_seq;
  setStatus(row, p.status, now, ctx);
  await forceUnknown(row.agentId, 'agent_offline', now, ctx, d);
}

/** Agents silent past their TTL turn `silent` and their slots `unknown`. */
async function sweep(now: number, ctx: BatchContext, d: ApplyDeps): Promise<void> {
  for (const row of ctx.book.alive()) {
    const ttl = Math.max(d.agentTtlMs, d.missedHeartbeats * (row.heartbeatIntervalS ?? 0) * 1000);
    // Agents last heard before this process started get a full TTL from the start.
    const reference = Math.max(row.lastSeenAt ?? 0, d.startedAt);
    if (now - reference <= ttl) continue;
    setStatus(row, 'silent', now, ctx);
    await forceUnknown(row.agentId, 'agent_offline', now, ctx, d);
  }
}

/** The stream-health columns, shared by camera summaries and heartbeats. */
function streamFields(stream: CameraSummaryPayload['stream']) {
  return {
    status: stream.status,
    detail: stream.detail ?? null,
    lastFrameAt: stream.last_frame_at === null ? null : Date.parse(stream.last_frame_at),
    fps: stream.fps,
  };
}
