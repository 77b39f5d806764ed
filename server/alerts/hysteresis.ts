import type { AlertKind, Condition } from './types.ts';

export interface HysteresisOptions {
  /** How long a condition must hold before it is raised; may depend on the kind. */
  raiseAfterMs: (kind: AlertKind) => number;
  /** How long a raised condition must stay away before it is cleared. */
  clearAfterMs: number;
}

export interface Step {
  raised: Condition[];
  cleared: Condition[];
}

/**
 * Raise after X, clear after Y. A condition that comes and goes within X never becomes an alert, and
 * a raised one that flaps stays one alert until it has been away for Y: a camera dropping its stream
 * every few seconds is one problem, not a mail per drop. Time comes in as an argument, so the
 * caller's clock (and fake timers) decide.
 */
export class Hysteresis {
  private readonly pending = new Map<string, { since: number; c: Condition }>();
  private readonly raised = new Map<string, { absentSince: number | null; c: Condition }>();

  constructor(private readonly o: HysteresisOptions) {}

  /** Alerts already open (from the store after a restart) count as raised. */
  restore(open: readonly Condition[]): void {
    for (const c of open) this.raised.set(c.key, { absentSince: null, c });
  }

  get openKeys(): string[] {
    return [...this.raised.keys()];
  }

  /** Feeds the conditions that hold at `now`; returns what was raised and cleared by it. */
  step(now: number, present: readonly Condition[]): Step {
    const step: Step = { raised: [], cleared: [] };
    const seen = new Set<string>();
    for (const c of present) {
      seen.add(c.key);
      const open = this.raised.get(c.key);
      if (open !== undefined) {
        open.absentSince = null;
        continue;
      }
      let p = this.pending.get(c.key);
      if (p === undefined) this.pending.set(c.key, (p = { since: now, c }));
      if (now - p.since >= this.o.raiseAfterMs(c.kind)) {
        this.pending.delete(c.key);
        this.raised.set(c.key, { absentSince: null, c });
        step.raised.push(c);
      }
    }
    for (const key of this.pending.keys()) if (!seen.has(key)) this.pending.delete(key);
    for (const [key, r] of this.raised) {
      if (seen.has(key)) continue;
      r.absentSince ??= now;
      if (now - r.absentSince >= this.o.clearAfterMs) {
        this.raised.delete(key);
        step.cleared.push(r.c);
      }
    }
    return step;
  }
}
