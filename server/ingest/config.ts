import type { Static } from 'typebox';
import { int, seconds, section } from '../core/config/parts.ts';

/** The `ingest` section: how agent messages are checked, batched and timed out. */
export const IngestConfigSchema = section(
  {
    future_tolerance_s: seconds('Future tolerance', 'Timestamps further ahead of the server clock are rejected.', 30),
    agent_ttl_s: seconds('Agent TTL', 'An agent silent this long turns its slots unknown.', 90, 1),
    missed_heartbeats: int(
      'Missed heartbeats',
      'The TTL grows to this many of the agent’s own heartbeat intervals when that is longer.',
      3,
      1,
      100,
    ),
    batch_max: int('Batch size', 'Most messages written per transaction.', 2000, 1, 100_000),
    batch_delay_ms: int('Batch delay', 'Longest wait before a write.', 20, 0, 5000),
    rejection_logs_per_minute: int(
      'Rejection logs per minute',
      'Rejected messages logged per minute at most; the rest are only counted in the metrics.',
      20,
      0,
      10_000,
    ),
    sweep_interval_s: seconds('Sweep interval', 'How often silent agents are looked for.', 5, 0.1),
  },
  'Ingest',
  'Validation and liveness of agent messages.',
);
export type IngestConfig = Static<typeof IngestConfigSchema>;
