import type { TSchema } from 'typebox';
import { EXAMPLES } from '../protocol/examples.ts';
import { MESSAGE_KINDS, MESSAGES } from '../protocol/messages.ts';
import { DEFAULT_TOPIC_PREFIX, buildTopic } from '../protocol/topics.ts';

type JsonSchema = TSchema & Record<string, unknown>;

function typeOf(s: JsonSchema): string {
  if (Array.isArray(s['enum'])) return (s['enum'] as unknown[]).map((v) => `\`${JSON.stringify(v)}\``).join(' \\| ');
  if (Array.isArray(s['anyOf'])) return (s['anyOf'] as JsonSchema[]).map(typeOf).join(' \\| ');
  const t = s['type'];
  if (t === 'array') return `${typeOf(s['items'] as JsonSchema)}[]`;
  if (t === 'string' && typeof s['format'] === 'string') return `string (${s['format']})`;
  if (t === 'string' && s['contentEncoding'] === 'base64') return 'string (base64)';
  if (t === 'integer' || t === 'number') {
    const min = s['minimum'] ?? (s['exclusiveMinimum'] !== undefined ? `>${s['exclusiveMinimum']}` : undefined);
    const max = s['maximum'] === Number.MAX_SAFE_INTEGER ? undefined : s['maximum'];
    const range = min !== undefined || max !== undefined ? ` ${min ?? ''}…${max ?? ''}` : '';
    return `${t}${range}`;
  }
  return String(t);
}

function rows(schema: JsonSchema, prefix = ''): string[] {
  const props = (schema['properties'] ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema['required'] ?? []) as string[]);
  const out: string[] = [];
  for (const [name, prop] of Object.entries(props)) {
    const path = `${prefix}${name}`;
    const text = [prop['title'], prop['description']]
      .filter(Boolean)
      .join(': ')
      .replace(/\|/g, '\\|')
      .replace(/\n/g, ' ');
    out.push(`| \`${path}\` | ${typeOf(prop)} | ${required.has(name) ? 'yes' : 'no'} | ${text} |`);
    const item = prop['type'] === 'array' ? (prop['items'] as JsonSchema) : undefined;
    if (prop['type'] === 'object') out.push(...rows(prop, `${path}.`));
    if (item?.['type'] === 'object') out.push(...rows(item, `${path}[].`));
  }
  return out;
}

/** Renders docs/mqtt.md from the contract in protocol/. The test suite fails when the file drifts. */
export function renderMqttDocs(): string {
  const parts: string[] = [
    '# MQTT contract',
    '',
    '<!-- Generated from protocol/ by `npm run docs:mqtt`. Do not edit by hand: the tests fail when this file drifts. -->',
    '',
    `Every topic starts with a configurable prefix (default \`${DEFAULT_TOPIC_PREFIX}\`) and the site id:`,
    '`{prefix}/{site}/…`. Site, camera, agent and slot ids match `^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`.',
    'Payloads are UTF-8 JSON with snake_case keys; unknown keys are rejected. Times are RFC 3339 UTC.',
    'Everything works on MQTT 3.1.1 (the embedded broker); nothing needs MQTT 5.',
    '',
    '## Sessions, sequence numbers and restarts',
    '',
    'Every message an agent publishes itself carries `agent_id`, `session_id`, `seq` and `sent_at`, after',
    "Sparkplug B's bdSeq/seq idea:",
    '',
    '- a new `session_id` means the agent process restarted: its earlier states may be stale;',
    '- `seq` counts every message of a session from 0 across all topics, never reset and never wrapped, so',
    '  a jump of more than one is a gap (messages lost) and a value at or below the last one is a redelivery;',
    '- `connection_seq` on availability counts MQTT connections within a session, so a last will left by an',
    '  older connection cannot mark a reconnected agent offline;',
    '- the `offline` last will is composed when the agent connects and published by the broker, so it',
    '  carries `session_id` and `connection_seq` but no `seq`.',
    '',
    "Receivers reject a payload larger than its topic's limit before parsing, and report problems as",
    '`path: message` lines (for example `/state: must be one of "free", "occupied", "unknown"`).',
    '',
    '## Who may publish',
    '',
    'The direction column is enforced, not advisory. Both brokers get the same rules from the server config',
    '(`server/core/mqtt/broker-rules.ts`): an agent publishes only its own `agent/{agent}/…` topics and the',
    "agent → server topics of the cameras whose `agent_id` is its own, and receives only its cameras'",
    'calibrations and snapshot requests; only the server publishes server → agent topics. The server also',
    'rejects (`agent_mismatch`) a message whose `agent_id` is not the configured agent of every camera it',
    'names. See docs/security.md, "MQTT trust".',
    '',
    '## Topics',
    '',
    '| topic | direction | retain | QoS |',
    '| --- | --- | --- | --- |',
  ];
  for (const kind of MESSAGE_KINDS) {
    const m = MESSAGES[kind];
    parts.push(
      `| [\`{prefix}/{site}/${m.template}\`](#${kind}) | ${m.direction} | ${m.retain ? 'yes' : 'no'} | ${m.qos} |`,
    );
  }
  for (const kind of MESSAGE_KINDS) {
    const m = MESSAGES[kind];
    const schema = m.codec.schema as unknown as JsonSchema;
    const ex = EXAMPLES[kind];
    parts.push(
      '',
      `<a id="${kind}"></a>`,
      `### ${String(schema['title'] ?? kind)}`,
      '',
      `\`{prefix}/{site}/${m.template}\``,
      '',
      `- direction: ${m.direction}`,
      `- retain: ${m.retain ? 'yes' : 'no'}`,
      `- QoS: ${m.qos}`,
      `- largest accepted payload: ${m.maxBytes.toLocaleString('en-US')} bytes`,
      '',
      m.summary,
      ...(schema['description'] ? ['', String(schema['description'])] : []),
      '',
      '| field | type | required | meaning |',
      '| --- | --- | --- | --- |',
      ...rows(schema),
      '',
      `Example on \`${buildTopic(kind, ex.params)}\`:`,
      '',
      '```json',
      JSON.stringify(ex.payload, null, 2),
      '```',
    );
  }
  return `${parts.join('\n')}\n`;
}
