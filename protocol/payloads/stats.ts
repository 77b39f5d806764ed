import { Type, type Static } from 'typebox';
import { envelopeFields } from '../envelope.ts';
import { CameraId } from '../ids.ts';

const nonNegative = (title: string, description: string) => Type.Number({ minimum: 0, title, description });
const counter = (title: string, description: string) => Type.Integer({ minimum: 0, title, description });

export const CameraStats = Type.Object(
  {
    camera_id: CameraId,
    frames_per_s: nonNegative('Frames per second', 'Frames analysed per second over the window.'),
    inference_ms_p50: nonNegative('Inference p50', 'Median model run time per frame (all slots in one batch), ms.'),
    inference_ms_p95: nonNegative('Inference p95', '95th percentile model run time per frame, ms.'),
    frames_total: counter('Frames', 'Frames analysed since the agent started.'),
    dropped_frames_total: counter(
      'Dropped frames',
      'Frames skipped because the pipeline was busy or a frame was corrupt.',
    ),
    reconnects_total: counter('Reconnects', 'Times the source was reopened since the agent started.'),
    head: Type.Optional(
      Type.Enum(['generic', 'tuned'] as const, {
        title: 'Head',
        description:
          '`tuned`: a per-camera head fitted on staff labels decides the states; `generic`: the model’s own (issue 12).',
      }),
    ),
  },
  { additionalProperties: false },
);

export const StatsPayload = Type.Object(
  {
    ...envelopeFields,
    window_s: Type.Number({
      exclusiveMinimum: 0,
      title: 'Window',
      description: 'Seconds the rates are averaged over.',
    }),
    mqtt_queue_depth: counter('MQTT queue', 'Messages waiting for the broker (bounded; latest state per slot).'),
    cameras: Type.Array(CameraStats, { maxItems: 256 }),
  },
  { additionalProperties: false, title: 'Statistics', description: 'Operational figures for dashboards.' },
);
export type StatsPayload = Static<typeof StatsPayload>;
