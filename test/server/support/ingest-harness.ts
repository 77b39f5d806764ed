// The ingest pipeline without MQTT or HTTP: Ingestor → IngestWriter → a real SQLite file, driven by
// a manual clock. For unit tests of validation, sessions, liveness and history.
import { join } from 'node:path';
import pino from 'pino';
import { AvailabilityService } from '../../../server/availability/service.ts';
import { ManualClock } from '../../../server/core/clock.ts';
import type { ServerConfig } from '../../../server/main/config/schema.ts';
import { Ingestor } from '../../../server/ingest/ingestor.ts';
import { LivenessSweeper } from '../../../server/ingest/liveness.ts';
import { IngestMetrics } from '../../../server/ingest/metrics.ts';
import { IngestWriter } from '../../../server/ingest/writer.ts';
import { Registry } from '../../../server/core/metrics/registry.ts';
import { Catalog } from '../../../server/core/storage/catalog.ts';
import { openDatabase } from '../../../server/core/storage/database.ts';
import { StateStore } from '../../../server/core/storage/state-store.ts';
import { AgentsStore } from '../../../server/core/storage/agents-store.ts';
import { tempDir, testConfig } from './config.ts';

export type Harness = ReturnType<typeof ingestHarness>;

export function ingestHarness(raw: Record<string, unknown> = {}, o: { trackGaps?: boolean } = {}) {
  const tmp = tempDir();
  const config: ServerConfig = testConfig(tmp.dir, raw);
  const clock = new ManualClock();
  const db = openDatabase(join(tmp.dir, 'volno.sqlite'));
  const catalog = new Catalog(db);
  catalog.applyConfig(config.lots);
  const registry = new Registry();
  const metrics = new IngestMetrics(registry);
  const log = pino({ level: 'silent' });
  const writer = new IngestWriter(db, catalog, metrics, clock, log, {
    batchMax: config.ingest.batch_max,
    batchDelayMs: config.ingest.batch_delay_ms,
    agentTtlS: config.ingest.agent_ttl_s,
    missedHeartbeats: config.ingest.missed_heartbeats,
    trackGaps: o.trackGaps ?? true,
  });
  const ingestor = new Ingestor(writer, metrics, clock, log, {
    site: config.site,
    prefix: config.mqtt.topic_prefix,
    futureToleranceS: config.ingest.future_tolerance_s,
    rejectionLogsPerMinute: 5,
  });
  const availability = new AvailabilityService(db, catalog, clock, config.freshness.stale_after_s * 1000);
  const sweeper = new LivenessSweeper(writer, clock, config.ingest.sweep_interval_s);
  const states = new StateStore(db);
  const agents = new AgentsStore(db);
  writer.on('commit', () => availability.markChanged());
  return {
    config,
    clock,
    db,
    catalog,
    registry,
    metrics,
    writer,
    ingestor,
    availability,
    sweeper,
    states,
    agents,
    /** Feeds one message and writes it at once. */
    send(m: { topic: string; payload: string | Buffer }, retained = false): void {
      ingestor.handle(m.topic, typeof m.payload === 'string' ? Buffer.from(m.payload) : m.payload, retained);
      writer.flush();
    },
    transitions(cameraId: string, slotId: string) {
      return db
        .prepare(
          'SELECT from_state, to_state, reason, at, source FROM transitions WHERE camera_id = ? AND slot_id = ? ORDER BY id',
        )
        .all(cameraId, slotId) as {
        from_state: string | null;
        to_state: string;
        reason: string | null;
        at: number;
        source: string;
      }[];
    },
    close(): void {
      writer.stop();
      db.close();
      tmp.cleanup();
    },
  };
}
