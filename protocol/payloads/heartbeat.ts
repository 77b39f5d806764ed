import { Type, type Static } from 'typebox';
import { envelopeFields } from '../envelope.ts';
import { CameraId } from '../ids.ts';
import { StreamHealth } from './camera-summary.ts';

/** The agent process's own load, so an operator sees a box running hot before it falls behind. */
export const AgentProcess = Type.Object(
  {
    cpu_percent: Type.Number({
      minimum: 0,
      title: 'CPU',
      description: 'CPU time the agent process used since the previous heartbeat, in % of one core (can exceed 100).',
    }),
    rss_bytes: Type.Integer({ minimum: 0, title: 'Resident memory', description: 'Resident set size, bytes.' }),
    heap_used_bytes: Type.Integer({ minimum: 0, title: 'JS heap', description: 'V8 heap in use, bytes.' }),
  },
  { additionalProperties: false, title: 'Agent process' },
);

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
    process: Type.Optional(AgentProcess),
    cameras: Type.Array(Type.Object({ camera_id: CameraId, stream: StreamHealth }, { additionalProperties: false }), {
      maxItems: 256,
      title: 'Cameras',
      description: 'Health of every camera this agent runs.',
    }),
  },
  { additionalProperties: false, title: 'Heartbeat', description: 'Liveness, sent every `interval_s`.' },
);
export type HeartbeatPayload = Static<typeof HeartbeatPayload>;
