/** Stable error codes of the wire contract; callers switch on `code`, never on the message. */
export type ProtocolErrorCode =
  'VOLNO_PAYLOAD_NOT_JSON' | 'VOLNO_PAYLOAD_TOO_LARGE' | 'VOLNO_PAYLOAD_INVALID' | 'VOLNO_TOPIC_INVALID';

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  constructor(
    readonly code: ProtocolErrorCode,
    message: string,
    /** Readable `path: message` lines, one per problem. */
    readonly issues: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(issues.length > 0 ? `${message}\n  ${issues.join('\n  ')}` : message, options);
  }
}
