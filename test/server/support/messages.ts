// Valid agent messages for tests, built from the protocol's own examples so they stay valid when
// the contract changes. Every factory takes overrides.
import { buildTopic, encodeMessage, type PayloadOf } from '../../../protocol/index.ts';

export const SITE = 'krajsky-urad';
export const PREFIX = 'volno/v1';

export interface AgentIdentity {
  agent_id: string;
  session_id: string;
}

/** A fake agent that numbers its messages like a real one (seq across all topics). */
export class FakeAgent {
  seq = 0;
  constructor(
    readonly agentId = 'agent-1',
    readonly sessionId = 'session-aaaaaaaa',
    private readonly now: () => number = () => Date.now(),
  ) {}

  private envelope() {
    return {
      agent_id: this.agentId,
      session_id: this.sessionId,
      seq: this.seq++,
      sent_at: new Date(this.now()).toISOString(),
    };
  }

  slotState(
    camera: string,
    slot: string,
    state: 'free' | 'occupied' | 'unknown',
    o: Partial<PayloadOf<'slot_state'>> = {},
  ): { topic: string; payload: string; value: PayloadOf<'slot_state'> } {
    const t = new Date(this.now()).toISOString();
    const value: PayloadOf<'slot_state'> = {
      ...this.envelope(),
      camera_id: camera,
      slot_id: slot,
      state,
      ...(state === 'unknown' ? { reason: 'stream_down' as const } : {}),
      confidence: state === 'unknown' ? 0 : 0.95,
      since: t,
      observed_at: t,
      model_id: 'volno-slotnet-v1',
      calibration_version: 1,
      ...o,
    };
    return {
      topic: buildTopic('slot_state', { site: SITE, camera, slot }, PREFIX),
      payload: encodeMessage('slot_state', value),
      value,
    };
  }

  availability(status: 'online' | 'stopped' | 'offline', connectionSeq = 0): { topic: string; payload: string } {
    const base = { agent_id: this.agentId, session_id: this.sessionId, connection_seq: connectionSeq, status };
    const value: PayloadOf<'availability'> =
      status === 'offline' ? base : { ...base, seq: this.seq++, sent_at: new Date(this.now()).toISOString() };
    return {
      topic: buildTopic('availability', { site: SITE, agent: this.agentId }, PREFIX),
      payload: encodeMessage('availability', value),
    };
  }

  heartbeat(intervalS = 15, cameras: string[] = []): { topic: string; payload: string } {
    const value: PayloadOf<'heartbeat'> = {
      ...this.envelope(),
      uptime_s: 100,
      interval_s: intervalS,
      version: '0.1.0',
      process: { cpu_percent: 12.5, rss_bytes: 120_000_000, heap_used_bytes: 40_000_000 },
      cameras: cameras.map((camera_id) => ({
        camera_id,
        stream: { status: 'ok' as const, last_frame_at: new Date(this.now()).toISOString(), fps: 1 },
      })),
    };
    return {
      topic: buildTopic('heartbeat', { site: SITE, agent: this.agentId }, PREFIX),
      payload: encodeMessage('heartbeat', value),
    };
  }

  summary(
    camera: string,
    counts: { free: number; occupied: number; unknown: number },
  ): { topic: string; payload: string } {
    const t = new Date(this.now()).toISOString();
    const value: PayloadOf<'camera_summary'> = {
      ...this.envelope(),
      camera_id: camera,
      ...counts,
      total: counts.free + counts.occupied + counts.unknown,
      observed_at: t,
      stream: { status: 'ok', last_frame_at: t, fps: 1 },
      calibration_version: 1,
    };
    return {
      topic: buildTopic('camera_summary', { site: SITE, camera }, PREFIX),
      payload: encodeMessage('camera_summary', value),
    };
  }
}
