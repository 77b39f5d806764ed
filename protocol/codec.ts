import { MESSAGES, type MessageKind, type PayloadOf } from './messages.ts';
import type { Decoded } from './validate.ts';

/** Parses and validates a received payload of `kind`. Never throws; size is checked before parsing. */
export function decodeMessage<K extends MessageKind>(
  kind: K,
  raw: Buffer | Uint8Array | string,
): Decoded<PayloadOf<K>> {
  const spec = MESSAGES[kind];
  return spec.codec.decode(raw, spec.maxBytes) as Decoded<PayloadOf<K>>;
}

/** Validates and serialises a payload the caller built. Throws `VOLNO_PAYLOAD_INVALID` on a bug. */
export function encodeMessage<K extends MessageKind>(kind: K, payload: PayloadOf<K>): string {
  return (MESSAGES[kind].codec.encode as (v: PayloadOf<K>) => string)(payload);
}

/** The QoS and retain flag the contract fixes for `kind`, in mqtt.js's publish-option shape. */
export function publishOptions(kind: MessageKind): { qos: 0 | 1; retain: boolean } {
  const { qos, retain } = MESSAGES[kind];
  return { qos, retain };
}
