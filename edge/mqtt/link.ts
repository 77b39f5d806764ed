import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import {
  buildTopic,
  encodeMessage,
  publishOptions,
  type MessageKind,
  type PayloadOf,
  type TopicParams,
} from '../../protocol/index.ts';
import type { MqttConfig } from '../config/schema.ts';
import { redactUrl, type Logger } from '../log.ts';
import { LatestQueue } from './latest-queue.ts';

/** Envelope fields the link adds when a message is actually sent. */
type EnvelopeKeys = 'agent_id' | 'session_id' | 'seq' | 'sent_at';
export type Body<K extends MessageKind> = Omit<PayloadOf<K>, EnvelopeKeys>;

interface Pending {
  kind: MessageKind;
  body: Record<string, unknown>;
}

export interface MqttLinkOptions {
  config: MqttConfig;
  siteId: string;
  agentId: string;
  prefix: string;
  log: Logger;
  /** Topic filters to (re)subscribe on every connection. */
  subscriptions: readonly string[];
  onMessage(topic: string, payload: Buffer): void;
  /** On every connection, after `online`; what it publishes is sent with the queue. `sessionPresent` false: the broker forgot us. */
  onConnect(sessionPresent: boolean): void;
  now?: () => number;
}

/** A random session id, new per process: 16 url-safe characters (96 bits). */
export function newSessionId(): string {
  return randomBytes(12).toString('base64url');
}

/**
 * The agent's one MQTT connection. Adds the envelope (agent id, session id, sequence number, send
 * time) at the moment a message really goes out, so `seq` has no holes from superseded queue entries.
 * Persistent session (clean: false, stable client id) and QoS 1 as the contract fixes per topic.
 * While the broker is away nothing is handed to mqtt.js (whose offline queue is unbounded); retained
 * messages wait in a LatestQueue instead and non-retained ones (heartbeat, stats, snapshots) are
 * dropped, because they are worthless late.
 */
export class MqttLink {
  readonly sessionId = newSessionId();
  private client: MqttClient | undefined;
  private seq = 0;
  private connectionSeq = 0;
  private readonly queue: LatestQueue<Pending>;
  private closed = false;
  /** While true, publish() queues even when connected (see onConnected). */
  private holding = false;
  /** Messages dropped because the broker was away and they are not worth keeping. */
  droppedOffline = 0;

  constructor(private readonly opts: MqttLinkOptions) {
    this.queue = new LatestQueue(opts.config.max_queued);
  }

  get connected(): boolean {
    return this.client?.connected === true;
  }

  get queueDepth(): number {
    return this.queue.size;
  }

  get clientId(): string {
    return this.opts.config.client_id ?? `volno-edge-${this.opts.siteId}-${this.opts.agentId}`;
  }

  topic(kind: MessageKind, params: Omit<TopicParams, 'site'>): string {
    return buildTopic(kind, { site: this.opts.siteId, ...params }, this.opts.prefix);
  }

  /** Starts connecting in the background; the agent works (and queues) while the broker is away. */
  async start(): Promise<void> {
    const { config, log } = this.opts;
    const client = mqtt.connect(config.url, this.clientOptions());
    this.client = client;
    client.on('connect', (connack) => this.onConnected(connack.sessionPresent));
    // Each attempt is a new connection: its last will must carry its own connection_seq, and mqtt.js
    // reads options.will when it sends CONNECT, right after this event.
    client.on('reconnect', () => {
      this.connectionSeq++;
      client.options.will = this.will();
    });
    client.on('close', () => log.debug('mqtt connection closed'));
    client.on('offline', () =>
      log.warn(
        { url: redactUrl(config.url), queued: this.queue.size },
        'mqtt broker unreachable; queueing the latest state per topic',
      ),
    );
    client.on('error', (err) => log.warn({ err: err.message }, 'mqtt error'));
    client.on('message', (topic, payload) => {
      try {
        this.opts.onMessage(topic, payload);
      } catch (err) {
        log.error({ err, topic }, 'handling an MQTT message failed');
      }
    });
  }

  /**
   * Publishes `stopped` (waiting for the broker's PUBACK, bounded), then disconnects cleanly so the
   * broker does not publish the `offline` last will. Idempotent.
   */
  async stop(timeoutMs = 3000): Promise<void> {
    if (this.closed) return;
    this.closed = true; // nothing may follow `stopped` on the wire
    const client = this.client;
    if (client?.connected) {
      const payload = this.seal('availability', { connection_seq: this.connectionSeq, status: 'stopped' });
      await withTimeout(
        client.publishAsync(
          this.topic('availability', { agent: this.opts.agentId }),
          payload,
          publishOptions('availability'),
        ),
        timeoutMs,
      ).catch((err: unknown) => this.opts.log.warn({ err: (err as Error).message }, 'could not publish stopped'));
    }
    await withTimeout(client?.endAsync(false) ?? Promise.resolve(), timeoutMs).catch(() => client?.end(true));
  }

  /** Sends now, or queues the latest per topic while the broker is away. */
  publish<K extends MessageKind>(kind: K, params: Omit<TopicParams, 'site'>, body: Body<K>): void {
    if (this.closed) return;
    const topic = this.topic(kind, params);
    const { retain } = publishOptions(kind);
    if (!this.connected || this.holding) {
      if (retain || this.holding) this.queue.put(topic, { kind, body: body as Record<string, unknown> });
      else this.droppedOffline++;
      return;
    }
    this.send(topic, kind, body as Record<string, unknown>);
  }

  private send(topic: string, kind: MessageKind, body: Record<string, unknown>): void {
    const payload = this.seal(kind, body);
    this.client!.publish(topic, payload, publishOptions(kind), (err) => {
      if (err) this.opts.log.warn({ err: err.message, topic }, 'publish failed');
    });
  }

  private seal(kind: MessageKind, body: Record<string, unknown>): string {
    const full = {
      agent_id: this.opts.agentId,
      session_id: this.sessionId,
      seq: this.seq++,
      sent_at: new Date(this.opts.now?.() ?? Date.now()).toISOString(),
      ...body,
    };
    return encodeMessage(kind, full as never);
  }

  private will(): NonNullable<IClientOptions['will']> {
    // Composed now, published later by the broker: no seq or sent_at (docs/mqtt.md, Sparkplug NDEATH).
    const payload = encodeMessage('availability', {
      agent_id: this.opts.agentId,
      session_id: this.sessionId,
      connection_seq: this.connectionSeq,
      status: 'offline',
    });
    return {
      topic: this.topic('availability', { agent: this.opts.agentId }),
      payload: Buffer.from(payload),
      qos: 1,
      retain: true,
    };
  }

  private clientOptions(): IClientOptions {
    const c = this.opts.config;
    const tls = c.tls;
    return {
      clientId: this.clientId,
      clean: false,
      protocolVersion: c.protocol_version,
      ...(c.protocol_version === 5 && { properties: { sessionExpiryInterval: c.session_expiry_s } }),
      keepalive: c.keepalive_s,
      connectTimeout: c.connect_timeout_s * 1000,
      reconnectPeriod: c.reconnect_period_s * 1000,
      username: c.username,
      password: c.password,
      will: this.will(),
      // Our own queue holds what matters; mqtt.js must not pile up QoS 0 heartbeats offline.
      queueQoSZero: false,
      ...(tls && {
        rejectUnauthorized: tls.reject_unauthorized,
        ca: tls.ca_file ? readFileSync(tls.ca_file) : undefined,
        cert: tls.cert_file ? readFileSync(tls.cert_file) : undefined,
        key: tls.key_file ? readFileSync(tls.key_file) : undefined,
      }),
    };
  }

  private onConnected(sessionPresent: boolean): void {
    const { log, agentId } = this.opts;
    const client = this.client!;
    log.info(
      { url: redactUrl(this.opts.config.url), sessionPresent, connectionSeq: this.connectionSeq },
      'mqtt connected',
    );
    this.send(this.topic('availability', { agent: agentId }), 'availability', {
      connection_seq: this.connectionSeq,
      status: 'online',
    });
    if (this.opts.subscriptions.length > 0) {
      client.subscribe([...this.opts.subscriptions], { qos: 1 }, (err) => {
        if (err) log.error({ err: err.message }, 'subscribe failed');
      });
    }
    // The handler's messages (a full refresh when the broker forgot us) go through the queue too, so
    // a topic queued during the outage and refreshed now is sent once, with the fresh content.
    this.holding = true;
    try {
      this.opts.onConnect(sessionPresent);
    } catch (err) {
      log.error({ err }, 'onConnect handler failed');
    } finally {
      this.holding = false;
    }
    for (const [topic, item] of this.queue.drain()) this.send(topic, item.kind, item.body);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}
