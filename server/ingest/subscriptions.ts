import type { Logger } from 'pino';
import { topicFilter, type MessageKind } from '../../protocol/index.ts';
import type { MqttConnection } from '../core/mqtt/connection.ts';
import { INGEST_KINDS } from './validate.ts';

/** Kinds whose current value the broker retains; a new subscriber needs them to know the present. */
const RETAINED_KINDS: MessageKind[] = [
  'availability',
  'slot_state',
  'camera_summary',
  'calibration_ack',
  'calibration_running',
];

/**
 * `availability` first: brokers replay retained messages filter by filter, in subscription order,
 * and a retained slot state is stored as `unknown` while its agent is known down. After a broker
 * restart the server held the agent's `offline` will (Mosquitto 2.0 publishes every will when it
 * shuts down); replaying the agent's newer retained `online` before its states keeps them, where
 * the other order left every slot unknown until the agent's next full refresh
 * (test/system/agent-broker-faults.test.ts).
 */
const availabilityFirst = <K extends MessageKind>(kinds: readonly K[]): K[] =>
  [...kinds].sort((a, b) => Number(b === 'availability') - Number(a === 'availability'));

export interface SubscriptionOptions {
  site: string;
  prefix: string;
  shareGroup?: string;
  retainedSettleMs: number;
}

/**
 * Subscribes to every agent → server topic of the site. With a share group the broker splits live
 * messages between instances, but sends no retained messages on shared subscriptions (MQTT 5
 * §4.8.2; Mosquitto does the same), so each instance also takes a short plain subscription to the
 * retained kinds after every connection. Messages both paths deliver are applied twice, which is
 * harmless: replays are ignored by observation time.
 */
export class IngestSubscriptions {
  private settleTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** True while the plain subscription that fetches retained state is open (share group only). */
  fetchingRetained = false;

  constructor(
    private readonly conn: MqttConnection,
    private readonly log: Logger,
    private readonly opts: SubscriptionOptions,
  ) {}

  private filters(): string[] {
    return availabilityFirst(INGEST_KINDS).map((k) =>
      topicFilter(k, { site: this.opts.site }, this.opts.prefix, this.opts.shareGroup),
    );
  }

  async start(): Promise<void> {
    const filters = this.filters();
    let subscribed = false;
    const subscribe = async () => {
      // Only once: after that mqtt.js resubscribes by itself on every reconnection.
      if (!subscribed) {
        subscribed = true;
        await this.conn.subscribe(filters, 1);
        this.log.info({ filters }, 'subscribed to agent topics');
      }
      if (this.opts.shareGroup !== undefined) await this.fetchRetained();
    };
    this.conn.onConnected(() => void subscribe().catch((err) => this.log.error({ err }, 'subscribing failed')));
    if (this.conn.connected) await subscribe();
  }

  private async fetchRetained(): Promise<void> {
    if (this.stopped) return;
    const plain = RETAINED_KINDS.map((k) => topicFilter(k, { site: this.opts.site }, this.opts.prefix));
    try {
      this.fetchingRetained = true;
      await this.conn.subscribe(plain, 1);
      clearTimeout(this.settleTimer);
      this.settleTimer = setTimeout(() => {
        this.settleTimer = undefined;
        if (this.stopped) return;
        this.conn
          .unsubscribe(plain)
          .catch((err) => this.log.warn({ err }, 'unsubscribing failed'))
          .finally(() => (this.fetchingRetained = false));
      }, this.opts.retainedSettleMs);
    } catch (err) {
      this.log.warn({ err }, 'could not fetch retained state');
    }
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.settleTimer);
  }

  /**
   * Leaves the share group before the connection closes (a graceful stop), so the broker hands new
   * messages to the other instances. What it already assigned to this session still arrives and is
   * written before the controller disconnects: with a clean session the broker would drop it.
   */
  async leave(): Promise<void> {
    this.stop();
    if (this.opts.shareGroup === undefined || !this.conn.connected) return;
    await this.conn.unsubscribe(this.filters());
  }
}
