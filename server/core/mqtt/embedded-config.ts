import { isAbsolute, resolve } from 'node:path';
import { Type, type Static } from 'typebox';
import type { RefineIssue } from '../../../protocol/index.ts';
import { HttpTlsConfig } from '../config/tls.ts';

const port = (title: string, description: string, def: number) =>
  Type.Integer({ minimum: 0, maximum: 65_535, default: def, title, description });

/** `mqtt.embedded.tls`: the certificate fields are HTTPS's own (server/core/config/tls.ts). */
export const EmbeddedTlsConfig = Type.Object(
  {
    cert_file: HttpTlsConfig.properties.cert_file,
    key_file: HttpTlsConfig.properties.key_file,
    host: Type.String({
      default: '0.0.0.0',
      title: 'TLS listen address',
      description: 'Where agents on other machines connect with mqtts://.',
    }),
    port: port('MQTTS port', '0 picks a free port.', 8883),
  },
  {
    additionalProperties: false,
    title: 'Embedded broker TLS',
    description:
      'An mqtts:// listener beside the plain one (deploy/tls/volno-certs.sh makes the certificates). Agents on other machines use it; the plain listener can then stay on 127.0.0.1 for the server.',
  },
);

export const EmbeddedBrokerSchema = Type.Object(
  {
    host: Type.String({
      default: '127.0.0.1',
      title: 'Listen address',
      description:
        'Plain MQTT listener. Anything but a loopback address needs password_file (or username/password): an open broker lets anyone publish fake states.',
    }),
    port: port('MQTT port', '0 picks a free port.', 1883),
    password_file: Type.Optional(
      Type.String({
        minLength: 1,
        title: 'Agent accounts',
        description:
          'Mosquitto password file (`user:$7$…`) with one account per agent, `volno-edge-<site>-<agent_id>`, as deploy/mosquitto/broker-accounts.ts writes it. Each agent may then publish only its own cameras’ and agent topics, its client id must be its username, and every camera needs agent_id. Read at start.',
      }),
    ),
    username: Type.Optional(
      Type.String({
        maxLength: 200,
        title: 'Shared agent username',
        description:
          'One account shared by all agents: it may publish any agent’s topics (never the server’s). Prefer password_file.',
      }),
    ),
    password: Type.Optional(
      Type.String({ maxLength: 500, title: 'Shared agent password', description: 'Use an env placeholder.' }),
    ),
    tls: Type.Optional(EmbeddedTlsConfig),
  },
  {
    additionalProperties: false,
    default: {},
    title: 'Embedded broker',
    description:
      'Used only when no broker_url is set. MQTT 3.1.1 only; no shared subscriptions. Only the server itself may publish calibrations and snapshot requests (docs/security.md, "MQTT trust").',
  },
);

/** `mqtt.embedded` as the process uses it: the schema's own type, file paths made absolute. */
export type EmbeddedBrokerConfig = Static<typeof EmbeddedBrokerSchema>;

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

const abs = (baseDir: string, p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));

export function resolveEmbeddedPaths(e: EmbeddedBrokerConfig, baseDir: string): EmbeddedBrokerConfig {
  return {
    ...e,
    ...(e.password_file !== undefined ? { password_file: abs(baseDir, e.password_file) } : {}),
    ...(e.tls !== undefined
      ? { tls: { ...e.tls, cert_file: abs(baseDir, e.tls.cert_file), key_file: abs(baseDir, e.tls.key_file) } }
      : {}),
  };
}

/**
 * What the embedded broker refuses at config load (issue 13, finding 3): a listener other machines
 * can reach without any credentials, and per-agent accounts for a camera whose agent is unknown.
 */
export function embeddedBrokerIssues(c: {
  mqtt: { broker_url?: string | undefined; embedded: EmbeddedBrokerConfig };
  lots: { cameras: { camera_id: string; agent_id?: string | undefined }[] }[];
}): RefineIssue[] {
  const e = c.mqtt.embedded;
  const issues: RefineIssue[] = [];
  if ((e.username === undefined) !== (e.password === undefined))
    issues.push({ path: '/mqtt/embedded', message: 'set both username and password, or neither' });
  if (c.mqtt.broker_url !== undefined) return issues;
  const credentials = e.password_file !== undefined || (e.username !== undefined && e.password !== undefined);
  const open = (host: string, path: string) => {
    if (!credentials && !isLoopback(host))
      issues.push({
        path,
        message: `${host} lets other machines connect, and without credentials anyone there could publish fake states: set mqtt.embedded.password_file (one account per agent) or listen on 127.0.0.1`,
      });
  };
  open(e.host, '/mqtt/embedded/host');
  if (e.tls !== undefined) open(e.tls.host, '/mqtt/embedded/tls/host');
  if (e.password_file !== undefined)
    c.lots.forEach((lot, li) =>
      lot.cameras.forEach((cam, ci) => {
        if (cam.agent_id === undefined)
          issues.push({
            path: `/lots/${li}/cameras/${ci}/agent_id`,
            message: `camera ${cam.camera_id} needs the agent that watches it: with mqtt.embedded.password_file only that agent may publish its topics`,
          });
      }),
    );
  return issues;
}
