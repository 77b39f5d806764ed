import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes } from 'aedes';
import type { Logger } from 'pino';
import { httpsOptions } from '../config/tls.ts';
import { ServerError } from '../errors.ts';
import type { Counter } from '../metrics/registry.ts';
import type { RulesInput } from './broker-rules.ts';
import { BrokerAccess } from './embedded-access.ts';
import { isLoopback, type EmbeddedBrokerConfig } from './embedded-config.ts';
import { PasswordFile } from './password-file.ts';

export interface EmbeddedBrokerOptions {
  /** `mqtt.embedded`: listeners and accounts. */
  config: EmbeddedBrokerConfig;
  /** Site, topic prefix, Home Assistant and lots: the topic rules (broker-rules.ts). */
  rules: RulesInput;
  /** The server's MQTT client id: only the server's account may connect with it. */
  serverClientId: string;
  /** `volno_broker_refused_total`, by reason. */
  refused?: Counter;
}

const hostUrl = (scheme: string, host: string, port: number) => {
  const h = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `${scheme}://${h.includes(':') ? `[${h}]` : h}:${port}`;
};

/**
 * An in-process aedes broker, so that one machine needs nothing else (docs/adr/0003). MQTT 3.1.1
 * only; it accepts `$share/…` subscriptions but delivers nothing on them (shared/STACK.md), which
 * is why the config refuses a share group without a real broker. Accounts and topic rules:
 * embedded-access.ts; an optional mqtts:// listener for agents on other machines.
 */
export class EmbeddedBroker {
  private aedes: Aedes | undefined;
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<Socket>();
  private stopping: Promise<void> | undefined;
  private readonly access: BrokerAccess;
  port = 0;
  tlsPort = 0;

  constructor(
    private readonly opts: EmbeddedBrokerOptions,
    private readonly log: Logger,
  ) {
    const file = opts.config.password_file;
    this.access = new BrokerAccess({
      config: opts.config,
      rules: opts.rules,
      serverClientId: opts.serverClientId,
      passwords: file === undefined ? undefined : PasswordFile.read(file),
      refused: opts.refused,
      log,
    });
  }

  /** mqtt://host:port of the plain listener (the server's). */
  get url(): string {
    return hostUrl('mqtt', this.opts.config.host, this.port);
  }

  /** mqtts://host:port of the TLS listener, when there is one. */
  get tlsUrl(): string | undefined {
    const tls = this.opts.config.tls;
    return tls === undefined ? undefined : hostUrl('mqtts', tls.host, this.tlsPort);
  }

  /** The server's own credentials: a secret made at start, so no other client can act as the server. */
  get serverCredentials(): { username: string; password: string } {
    return { ...this.access.server };
  }

  async start(): Promise<void> {
    const aedes = await Aedes.createBroker({
      // A subscriber that stops reading must not stall delivery to everyone else.
      drainTimeout: 30_000,
      authenticate: this.access.authenticate,
      authorizePublish: this.access.authorizePublish,
      authorizeSubscribe: this.access.authorizeSubscribe,
    });
    aedes.on('clientError', (client, err) =>
      this.log.debug({ client_id: client.id, err: err.message }, 'MQTT client error'),
    );
    aedes.on('connectionError', (client, err) =>
      this.log.debug({ client_id: client.id, err: err.message }, 'MQTT connection error'),
    );
    this.aedes = aedes;
    const handle = (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      aedes.handle(socket);
    };
    try {
      const { host, port, tls } = this.opts.config;
      this.port = await this.listen(createServer(handle), host, port);
      if (tls !== undefined) {
        const server = createTlsServer(httpsOptions({ cert_file: tls.cert_file, key_file: tls.key_file }), handle);
        server.on('tlsClientError', (err, socket) =>
          this.access.record('tls_handshake', { remote: socket.remoteAddress ?? null, err: err.message.slice(0, 200) }),
        );
        this.tlsPort = await this.listen(server, tls.host, tls.port);
      }
    } catch (err) {
      await this.stop();
      throw err;
    }
    const { host, password_file, username } = this.opts.config;
    const accounts = password_file !== undefined ? 'per-agent' : username !== undefined ? 'shared' : 'anonymous';
    this.log.info({ mqtt_url: this.url, mqtts_url: this.tlsUrl, accounts }, 'embedded MQTT broker listening');
    if (!isLoopback(host))
      this.log.warn(
        { host },
        'the plain MQTT listener is reachable from other machines: passwords cross the network in clear; prefer mqtt.embedded.tls and host 127.0.0.1',
      );
  }

  private listen(server: Server, host: string, port: number): Promise<number> {
    this.servers.push(server);
    return new Promise<number>((resolve, reject) => {
      server.once('error', (cause) =>
        reject(
          new ServerError(
            'VOLNO_BROKER_LISTEN',
            `embedded MQTT broker cannot listen on ${host}:${port}: ${cause.message}`,
            [],
            {
              cause,
            },
          ),
        ),
      );
      server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
    });
  }

  /** Stops listening, drops every client, closes aedes. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const closed = this.servers.map(
        (server) => new Promise<void>((r) => (server.listening ? server.close(() => r()) : r())),
      );
      for (const s of this.sockets) s.destroy();
      await Promise.all(closed);
      const aedes = this.aedes;
      if (aedes !== undefined) await new Promise<void>((r) => aedes.close(() => r()));
    })();
    return this.stopping;
  }
}
