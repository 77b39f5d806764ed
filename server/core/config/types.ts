import type { CalibrationOptions } from '../../calibration/options.ts';
import type { PrivacySettings, ReservationRules, SmtpSettings } from '../../reservations/config.ts';
import type { AuthConfig } from '../../staff/config.ts';
import type { TrustProxy } from '../http/client-address.ts';
import type { LimitsConfig } from '../http/limits-config.ts';
import type { IdentityConfig } from '../../identity/config.ts';
import type { EmbeddedBrokerConfig } from '../mqtt/embedded-config.ts';
import type { Language, SlotType } from './schema.ts';
import type { HttpTlsSpec, MqttTlsSpec } from './tls.ts';

export interface SlotSpec {
  slotId: string;
  label: string;
  type: SlotType;
  reservable: boolean;
  row?: number;
  col?: number;
}

export interface CameraSpec {
  cameraId: string;
  name?: string;
  /** The agent that watches it (broker ACLs, deploy/mosquitto/). */
  agentId?: string;
  slots: SlotSpec[];
}

export interface LotSpec {
  lotId: string;
  name: string;
  nameEn?: string;
  address?: string;
  latitude?: number;
  longitude?: number;
  cameras: CameraSpec[];
  /** Booking rules; absent: the lot takes no bookings. */
  reservations?: ReservationRules;
}

/** The validated configuration, camelCase inside the process (the file is snake_case). */
export interface ServerConfig {
  site: string;
  timezone: string;
  /** Absolute path. */
  dataDir: string;
  logLevel: string;
  http: {
    host: string;
    port: number;
    /** Fastify's trustProxy: false (none), a hop count, or the proxies' addresses/CIDR ranges. */
    trustProxy: TrustProxy;
    staffToken?: string;
    embedOrigins: string[];
    tls?: HttpTlsSpec;
  };
  mqtt: {
    brokerUrl?: string;
    username?: string;
    password?: string;
    clientId?: string;
    topicPrefix: string;
    shareGroup?: string;
    retainedSettleMs: number;
    tls?: MqttTlsSpec;
    /** The schema's own type (snake_case), paths absolute. */
    embedded: EmbeddedBrokerConfig;
  };
  ingest: {
    futureToleranceS: number;
    agentTtlS: number;
    missedHeartbeats: number;
    batchMax: number;
    batchDelayMs: number;
    rejectionLogsPerMinute: number;
    sweepIntervalS: number;
  };
  freshness: { staleAfterS: number };
  retention: { transitionsDays: number; hourlyDays: number; dailyDays: number; purgeIntervalS: number };
  aggregates: { sampleIntervalS: number };
  homeAssistant: { enabled: boolean; discoveryPrefix: string; statePrefix: string };
  web: { defaultLanguage: Language; title: string; titleEn: string; liveTickMs: number };
  /** Staff accounts: sessions, login limits, password hashing. */
  auth: AuthConfig;
  /** Per-client rate and connection limits (the schema's own type: snake_case, one declaration). */
  limits: LimitsConfig;
  /** Snapshots and validation thresholds of the calibration API (issue 7). */
  calibration: CalibrationOptions;
  lots: LotSpec[];
  /** Absent: no e-mail is sent. */
  smtp?: SmtpSettings;
  privacy: PrivacySettings;
  /** OpenID Connect for citizens and staff (the schema's own type: snake_case, one declaration). */
  identity: IdentityConfig;
}

/** Command-line flags that override the file. */
export interface ConfigOverrides {
  port?: number;
  dataDir?: string;
  mqttPort?: number;
  brokerUrl?: string;
}
