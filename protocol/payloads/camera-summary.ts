import { Type, type Static } from 'typebox';
import { envelopeFields } from '../envelope.ts';
import { CameraId } from '../ids.ts';
import { Timestamp } from '../time.ts';

export const STREAM_STATUSES = ['starting', 'ok', 'stalled', 'down', 'unusable', 'camera_moved'] as const;

const count = (title: string) => Type.Integer({ minimum: 0, title, description: `${title} slots on this camera.` });

export const StreamHealth = Type.Object(
  {
    status: Type.Enum(STREAM_STATUSES, {
      title: 'Stream status',
      description:
        '`ok` frames arrive and are usable; `stalled` no frame within the watchdog; `down` the source cannot be opened; `unusable` frames arrive but are too dark, frozen, covered or blurred; `camera_moved` the view no longer matches the calibration reference.',
    }),
    detail: Type.Optional(
      Type.String({ maxLength: 500, title: 'Detail', description: 'A short human-readable reason, for staff.' }),
    ),
    last_frame_at: Type.Union([Timestamp('Last frame at', 'Capture time of the newest frame.'), Type.Null()], {
      title: 'Last frame at',
      description: 'Capture time of the newest frame, or null when none arrived yet.',
    }),
    fps: Type.Number({ minimum: 0, title: 'Frames per second', description: 'Frames analysed per second, recently.' }),
  },
  { additionalProperties: false, title: 'Stream health' },
);

export const CameraSummaryPayload = Type.Object(
  {
    ...envelopeFields,
    camera_id: CameraId,
    free: count('Free'),
    occupied: count('Occupied'),
    unknown: count('Unknown'),
    total: count('All'),
    observed_at: Timestamp('Observed at', 'Capture time of the frame these counts come from.'),
    stream: StreamHealth,
    calibration_version: Type.Integer({ minimum: 0, title: 'Calibration version' }),
  },
  {
    additionalProperties: false,
    title: 'Camera summary',
    description: 'Counts for one camera; `free + occupied + unknown = total`.',
  },
);
export type CameraSummaryPayload = Static<typeof CameraSummaryPayload>;
