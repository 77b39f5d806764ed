import { accessSync, constants, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
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

/** `http.tls`, paths absolute. */
export interface HttpTlsSpec {
  certFile: string;
  keyFile: string;
}

/** `mqtt.tls`, paths absolute. */
export interface MqttTlsSpec {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  rejectUnauthorized: boolean;
}

const abs = (baseDir: string, p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));

export function httpTlsSpec(t: Static<typeof HttpTlsConfig> | undefined, baseDir: string): HttpTlsSpec | undefined {
  return t === undefined ? undefined : { certFile: abs(baseDir, t.cert_file), keyFile: abs(baseDir, t.key_file) };
}

export function mqttTlsSpec(t: Static<typeof MqttTlsConfig> | undefined, baseDir: string): MqttTlsSpec | undefined {
  if (t === undefined) return undefined;
  return {
    ...(t.ca_file !== undefined ? { caFile: abs(baseDir, t.ca_file) } : {}),
    ...(t.cert_file !== undefined ? { certFile: abs(baseDir, t.cert_file) } : {}),
    ...(t.key_file !== undefined ? { keyFile: abs(baseDir, t.key_file) } : {}),
    rejectUnauthorized: t.reject_unauthorized,
  };
}

/**
 * `path: message` lines for TLS files this process cannot read, so `--validate-config` (and a start)
 * names the file instead of failing later inside a TLS handshake. Under the systemd unit the
 * files must be readable by the `volno` user (docs/deployment.md).
 */
export function tlsFileIssues(
  http: HttpTlsSpec | undefined,
  mqtt: MqttTlsSpec | undefined,
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
  check(http?.certFile, '/http/tls/cert_file');
  check(http?.keyFile, '/http/tls/key_file');
  check(mqtt?.caFile, '/mqtt/tls/ca_file');
  check(mqtt?.certFile, '/mqtt/tls/cert_file');
  check(mqtt?.keyFile, '/mqtt/tls/key_file');
  check(embedded?.password_file, '/mqtt/embedded/password_file');
  check(embedded?.tls?.cert_file, '/mqtt/embedded/tls/cert_file');
  check(embedded?.tls?.key_file, '/mqtt/embedded/tls/key_file');
  if ((mqtt?.certFile === undefined) !== (mqtt?.keyFile === undefined))
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
export function httpsOptions(t: HttpTlsSpec): { cert: Buffer; key: Buffer } {
  return { cert: read(t.certFile, '/http/tls/cert_file'), key: read(t.keyFile, '/http/tls/key_file') };
}

/** mqtt.js TLS options (spread into IClientOptions). */
export function mqttTlsOptions(t: MqttTlsSpec): {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  rejectUnauthorized: boolean;
} {
  return {
    ...(t.caFile !== undefined ? { ca: read(t.caFile, '/mqtt/tls/ca_file') } : {}),
    ...(t.certFile !== undefined ? { cert: read(t.certFile, '/mqtt/tls/cert_file') } : {}),
    ...(t.keyFile !== undefined ? { key: read(t.keyFile, '/mqtt/tls/key_file') } : {}),
    rejectUnauthorized: t.rejectUnauthorized,
  };
}
