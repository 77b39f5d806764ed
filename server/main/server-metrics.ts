import type { AvailabilityReader } from '../core/availability/reader.ts';
import type { IngestWriter } from '../ingest/writer.ts';
import type { SseBroadcaster } from '../live/sse.ts';
import type { MqttConnection } from '../core/mqtt/connection.ts';
import type { Registry } from '../core/metrics/registry.ts';
import type { SqlExecutor } from '../core/storage/sql/port.ts';

export interface ServerMetricSources {
  sql: SqlExecutor;
  availability: AvailabilityReader;
  sse: SseBroadcaster;
  mqtt: MqttConnection;
  writer: IngestWriter;
}

/** Gauges computed at scrape time: what the public sees, agents, connections, queues. */
export function registerServerMetrics(r: Registry, s: ServerMetricSources): void {
  r.asyncGauge('volno_lot_slots', 'Slots per lot by public state (stale counts as unknown).', async () =>
    (await s.availability.allAvailability()).flatMap((a) =>
      (['free', 'occupied', 'unknown', 'reserved'] as const).map((state): [Record<string, string>, number] => [
        { lot: a.lot_id, state },
        a[state],
      ]),
    ),
  );
  r.asyncGauge('volno_lot_stale_slots', 'Slots counted unknown only because their last report is too old.', async () =>
    (await s.availability.allAvailability()).map((a) => [{ lot: a.lot_id }, a.stale_slots]),
  );
  r.gauge('volno_unassigned_slots', 'Slots seen over MQTT that no lot in the config contains.', () => [
    [{}, s.availability.catalog.slotsOf(null).length],
  ]);
  r.asyncGauge('volno_agents', 'Agents by status.', async () =>
    (await s.sql.all<{ status: string; n: number }>('SELECT status, count(*) AS n FROM agents GROUP BY status')).map(
      (row) => [{ status: row.status }, row.n],
    ),
  );
  r.gauge('volno_sse_clients', 'Open Server-Sent Events streams.', () => [[{}, s.sse.size]]);
  r.gauge('volno_mqtt_connected', '1 while the MQTT client is connected.', () => [[{}, s.mqtt.connected ? 1 : 0]]);
  r.gauge('volno_ingest_queue', 'Operations waiting for the next write transaction.', () => [[{}, s.writer.pending]]);
  r.gauge('process_resident_memory_bytes', 'Resident memory of the server process.', () => [
    [{}, process.memoryUsage.rss()],
  ]);
}
