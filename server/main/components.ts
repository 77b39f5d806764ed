import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import type { Logger } from 'pino';
import type { StaffAccess } from '../core/access.ts';
import { createStaffAuth, type StaffAuth } from '../staff/staff-auth.ts';
import { AvailabilityService } from '../availability/service.ts';
import { CalibrationService } from '../calibration/service.ts';
import type { ApplyHooks } from '../ingest/apply.ts';
import type { Clock } from '../core/clock.ts';
import type { ServerConfig } from '../core/config/types.ts';
import { AggregateSampler } from '../history/sampler.ts';
import { commitAckGate } from '../ingest/ack-gate.ts';
import { cameraAgents, Ingestor } from '../ingest/ingestor.ts';
import { LivenessSweeper } from '../ingest/liveness.ts';
import { IngestMetrics } from '../ingest/metrics.ts';
import { IngestSubscriptions } from '../ingest/subscriptions.ts';
import { IngestWriter } from '../ingest/writer.ts';
import { LiveHub } from '../live/hub.ts';
import { SseBroadcaster } from '../live/sse.ts';
import { Registry } from '../core/metrics/registry.ts';
import { MqttConnection } from '../core/mqtt/connection.ts';
import { EmbeddedBroker } from '../core/mqtt/embedded-broker.ts';
import { HomeAssistantPublisher, statusTopic } from '../opendata/home-assistant.ts';
import { Aggregates } from '../core/storage/aggregates.ts';
import { Catalog } from '../core/storage/catalog.ts';
import { DB_FILE_NAME, openDatabase } from '../core/storage/database.ts';
import { RetentionPurger } from '../core/storage/retention.ts';
import { Reservations } from '../reservations/index.ts';
import { Identity } from '../identity/index.ts';
import { registerServerMetrics } from './server-metrics.ts';

/** Everything the server runs, started in this order and stopped in reverse. */
export interface Components {
  config: ServerConfig;
  clock: Clock;
  log: Logger;
  db: Database;
  catalog: Catalog;
  registry: Registry;
  /** Who may use staff pages and APIs: accounts and sessions, or the staff token (server/staff/account-access.ts). */
  access: StaffAccess;
  /** Calibration versions, snapshots, masks and publishing (issue 7). */
  calibration: CalibrationService;
  /** Staff accounts, sessions, login limits and the audit log behind `access`. */
  auth: StaffAuth;
  metrics: IngestMetrics;
  availability: AvailabilityService;
  aggregates: Aggregates;
  writer: IngestWriter;
  ingestor: Ingestor;
  sweeper: LivenessSweeper;
  hub: LiveHub;
  sse: SseBroadcaster;
  sampler: AggregateSampler;
  purger: RetentionPurger;
  /** Bookings, the camera loop that checks them in, their e-mails and privacy purge (issue 6). */
  reservations: Reservations;
  /** OpenID Connect sign-in: citizens (identity gateway) and staff (single sign-on), issue 13. */
  identity: Identity;
  broker: EmbeddedBroker | undefined;
  mqtt: MqttConnection;
  subscriptions: IngestSubscriptions;
  /** mqtt:// URL of the broker in use (the embedded one's actual port when it picked one). */
  mqttUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts the components in dependency order, Zigbee2MQTT-style: each one that started is recorded
 * and, on failure or on stop(), they are stopped in reverse order, each in its own try/catch, so
 * one failing stop never leaves the others running.
 */
export async function startComponents(config: ServerConfig, clock: Clock, log: Logger): Promise<Components> {
  const stack: { name: string; stop: () => unknown }[] = [];
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      for (const { name, stop: s } of stack.reverse()) {
        try {
          await s();
        } catch (err) {
          log.error({ err, component: name }, 'component failed to stop');
        }
      }
    })());
  try {
    const db = openDatabase(join(config.dataDir, DB_FILE_NAME));
    stack.push({ name: 'database', stop: () => db.close() });
    const catalog = new Catalog(db);
    catalog.applyConfig(config.lots);
    const registry = new Registry();
    const auth = createStaffAuth(db, clock, config.auth, config.http.staffToken, log.child({ component: 'access' }), {
      ssoLabel: config.identity.staff?.label,
    });
    const identity = new Identity(db, clock, config.identity, log.child({ component: 'identity' }));
    const access = auth.access;
    const metrics = new IngestMetrics(registry);
    const availability = new AvailabilityService(db, catalog, clock, config.freshness.staleAfterS * 1000);
    const aggregates = new Aggregates(db, config.timezone);
    // Filled once the MQTT client exists; no message reaches the writer before that.
    const calibrationHooks: ApplyHooks = {};
    const writer = new IngestWriter(db, catalog, metrics, clock, log.child({ component: 'ingest' }), {
      ...config.ingest,
      trackGaps: config.mqtt.shareGroup === undefined,
      hooks: calibrationHooks,
    });
    stack.push({ name: 'writer', stop: () => writer.stop() });
    const ingestor = new Ingestor(writer, metrics, clock, log.child({ component: 'ingest' }), {
      site: config.site,
      prefix: config.mqtt.topicPrefix,
      futureToleranceS: config.ingest.futureToleranceS,
      rejectionLogsPerMinute: config.ingest.rejectionLogsPerMinute,
      cameraAgents: cameraAgents(config.lots),
    });
    const hub = new LiveHub(availability, clock, log.child({ component: 'live' }), config.web.liveTickMs);
    writer.on('commit', (e) => hub.committed(e.lots));
    const reservations = new Reservations(db, catalog, config, clock, log.child({ component: 'reservations' }));
    availability.setReservedSource(reservations);
    reservations.service.onChange((lots) => hub.committed(lots));
    // Only flags a pass for later (setImmediate): the commit path never waits for bookings.
    writer.on('commit', () => reservations.loop.committed());
    stack.push({ name: 'reservations', stop: () => reservations.stop() });
    reservations.start();
    const sse = new SseBroadcaster(hub, availability, clock, log.child({ component: 'sse' }));
    stack.push({ name: 'sse', stop: () => sse.close() });

    const clientId =
      config.mqtt.clientId ?? `volno-server-${config.site}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    let broker: EmbeddedBroker | undefined;
    if (config.mqtt.brokerUrl === undefined) {
      // Accounts and topic rules from this config (docs/security.md, "MQTT trust").
      const refused = registry.counter('volno_broker_refused_total', 'Embedded broker refusals, by reason.');
      broker = new EmbeddedBroker(
        { config: config.mqtt.embedded, rules: config, serverClientId: clientId, refused },
        log.child({ component: 'broker' }),
      );
      stack.push({ name: 'broker', stop: () => broker!.stop() });
      await broker.start();
    }
    const mqttUrl = config.mqtt.brokerUrl ?? broker!.url;
    const credentials =
      broker !== undefined
        ? broker.serverCredentials
        : { username: config.mqtt.username, password: config.mqtt.password, tls: config.mqtt.tls };
    const ha = config.homeAssistant;
    const haOpts = { site: config.site, discoveryPrefix: ha.discoveryPrefix, statePrefix: ha.statePrefix };
    const mqtt = new MqttConnection(
      {
        url: mqttUrl,
        clientId,
        ...credentials,
        // A configured client id is stable across restarts: the broker then keeps the session and
        // redelivers what arrived while the server was down. A generated one must not persist.
        persistentSession: config.mqtt.clientId !== undefined && config.mqtt.brokerUrl !== undefined,
        ...(ha.enabled
          ? { will: { topic: statusTopic(haOpts), payload: 'offline', retain: true, qos: 1 as const } }
          : {}),
      },
      log.child({ component: 'mqtt' }),
    );
    const cal = new CalibrationService({
      db,
      catalog,
      mqtt,
      clock,
      log: log.child({ component: 'calibration' }),
      site: config.site,
      prefix: config.mqtt.topicPrefix,
      options: config.calibration,
      onCatalogChanged: (lots) => hub.committed(lots),
    });
    calibrationHooks.snapshotReply = (p) => cal.snapshotReply(p);
    calibrationHooks.calibrationAck = (p) => cal.calibrationAck(p);
    stack.push({ name: 'calibration', stop: () => cal.stop() });
    // Retained calibrations (server → agent) go to calibration for their reference image; all else to ingest.
    mqtt.onMessage((topic, payload, retained) => {
      if (!cal.handleMessage(topic, payload)) ingestor.handle(topic, payload, retained);
    });
    // PUBACK only once the message's write transaction has committed.
    mqtt.setAckGate(commitAckGate(writer));
    stack.push({ name: 'mqtt', stop: () => mqtt.stop() });
    await mqtt.start();
    const subscriptions = new IngestSubscriptions(mqtt, log.child({ component: 'ingest' }), {
      site: config.site,
      prefix: config.mqtt.topicPrefix,
      shareGroup: config.mqtt.shareGroup,
      retainedSettleMs: config.mqtt.retainedSettleMs,
    });
    stack.push({ name: 'subscriptions', stop: () => subscriptions.stop() });
    await subscriptions.start();
    await cal.start();
    if (ha.enabled) {
      const publisher = new HomeAssistantPublisher(
        mqtt,
        hub,
        availability,
        log.child({ component: 'home-assistant' }),
        haOpts,
      );
      stack.push({ name: 'home-assistant', stop: () => publisher.stop() });
      publisher.start();
    }

    const sweeper = new LivenessSweeper(writer, clock, config.ingest.sweepIntervalS);
    const sampler = new AggregateSampler(
      availability,
      aggregates,
      clock,
      log.child({ component: 'aggregates' }),
      config.aggregates.sampleIntervalS,
    );
    const purger = new RetentionPurger(db, aggregates, clock, log.child({ component: 'retention' }), config.retention);
    for (const [name, c] of [
      ['live', hub],
      ['sse-clock', sse],
      ['liveness', sweeper],
      ['aggregates', sampler],
      ['retention', purger],
    ] as const) {
      c.start();
      stack.push({ name, stop: () => ('stop' in c ? c.stop() : undefined) });
    }
    registerServerMetrics(registry, { db, availability, sse, mqtt, writer });
    return {
      calibration: cal,
      config,
      clock,
      log,
      db,
      catalog,
      registry,
      access,
      auth,
      metrics,
      availability,
      aggregates,
      writer,
      ingestor,
      sweeper,
      hub,
      sse,
      sampler,
      purger,
      reservations,
      identity,
      broker,
      mqtt,
      subscriptions,
      mqttUrl,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
