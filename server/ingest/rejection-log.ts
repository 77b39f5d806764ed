import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';

/**
 * Logs why messages were rejected, at most `perMinute` lines a minute: a misbehaving or hostile
 * publisher must not be able to flood the log (the counters still see every message). When the
 * window rolls over, one line says how many were left out.
 */
export class RejectionLog {
  private windowStart = 0;
  private logged = 0;
  private suppressed = 0;

  constructor(
    private readonly log: Logger,
    private readonly clock: Clock,
    private readonly perMinute: number,
  ) {}

  record(fields: { reason: string; topic: string; kind: string | null; detail: string }): void {
    const now = this.clock.now();
    if (now - this.windowStart >= 60_000) {
      if (this.suppressed > 0)
        this.log.warn({ suppressed: this.suppressed }, 'more messages were rejected; their log lines were left out');
      this.windowStart = now;
      this.logged = 0;
      this.suppressed = 0;
    }
    if (this.logged >= this.perMinute) {
      this.suppressed++;
      return;
    }
    this.logged++;
    // Topics and details come from the network: cut them short before they reach the log.
    this.log.warn(
      {
        reason: fields.reason,
        kind: fields.kind,
        topic: fields.topic.slice(0, 300),
        detail: fields.detail.slice(0, 500),
      },
      'MQTT message rejected',
    );
  }
}
