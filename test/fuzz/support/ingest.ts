// What the ingest fuzz tests need around a running server: topics to send hostile payloads on, the
// outcome the contract predicts for each message, counters and snapshots of what is stored.
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import {
  buildTopic,
  decodeMessage,
  MESSAGE_KINDS,
  MESSAGES,
  parseTopic,
  type MessageKind,
} from '../../../protocol/index.ts';
import { PREFIX, SITE } from '../../server/support/messages.ts';
import { baseParams, hostilePayload } from './payloads.ts';

export interface FuzzMessage {
  topic: string;
  payload: Buffer;
  retained: boolean;
}

/** Kinds agents send; the server subscribes to exactly these (judged from the contract, not the server). */
export const AGENT_KINDS = MESSAGE_KINDS.filter((k) => MESSAGES[k].direction === 'agent → server');

/**
 * The reason the contract alone predicts for a message, or `undefined` when the payload is valid
 * and only the server can tell (accepted, or refused as topic_mismatch, future_timestamp, schema).
 */
export function predictedRejection(m: FuzzMessage): string | undefined {
  const parsed = parseTopic(m.topic, PREFIX);
  if (parsed === null) return 'topic_invalid';
  if (parsed.params.site !== SITE) return 'wrong_site';
  if (MESSAGES[parsed.kind].direction !== 'agent → server') return 'wrong_direction';
  const d = decodeMessage(parsed.kind, m.payload);
  if (d.ok) return undefined;
  return (
    { VOLNO_PAYLOAD_TOO_LARGE: 'too_large', VOLNO_PAYLOAD_NOT_JSON: 'not_json' }[d.error.code as string] ?? 'schema'
  );
}

/** Reasons the server may add for a payload the contract accepts. */
export const LATE_REASONS = new Set(['topic_mismatch', 'future_timestamp', 'schema']);

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** An id level that MQTT can carry in a topic (no wildcard, separator or NUL) but that may break ours. */
const hostileLevel = fc
  .oneof(
    fc.string({ minLength: 1, maxLength: 30 }),
    fc.constantFrom('bad.id', '..', '-', 'ä', 'x'.repeat(80), 'north-1 ', 'NORTH-1', '%2F', '$SYS'),
  )
  .filter((s) => s.length > 0 && !/[/+#]/.test(s) && !s.includes('\u0000') && !LONE_SURROGATE.test(s));

/**
 * Topics the server's subscription delivers: its own site and an agent kind, mostly the contract
 * topic of `kind` (payloads of one kind are also tried on another kind's topic) and sometimes with a
 * level replaced by a hostile id. `brokerSafe: false` adds topics no broker would deliver, for the
 * direct path into the ingestor.
 */
function topicFor(kind: MessageKind, brokerSafe: boolean): fc.Arbitrary<string> {
  const topicKind = fc.oneof(
    { weight: 6, arbitrary: fc.constant(kind) },
    { weight: 1, arbitrary: fc.constantFrom(...(brokerSafe ? AGENT_KINDS : MESSAGE_KINDS)) },
  );
  const contract = topicKind.map((k) => buildTopic(k, { site: SITE, ...baseParams(k) }, PREFIX));
  // One `{id}` level of the template replaced; literal levels stay, so the subscription still matches.
  const broken = fc.tuple(topicKind, fc.nat(), hostileLevel).map(([k, i, bad]) => {
    const levels = MESSAGES[k].template.split('/');
    const ids = levels.flatMap((l, at) => (l.startsWith('{') ? [at] : []));
    const params = baseParams(k);
    const filled = levels.map((l, at) => (at === ids[i % ids.length] ? bad : (params[l.slice(1, -1)] ?? l)));
    return [PREFIX, SITE, ...filled].join('/');
  });
  const weighted = (arbitrary: fc.Arbitrary<string>, weight = 1) => ({ arbitrary, weight });
  const arbitraries = [weighted(contract, 10), weighted(broken, 2)];
  if (!brokerSafe)
    arbitraries.push(
      weighted(fc.string({ maxLength: 120 })),
      weighted(contract.map((t) => t.replace(SITE, 'other-site'))),
      weighted(contract.map((t) => t.replace(PREFIX, 'volno/v2'))),
      weighted(contract.map((t) => `${t}/extra`)),
      weighted(contract.map((t) => t.replace('/camera/', '/camera/+/'))),
    );
  return fc.oneof(...arbitraries);
}

/** One hostile message: a payload of some kind, on a topic of that kind (mostly). */
export function fuzzMessage(at: string, o: { brokerSafe: boolean }): fc.Arbitrary<FuzzMessage> {
  return fc.constantFrom(...(o.brokerSafe ? AGENT_KINDS : MESSAGE_KINDS)).chain((kind) =>
    fc.record({
      topic: topicFor(kind, o.brokerSafe),
      payload: hostilePayload(kind, at, { maxPad: 64 * 1024 }),
      retained: fc.boolean(),
    }),
  );
}

export interface Counters {
  received: number;
  accepted: number;
  /** Running-calibration reports skipped unparsed because they repeat the last one byte for byte. */
  duplicates: number;
  storageErrors: number;
  rejected: Map<string, number>;
}

export function counters(app: FastifyInstance): Counters {
  const m = app.volno.metrics;
  const sum = (entries: [unknown, number][]) => entries.reduce((n, [, v]) => n + v, 0);
  return {
    received: m.received.get(),
    accepted: sum(m.accepted.entries()),
    duplicates: sum(m.ignored.entries().filter(([labels]) => labels['reason'] === 'repeated_report')),
    storageErrors: sum(m.storageErrors.entries()),
    rejected: new Map(m.rejected.entries().map(([labels, n]) => [String(labels['reason']), n])),
  };
}

/** Rejections per reason between two readings, zeros left out. */
export function rejectedSince(before: Counters, after: Counters): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [reason, n] of after.rejected) {
    const d = n - (before.rejected.get(reason) ?? 0);
    if (d > 0) out[reason] = d;
  }
  return out;
}

/** Everything ingest may write, plus what the public sees. */
export async function snapshot(app: FastifyInstance): Promise<unknown> {
  const { sql, availability } = app.volno;
  return {
    slot_state: await sql.all('SELECT * FROM slot_state ORDER BY camera_id, slot_id'),
    transitions: await sql.all('SELECT * FROM transitions ORDER BY id'),
    agents: await sql.all('SELECT * FROM agents ORDER BY agent_id'),
    cameras: await sql.all('SELECT * FROM cameras ORDER BY camera_id'),
    slots: await sql.all('SELECT * FROM slots ORDER BY camera_id, slot_id'),
    north: await availability.lotAvailability('north'),
    south: await availability.lotAvailability('south'),
  };
}

/** The data of the agent that is not being fuzzed: no message of another agent may touch it. */
export async function keeperSnapshot(
  app: FastifyInstance,
  agentId: string,
  cameraId: string,
  lotId: string,
): Promise<unknown> {
  const { sql, availability } = app.volno;
  return {
    slot_state: await sql.all('SELECT * FROM slot_state WHERE camera_id = $1 ORDER BY slot_id', [cameraId]),
    transitions: await sql.all('SELECT * FROM transitions WHERE camera_id = $1 ORDER BY id', [cameraId]),
    agent: await sql.all('SELECT * FROM agents WHERE agent_id = $1', [agentId]),
    availability: await availability.lotAvailability(lotId),
  };
}
