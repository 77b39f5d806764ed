import {
  SlotTracker,
  type KnownSpell,
  type SlotReport,
  type UncertainBand,
  type UnknownReason,
} from './slot-tracker.ts';

export interface SlotDef {
  slotId: string;
  enterMs: number;
  exitMs: number;
}

export interface SlotCounts {
  free: number;
  occupied: number;
  unknown: number;
  total: number;
}

/** The trackers of one camera's slots, in calibration order (the order the model's outputs come in). */
export class CameraSlots {
  private trackers: SlotTracker[] = [];

  constructor(private readonly continuityMs: number) {}

  get size(): number {
    return this.trackers.length;
  }

  /**
   * Installs a calibration's slots. Trackers listed in `keep` (same id, same polygon) carry on;
   * every other slot starts `unknown`, resuming a `restored` spell only if its first frame agrees.
   * Returns the ids whose published state is new.
   */
  configure(
    slots: readonly SlotDef[],
    now: number,
    keep: ReadonlySet<string> = new Set(),
    restored: ReadonlyMap<string, KnownSpell> = new Map(),
  ): string[] {
    const old = new Map(this.trackers.map((t) => [t.slotId, t]));
    const fresh: string[] = [];
    this.trackers = slots.map((def) => {
      const timing = { enterMs: def.enterMs, exitMs: def.exitMs, continuityMs: this.continuityMs };
      const kept = keep.has(def.slotId) ? old.get(def.slotId) : undefined;
      if (kept) {
        kept.setTiming(timing);
        return kept;
      }
      fresh.push(def.slotId);
      return new SlotTracker(def.slotId, timing, now, restored.get(def.slotId) ?? null);
    });
    return fresh;
  }

  /** Feeds one frame's probabilities (in slot order). Returns ids whose published state changed. */
  observe(at: number, probabilities: Float32Array, threshold: number, band?: UncertainBand): string[] {
    const changed: string[] = [];
    this.trackers.forEach((t, i) => {
      const p = probabilities[i];
      if (p === undefined || !Number.isFinite(p)) {
        if (t.markUnknown(at, 'low_confidence')) changed.push(t.slotId);
      } else if (t.observe(at, p, threshold, band)) changed.push(t.slotId);
    });
    return changed;
  }

  /** Puts every slot in `unknown` for `reason`. Returns ids whose published state changed. */
  markAll(at: number, reason: UnknownReason): string[] {
    return this.trackers.filter((t) => t.markUnknown(at, reason)).map((t) => t.slotId);
  }

  report(slotId: string): Readonly<SlotReport> | undefined {
    return this.trackers.find((t) => t.slotId === slotId)?.current;
  }

  reports(): { slotId: string; report: Readonly<SlotReport> }[] {
    return this.trackers.map((t) => ({ slotId: t.slotId, report: t.current }));
  }

  counts(): SlotCounts {
    const c = { free: 0, occupied: 0, unknown: 0, total: this.trackers.length };
    for (const t of this.trackers) c[t.current.state]++;
    return c;
  }

  /** Spells worth persisting for `since` continuity across a restart. */
  spells(): Map<string, KnownSpell> {
    const out = new Map<string, KnownSpell>();
    for (const t of this.trackers) if (t.lastKnown) out.set(t.slotId, { ...t.lastKnown });
    return out;
  }
}
