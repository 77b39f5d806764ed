// Config files for real `volno server` and `volno edge` processes: short TTLs and intervals so
// faults show within seconds, free ports (0) and a temp data directory.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { simulatedCalibration } from '../../../edge/simulator/calibration.ts';
import { layoutLot } from '../../../edge/simulator/lot.ts';

export const SITE = 'fault-site';
export const MODEL = 'volno-slotnet-v1';
export const MODELS_DIR = fileURLToPath(new URL('../../../models/', import.meta.url));
/** Bearer token for staff APIs (/metrics, /api/v1/health/…) in every test server. */
export const STAFF_TOKEN = 'fault-tests-staff-token-0123456789';

/** A temp folder for one test file, removed by `cleanup`. */
export function workDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `volno-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A camera of the test site: `slots` slots named `<camera>-s<i>`, laid out like the simulator's lot. */
export interface CameraSpec {
  id: string;
  slots: number;
  /** `simulated` (rendered lot, real model) or an RTSP URL. */
  source: 'simulated' | { rtsp: string };
  /** Simulation seed (different cameras, different cars). */
  seed?: number;
}

const PER_ROW = 4;
/** The RTSP fixture's test pattern is 320x240; the simulator renders 1280x720. */
const layout = (c: CameraSpec) =>
  c.source === 'simulated'
    ? layoutLot(c.slots, Math.min(PER_ROW, c.slots))
    : layoutLot(c.slots, Math.min(PER_ROW, c.slots), 320, 240);
export const slotIds = (c: CameraSpec): string[] => layout(c).slots.map((s) => s.id);

/** Writes a server config (one lot `lot-<camera>` per camera) and returns its path. */
export function writeServerConfig(
  dir: string,
  o: {
    brokerUrl: string;
    cameras: CameraSpec[];
    ingest?: Record<string, unknown>;
    name?: string;
    /** A stable MQTT client id: the broker keeps the server's session across restarts. */
    clientId?: string;
  },
): string {
  const config = {
    version: 1,
    site: SITE,
    data_dir: join(dir, 'server-data'),
    log_level: 'info',
    http: { port: 0, staff_token: STAFF_TOKEN },
    mqtt: { broker_url: o.brokerUrl, ...(o.clientId === undefined ? {} : { client_id: o.clientId }) },
    // Short TTLs so a dead agent shows within seconds; the sweep runs often enough to see it.
    ingest: { agent_ttl_s: 3, missed_heartbeats: 3, sweep_interval_s: 0.5, ...o.ingest },
    lots: o.cameras.map((c) => ({
      lot_id: `lot-${c.id}`,
      name: `Lot ${c.id}`,
      cameras: [{ camera_id: c.id, slots: slotIds(c).map((slot_id) => ({ slot_id })) }],
    })),
  };
  const file = join(dir, `${o.name ?? 'server'}.yaml`);
  writeFileSync(file, stringify(config));
  return file;
}

/** Writes an agent config with calibration files for its cameras and returns its path. */
export function writeEdgeConfig(
  dir: string,
  o: {
    agentId: string;
    brokerUrl: string;
    cameras: CameraSpec[];
    keepaliveS?: number;
    intervals?: Record<string, number>;
  },
): string {
  const home = join(dir, o.agentId);
  mkdirSync(home, { recursive: true });
  const cameras = o.cameras.map((c) => {
    const calibration = join(home, `${c.id}.calibration.json`);
    writeFileSync(calibration, JSON.stringify(simulatedCalibration(layout(c), c.id)));
    const source =
      c.source === 'simulated'
        ? {
            type: 'simulated',
            simulation: { slots: c.slots, per_row: Math.min(PER_ROW, c.slots), seed: c.seed ?? 1 },
          }
        : { type: 'rtsp', url: c.source.rtsp, timeout_s: 5 };
    return {
      id: c.id,
      source,
      sample_rate_fps: 1,
      model: MODEL,
      calibration: { file: calibration },
      delays: { enter_s: 0, exit_s: 0 },
      frame_ttl_s: 3,
      // Generous: on a loaded 2-core machine GStreamer's encoder has taken over 3 s to send a first
      // frame, and a stall restart then only delays it further.
      stall_timeout_s: 10,
      reconnect: { initial_s: 0.2, max_s: 1 },
      // The RTSP test pattern is a still picture: it must not count as a frozen camera, nor as
      // a moved one against the simulator's reference.
      quality: { frozen_s: 86_400 },
      shift: { enabled: false },
    };
  });
  const config = {
    version: 1,
    site_id: SITE,
    agent_id: o.agentId,
    models_dir: MODELS_DIR,
    state_dir: join(home, 'state'),
    log_level: 'info',
    intervals: { heartbeat_s: 1, stats_s: 5, refresh_s: 5, ...o.intervals },
    mqtt: { url: o.brokerUrl, reconnect_period_s: 0.2, connect_timeout_s: 2, keepalive_s: o.keepaliveS ?? 30 },
    cameras,
  };
  const file = join(home, 'edge.yaml');
  writeFileSync(file, stringify(config));
  return file;
}
