import type { Language, SlotType } from './schema.ts';

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
}

/** The validated configuration, camelCase inside the process (the file is snake_case). */
export interface ServerConfig {
  site: string;
  timezone: string;
  /** Absolute path. */
  dataDir: string;
  logLevel: string;
  http: { host: string; port: number; trustProxy: boolean; staffToken?: string; embedOrigins: string[] };
  mqtt: {
    brokerUrl?: string;
    username?: string;
    password?: string;
    clientId?: string;
    topicPrefix: string;
    shareGroup?: string;
    retainedSettleMs: number;
    embedded: { host: string; port: number; username?: string; password?: string };
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
  lots: LotSpec[];
}

/** Command-line flags that override the file. */
export interface ConfigOverrides {
  port?: number;
  dataDir?: string;
  mqttPort?: number;
  brokerUrl?: string;
}
