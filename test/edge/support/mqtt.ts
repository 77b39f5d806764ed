// MQTT helpers for tests: an embedded aedes broker and a recorder that decodes what it hears.
import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import { decodeMessage, MESSAGES, parseTopic, type MessageKind } from '../../../protocol/index.ts';
import { freePort } from '../../fixtures/process.ts';

export interface AedesHandle {
  url: string;
  port: number;
  broker: Aedes;
  close(): Promise<void>;
}

/** The embedded broker (MQTT 3.1.1 only) on 127.0.0.1, on `port` or a free one. */
export async function startAedes(port?: number): Promise<AedesHandle> {
  const broker = await Aedes.createBroker();
  const server: Server = createServer(broker.handle);
  const p = port ?? (await freePort());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(p, '127.0.0.1', () => resolve());
  });
  let closing: Promise<void> | undefined;
  return {
    url: `mqtt://127.0.0.1:${p}`,
    port: p,
    broker,
    close: () =>
      (closing ??= (async () => {
        await new Promise<void>((r) => broker.close(() => r()));
        await new Promise<void>((r) => server.close(() => r()));
      })()),
  };
}

export interface Heard {
  topic: string;
  kind: MessageKind | null;
  retain: boolean;
  payload: Record<string, unknown>;
}

/** Subscribes to everything under `prefix` and keeps every message, decoded and validated. */
export class Recorder {
  readonly heard: Heard[] = [];
  /** Agent → server payloads that did not pass the protocol's codec: must stay empty. */
  readonly invalid: string[] = [];
  private client: MqttClient | undefined;

  constructor(
    private readonly url: string,
    private readonly prefix = 'volno/v1',
    private readonly protocolVersion: 4 | 5 = 4,
  ) {}

  async start(): Promise<this> {
    this.client = await mqtt.connectAsync(this.url, {
      protocolVersion: this.protocolVersion,
      reconnectPeriod: 200,
      clientId: `rec-${Math.random().toString(36).slice(2)}`,
    });
    this.client.on('message', (topic, payload, packet) => {
      const parsed = parseTopic(topic, this.prefix);
      if (payload.length === 0) return;
      const kind = parsed?.kind ?? null;
      if (kind && MESSAGES[kind].direction === 'agent → server') {
        const d = decodeMessage(kind, payload);
        if (!d.ok) this.invalid.push(`${topic}: ${d.error.message}`);
      }
      this.heard.push({
        topic,
        kind,
        retain: packet.retain,
        payload: JSON.parse(payload.toString()) as Record<string, unknown>,
      });
    });
    // Re-subscribe after a broker restart (no persistent session for the recorder).
    this.client.on('connect', () => void this.client?.subscribe(`${this.prefix}/#`, { qos: 1 }));
    await this.client.subscribeAsync(`${this.prefix}/#`, { qos: 1 });
    return this;
  }

  of(kind: MessageKind): Heard[] {
    return this.heard.filter((h) => h.kind === kind);
  }

  /** The newest message per topic of `kind`. */
  latest(kind: MessageKind): Map<string, Record<string, unknown>> {
    const out = new Map<string, Record<string, unknown>>();
    for (const h of this.of(kind)) out.set(h.topic, h.payload);
    return out;
  }

  clear(): void {
    this.heard.length = 0;
  }

  async publish(topic: string, payload: string | Buffer, retain = false): Promise<void> {
    await this.client!.publishAsync(topic, payload, { qos: 1, retain });
  }

  async stop(): Promise<void> {
    await this.client?.endAsync(true);
  }
}
