import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import { Registry } from '../core/metrics/registry.ts';
import { EmbeddedBroker } from '../core/mqtt/embedded-broker.ts';
import { describeStorage, storageTarget } from '../core/storage/config.ts';
import { openSqlDatabase } from '../core/storage/sql/open.ts';
import { buildComponents, type Components } from './components.ts';
import type { ServerConfig } from './config/schema.ts';
import { registerServerMetrics } from './server-metrics.ts';

/** One long-lived part of the server, in start order. */
interface Part {
  name: string;
  start?(): unknown;
  stop?(): unknown;
}

/** The start order; stop runs it backwards. Ingest's consumers listen before the first message arrives. */
function parts(c: Omit<Components, 'stop'>): Part[] {
  return [
    // Stopping the writer flushes what is queued, so it stops after everything that feeds it.
    { name: 'writer', stop: () => c.writer.stop() },
    { name: 'reservations', start: () => c.reservations.start(), stop: () => c.reservations.stop() },
    // Before MQTT: the hub marks availability changed on every commit from the first one.
    { name: 'live', start: () => c.hub.start(), stop: () => c.hub.stop() },
    { name: 'sse', start: () => c.sse.start(), stop: () => c.sse.close() },
    { name: 'mqtt', start: () => c.mqtt.start(), stop: () => c.mqtt.stop() },
    { name: 'subscriptions', start: () => c.subscriptions.start(), stop: () => leaveShareGroup(c) },
    { name: 'calibration', start: () => c.calibration.start(), stop: () => c.calibration.stop() },
    ...(c.homeAssistant !== undefined
      ? [{ name: 'home-assistant', start: () => c.homeAssistant!.start(), stop: () => c.homeAssistant!.stop() }]
      : []),
    { name: 'liveness', start: () => c.sweeper.start(), stop: () => c.sweeper.stop() },
    { name: 'aggregates', start: () => c.sampler.start(), stop: () => c.sampler.stop() },
    { name: 'retention', start: () => c.purger.start(), stop: () => c.purger.stop() },
    { name: 'alerts', start: () => c.alerts.start(), stop: () => c.alerts.stop() },
  ];
}

/** How long the broker must stay quiet after a share group is left before the connection closes. */
const DRAIN_QUIET_MS = 250;
const DRAIN_MAX_MS = 5000;

/**
 * A graceful stop in a share group: leave it, then take and write what the broker had already
 * assigned to this session (its in-flight window and queue) until it has been quiet a moment.
 * Closing at once would lose those messages: a clean session's queue dies with it, and the broker
 * does not reassign it to the other members (test/server/integration/two-instances.test.ts).
 */
async function leaveShareGroup(c: Omit<Components, 'stop'>): Promise<void> {
  if (c.config.mqtt.share_group === undefined || !c.mqtt.connected) return c.subscriptions.stop();
  await c.subscriptions.leave();
  const deadline = Date.now() + DRAIN_MAX_MS;
  let seen = c.metrics.received.get();
  let quietSince = Date.now();
  while (Date.now() < deadline && Date.now() - quietSince < DRAIN_QUIET_MS) {
    await new Promise((r) => setTimeout(r, 25));
    const now = c.metrics.received.get();
    if (now !== seen || c.writer.pending > 0) [seen, quietSince] = [now, Date.now()];
  }
  await c.writer.flush();
}

export interface ControllerOptions {
  /** false: no embedded broker and no MQTT connection, for tests of HTTP and storage alone. Default true. */
  mqtt?: boolean;
}

/**
 * The composition root's controller, Zigbee2MQTT-style: opens what the features are built on (the
 * database; the embedded broker, whose port is known only once it listens), builds the features
 * (components.ts), starts them in order and stops them in reverse, each in its own try/catch, so
 * one failing stop never leaves the others running. A failed start stops what had started.
 */
export async function startComponents(
  config: ServerConfig,
  clock: Clock,
  log: Logger,
  o: ControllerOptions = {},
): Promise<Components> {
  const withMqtt = o.mqtt !== false;
  const started: Part[] = [];
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      for (const part of started.reverse()) {
        try {
          await part.stop?.();
        } catch (err) {
          log.error({ err, component: part.name }, 'component failed to stop');
        }
      }
    })());
  const run = async (part: Part) => {
    started.push(part);
    await part.start?.();
  };
  try {
    // One handle for every feature: SQLite in data_dir (the default) or PostgreSQL, as `storage` says.
    const target = storageTarget(config);
    const sql = await openSqlDatabase(target);
    await run({ name: 'sql', stop: () => sql.close() });
    // Which database this instance writes to, never the password: with several instances the first
    // question is whether they all point at the same one.
    log.info({ storage: describeStorage(target) }, 'storage open');
    const registry = new Registry();
    const clientId =
      config.mqtt.client_id ?? `volno-server-${config.site}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    let broker: EmbeddedBroker | undefined;
    if (withMqtt && config.mqtt.broker_url === undefined) {
      // Accounts and topic rules from this config (docs/security.md, "MQTT trust").
      const refused = registry.counter('volno_broker_refused_total', 'Embedded broker refusals, by reason.');
      const b = new EmbeddedBroker(
        { config: config.mqtt.embedded, rules: config, serverClientId: clientId, refused },
        log.child({ component: 'broker' }),
      );
      broker = b;
      await run({ name: 'broker', start: () => b.start(), stop: () => b.stop() });
    }
    const mqttUrl = withMqtt ? (config.mqtt.broker_url ?? broker!.url) : '';
    const c = await buildComponents(config, clock, log, { sql, registry, broker, clientId, mqttUrl });
    // Without MQTT the client is built but never started: the parts that use it wait for a
    // connection that never comes, and everything else (storage, HTTP, timers) runs as usual.
    for (const part of parts(c)) if (withMqtt || part.name !== 'mqtt') await run(part);
    registerServerMetrics(registry, c);
    return { ...c, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
