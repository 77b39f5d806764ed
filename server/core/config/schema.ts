import { Type, type Static } from 'typebox';
import { ID_PATTERN } from '../../../protocol/index.ts';
import { AuthConfigSchema } from '../../staff/config.ts';
import { CalibrationConfigSchema } from '../../calibration/config.ts';
import { PrivacySchema, ReservationRulesSchema, SmtpSchema } from '../../reservations/config.ts';
import { HttpTlsConfig, MqttTlsConfig } from './tls.ts';
import { TrustProxySchema } from '../http/client-address.ts';
import { LimitsConfigSchema } from '../http/limits-config.ts';
import { IdentityConfigSchema } from '../../identity/config.ts';
import { EmbeddedBrokerSchema } from '../mqtt/embedded-config.ts';

/** Slot types the office distinguishes; `ev` is an EV charging space. */
export const SLOT_TYPES = ['standard', 'disabled', 'ev', 'visitor', 'staff'] as const;
export type SlotType = (typeof SLOT_TYPES)[number];

/** Plain topic levels: no wildcards, no `$`, no empty level. */
const TOPIC_LEVELS = '^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*$';

export const LANGUAGES = ['cs', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

const id = (title: string, description: string) =>
  Type.String({ pattern: ID_PATTERN, minLength: 1, maxLength: 64, title, description });
const seconds = (title: string, description: string, def: number, minimum = 0) =>
  Type.Number({ minimum, maximum: 10 * 365 * 86_400, default: def, title, description });
const port = (title: string, description: string, def: number) =>
  Type.Integer({ minimum: 0, maximum: 65_535, default: def, title, description });
const section = <T extends Parameters<typeof Type.Object>[0]>(props: T, title: string, description: string) =>
  Type.Object(props, { additionalProperties: false, default: {}, title, description });

export const SlotConfig = Type.Object(
  {
    slot_id: id('Slot id', 'The id the camera agent reports for this space (unique within the camera).'),
    label: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 32,
        title: 'Label',
        description: 'Shown on the map; the slot id when absent.',
      }),
    ),
    type: Type.Enum(SLOT_TYPES, {
      default: 'standard',
      title: 'Type',
      description: '`standard`, `disabled`, `ev` (charging), `visitor` or `staff`.',
    }),
    reservable: Type.Boolean({ default: false, title: 'Reservable', description: 'Visitors may reserve it.' }),
    row: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 50, title: 'Map row', description: 'Row on the schematic map, 1–50.' }),
    ),
    col: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 50, title: 'Map column', description: 'Column on the schematic map, 1–50.' }),
    ),
  },
  { additionalProperties: false, title: 'Slot' },
);

export const CameraConfig = Type.Object(
  {
    camera_id: id('Camera id', 'The camera id the agent uses in its topics (unique within the site).'),
    name: Type.Optional(Type.String({ maxLength: 100, title: 'Name', description: 'For staff pages.' })),
    agent_id: Type.Optional(
      id(
        'Agent id',
        'The edge agent that watches this camera. deploy/mosquitto/ generates broker ACLs from it so only that agent may publish the camera’s topics.',
      ),
    ),
    slots: Type.Array(SlotConfig, { default: [], maxItems: 1000, title: 'Slots' }),
  },
  { additionalProperties: false, title: 'Camera' },
);

export const LotConfig = Type.Object(
  {
    lot_id: id('Lot id', 'Used in URLs and open data.'),
    name: Type.String({
      minLength: 1,
      maxLength: 100,
      title: 'Name',
      description: 'Name in Czech (or the only name).',
    }),
    name_en: Type.Optional(Type.String({ minLength: 1, maxLength: 100, title: 'English name' })),
    address: Type.Optional(Type.String({ maxLength: 200, title: 'Address', description: 'For open data.' })),
    latitude: Type.Optional(Type.Number({ minimum: -90, maximum: 90, title: 'Latitude', description: 'WGS 84.' })),
    longitude: Type.Optional(Type.Number({ minimum: -180, maximum: 180, title: 'Longitude', description: 'WGS 84.' })),
    cameras: Type.Array(CameraConfig, { default: [], maxItems: 256, title: 'Cameras' }),
    reservations: Type.Optional(ReservationRulesSchema),
  },
  { additionalProperties: false, title: 'Lot', description: 'A car park; it groups the cameras that watch it.' },
);

export const ConfigSchema = Type.Object(
  {
    version: Type.Literal(1, { default: 1, title: 'Config version' }),
    site: Type.String({
      pattern: ID_PATTERN,
      maxLength: 64,
      default: 'default',
      title: 'Site id',
      description: 'The site whose MQTT topics this server ingests (`{prefix}/{site}/…`).',
    }),
    timezone: Type.String({
      default: 'Europe/Prague',
      maxLength: 64,
      title: 'Time zone',
      description: 'IANA zone for daily statistics and hour-of-day charts.',
    }),
    data_dir: Type.String({
      default: './volno-data',
      minLength: 1,
      title: 'Data directory',
      description: 'Holds the SQLite database; relative paths are relative to the config file.',
    }),
    log_level: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, {
      default: 'info',
      title: 'Log level',
    }),
    http: section(
      {
        host: Type.String({
          default: '127.0.0.1',
          title: 'Listen address',
          description: 'Use 0.0.0.0 to serve other machines.',
        }),
        port: port('HTTP port', '0 picks a free port.', 8080),
        trust_proxy: TrustProxySchema,
        staff_token: Type.Optional(
          Type.String({
            minLength: 16,
            maxLength: 256,
            title: 'Staff token',
            description:
              'Bearer token for scripts and monitoring: an admin credential on every staff endpoint; use an env placeholder. Without it, and until the first staff account exists (volno user add), staff endpoints answer only requests from this machine.',
          }),
        ),
        embed_origins: Type.Array(Type.String({ pattern: '^https?://[^\\s/]+$', maxLength: 200 }), {
          default: [],
          maxItems: 32,
          title: 'Embedding origins',
          description: 'Origins (scheme://host[:port]) allowed to show /embed/… in an iframe.',
        }),
        tls: Type.Optional(HttpTlsConfig),
      },
      'HTTP',
      'The API, live updates and the public page.',
    ),
    mqtt: section(
      {
        broker_url: Type.Optional(
          Type.String({
            pattern: '^(mqtts?|wss?|tcp|ssl)://',
            maxLength: 500,
            title: 'Broker URL',
            description: 'mqtt://host:1883 of Mosquitto or EMQX; without it an embedded broker starts in-process.',
          }),
        ),
        username: Type.Optional(Type.String({ maxLength: 200, title: 'Username' })),
        password: Type.Optional(
          Type.String({ maxLength: 500, title: 'Password', description: 'Use an env placeholder.' }),
        ),
        client_id: Type.Optional(
          Type.String({
            minLength: 1,
            maxLength: 64,
            pattern: '^[A-Za-z0-9_-]+$',
            title: 'Client id',
            description:
              'Stable id (one per instance): the broker keeps the session, so messages sent while the server is down are delivered after it restarts.',
          }),
        ),
        topic_prefix: Type.String({ default: 'volno/v1', maxLength: 200, title: 'Topic prefix' }),
        share_group: Type.Optional(
          Type.String({
            pattern: ID_PATTERN,
            maxLength: 64,
            title: 'Shared subscription group',
            description:
              'Server instances with the same group split the ingest (`$share/<group>/…`); they must share one database file. Needs a real broker.',
          }),
        ),
        tls: Type.Optional(MqttTlsConfig),
        retained_settle_ms: Type.Integer({
          minimum: 0,
          maximum: 60_000,
          default: 1500,
          title: 'Retained settle time',
          description:
            'With a share group: how long the extra plain subscription that fetches retained state stays open.',
        }),
        embedded: EmbeddedBrokerSchema,
      },
      'MQTT',
      'Where agent messages come from.',
    ),
    ingest: section(
      {
        future_tolerance_s: seconds(
          'Future tolerance',
          'Timestamps further ahead of the server clock are rejected.',
          30,
        ),
        agent_ttl_s: seconds('Agent TTL', 'An agent silent this long turns its slots unknown.', 90, 1),
        missed_heartbeats: Type.Integer({
          minimum: 1,
          maximum: 100,
          default: 3,
          title: 'Missed heartbeats',
          description: 'The TTL grows to this many of the agent’s own heartbeat intervals when that is longer.',
        }),
        batch_max: Type.Integer({
          minimum: 1,
          maximum: 100_000,
          default: 2000,
          title: 'Batch size',
          description: 'Most messages written per transaction.',
        }),
        batch_delay_ms: Type.Integer({
          minimum: 0,
          maximum: 5000,
          default: 20,
          title: 'Batch delay',
          description: 'Longest wait before a write.',
        }),
        rejection_logs_per_minute: Type.Integer({
          minimum: 0,
          maximum: 10_000,
          default: 20,
          title: 'Rejection logs per minute',
        }),
        sweep_interval_s: seconds('Sweep interval', 'How often silent agents are looked for.', 5, 0.1),
      },
      'Ingest',
      'Validation and liveness of agent messages.',
    ),
    freshness: section(
      {
        stale_after_s: seconds(
          'Stale after',
          'A slot not confirmed for this long counts as unknown. Keep it above the agents’ full-refresh interval (edge default 300 s).',
          900,
          1,
        ),
      },
      'Freshness',
      'When a state is too old to trust.',
    ),
    retention: section(
      {
        transitions_days: seconds('Transitions', 'Days of per-slot transitions to keep.', 90, 1),
        hourly_days: seconds('Hourly aggregates', 'Days of hourly aggregates to keep.', 400, 1),
        daily_days: seconds('Daily aggregates', 'Days of daily aggregates to keep.', 3650, 1),
        purge_interval_s: seconds('Purge interval', 'How often old rows are deleted.', 3600, 1),
      },
      'Retention',
      'How long history is kept.',
    ),
    aggregates: section(
      {
        sample_interval_s: seconds(
          'Sample interval',
          'How often lot counts are sampled into hourly/daily aggregates.',
          60,
          1,
        ),
      },
      'Aggregates',
      'Occupancy statistics for charts.',
    ),
    home_assistant: section(
      {
        enabled: Type.Boolean({ default: true, title: 'Enabled' }),
        discovery_prefix: Type.String({
          default: 'homeassistant',
          pattern: TOPIC_LEVELS,
          maxLength: 100,
          title: 'Discovery prefix',
        }),
        state_prefix: Type.String({
          default: 'volno/ha',
          pattern: TOPIC_LEVELS,
          maxLength: 100,
          title: 'State topic prefix',
        }),
      },
      'Home Assistant',
      'MQTT discovery: a free-count sensor per lot and an occupancy binary sensor per slot.',
    ),
    web: section(
      {
        default_language: Type.Enum(LANGUAGES, { default: 'cs', title: 'Default language' }),
        title: Type.String({ default: 'Volná parkovací místa', maxLength: 100, title: 'Page title (Czech)' }),
        title_en: Type.String({ default: 'Free parking spaces', maxLength: 100, title: 'Page title (English)' }),
        live_tick_ms: Type.Integer({
          minimum: 100,
          maximum: 60_000,
          default: 1000,
          title: 'Live tick',
          description: 'How often freshness and other instances’ writes are checked for live updates.',
        }),
      },
      'Web',
      'The public page.',
    ),
    auth: AuthConfigSchema,
    limits: LimitsConfigSchema,
    calibration: CalibrationConfigSchema,
    lots: Type.Array(LotConfig, { default: [], maxItems: 1000, title: 'Lots' }),
    smtp: Type.Optional(SmtpSchema),
    identity: IdentityConfigSchema,
    privacy: PrivacySchema,
  },
  { additionalProperties: false, title: 'Volno server configuration' },
);

export type ConfigFile = Static<typeof ConfigSchema>;
export type LotConfig = Static<typeof LotConfig>;
export type CameraConfig = Static<typeof CameraConfig>;
export type SlotConfig = Static<typeof SlotConfig>;
