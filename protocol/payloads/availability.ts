import { Type, type Static } from 'typebox';
import { connectionSeq, envelopeFields } from '../envelope.ts';
import type { RefineIssue } from '../validate.ts';

export const AVAILABILITY_STATUSES = ['online', 'stopped', 'offline'] as const;

export const AvailabilityPayload = Type.Object(
  {
    agent_id: envelopeFields.agent_id,
    session_id: envelopeFields.session_id,
    connection_seq: connectionSeq,
    status: Type.Enum(AVAILABILITY_STATUSES, {
      title: 'Status',
      description:
        '`online` after connecting; `stopped` on a clean shutdown; `offline` is the last will, published by the broker when the connection is lost.',
    }),
    seq: Type.Optional(envelopeFields.seq),
    sent_at: Type.Optional(envelopeFields.sent_at),
  },
  {
    additionalProperties: false,
    title: 'Agent availability',
    description:
      'Retained. `seq` and `sent_at` are present on `online` and `stopped`, which the agent publishes itself; the `offline` last will is composed at connect time and published by the broker, so it has neither (Sparkplug NDEATH carries only bdSeq too).',
  },
);
export type AvailabilityPayload = Static<typeof AvailabilityPayload>;

export function refineAvailability(p: AvailabilityPayload): RefineIssue[] {
  if (p.status === 'offline') return [];
  const issues: RefineIssue[] = [];
  if (p.seq === undefined) issues.push({ path: '/seq', message: `is required when status is ${p.status}` });
  if (p.sent_at === undefined) issues.push({ path: '/sent_at', message: `is required when status is ${p.status}` });
  return issues;
}
