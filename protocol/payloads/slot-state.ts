import { Type, type Static } from 'typebox';
import { envelopeFields } from '../envelope.ts';
import { CameraId, SlotId } from '../ids.ts';
import { Timestamp } from '../time.ts';
import type { RefineIssue } from '../validate.ts';

export const SLOT_STATES = ['free', 'occupied', 'unknown'] as const;
export const SlotStateValue = Type.Enum(SLOT_STATES, {
  title: 'State',
  description: '`unknown` whenever the agent cannot know; an agent never reports `free` by default.',
});

/** Why a slot is `unknown`. Consumers show these to staff, never to the public. */
export const UNKNOWN_REASONS = [
  'starting',
  'stream_down',
  'stale_frame',
  'too_dark',
  'frozen',
  'covered',
  'blurred',
  'camera_moved',
  'no_calibration',
  'low_confidence',
  'uncertain',
  'agent_offline',
] as const;
export const UnknownReason = Type.Enum(UNKNOWN_REASONS, {
  title: 'Unknown reason',
  description: 'Why the state is `unknown`; present only then.',
});

export const SlotStatePayload = Type.Object(
  {
    ...envelopeFields,
    camera_id: CameraId,
    slot_id: SlotId,
    state: SlotStateValue,
    reason: Type.Optional(UnknownReason),
    confidence: Type.Number({
      minimum: 0,
      maximum: 1,
      title: 'Confidence',
      description: "The model's confidence in `state` (0–1) after smoothing; 0 when `unknown`.",
    }),
    since: Timestamp('Since', 'When the current state began, kept across agent restarts when continuity is proven.'),
    observed_at: Timestamp('Observed at', 'Capture time of the newest frame that confirmed this state.'),
    model_id: Type.String({ minLength: 1, maxLength: 128, title: 'Model id', description: 'The model that decided.' }),
    calibration_version: Type.Integer({
      minimum: 0,
      title: 'Calibration version',
      description: 'The calibration version whose polygon was used; 0 before any calibration was applied.',
    }),
  },
  {
    additionalProperties: false,
    title: 'Slot state',
    description: 'Current state of one parking slot. `reason` is present exactly when `state` is `unknown`.',
  },
);
export type SlotStatePayload = Static<typeof SlotStatePayload>;

/** `unknown` must say why, and a known state must not carry a stale reason. */
export function refineSlotState(p: SlotStatePayload): RefineIssue[] {
  if (p.state === 'unknown' && p.reason === undefined)
    return [{ path: '/reason', message: 'is required when state is unknown' }];
  if (p.state !== 'unknown' && p.reason !== undefined)
    return [{ path: '/reason', message: `must be absent when state is ${p.state}` }];
  return [];
}
