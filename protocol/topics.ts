import { ProtocolError } from './errors.ts';
import { isValidId } from './ids.ts';
import { MESSAGE_KINDS, MESSAGES, type MessageKind } from './messages.ts';

export const DEFAULT_TOPIC_PREFIX = 'volno/v1';
const PREFIX_PATTERN = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+){0,7}$/;

/** Ids that fill a topic's `{…}` levels. `site` is always needed. */
export interface TopicParams {
  site: string;
  camera?: string;
  agent?: string;
  slot?: string;
  request?: string;
}

const REQUEST_ID = /^[A-Za-z0-9_-]{8,64}$/;

/** Throws `VOLNO_TOPIC_INVALID` unless `prefix` is 1–8 plain levels (no wildcards, no `$`). */
export function assertTopicPrefix(prefix: string): void {
  if (!PREFIX_PATTERN.test(prefix)) {
    throw new ProtocolError(
      'VOLNO_TOPIC_INVALID',
      `topic prefix "${prefix}" must be 1–8 levels of letters, digits, "_" or "-"`,
    );
  }
}

function levels(kind: MessageKind): string[] {
  return MESSAGES[kind].template.split('/');
}

function fill(kind: MessageKind, params: TopicParams): string[] {
  return levels(kind).map((level) => {
    const m = /^\{(\w+)\}$/.exec(level);
    if (!m) return level;
    const name = m[1] as keyof TopicParams;
    const value = params[name];
    const ok = value !== undefined && (name === 'request' ? REQUEST_ID.test(value) : isValidId(value));
    if (!ok)
      throw new ProtocolError('VOLNO_TOPIC_INVALID', `${kind} topic: ${name} id ${JSON.stringify(value)} is not valid`);
    return value;
  });
}

/** Builds the concrete topic for one message, validating every id that goes into it. */
export function buildTopic(kind: MessageKind, params: TopicParams, prefix = DEFAULT_TOPIC_PREFIX): string {
  assertTopicPrefix(prefix);
  if (!isValidId(params.site))
    throw new ProtocolError('VOLNO_TOPIC_INVALID', `site id ${JSON.stringify(params.site)} is not valid`);
  return [prefix, params.site, ...fill(kind, params)].join('/');
}

/**
 * A subscription filter for one kind: ids given in `params` are fixed, the rest become `+`.
 * With `shareGroup`, the filter is wrapped as `$share/<group>/…` so server instances split the load
 * (Mosquitto and EMQX; the embedded aedes broker accepts it but delivers nothing, see STACK.md).
 */
export function topicFilter(
  kind: MessageKind,
  params: Partial<TopicParams> = {},
  prefix = DEFAULT_TOPIC_PREFIX,
  shareGroup?: string,
): string {
  assertTopicPrefix(prefix);
  const site = params.site ?? '+';
  const rest = levels(kind).map((level) => {
    const m = /^\{(\w+)\}$/.exec(level);
    return m ? (params[m[1] as keyof TopicParams] ?? '+') : level;
  });
  const filter = [prefix, site, ...rest].join('/');
  if (shareGroup === undefined) return filter;
  if (!isValidId(shareGroup))
    throw new ProtocolError('VOLNO_TOPIC_INVALID', `share group "${shareGroup}" is not valid`);
  return `$share/${shareGroup}/${filter}`;
}

export interface ParsedTopic {
  kind: MessageKind;
  params: TopicParams;
}

/** Recognises a received topic, or returns null when it is not part of the contract. */
export function parseTopic(topic: string, prefix = DEFAULT_TOPIC_PREFIX): ParsedTopic | null {
  if (!topic.startsWith(`${prefix}/`)) return null;
  const parts = topic.slice(prefix.length + 1).split('/');
  const site = parts.shift();
  if (site === undefined || !isValidId(site)) return null;
  for (const kind of MESSAGE_KINDS) {
    const tpl = levels(kind);
    if (tpl.length !== parts.length) continue;
    const params: TopicParams = { site };
    const matches = tpl.every((level, i) => {
      const value = parts[i]!;
      const m = /^\{(\w+)\}$/.exec(level);
      if (!m) return level === value;
      const name = m[1] as keyof TopicParams;
      if (!(name === 'request' ? REQUEST_ID.test(value) : isValidId(value))) return false;
      params[name] = value;
      return true;
    });
    if (matches) return { kind, params };
  }
  return null;
}
