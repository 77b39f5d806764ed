import { Type, type Static } from 'typebox';
import { envelopeFields } from '../envelope.ts';
import { CameraId } from '../ids.ts';
import { Timestamp } from '../time.ts';
import type { RefineIssue } from '../validate.ts';
import { refineClassified, SnapshotClassified } from './tuning.ts';

export const RequestId = Type.String({
  pattern: '^[A-Za-z0-9_-]{8,64}$',
  title: 'Request id',
  description: 'Chosen by the server; the reply topic ends with it.',
});

export const SnapshotRequestPayload = Type.Object(
  {
    camera_id: CameraId,
    request_id: RequestId,
    requested_at: Timestamp('Requested at', 'When the server asked; agents ignore requests older than 60 s.'),
    max_width: Type.Optional(
      Type.Integer({
        minimum: 64,
        maximum: 4096,
        title: 'Max width',
        description: 'Downscale wider frames to this width.',
      }),
    ),
  },
  {
    additionalProperties: false,
    title: 'Snapshot request',
    description: 'Not retained. Asks the agent for one fresh JPEG of a camera, for calibration by staff.',
  },
);
export type SnapshotRequestPayload = Static<typeof SnapshotRequestPayload>;

export const SnapshotReplyPayload = Type.Object(
  {
    ...envelopeFields,
    camera_id: CameraId,
    request_id: RequestId,
    result: Type.Enum(['ok', 'error'] as const, { title: 'Result' }),
    error: Type.Optional(Type.String({ maxLength: 2000, title: 'Error', description: 'Why no frame could be sent.' })),
    captured_at: Type.Optional(Timestamp('Captured at', 'Capture time of the frame.')),
    width: Type.Optional(Type.Integer({ minimum: 1, maximum: 16384 })),
    height: Type.Optional(Type.Integer({ minimum: 1, maximum: 16384 })),
    jpeg_base64: Type.Optional(
      Type.String({
        maxLength: 16_000_000,
        pattern: '^[A-Za-z0-9+/]*={0,2}$',
        contentEncoding: 'base64',
        title: 'JPEG',
        description: 'The frame with privacy masks applied, base64. Never retained, never public.',
      }),
    ),
    classified: Type.Optional(SnapshotClassified),
  },
  {
    additionalProperties: false,
    title: 'Snapshot reply',
    description: 'Not retained. One JPEG, sent only in answer to a request.',
  },
);
export type SnapshotReplyPayload = Static<typeof SnapshotReplyPayload>;

export function refineSnapshotReply(p: SnapshotReplyPayload): RefineIssue[] {
  if (p.result === 'error') {
    return p.error === undefined ? [{ path: '/error', message: 'is required when result is error' }] : [];
  }
  return [
    ...(['jpeg_base64', 'width', 'height', 'captured_at'] as const)
      .filter((k) => p[k] === undefined)
      .map((k) => ({ path: `/${k}`, message: 'is required when result is ok' })),
    ...(p.classified ? refineClassified(p.classified, '/classified') : []),
  ];
}
