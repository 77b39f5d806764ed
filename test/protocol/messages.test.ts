import { describe, expect, it } from 'vitest';
import {
  MESSAGE_KINDS,
  MESSAGES,
  decodeMessage,
  encodeMessage,
  publishOptions,
  type MessageKind,
} from '../../protocol/index.ts';
import { EXAMPLES } from '../../protocol/examples.ts';

const clone = <T>(v: T): T => structuredClone(v);

function rejectionOf(kind: MessageKind, payload: unknown): string[] {
  const result = decodeMessage(kind, JSON.stringify(payload));
  if (result.ok) throw new Error(`expected ${kind} to be rejected: ${JSON.stringify(payload)}`);
  return [...result.error.issues];
}

describe('every message of the contract', () => {
  it.each(MESSAGE_KINDS)('%s: a valid payload survives encode and decode unchanged', (kind) => {
    const payload = EXAMPLES[kind].payload;
    const wire = encodeMessage(kind, payload as never);
    const decoded = decodeMessage(kind, Buffer.from(wire));
    expect(decoded).toEqual({ ok: true, value: payload });
  });

  it.each(MESSAGE_KINDS)('%s: an unknown key is rejected with its path', (kind) => {
    const issues = rejectionOf(kind, { ...EXAMPLES[kind].payload, surprise: 1 });
    expect(issues).toContain('/: unknown property "surprise"');
  });

  it.each(MESSAGE_KINDS)('%s: a missing required field is rejected with its path', (kind) => {
    const payload = clone(EXAMPLES[kind].payload) as Record<string, unknown>;
    delete payload['camera_id'];
    delete payload['agent_id'];
    const issues = rejectionOf(kind, payload);
    expect(issues.some((i) => i === '/camera_id: is required' || i === '/agent_id: is required')).toBe(true);
  });

  it.each(MESSAGE_KINDS)('%s: encoding an invalid payload throws rather than publishing it', (kind) => {
    expect(() => encodeMessage(kind, { nonsense: true } as never)).toThrow(/VOLNO|does not match/);
  });

  it('declares retained QoS 1 for state, summary, availability, calibration and its acknowledgement', () => {
    for (const kind of ['slot_state', 'camera_summary', 'availability', 'calibration', 'calibration_ack'] as const) {
      expect(publishOptions(kind)).toEqual({ qos: 1, retain: true });
    }
    expect(MESSAGES.snapshot_reply.retain).toBe(false);
    expect(MESSAGES.snapshot_request.retain).toBe(false);
  });
});

describe('payload rejections are readable', () => {
  it('names the offending path and the allowed values of an enum', () => {
    const issues = rejectionOf('slot_state', { ...EXAMPLES.slot_state.payload, state: 'maybe' });
    expect(issues).toEqual(['/state: must be one of "free", "occupied", "unknown"']);
  });

  it('names the array index of a bad polygon point', () => {
    const bad = clone(EXAMPLES.calibration.payload);
    (bad.slots[0]!.polygon[2] as number[])[1] = 1.5;
    expect(rejectionOf('calibration', bad)).toEqual(['/slots/0/polygon/2/1: must be <= 1']);
  });

  it('rejects a self-intersecting polygon with the edges that cross', () => {
    const bad = clone(EXAMPLES.calibration.payload);
    bad.slots[0]!.polygon = [
      [0.1, 0.1],
      [0.3, 0.3],
      [0.3, 0.1],
      [0.1, 0.3],
    ];
    expect(rejectionOf('calibration', bad)).toEqual([
      '/slots/0/polygon: edges 0 and 2 cross; the outline must not intersect itself',
    ]);
  });

  it('rejects duplicate slot ids within one calibration', () => {
    const bad = clone(EXAMPLES.calibration.payload);
    bad.slots.push(clone(bad.slots[0]!));
    expect(rejectionOf('calibration', bad)).toEqual(['/slots/1/slot_id: duplicates /slots/0/slot_id "A07"']);
  });

  it('rejects an unknown state without a reason, and a reason on a known state', () => {
    expect(rejectionOf('slot_state', { ...EXAMPLES.slot_state.payload, state: 'unknown' })).toEqual([
      '/reason: is required when state is unknown',
    ]);
    expect(rejectionOf('slot_state', { ...EXAMPLES.slot_state.payload, reason: 'too_dark' })).toEqual([
      '/reason: must be absent when state is occupied',
    ]);
  });

  it('accepts the broker-published offline will without seq but requires seq from the agent itself', () => {
    const { seq: _seq, sent_at: _sentAt, ...will } = EXAMPLES.availability.payload;
    expect(decodeMessage('availability', JSON.stringify({ ...will, status: 'offline' })).ok).toBe(true);
    expect(rejectionOf('availability', { ...will, status: 'online' })).toEqual([
      '/seq: is required when status is online',
      '/sent_at: is required when status is online',
    ]);
  });

  it('rejects a timestamp that is not RFC 3339', () => {
    expect(rejectionOf('slot_state', { ...EXAMPLES.slot_state.payload, since: 'yesterday' })).toEqual([
      '/since: must match format "date-time"',
    ]);
  });

  it('rejects a nullable field of the wrong type with one line', () => {
    const bad = clone(EXAMPLES.camera_summary.payload) as Record<string, unknown>;
    (bad['stream'] as Record<string, unknown>)['last_frame_at'] = 42;
    expect(rejectionOf('camera_summary', bad)).toEqual(['/stream/last_frame_at: must be string or null']);
  });

  it('rejects bytes that are not JSON and says so', () => {
    const result = decodeMessage('slot_state', Buffer.from([0xff, 0x00, 0x7b]));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('VOLNO_PAYLOAD_NOT_JSON');
  });

  it('rejects JSON whose bytes are not valid UTF-8 instead of storing replacement characters', () => {
    const good = Buffer.from(JSON.stringify(EXAMPLES.heartbeat.payload));
    expect(decodeMessage('heartbeat', good).ok).toBe(true);
    const at = good.indexOf(Buffer.from('"version":"')) + '"version":"'.length;
    expect(at).toBeGreaterThan(20);
    const bad = Buffer.concat([good.subarray(0, at), Buffer.from([0xff]), good.subarray(at)]);
    const result = decodeMessage('heartbeat', bad);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toBe('payload is not valid UTF-8');
  });

  it('rejects an oversized payload before parsing it', () => {
    const result = decodeMessage('slot_state', 'x'.repeat(MESSAGES.slot_state.maxBytes + 1));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('VOLNO_PAYLOAD_TOO_LARGE');
  });

  it('rejects a snapshot reply that claims success without a picture', () => {
    const { jpeg_base64: _jpeg, ...rest } = EXAMPLES.snapshot_reply.payload;
    expect(rejectionOf('snapshot_reply', rest)).toEqual(['/jpeg_base64: is required when result is ok']);
  });
});

describe('rejections of schemas that forbid a value outright', () => {
  it('still explain themselves when no additionalProperties error stands beside them', async () => {
    const { Type } = await import('typebox');
    const { SchemaCodec } = await import('../../protocol/index.ts');
    const codec = new SchemaCodec(Type.Tuple([Type.Number(), Type.Number()]));
    const result = codec.check([1, 2, 3]);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.issues).toEqual(['/2: is not allowed here']);
  });
});
