import { MESSAGE_KINDS, MESSAGES, topicFilter, type MessageKind } from '../../../protocol/index.ts';
import type { LotConfig } from '../config/schema.ts';
import { ServerError } from '../errors.ts';
import type { HomeAssistantConfig, MqttConfig } from './config.ts';

/**
 * Who may publish and receive what on the broker, derived from the server config and the protocol's
 * own topic table (direction and template of every kind). The one source of the topic rules for both
 * brokers: deploy/mosquitto/broker-accounts.ts writes them as Mosquitto's ACL file, the embedded broker
 * (embedded-broker.ts) enforces them in aedes' authorize hooks. A new topic in protocol/ reaches both
 * without anyone editing rules.
 */
export interface TopicRules {
  /** Filters the account may publish on (MQTT wildcards allowed). */
  write: string[];
  /** Filters the account may subscribe to or receive. */
  read: string[];
}

/** What the rules need from the server config. */
export interface RulesInput {
  site: string;
  mqtt: Pick<MqttConfig, 'topic_prefix'>;
  home_assistant: HomeAssistantConfig;
  lots: LotConfig[];
}

/** The broker username of an agent: the same as its default MQTT client id, easy to find in broker logs. */
export const agentUsername = (site: string, agent: string) => `volno-edge-${site}-${agent}`;

/** Which agent watches which cameras, from `lots[].cameras[].agent_id`. Every camera needs one. */
export function agentCameras(config: Pick<RulesInput, 'lots'>): Map<string, string[]> {
  const byAgent = new Map<string, string[]>();
  const missing: string[] = [];
  config.lots.forEach((lot, li) =>
    lot.cameras.forEach((cam, ci) => {
      if (cam.agent_id === undefined) {
        missing.push(`/lots/${li}/cameras/${ci}/agent_id: camera ${cam.camera_id} needs the agent that watches it`);
        return;
      }
      byAgent.set(cam.agent_id, [...(byAgent.get(cam.agent_id) ?? []), cam.camera_id]);
    }),
  );
  if (missing.length > 0)
    throw new ServerError('VOLNO_CONFIG_INVALID', 'cannot generate broker ACLs: cameras without agent_id', missing);
  return byAgent;
}

const scopeOf = (kind: MessageKind) => (MESSAGES[kind].template.startsWith('agent/') ? 'agent' : 'camera');
const agentToServer = MESSAGE_KINDS.filter((k) => MESSAGES[k].direction === 'agent → server');
const serverToAgent = MESSAGE_KINDS.filter((k) => MESSAGES[k].direction === 'server → agent');

/** Home Assistant discovery and state topics the server publishes (server/opendata/home-assistant.ts). */
export function homeAssistantTopics(c: RulesInput): string[] {
  const ha = c.home_assistant;
  if (!ha.enabled) return [];
  return [
    `${ha.discovery_prefix}/sensor/volno_${c.site}/#`,
    `${ha.discovery_prefix}/binary_sensor/volno_${c.site}/#`,
    `${ha.state_prefix}/${c.site}/#`,
  ];
}

/**
 * What Home Assistant reads: everything under both prefixes, because it subscribes to
 * `homeassistant/#` itself (the same lines docs/deployment.md appends for Mosquitto).
 */
export function homeAssistantReadTopics(c: RulesInput): string[] {
  const ha = c.home_assistant;
  return ha.enabled ? [`${ha.discovery_prefix}/#`, `${ha.state_prefix}/#`] : [];
}

/** The server reads every agent topic of its site and alone sends calibrations and snapshot requests. */
export function serverRules(c: RulesInput): TopicRules {
  const prefix = c.mqtt.topic_prefix;
  return {
    read: [`${prefix}/${c.site}/#`],
    write: [...serverToAgent.map((k) => topicFilter(k, { site: c.site }, prefix)), ...homeAssistantTopics(c)],
  };
}

/**
 * One agent: its own agent topics and, per camera it watches, the camera's agent → server topics;
 * it receives only its own cameras' server → agent topics. `agent` and `cameras` may be `+`: the
 * rules of "some agent" for a client the broker cannot tell apart (anonymous, shared account).
 */
export function agentRules(site: string, prefix: string, agent: string, cameras: string[]): TopicRules {
  const write: string[] = agentToServer
    .filter((k) => scopeOf(k) === 'agent')
    .map((k) => topicFilter(k, { site, agent }, prefix));
  const read: string[] = [];
  for (const camera of cameras) {
    for (const k of agentToServer.filter((x) => scopeOf(x) === 'camera'))
      write.push(topicFilter(k, { site, camera }, prefix));
    for (const k of serverToAgent) read.push(topicFilter(k, { site, camera }, prefix));
  }
  return { write, read };
}

/** The rules of any agent of the site; `+` levels stand for every agent and camera. */
export const anyAgentRules = (c: RulesInput): TopicRules => agentRules(c.site, c.mqtt.topic_prefix, '+', ['+']);

/** True when `topic` (no wildcards) matches the MQTT filter `filter`. */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return i > 0 || !topic.startsWith('$'); // `#` never matches `$SYS/…`
    if (i >= t.length) return false;
    if (f[i] === '+') {
      if (i === 0 && t[0]!.startsWith('$')) return false;
      continue;
    }
    if (f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/** True when every topic the subscription filter `sub` matches is also matched by `rule`. */
export function filterCovers(rule: string, sub: string): boolean {
  const r = rule.split('/');
  const s = sub.split('/');
  for (let i = 0; i < r.length; i++) {
    if (r[i] === '#') return true;
    if (i >= s.length || s[i] === '#') return false;
    if (r[i] === '+') continue;
    if (s[i] === '+' || r[i] !== s[i]) return false;
  }
  return r.length === s.length;
}
