import { accessSync, constants, readFileSync } from 'node:fs';
import { Type, type Static } from 'typebox';
import { MqttTlsConfig } from '../../../kit/tls.ts';
import { ServerError } from '../errors.ts';

/**
 * TLS for the two listeners/connections the server has: HTTPS for the API and pages, and mqtts://
 * to a real broker. The MQTT shape is the edge agent's `mqtt.tls` (kit/tls.ts), so
 * one set of docs (docs/deployment.md) fits both sides. Relative paths are relative to the config file.
 */
export const HttpTlsConfig = Type.Object(
  {
    cert_file: Type.String({
      minLength: 1,
      title: 'Certificate',
      description: 'PEM certificate chain served to browsers (leaf first).',
    }),
    key_file: Type.String({ minLength: 1, title: 'Private key', description: 'PEM private key of the certificate.' }),
  },
  {
    additionalProperties: false,
    title: 'HTTPS',
    description: 'Serve HTTPS instead of HTTP. Omit it behind a reverse proxy that terminates TLS.',
  },
);

// One declaration for the agent and the server.
export { MqttTlsConfig };

/** `http.tls`; the loader has made its paths absolute. */
export type HttpTls = Static<typeof HttpTlsConfig>;
/** `mqtt.tls`; the loader has made its paths absolute. */
export type MqttTls = Static<typeof MqttTlsConfig>;

/**
 * `path: message` lines for TLS files this process cannot read, so `--validate-config` (and a start)
 * names the file instead of failing later inside a TLS handshake. Under the systemd unit the
 * files must be readable by the `volno` user (docs/deployment.md).
 */
export function tlsFileIssues(
  http: HttpTls | undefined,
  mqtt: MqttTls | undefined,
  embedded?: { password_file?: string | undefined; tls?: { cert_file: string; key_file: string } | undefined },
): string[] {
  const issues: string[] = [];
  const check = (path: string | undefined, at: string) => {
    if (path === undefined) return;
    try {
      accessSync(path, constants.R_OK);
    } catch (err) {
      issues.push(`${at}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  };
  check(http?.cert_file, '/http/tls/cert_file');
  check(http?.key_file, '/http/tls/key_file');
  check(mqtt?.ca_file, '/mqtt/tls/ca_file');
  check(mqtt?.cert_file, '/mqtt/tls/cert_file');
  check(mqtt?.key_file, '/mqtt/tls/key_file');
  check(embedded?.password_file, '/mqtt/embedded/password_file');
  check(embedded?.tls?.cert_file, '/mqtt/embedded/tls/cert_file');
  check(embedded?.tls?.key_file, '/mqtt/embedded/tls/key_file');
  if ((mqtt?.cert_file === undefined) !== (mqtt?.key_file === undefined))
    issues.push('/mqtt/tls: set both cert_file and key_file, or neither');
  return issues;
}

function read(path: string, at: string): Buffer {
  try {
    return readFileSync(path);
  } catch (cause) {
    throw new ServerError('VOLNO_CONFIG_INVALID', 'configuration is not valid', [`${at}: cannot read ${path}`], {
      cause,
    });
  }
}

/** Fastify's `https` option. */
export function httpsOptions(t: HttpTls): { cert: Buffer; key: Buffer } {
  return { cert: read(t.cert_file, '/http/tls/cert_file'), key: read(t.key_file, '/http/tls/key_file') };
}

/** mqtt.js TLS options (spread into IClientOptions). */
export function mqttTlsOptions(t: MqttTls): {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  rejectUnauthorized: boolean;
} {
  return {
    ...(t.ca_file !== undefined ? { ca: read(t.ca_file, '/mqtt/tls/ca_file') } : {}),
    ...(t.cert_file !== undefined ? { cert: read(t.cert_file, '/mqtt/tls/cert_file') } : {}),
    ...(t.key_file !== undefined ? { key: read(t.key_file, '/mqtt/tls/key_file') } : {}),
    rejectUnauthorized: t.reject_unauthorized,
  };
}
