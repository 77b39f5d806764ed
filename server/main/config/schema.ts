import { Type, type Static } from 'typebox';
import { ID_PATTERN } from '../../../protocol/index.ts';
import { AlertsConfigSchema } from '../../alerts/config.ts';
import { CalibrationConfigSchema } from '../../calibration/config.ts';
import { section, seconds } from '../../core/config/parts.ts';
import { FreshnessConfigSchema, LotConfig, RetentionConfigSchema, WebConfigSchema } from '../../core/config/schema.ts';
import { HttpConfigSchema } from '../../core/http/config.ts';
import { LimitsConfigSchema } from '../../core/http/limits-config.ts';
import { StorageConfigSchema } from '../../core/storage/config.ts';
import { HomeAssistantConfigSchema, MqttConfigSchema } from '../../core/mqtt/config.ts';
import { IdentityConfigSchema } from '../../identity/config.ts';
import { IngestConfigSchema } from '../../ingest/config.ts';
import { PrivacySchema, ReservationRulesSchema, SmtpSchema } from '../../reservations/config.ts';
import { AuthConfigSchema } from '../../staff/config.ts';

/**
 * The server's config file as one TypeBox declaration, composed from the sections the kernel and the
 * features declare next to their code. Its `Static` type is the runtime type: the loader fills the
 * schema's defaults, makes paths absolute and hands out this shape, snake_case like the file (and
 * like the edge agent's config). docs/config.md is generated from it (`npm run docs:config`).
 */

export const CONFIG_VERSION = 1;

/** A lot with the reservations feature's booking rules. */
export const ServerLotConfig = Type.Object(
  {
    ...LotConfig.properties,
    reservations: Type.Optional(ReservationRulesSchema),
  },
  {
    additionalProperties: false,
    title: 'Lot',
    description: 'A car park; it groups the cameras that watch it and may take bookings.',
  },
);

export const ServerConfigSchema = Type.Object(
  {
    version: Type.Literal(CONFIG_VERSION, {
      default: CONFIG_VERSION,
      title: 'Config version',
      description: 'Format version of this file.',
    }),
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
      description: 'IANA zone for daily statistics, hour-of-day charts and opening hours.',
    }),
    data_dir: Type.String({
      default: './volno-data',
      minLength: 1,
      title: 'Data directory',
      description: 'Holds the SQLite database (storage engine sqlite); relative paths are relative to the config file.',
    }),
    storage: StorageConfigSchema,
    log_level: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, {
      default: 'info',
      title: 'Log level',
      description: 'Least severe level written to the log.',
    }),
    http: HttpConfigSchema,
    mqtt: MqttConfigSchema,
    ingest: IngestConfigSchema,
    freshness: FreshnessConfigSchema,
    retention: RetentionConfigSchema,
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
    home_assistant: HomeAssistantConfigSchema,
    web: WebConfigSchema,
    auth: AuthConfigSchema,
    limits: LimitsConfigSchema,
    calibration: CalibrationConfigSchema,
    alerts: AlertsConfigSchema,
    lots: Type.Array(ServerLotConfig, {
      default: [],
      maxItems: 1000,
      title: 'Lots',
      description: 'The car parks this server reports on.',
    }),
    smtp: Type.Optional(SmtpSchema),
    identity: IdentityConfigSchema,
    privacy: PrivacySchema,
  },
  { additionalProperties: false, title: 'Volno server configuration' },
);

/** The validated server configuration: defaults filled in, paths absolute. */
export type ServerConfig = Static<typeof ServerConfigSchema>;
export type ServerLotConfig = Static<typeof ServerLotConfig>;
