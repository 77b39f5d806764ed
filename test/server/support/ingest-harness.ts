// The ingest pipeline without MQTT or HTTP: Ingestor → IngestWriter → a real database (a SQLite
// file, or the PostgreSQL database a test hands in), driven by a manual clock. For unit tests of
// validation, sessions, liveness and history.
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import pino from 'pino';
import { AvailabilityService } from '../../../server/availability/service.ts';
import { ManualClock } from '../../../server/core/clock.ts';
import { Registry } from '../../../server/core/metrics/registry.ts';
import { AgentsStore } from '../../../server/core/storage/agents-store.ts';
import { Catalog } from '../../../server/core/storage/catalog.ts';
import { openSqlDatabase, sqliteConnection } from '../../../server/core/storage/sql/open.ts';
import type { SqlDatabase } from '../../../server/core/storage/sql/port.ts';
import { StateStore } from '../../../server/core/storage/state-store.ts';
import type { ApplyHooks } from '../../../server/ingest/apply.ts';
import { Ingestor } from '../../../server/ingest/ingestor.ts';
import { LivenessSweeper } from '../../../server/ingest/liveness.ts';
import { IngestMetrics } from '../../../server/ingest/metrics.ts';
import { IngestWriter } from '../../../server/ingest/writer.ts';
import type { ServerConfig } from '../../../server/main/config/schema.ts';
import { tempDir, testConfig } from './config.ts';

export type Harness = Awaited<ReturnType<typeof ingestHarness>>;

export interface HarnessOptions {
  trackGaps?: boolean;
  /** The database to ingest into (e.g. a PostgreSQL one from useEngines()); the caller closes it. */
  sql?: SqlDatabase;
  /** What calibration would receive from the writer, inside its transaction. */
  hooks?: ApplyHooks;
}

interface TransitionOut {
  from_state: string | null;
  to_state: string;
  reason: string | null;
  at: number;
  source: string;
}

export async function ingestHarness(raw: Record<string, unknown> = {}, o: HarnessOptions = {}) {
  const tmp = tempDir();
  const config: ServerConfig = testConfig(tmp.dir, raw);
  const clock = new ManualClock();
  const owned = o.sql === undefined;
  const sql = o.sql ?? (await openSqlDatabase({ engine: 'sqlite', path: join(tmp.dir, 'volno.sqlite') }));
  const catalog = new Catalog(sql);
  await catalog.applyConfig(config.lots);
  const registry = new Registry();
  const metrics = new IngestMetrics(registry);
  const log = pino({ level: 'silent' });
  const writer = new IngestWriter(sql, catalog, metrics, clock, log, {
    batchMax: config.ingest.batch_max,
    batchDelayMs: config.ingest.batch_delay_ms,
    agentTtlS: config.ingest.agent_ttl_s,
    missedHeartbeats: config.ingest.missed_heartbeats,
    trackGaps: o.trackGaps ?? true,
    hooks: o.hooks,
  });
  const ingestor = new Ingestor(writer, metrics, clock, log, {
    site: config.site,
    prefix: config.mqtt.topic_prefix,
    futureToleranceS: config.ingest.future_tolerance_s,
    rejectionLogsPerMinute: 5,
  });
  const availability = new AvailabilityService(sql, catalog, clock, config.freshness.stale_after_s * 1000);
  const sweeper = new LivenessSweeper(writer, clock, config.ingest.sweep_interval_s);
  writer.on('commit', () => availability.markChanged());
  return {
    config,
    clock,
    sql,
    /** The SQLite connection behind `sql`, for SQLite's own faults (pragmas); throws on PostgreSQL. */
    get db(): Database {
      const db = sqliteConnection(sql);
      if (db === undefined) throw new Error('the harness runs on PostgreSQL: there is no SQLite connection');
      return db;
    },
    catalog,
    registry,
    metrics,
    writer,
    ingestor,
    availability,
    sweeper,
    states: new StateStore(sql),
    agents: new AgentsStore(sql),
    /** Feeds one message and writes it at once. */
    async send(m: { topic: string; payload: string | Buffer }, retained = false): Promise<void> {
      ingestor.handle(m.topic, typeof m.payload === 'string' ? Buffer.from(m.payload) : m.payload, retained);
      await writer.flush();
    },
    /** Feeds one message without writing it: the next flush (or the batch timer) does. */
    receive(m: { topic: string; payload: string | Buffer }, retained = false): void {
      ingestor.handle(m.topic, typeof m.payload === 'string' ? Buffer.from(m.payload) : m.payload, retained);
    },
    transitions(cameraId: string, slotId: string): Promise<TransitionOut[]> {
      return sql.all<TransitionOut>(
        'SELECT from_state, to_state, reason, at, source FROM transitions WHERE camera_id = $1 AND slot_id = $2 ORDER BY id',
        [cameraId, slotId],
      );
    },
    async close(): Promise<void> {
      await writer.stop();
      if (owned) await sql.close();
      tmp.cleanup();
    },
  };
}
