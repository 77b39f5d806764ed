import { Type, type Static } from 'typebox';
import { envelopeFields } from '../envelope.ts';
import { CameraId } from '../ids.ts';
import { StreamHealth } from './camera-summary.ts';

export const HeartbeatPayload = Type.Object(
  {
    ...envelopeFields,
    uptime_s: Type.Number({ minimum: 0, title: 'Uptime', description: 'Seconds since the agent process started.' }),
    interval_s: Type.Number({
      exclusiveMinimum: 0,
      title: 'Interval',
      description: 'Seconds until the next heartbeat; a server may consider the agent silent after a few missed ones.',
    }),
    version: Type.String({ maxLength: 64, title: 'Agent version' }),
    cameras: Type.Array(Type.Object({ camera_id: CameraId, stream: StreamHealth }, { additionalProperties: false }), {
      maxItems: 256,
      title: 'Cameras',
      description: 'Health of every camera this agent runs.',
    }),
  },
  { additionalProperties: false, title: 'Heartbeat', description: 'Liveness, sent every `interval_s`.' },
);
export type HeartbeatPayload = Static<typeof HeartbeatPayload>;
