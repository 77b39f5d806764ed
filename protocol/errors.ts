import { VolnoError } from '../kit/errors.ts';

/** Stable error codes of the wire contract; callers switch on `code`, never on the message. */
export type ProtocolErrorCode =
  'VOLNO_PAYLOAD_NOT_JSON' | 'VOLNO_PAYLOAD_TOO_LARGE' | 'VOLNO_PAYLOAD_INVALID' | 'VOLNO_TOPIC_INVALID';

export class ProtocolError extends VolnoError<ProtocolErrorCode> {
  override readonly name = 'ProtocolError';
}
