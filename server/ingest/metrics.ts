import type { Counter, Registry } from '../core/metrics/registry.ts';

/** Why a valid message changed nothing; not an error, but worth watching. */
export type IgnoreReason =
  'stale' | 'duplicate' | 'repeated_report' | 'old_session' | 'stale_availability' | 'snapshot_reply';

/** The ingest counters, registered once per server. */
export class IngestMetrics {
  readonly received: Counter;
  readonly accepted: Counter;
  readonly rejected: Counter;
  readonly ignored: Counter;
  readonly restarts: Counter;
  readonly gaps: Counter;
  readonly lost: Counter;
  readonly batches: Counter;
  readonly written: Counter;
  readonly writeSeconds: Counter;
  readonly storageErrors: Counter;

  constructor(r: Registry) {
    this.received = r.counter('volno_ingest_received_total', 'MQTT messages received on ingest topics.');
    this.accepted = r.counter('volno_ingest_accepted_total', 'Messages that passed validation, by kind.');
    this.rejected = r.counter('volno_ingest_rejected_total', 'Messages rejected, by reason.');
    this.ignored = r.counter('volno_ingest_ignored_total', 'Valid messages that changed nothing, by reason.');
    this.restarts = r.counter('volno_agent_restarts_total', 'Agent restarts seen (a new session_id), by agent.');
    this.gaps = r.counter('volno_agent_seq_gaps_total', 'Sequence gaps seen in live messages, by agent.');
    this.lost = r.counter('volno_agent_lost_messages_total', 'Messages missing from sequence gaps, by agent.');
    this.batches = r.counter('volno_storage_batches_total', 'Write transactions committed.');
    this.written = r.counter('volno_storage_operations_total', 'Ingest operations written to SQLite.');
    this.writeSeconds = r.counter('volno_storage_write_seconds_total', 'Time spent in write transactions.');
    this.storageErrors = r.counter('volno_storage_errors_total', 'Failed write operations or transactions, by stage.');
  }
}
