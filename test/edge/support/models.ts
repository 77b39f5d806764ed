// In-test OccupancyModel doubles: the logic under test is the agent's, not the network's.
import type { OccupancyModel, PixelPolygon, RgbFrame } from '../../../edge/vision/types.ts';

/** Returns whatever `probabilities(slotCount)` says; counts calls. */
export class ScriptedModel implements OccupancyModel {
  readonly id = 'scripted-v1';
  readonly threshold = 0.5;
  calls = 0;
  /** When set, classify() waits for it: lets a test hold the pipeline busy. */
  gate: Promise<void> | null = null;

  constructor(public probabilities: (n: number) => number[]) {}

  async classify(_frame: RgbFrame, polygons: ReadonlyArray<PixelPolygon>): Promise<Float32Array> {
    this.calls++;
    if (this.gate) await this.gate;
    return Float32Array.from(this.probabilities(polygons.length));
  }

  async close(): Promise<void> {}
}

/** Slot i is occupied when `occupied(i)`; P = 0.9 or 0.1. */
export const pattern = (occupied: (i: number) => boolean) => (n: number) =>
  Array.from({ length: n }, (_, i) => (occupied(i) ? 0.9 : 0.1));
