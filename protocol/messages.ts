import type { Static, TSchema } from 'typebox';
import { AvailabilityPayload, refineAvailability } from './payloads/availability.ts';
import { CalibrationAckPayload, CalibrationPayload, refineCalibration } from './payloads/calibration.ts';
import { CalibrationRunningPayload, refineCalibrationRunning } from './payloads/calibration-running.ts';
import { CameraSummaryPayload } from './payloads/camera-summary.ts';
import { HeartbeatPayload } from './payloads/heartbeat.ts';
import { refineSlotState, SlotStatePayload } from './payloads/slot-state.ts';
import { refineSnapshotReply, SnapshotReplyPayload, SnapshotRequestPayload } from './payloads/snapshot.ts';
import { StatsPayload } from './payloads/stats.ts';
import { SchemaCodec } from './validate.ts';

export type Direction = 'agent → server' | 'server → agent' | 'broker → server';

/** Everything a topic promises: who sends it, how the broker keeps it, and what it carries. */
export interface MessageSpec<S extends TSchema = TSchema> {
  /** Topic below `{prefix}/{site}/`; `{name}` marks a level filled from an id. */
  readonly template: string;
  readonly direction: Direction;
  readonly retain: boolean;
  readonly qos: 0 | 1;
  readonly summary: string;
  readonly codec: SchemaCodec<S>;
  /** Largest payload a receiver accepts; anything bigger is rejected before parsing. */
  readonly maxBytes: number;
}

const KiB = 1024;
const spec = <S extends TSchema>(
  s: Omit<MessageSpec<S>, 'codec'> & { schema: S; refine?: (v: Static<S>) => { path: string; message: string }[] },
): MessageSpec<S> => {
  const { schema, refine, ...rest } = s;
  return { ...rest, codec: new SchemaCodec(schema, refine) };
};

/** The whole MQTT contract: one entry per topic. `docs/mqtt.md` is generated from this table. */
export const MESSAGES = {
  slot_state: spec({
    template: 'camera/{camera}/slot/{slot}/state',
    direction: 'agent → server',
    retain: true,
    qos: 1,
    summary: 'Per-slot state. Published on every change and in the periodic full refresh.',
    schema: SlotStatePayload,
    refine: refineSlotState,
    maxBytes: 4 * KiB,
  }),
  camera_summary: spec({
    template: 'camera/{camera}/summary',
    direction: 'agent → server',
    retain: true,
    qos: 1,
    summary: 'Free/occupied/unknown counts and stream health of one camera.',
    schema: CameraSummaryPayload,
    maxBytes: 8 * KiB,
  }),
  availability: spec({
    template: 'agent/{agent}/availability',
    direction: 'agent → server',
    retain: true,
    qos: 1,
    summary: '`online` / `stopped` from the agent; `offline` is its last will, published by the broker.',
    schema: AvailabilityPayload,
    refine: refineAvailability,
    maxBytes: 4 * KiB,
  }),
  heartbeat: spec({
    template: 'agent/{agent}/heartbeat',
    direction: 'agent → server',
    retain: false,
    qos: 0,
    summary: 'Liveness and per-camera stream health, every `interval_s`.',
    schema: HeartbeatPayload,
    maxBytes: 64 * KiB,
  }),
  stats: spec({
    template: 'agent/{agent}/stats',
    direction: 'agent → server',
    retain: false,
    qos: 0,
    summary: 'Frames/s, inference time, dropped frames and reconnects per camera.',
    schema: StatsPayload,
    maxBytes: 64 * KiB,
  }),
  calibration: spec({
    template: 'camera/{camera}/calibration',
    direction: 'server → agent',
    retain: true,
    qos: 1,
    summary: 'The versioned slot polygons of a camera; applied without a restart.',
    schema: CalibrationPayload,
    refine: refineCalibration,
    maxBytes: 12 * 1024 * KiB,
  }),
  calibration_ack: spec({
    template: 'camera/{camera}/calibration/ack',
    direction: 'agent → server',
    retain: true,
    qos: 1,
    summary: 'The agent applied or rejected a calibration version, and why.',
    schema: CalibrationAckPayload,
    maxBytes: 8 * KiB,
  }),
  calibration_running: spec({
    template: 'camera/{camera}/calibration/running',
    direction: 'agent → server',
    retain: true,
    qos: 1,
    summary:
      'The calibration the agent runs, where it came from, and its hash. The server records a file calibration as a version unless staff have published one.',
    schema: CalibrationRunningPayload,
    refine: refineCalibrationRunning,
    // No reference image. The largest report the schema allows (1000 slots and 64 masks of 32 points,
    // a 4096-weight head, every number at its longest) is 2,050,053 bytes: test/protocol/calibration-running.test.ts.
    maxBytes: 2 * 1024 * KiB,
  }),
  snapshot_request: spec({
    template: 'camera/{camera}/snapshot/request',
    direction: 'server → agent',
    retain: false,
    qos: 1,
    summary: 'Asks for one fresh JPEG, for staff calibrating the camera.',
    schema: SnapshotRequestPayload,
    maxBytes: 4 * KiB,
  }),
  snapshot_reply: spec({
    template: 'camera/{camera}/snapshot/reply/{request}',
    direction: 'agent → server',
    retain: false,
    qos: 1,
    summary: 'The JPEG (base64, privacy masks applied), or why there is none. Only ever sent on request.',
    schema: SnapshotReplyPayload,
    refine: refineSnapshotReply,
    maxBytes: 22 * 1024 * KiB,
  }),
} as const;

export type MessageKind = keyof typeof MESSAGES;
export type PayloadOf<K extends MessageKind> = Static<(typeof MESSAGES)[K]['codec']['schema']>;
export const MESSAGE_KINDS = Object.keys(MESSAGES) as MessageKind[];
