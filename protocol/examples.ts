import type { MessageKind, PayloadOf } from './messages.ts';
import type { TopicParams } from './topics.ts';

const envelope = { agent_id: 'agent-1', session_id: 'k3J9xQ2mLp8vW4zA', sent_at: '2026-11-30T08:15:02.481Z' };

/** One valid payload per message, with the ids of its topic. Used by the docs and the contract tests. */
export const EXAMPLES: { [K in MessageKind]: { params: TopicParams; payload: PayloadOf<K> } } = {
  slot_state: {
    params: { site: 'krajsky-urad', camera: 'north-1', slot: 'A07' },
    payload: {
      ...envelope,
      seq: 1842,
      camera_id: 'north-1',
      slot_id: 'A07',
      state: 'occupied',
      confidence: 0.97,
      since: '2026-11-30T07:58:40.120Z',
      observed_at: '2026-11-30T08:15:02.400Z',
      model_id: 'volno-slotnet-v1',
      calibration_version: 3,
    },
  },
  camera_summary: {
    params: { site: 'krajsky-urad', camera: 'north-1' },
    payload: {
      ...envelope,
      seq: 1843,
      camera_id: 'north-1',
      free: 11,
      occupied: 27,
      unknown: 2,
      total: 40,
      observed_at: '2026-11-30T08:15:02.400Z',
      stream: { status: 'ok', last_frame_at: '2026-11-30T08:15:02.400Z', fps: 1 },
      calibration_version: 3,
    },
  },
  availability: {
    params: { site: 'krajsky-urad', agent: 'agent-1' },
    payload: { ...envelope, seq: 0, connection_seq: 0, status: 'online' },
  },
  heartbeat: {
    params: { site: 'krajsky-urad', agent: 'agent-1' },
    payload: {
      ...envelope,
      seq: 1850,
      uptime_s: 86_412.5,
      interval_s: 15,
      version: '0.1.0',
      process: { cpu_percent: 23.5, rss_bytes: 187_432_960, heap_used_bytes: 41_205_760 },
      cameras: [
        { camera_id: 'north-1', stream: { status: 'ok', last_frame_at: '2026-11-30T08:15:02.400Z', fps: 1 } },
        {
          camera_id: 'south-2',
          stream: {
            status: 'stalled',
            detail: 'no frame for 20 s; reconnecting',
            last_frame_at: '2026-11-30T08:14:40.000Z',
            fps: 0,
          },
        },
      ],
    },
  },
  stats: {
    params: { site: 'krajsky-urad', agent: 'agent-1' },
    payload: {
      ...envelope,
      seq: 1851,
      window_s: 60,
      mqtt_queue_depth: 0,
      cameras: [
        {
          camera_id: 'north-1',
          frames_per_s: 1,
          inference_ms_p50: 1.8,
          inference_ms_p95: 3.1,
          frames_total: 86_400,
          dropped_frames_total: 3,
          reconnects_total: 1,
        },
      ],
    },
  },
  calibration: {
    params: { site: 'krajsky-urad', camera: 'north-1' },
    payload: {
      camera_id: 'north-1',
      version: 3,
      issued_at: '2026-11-29T14:02:11.000Z',
      frame_width: 1280,
      frame_height: 720,
      slots: [
        {
          slot_id: 'A07',
          polygon: [
            [0.475, 0.851],
            [0.579, 0.908],
            [0.605, 0.808],
            [0.475, 0.731],
          ],
          exit_delay_s: 60,
        },
      ],
      privacy_masks: [
        [
          [0, 0],
          [0.2, 0],
          [0.2, 0.15],
          [0, 0.15],
        ],
      ],
    },
  },
  calibration_ack: {
    params: { site: 'krajsky-urad', camera: 'north-1' },
    payload: { ...envelope, seq: 1790, camera_id: 'north-1', version: 3, result: 'applied' },
  },
  calibration_running: {
    params: { site: 'krajsky-urad', camera: 'north-1' },
    payload: {
      ...envelope,
      seq: 3,
      camera_id: 'north-1',
      origin: 'file',
      version: 1,
      issued_at: '2026-11-29T14:02:11.000Z',
      // calibrationDigest(calibration): test/protocol/calibration-running.test.ts recomputes it.
      sha256: 'abc70803ec80780af58808d377ddc2c8b3d5b6435b5d57c1be63e1cf444f9f74',
      calibration: {
        frame_width: 1280,
        frame_height: 720,
        slots: [
          {
            slot_id: 'A07',
            polygon: [
              [0.475, 0.851],
              [0.579, 0.908],
              [0.605, 0.808],
              [0.475, 0.731],
            ],
            exit_delay_s: 60,
          },
        ],
        privacy_masks: [],
      },
    },
  },
  snapshot_request: {
    params: { site: 'krajsky-urad', camera: 'north-1' },
    payload: {
      camera_id: 'north-1',
      request_id: 'r-5f2c9a1b',
      requested_at: '2026-11-30T08:16:00.000Z',
      max_width: 1280,
    },
  },
  snapshot_reply: {
    params: { site: 'krajsky-urad', camera: 'north-1', request: 'r-5f2c9a1b' },
    payload: {
      ...envelope,
      seq: 1852,
      camera_id: 'north-1',
      request_id: 'r-5f2c9a1b',
      result: 'ok',
      captured_at: '2026-11-30T08:16:00.310Z',
      width: 1280,
      height: 720,
      jpeg_base64: '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsL' /* truncated */,
    },
  },
};
