import type { Logger } from 'pino';
import type { StaffAccess } from '../core/access.ts';
import type { Clock } from '../core/clock.ts';
import { EventBus } from '../core/events.ts';
import type { Registry } from '../core/metrics/registry.ts';
import { MqttConnection } from '../core/mqtt/connection.ts';
import type { EmbeddedBroker } from '../core/mqtt/embedded-broker.ts';
import { Aggregates } from '../core/storage/aggregates.ts';
import { Catalog } from '../core/storage/catalog.ts';
import { RetentionPurger } from '../core/storage/retention.ts';
import { AlertMonitor } from '../alerts/monitor.ts';
import { AvailabilityService } from '../availability/service.ts';
import { CalibrationService } from '../calibration/service.ts';
import { AggregateSampler } from '../history/sampler.ts';
import { Identity } from '../identity/index.ts';
import { commitAckGate } from '../ingest/ack-gate.ts';
import { cameraAgents, Ingestor } from '../ingest/ingestor.ts';
import { LivenessSweeper } from '../ingest/liveness.ts';
import { IngestMetrics } from '../ingest/metrics.ts';
import { IngestSubscriptions } from '../ingest/subscriptions.ts';
import { IngestWriter } from '../ingest/writer.ts';
import { LiveHub } from '../live/hub.ts';
import { SseBroadcaster } from '../live/sse.ts';
import { HomeAssistantPublisher, statusTopic } from '../opendata/home-assistant.ts';
import { Reservations } from '../reservations/index.ts';
import { createStaffAuth, type StaffAuth } from '../staff/staff-auth.ts';
import type { CameraCalibrationView } from '../core/camera-console.ts';
import { smtpSender } from '../core/mail/smtp.ts';
import { cameraCalibrationView, heldSlots } from './camera-console.ts';
import { CalibrationInForce } from '../calibration/in-force.ts';
import type { ServerConfig } from './config/schema.ts';
import type { SqlDatabase } from '../core/storage/sql/port.ts';

/** Everything the server runs, as the routes, the tests (`app.volno`) and the entry point see it. */
export interface Components {
  config: ServerConfig;
  clock: Clock;
  log: Logger;
  /** The storage port (SQLite or PostgreSQL, `storage.engine`); every store runs on it. */
  sql: SqlDatabase;
  catalog: Catalog;
  registry: Registry;
  /** "Tell whoever cares": ingest commits, booking and catalog changes (server/core/events.ts). */
  bus: EventBus;
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
  /** Staff alerts with hysteresis, their store and the digest e-mail (issue 15). */
  alerts: AlertMonitor;
  /** Calibration as the staff camera wall reads it. */
  cameraView: CameraCalibrationView;
  /** OpenID Connect sign-in: citizens (identity gateway) and staff (single sign-on), issue 13. */
  identity: Identity;
  /** Retained Home Assistant discovery and states, where `home_assistant.enabled`. */
  homeAssistant: HomeAssistantPublisher | undefined;
  broker: EmbeddedBroker | undefined;
  mqtt: MqttConnection;
  subscriptions: IngestSubscriptions;
  /** mqtt:// URL of the broker in use (the embedded one's actual port when it picked one); '' with MQTT off. */
  mqttUrl: string;
  stop(): Promise<void>;
}

/** What must exist before any feature is built: the open database and, if embedded, the listening broker. */
export interface Foundations {
  sql: SqlDatabase;
  registry: Registry;
  broker: EmbeddedBroker | undefined;
  /** The server's MQTT client id (the embedded broker grants it the server's rights). */
  clientId: string;
  /** The broker to connect to: `mqtt.broker_url`, the embedded broker's, or '' when MQTT is off. */
  mqttUrl: string;
}

/**
 * Builds every feature in dependency order, each with what it needs as constructor arguments.
 * Nothing starts here (see controller.ts) and nothing is wired afterwards by setters: a feature
 * that tells others something emits on the bus, a feature that reads another gets an interface
 * from server/core. Only this folder imports features.
 */
export async function buildComponents(
  config: ServerConfig,
  clock: Clock,
  log: Logger,
  { sql, registry, broker, clientId, mqttUrl }: Foundations,
): Promise<Omit<Components, 'stop'>> {
  const child = (component: string) => log.child({ component });
  const bus = new EventBus(child('events'));
  const catalog = new Catalog(sql);
  await catalog.applyConfig(config.lots);
  const auth = createStaffAuth(sql, clock, config.auth, config.http.staff_token, child('access'), {
    ssoLabel: config.identity.staff?.label,
    registry,
  });
  const identity = new Identity(sql, clock, config.identity, child('identity'));
  const metrics = new IngestMetrics(registry);
  // Before availability: its held slots count as `reserved` (ReservedSource).
  const reservations = new Reservations(sql, catalog, config, clock, child('reservations'), bus);
  const availability = new AvailabilityService(
    sql,
    catalog,
    clock,
    config.freshness.stale_after_s * 1000,
    reservations,
  );
  const aggregates = new Aggregates(sql, config.timezone);
  const hub = new LiveHub(availability, clock, child('live'), config.web.live_tick_ms, bus);
  const sse = new SseBroadcaster(hub, availability, clock, child('sse'));

  const credentials =
    broker !== undefined
      ? broker.serverCredentials
      : { username: config.mqtt.username, password: config.mqtt.password, tls: config.mqtt.tls };
  const ha = config.home_assistant;
  const haOpts = { site: config.site, discoveryPrefix: ha.discovery_prefix, statePrefix: ha.state_prefix };
  const mqtt = new MqttConnection(
    {
      url: mqttUrl,
      clientId,
      ...credentials,
      // A configured client id is stable across restarts: the broker then keeps the session and
      // redelivers what arrived while the server was down. A generated one must not persist.
      persistentSession: config.mqtt.client_id !== undefined && config.mqtt.broker_url !== undefined,
      ...(ha.enabled
        ? { will: { topic: statusTopic(haOpts), payload: 'offline', retain: true, qos: 1 as const } }
        : {}),
    },
    child('mqtt'),
  );
  // Calibration publishes over the connection and receives what ingest hands it (snapshot replies,
  // acks), so it is built after the connection and before the writer: no cycle, no late hooks.
  const calibration = new CalibrationService({
    sql,
    catalog,
    mqtt,
    clock,
    log: child('calibration'),
    site: config.site,
    prefix: config.mqtt.topic_prefix,
    options: config.calibration,
    registry,
    bus,
  });
  const writer = new IngestWriter(sql, catalog, metrics, clock, child('ingest'), {
    batchMax: config.ingest.batch_max,
    batchDelayMs: config.ingest.batch_delay_ms,
    agentTtlS: config.ingest.agent_ttl_s,
    missedHeartbeats: config.ingest.missed_heartbeats,
    trackGaps: config.mqtt.share_group === undefined,
    hooks: calibration,
  });
  // The writer's own event carries ingest internals (operation counts); the bus carries what
  // other features may know. Listeners only flag work: the commit path never waits for them.
  writer.on('commit', (e) => bus.emit('ingest.committed', { lots: e.lots, health: e.health }));
  const ingestor = new Ingestor(writer, metrics, clock, child('ingest'), {
    site: config.site,
    prefix: config.mqtt.topic_prefix,
    futureToleranceS: config.ingest.future_tolerance_s,
    rejectionLogsPerMinute: config.ingest.rejection_logs_per_minute,
    cameraAgents: cameraAgents(config.lots),
  });
  // The connection is shared transport, so its owner routes it. Retained calibrations
  // (server → agent) go to calibration for their reference image; all else to ingest.
  mqtt.onMessage((topic, payload, retained) => {
    if (!calibration.handleMessage(topic, payload)) ingestor.handle(topic, payload, retained);
  });
  // PUBACK only once the message's write transaction has committed.
  mqtt.setAckGate(commitAckGate(writer));
  const subscriptions = new IngestSubscriptions(mqtt, child('ingest'), {
    site: config.site,
    prefix: config.mqtt.topic_prefix,
    shareGroup: config.mqtt.share_group,
    retainedSettleMs: config.mqtt.retained_settle_ms,
  });
  const homeAssistant = ha.enabled
    ? new HomeAssistantPublisher(mqtt, hub, availability, child('home-assistant'), haOpts)
    : undefined;
  const sweeper = new LivenessSweeper(writer, clock, config.ingest.sweep_interval_s);
  const sampler = new AggregateSampler(
    availability,
    aggregates,
    clock,
    child('aggregates'),
    config.aggregates.sample_interval_s,
  );
  const purger = new RetentionPurger(sql, aggregates, clock, child('retention'), config.retention);
  const alerts = new AlertMonitor({
    sql,
    clock,
    log: child('alerts'),
    registry,
    config: config.alerts,
    timezone: config.timezone,
    held: async (now) => heldSlots(catalog, reservations, now),
    storageErrors: () => metrics.storageErrors.entries().reduce((n, [, v]) => n + v, 0),
    // Its own transport on the shared settings: a digest never waits behind the booking outbox.
    mail: config.smtp === undefined ? undefined : smtpSender(config.smtp),
  });
  return {
    config,
    clock,
    log,
    sql,
    catalog,
    registry,
    bus,
    access: auth.access,
    calibration,
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
    alerts,
    cameraView: cameraCalibrationView(calibration, new CalibrationInForce(sql, calibration)),
    identity,
    homeAssistant,
    broker,
    mqtt,
    subscriptions,
    mqttUrl,
  };
}
