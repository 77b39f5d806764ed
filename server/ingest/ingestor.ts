import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import type { LotConfig } from '../core/config/schema.ts';
import type { IgnoreReason, IngestMetrics } from './metrics.ts';
import { RejectionLog } from './rejection-log.ts';
import { validateMessage } from './validate.ts';
import type { IngestWriter } from './writer.ts';

export interface IngestorOptions {
  site: string;
  prefix: string;
  futureToleranceS: number;
  rejectionLogsPerMinute: number;
  /** camera id → its configured agent; see validate.ts. */
  cameraAgents?: ReadonlyMap<string, string>;
}

/** Every calibration_running topic ends so (protocol/messages.ts: `camera/{camera}/calibration/running`). */
const RUNNING_SUFFIX = '/calibration/running';

/** camera id → `agent_id` for every camera that has one in the config. */
export function cameraAgents(lots: LotConfig[]): Map<string, string> {
  const owners = new Map<string, string>();
  for (const lot of lots)
    for (const c of lot.cameras) if (c.agent_id !== undefined) owners.set(c.camera_id, c.agent_id);
  return owners;
}

/** Topics whose raw payloads are remembered; far above any site's cameras, it only bounds the memory. */
const MAX_REMEMBERED = 10_000;

/**
 * The entry point for every MQTT message: validates it against the contract and queues it for the
 * writer, or counts and logs why not. It never throws, whatever arrives.
 */
export class Ingestor {
  private readonly rejections: RejectionLog;
  /**
   * Per calibration/running topic, the SHA-256 of the last report accepted there. The broker replays
   * the retained report on every (re)subscription (and both paths deliver it with a share group);
   * parsing, validating, canonicalising and hashing up to 2 MiB again for the same bytes is wasted.
   */
  private readonly lastRunning = new Map<string, string>();

  constructor(
    private readonly writer: IngestWriter,
    private readonly metrics: IngestMetrics,
    private readonly clock: Clock,
    log: Logger,
    private readonly opts: IngestorOptions,
  ) {
    this.rejections = new RejectionLog(log, clock, opts.rejectionLogsPerMinute);
  }

  /** `retained` is the MQTT retain flag on delivery: true only for replays on (re)subscribe. */
  handle(topic: string, payload: Buffer | Uint8Array, retained: boolean): void {
    this.metrics.received.inc();
    const now = this.clock.now();
    const running = topic.endsWith(RUNNING_SUFFIX) ? createHash('sha256').update(payload).digest('base64') : null;
    if (running !== null && this.lastRunning.get(topic) === running) {
      this.metrics.ignored.inc({ reason: 'repeated_report' satisfies IgnoreReason });
      return;
    }
    let result;
    try {
      result = validateMessage(topic, payload, {
        site: this.opts.site,
        prefix: this.opts.prefix,
        now,
        futureToleranceMs: this.opts.futureToleranceS * 1000,
        ...(this.opts.cameraAgents !== undefined ? { cameraAgents: this.opts.cameraAgents } : {}),
      });
    } catch (err) {
      // validateMessage never throws by contract; if it ever does, the message is still only rejected.
      result = {
        ok: false as const,
        reason: 'schema' as const,
        kind: null,
        detail: `validator failed: ${String(err)}`,
      };
    }
    if (!result.ok) {
      this.metrics.rejected.inc({ reason: result.reason });
      this.rejections.record({ reason: result.reason, topic, kind: result.kind, detail: result.detail });
      return;
    }
    this.metrics.accepted.inc({ kind: result.message.kind });
    if (running !== null && result.message.kind === 'calibration_running') {
      if (this.lastRunning.size >= MAX_REMEMBERED) this.lastRunning.clear();
      this.lastRunning.set(topic, running);
    }
    this.writer.enqueue({ type: 'message', message: result.message, retained, receivedAt: now });
  }
}
