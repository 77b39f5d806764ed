import type { UNKNOWN_REASONS } from '../../protocol/index.ts';

export type UnknownReason = (typeof UNKNOWN_REASONS)[number];
export type KnownState = 'free' | 'occupied';
export type SlotStateValue = KnownState | 'unknown';

/** What the agent reports for one slot; times are ms since the epoch. */
export interface SlotReport {
  state: SlotStateValue;
  reason?: UnknownReason;
  confidence: number;
  since: number;
  observedAt: number;
}

/** The last state the slot was seen in, kept through `unknown` spells and restarts. */
export interface KnownSpell {
  state: KnownState;
  since: number;
  /** Capture time of the newest frame that confirmed it. */
  lastConfirmedAt: number;
}

export interface SlotTiming {
  enterMs: number;
  exitMs: number;
  /** How long after its last confirmation a known state may be resumed without a fresh delay. */
  continuityMs: number;
}

/**
 * Smoothed probabilities strictly between `low` and `high` are too unsure to publish as a state; the
 * model's manifest sets the band from its calibrated leave-one-camera-out predictions.
 */
export interface UncertainBand {
  readonly low: number;
  readonly high: number;
}

/** Weight of the newest probability in the smoothed confidence. */
const EMA_ALPHA = 0.5;

/**
 * Asymmetric hysteresis for one slot, as a pure function of observations and their times (no timers:
 * the caller passes capture times, so tests drive it with plain numbers).
 *
 * - A slot changes state only after every frame for `enterMs` (to occupied) or `exitMs` (to free)
 *   agreed; `since` is the first of those frames. A long exit delay is what keeps a parked car from
 *   "leaving" for a frame when someone walks past (Frigate #10739, #9001).
 * - It starts `unknown` and leaves `unknown` only through the same delays: never free by default.
 * - It goes `unknown` at once when the camera cannot see (`markUnknown`), but remembers its last known
 *   spell. If the first frame after the gap agrees and the gap is shorter than `continuityMs`, the old
 *   state and its `since` return at once: continuity is proven, nothing was missed that could matter.
 */
export class SlotTracker {
  private report: SlotReport;
  private known: KnownSpell | null;
  private candidate: { state: KnownState; firstSeen: number } | null = null;
  private ema: number | null = null;
  private everKnown: boolean;
  /** Capture time of the first frame of the current run of smoothed probabilities inside the band. */
  private unsureSince: number | null = null;

  constructor(
    readonly slotId: string,
    private timing: SlotTiming,
    now: number,
    /** A spell restored from the state file; used only if the first observation agrees in time. */
    restored: KnownSpell | null = null,
  ) {
    this.known = restored;
    this.everKnown = restored !== null;
    this.report = { state: 'unknown', reason: 'starting', confidence: 0, since: now, observedAt: now };
  }

  get current(): Readonly<SlotReport> {
    return this.report;
  }

  /** The spell to persist: the current known state, or the one remembered through an unknown spell. */
  get lastKnown(): Readonly<KnownSpell> | null {
    return this.known;
  }

  setTiming(timing: SlotTiming): void {
    this.timing = timing;
  }

  /**
   * One model output for a usable frame. Returns true when the published state (state, reason or
   * since) changed; confidence and observedAt updates alone are not changes.
   */
  observe(at: number, probability: number, threshold: number, band?: UncertainBand): boolean {
    // A frame captured before the slot's last report (e.g. judged just after a stall marked the
    // camera unknown) says nothing about now. Applied, it published an observation older than the
    // one the server held; the server ignored it as stale and kept the slot unknown until the next
    // full refresh (test/system/agent-broker-faults.test.ts, an agent resumed after SIGSTOP).
    if (at < this.report.observedAt) return false;
    const looks: KnownState = probability >= threshold ? 'occupied' : 'free';
    this.ema = this.ema === null ? probability : EMA_ALPHA * probability + (1 - EMA_ALPHA) * this.ema;
    const r = this.report;
    if (band && this.ema > band.low && this.ema < band.high) {
      // The model keeps saying "maybe". Unsure frames are no evidence for a change; after as long as
      // a change would take, say unknown (reason `uncertain`) instead of publishing a coin toss as a
      // fact (issue 12).
      this.unsureSince ??= at;
      this.candidate = null;
      if (at - this.unsureSince >= Math.max(this.timing.enterMs, this.timing.exitMs)) {
        return this.markUnknown(at, 'uncertain');
      }
      // The frame was judged and the state stands meanwhile: without this the server would call the
      // slot stale during an unsure spell, and for the wrong reason.
      r.observedAt = at;
      return false;
    }
    this.unsureSince = null;

    if (r.state === looks) {
      this.candidate = null;
      r.observedAt = at;
      r.confidence = this.confidenceFor(looks);
      this.known = { state: looks, since: r.since, lastConfirmedAt: at };
      return false;
    }

    if (
      r.state === 'unknown' &&
      this.known &&
      this.known.state === looks &&
      at - this.known.lastConfirmedAt <= this.timing.continuityMs
    ) {
      return this.become(looks, this.known.since, at);
    }

    if (this.candidate?.state !== looks) this.candidate = { state: looks, firstSeen: at };
    const delay = looks === 'occupied' ? this.timing.enterMs : this.timing.exitMs;
    if (at - this.candidate.firstSeen >= delay) return this.become(looks, this.candidate.firstSeen, at);

    if (r.state === 'unknown') {
      // Frames flow again but the slot has not settled: say so instead of keeping a stale cause.
      const reason: UnknownReason = this.everKnown ? 'low_confidence' : 'starting';
      if (r.reason !== reason) {
        r.reason = reason;
        r.observedAt = at;
        return true;
      }
    }
    return false;
  }

  /** The camera cannot judge this slot now. Returns true when the published state changed. */
  markUnknown(at: number, reason: UnknownReason): boolean {
    this.candidate = null;
    const r = this.report;
    if (r.state === 'unknown' && r.reason === reason) return false;
    const since = r.state === 'unknown' ? r.since : at;
    this.report = { state: 'unknown', reason, confidence: 0, since, observedAt: at };
    return true;
  }

  private become(state: KnownState, since: number, at: number): boolean {
    this.candidate = null;
    this.everKnown = true;
    this.known = { state, since, lastConfirmedAt: at };
    this.report = { state, confidence: this.confidenceFor(state), since, observedAt: at };
    return true;
  }

  private confidenceFor(state: KnownState): number {
    const p = this.ema ?? 0.5;
    const c = state === 'occupied' ? p : 1 - p;
    return Math.round(Math.min(1, Math.max(0, c)) * 1000) / 1000;
  }
}
