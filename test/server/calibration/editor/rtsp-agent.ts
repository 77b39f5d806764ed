import { MODELS_DIR, startAgent, type RunningAgent } from '../../../edge/support/agent.ts';
import { SITE } from '../../support/messages.ts';

/**
 * A real agent watching camera `cam-1` over RTSP with no calibration of its own (the server's editor
 * gives it one), states without delay, as the editor's end-to-end tests need it.
 */
export function startRtspAgent(o: {
  agentId: string;
  rtspUrl: string;
  mqttUrl: string;
  model: string;
  statsS: number;
}): Promise<RunningAgent> {
  return startAgent(`
version: 1
site_id: ${SITE}
agent_id: ${o.agentId}
models_dir: ${MODELS_DIR}
intervals: { heartbeat_s: 1, stats_s: ${o.statsS}, refresh_s: 2 }
mqtt: { url: "${o.mqttUrl}", protocol_version: 4, reconnect_period_s: 0.2 }
cameras:
  - id: cam-1
    source: { type: rtsp, url: "${o.rtspUrl}", timeout_s: 5 }
    sample_rate_fps: 2
    model: ${o.model}
    calibration: {}
    delays: { enter_s: 0, exit_s: 0 }
    frame_ttl_s: 10
    reconnect: { initial_s: 0.2, max_s: 1 }
    shift: { enabled: false }
`);
}
