import type { CameraCalibrationView, OpenAlertsView, SlotOutline } from '../core/camera-console.ts';
import { AgentsStore, type AgentRow } from '../core/storage/agents-store.ts';
import { CamerasStore } from '../core/storage/cameras-store.ts';
import { StateStore, type SlotStateValue } from '../core/storage/state-store.ts';
import type { SqlExecutor } from '../core/storage/sql/port.ts';

/** One tile of the camera wall, everything already looked up. */
export interface WallCamera {
  cameraId: string;
  name: string | null;
  lotId: string | null;
  streamStatus: string | null;
  streamDetail: string | null;
  fps: number | null;
  /** Seconds since the agent last had a frame; null when it never reported one. */
  frameAgeS: number | null;
  moved: boolean;
  /** Too dark: the stream is unusable for that reason, or slots are unknown as `too_dark`. */
  dark: boolean;
  head: string | null;
  agent: Pick<AgentRow, 'agentId' | 'status' | 'version' | 'processCpuPercent' | 'processRssBytes'> | null;
  frame: { width: number; height: number } | null;
  snapshot: { id: string; capturedAt: number } | null;
  slots: (SlotOutline & { state: SlotStateValue })[];
  counts: Record<SlotStateValue, number>;
  accuracy: Awaited<ReturnType<CameraCalibrationView['accuracy']>>;
  alerts: { kind: string; detail: string | null }[];
}

export interface WallSources {
  sql: SqlExecutor;
  calibration: CameraCalibrationView;
  alerts: OpenAlertsView | undefined;
}

/**
 * Reads every source once per page (cameras, agents, slot states, outlines in force, open alerts),
 * never once per camera: the wall refreshes every few seconds on every open staff screen.
 */
export async function wallCameras(s: WallSources, now: number): Promise<WallCamera[]> {
  const noAlerts = new Map<string, { kind: string; detail: string | null }[]>();
  // The sources are independent: read them side by side (on PostgreSQL, on several pooled connections).
  const [agentRows, stateRows, cameraRows, outlinesOf, alertsOf] = await Promise.all([
    new AgentsStore(s.sql).all(),
    new StateStore(s.sql).all(),
    new CamerasStore(s.sql).all(),
    s.calibration.outlines(),
    s.alerts?.openBySubject() ?? noAlerts,
  ]);
  const agents = new Map(agentRows.map((a) => [a.agentId, a]));
  const states = new Map<string, { state: SlotStateValue; reason: string | null }>();
  for (const r of stateRows) states.set(`${r.cameraId}/${r.slotId}`, r);
  const accuracy = new Map(
    await Promise.all(cameraRows.map(async (c) => [c.cameraId, await s.calibration.accuracy(c.cameraId)] as const)),
  );
  return cameraRows.map((c) => {
    const outlines = outlinesOf.get(c.cameraId);
    const counts = { free: 0, occupied: 0, unknown: 0 };
    let darkSlots = 0;
    const slots = (outlines?.slots ?? []).map((o) => {
      const st = states.get(`${c.cameraId}/${o.slotId}`);
      const state = st?.state ?? 'unknown';
      counts[state]++;
      if (st?.reason === 'too_dark') darkSlots++;
      return { ...o, state };
    });
    const a = c.agentId === null ? undefined : agents.get(c.agentId);
    const snap = s.calibration.latestSnapshot(c.cameraId);
    const cameraStats = c.stats as { frames_per_s?: number; head?: string } | null;
    return {
      cameraId: c.cameraId,
      name: c.name,
      lotId: c.lotId,
      streamStatus: c.streamStatus,
      streamDetail: c.streamDetail,
      fps: cameraStats?.frames_per_s ?? c.fps,
      frameAgeS: c.lastFrameAt === null ? null : Math.max(0, Math.round((now - c.lastFrameAt) / 1000)),
      moved: c.streamStatus === 'camera_moved',
      dark: darkSlots > 0 || (c.streamStatus === 'unusable' && /dark/i.test(c.streamDetail ?? '')),
      head: cameraStats?.head ?? null,
      agent:
        a === undefined
          ? null
          : {
              agentId: a.agentId,
              status: a.status,
              version: a.version,
              processCpuPercent: a.processCpuPercent,
              processRssBytes: a.processRssBytes,
            },
      frame: snap ?? (outlines ? { width: outlines.frameWidth, height: outlines.frameHeight } : null),
      snapshot: snap === null ? null : { id: snap.id, capturedAt: snap.capturedAt },
      slots,
      counts,
      accuracy: accuracy.get(c.cameraId) ?? null,
      alerts: [...(alertsOf.get(c.cameraId) ?? []), ...(c.agentId === null ? [] : (alertsOf.get(c.agentId) ?? []))],
    };
  });
}
