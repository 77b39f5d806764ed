import { Type } from 'typebox';
import { AgentId } from './ids.ts';
import { Timestamp } from './time.ts';

/**
 * Fields carried by every message an agent publishes itself, after Sparkplug B's idea of
 * bdSeq/seq but in JSON:
 * - `session_id` is new each time the agent process starts, so a new value means a restart;
 * - `seq` counts every message of the session from 0 without reset or wrap, so a jump means
 *   messages were lost (a gap), and a lower value with the same session means a redelivery;
 * - `connection_seq` (on availability) counts MQTT connections within the session, so the
 *   broker's last will for an old connection can be told from the current one.
 */
export const envelopeFields = {
  agent_id: AgentId,
  session_id: Type.String({
    minLength: 8,
    maxLength: 64,
    pattern: '^[A-Za-z0-9_-]+$',
    title: 'Session id',
    description: 'Random id chosen when the agent process starts; a new value means the agent restarted.',
  }),
  seq: Type.Integer({
    minimum: 0,
    maximum: Number.MAX_SAFE_INTEGER,
    title: 'Sequence number',
    description:
      'Counts every message the agent publishes in this session, from 0, across all topics. A jump is a gap.',
  }),
  sent_at: Timestamp('Sent at', 'When the agent published this message (agent clock, UTC).'),
};

export const connectionSeq = Type.Integer({
  minimum: 0,
  maximum: Number.MAX_SAFE_INTEGER,
  title: 'Connection sequence',
  description:
    'Counts MQTT connections within the session (Sparkplug bdSeq); the last will carries the value of the connection it belongs to.',
});
