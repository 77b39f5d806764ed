import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { Aedes, type AuthenticateError } from 'aedes';
import type { Logger } from 'pino';
import { ServerError } from '../errors.ts';

export interface EmbeddedBrokerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  username?: string;
  password?: string;
}

const sameSecret = (a: string, b: Buffer | string | undefined) => {
  if (b === undefined) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * An in-process aedes broker, so that one machine needs nothing else (docs/adr/0003). MQTT 3.1.1
 * only; it accepts `$share/…` subscriptions but delivers nothing on them (shared/STACK.md), which
 * is why the config refuses a share group without a real broker.
 */
export class EmbeddedBroker {
  private aedes: Aedes | undefined;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private stopping: Promise<void> | undefined;
  port = 0;

  constructor(
    private readonly opts: EmbeddedBrokerOptions,
    private readonly log: Logger,
  ) {}

  /** mqtt://host:port of the listening broker. */
  get url(): string {
    const host = this.opts.host === '0.0.0.0' || this.opts.host === '::' ? '127.0.0.1' : this.opts.host;
    return `mqtt://${host.includes(':') ? `[${host}]` : host}:${this.port}`;
  }

  async start(): Promise<void> {
    const { username, password } = this.opts;
    const aedes = await Aedes.createBroker({
      // A subscriber that stops reading must not stall delivery to everyone else.
      drainTimeout: 30_000,
      ...(username !== undefined && password !== undefined
        ? {
            authenticate: (_client, user, pass, done) => {
              if (user === username && sameSecret(password, pass)) return done(null, true);
              const err = new Error('bad username or password') as AuthenticateError;
              err.returnCode = 4;
              done(err, false);
            },
          }
        : {}),
    });
    aedes.on('clientError', (client, err) =>
      this.log.debug({ client_id: client.id, err: err.message }, 'MQTT client error'),
    );
    aedes.on('connectionError', (client, err) =>
      this.log.debug({ client_id: client.id, err: err.message }, 'MQTT connection error'),
    );
    this.aedes = aedes;
    const server = createServer((socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      aedes.handle(socket);
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (cause) =>
        reject(
          new ServerError(
            'VOLNO_BROKER_LISTEN',
            `embedded MQTT broker cannot listen on ${this.opts.host}:${this.opts.port}: ${cause.message}`,
            [],
            {
              cause,
            },
          ),
        ),
      );
      server.listen(this.opts.port, this.opts.host, () => resolve());
    }).catch(async (err) => {
      await new Promise<void>((r) => aedes.close(() => r()));
      throw err;
    });
    this.port = (server.address() as AddressInfo).port;
    this.log.info({ mqtt_url: this.url }, 'embedded MQTT broker listening');
  }

  /** Stops listening, drops every client, closes aedes. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const server = this.server;
      if (server !== undefined) {
        const closed = new Promise<void>((r) => server.close(() => r()));
        for (const s of this.sockets) s.destroy();
        await closed;
      }
      const aedes = this.aedes;
      if (aedes !== undefined) await new Promise<void>((r) => aedes.close(() => r()));
    })();
    return this.stopping;
  }
}
