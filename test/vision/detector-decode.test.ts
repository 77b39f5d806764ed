import { describe, expect, it } from 'vitest';
import { slotProbabilities } from '../../edge/vision/index.ts';
import { clipToRect, polygonArea } from '../../edge/vision/detector/footprint.ts';
import { decodeNanodet } from '../../edge/vision/detector/nanodet.ts';
import { nms } from '../../edge/vision/detector/nms.ts';
import type { Detection } from '../../edge/vision/detector/types.ts';
import { decodeYolox } from '../../edge/vision/detector/yolox.ts';

const params = { inputWidth: 64, inputHeight: 32, strides: [8, 16], vehicleClasses: [2, 7], scoreThreshold: 0.3 };

describe('YOLOX decoding', () => {
  it('turns one confident cell into a box at (cell + offset) x stride with exp sizes', () => {
    const cells = 8 * 4 + 4 * 2;
    const data = new Float32Array(cells * 85);
    // Stride 16 grid is 4 x 2; cell (gx 1, gy 1) is row 32 + 1 * 4 + 1 = 37.
    const at = 37 * 85;
    data.set([0.5, 0.25, Math.log(2), Math.log(1)], at);
    data[at + 4] = 0.9; // objectness
    data[at + 5 + 7] = 0.8; // truck
    data[at + 5 + 0] = 0.99; // person: not a vehicle, ignored
    const [d, ...rest] = decodeYolox(data, [1, cells, 85], params);
    expect(rest).toEqual([]);
    expect(d!.classId).toBe(7);
    expect(d!.score).toBeCloseTo(0.72, 6);
    // centre (1.5 * 16, 1.25 * 16) = (24, 20); size (32, 16)
    expect([d!.x1, d!.y1, d!.x2, d!.y2].map((v) => +v.toFixed(4))).toEqual([8, 12, 40, 28]);
  });

  it('refuses an output whose cell count does not fit the strides', () => {
    expect(() => decodeYolox(new Float32Array(10 * 85), [1, 10, 85], params)).toThrow(/cells/);
  });
});

describe('NanoDet decoding', () => {
  it('reads each side as the expectation of its distance distribution', () => {
    const regMax = 7;
    const bins = regMax + 1;
    const cls8 = new Float32Array(8 * 4 * 80);
    const cls16 = new Float32Array(4 * 2 * 80);
    const dis8 = new Float32Array(8 * 4 * 4 * bins).fill(-50);
    const dis16 = new Float32Array(4 * 2 * 4 * bins).fill(-50);
    const cell = 2 * 8 + 3; // stride 8, gx 3, gy 2
    cls8[cell * 80 + 2] = 0.7; // car
    // left: all mass on bin 2; top: bin 1; right: half on 3, half on 5 -> 4; bottom: bin 0.
    const side = (k: number, values: Record<number, number>) => {
      for (const [b, v] of Object.entries(values)) dis8[cell * 4 * bins + k * bins + Number(b)] = v;
    };
    side(0, { 2: 10 });
    side(1, { 1: 10 });
    side(2, { 3: 10, 5: 10 });
    side(3, { 0: 10 });
    const [d, ...rest] = decodeNanodet([cls8, cls16], [dis8, dis16], { ...params, regMax, centerOffset: 0.5 });
    expect(rest).toEqual([]);
    const cx = 3.5 * 8;
    const cy = 2.5 * 8;
    expect(d!.x1).toBeCloseTo(cx - 16, 3);
    expect(d!.y1).toBeCloseTo(cy - 8, 3);
    expect(d!.x2).toBeCloseTo(cx + 32, 3);
    expect(d!.y2).toBeCloseTo(cy, 3);
    expect(d!.classId).toBe(2);
  });
});

describe('non-maximum suppression', () => {
  const box = (x1: number, score: number, classId = 2): Detection => ({
    x1,
    y1: 0,
    x2: x1 + 10,
    y2: 10,
    score,
    classId,
  });

  it('keeps the best of overlapping boxes whatever their vehicle class', () => {
    const kept = nms([box(0, 0.5, 2), box(1, 0.9, 7), box(30, 0.4)], 0.45);
    expect(kept.map((d) => [d.x1, d.score])).toEqual([
      [1, 0.9],
      [30, 0.4],
    ]);
  });
});

describe('slot assignment by ground footprint', () => {
  const slot = [
    [100, 100],
    [200, 100],
    [200, 150],
    [100, 150],
  ] as const;
  const behind = [
    [100, 40],
    [200, 40],
    [200, 90],
    [100, 90],
  ] as const;
  const params = { band: 0.5, fullCoverage: 0.4 };

  it('marks the slot under the lower part of a car, not the slot its roof hangs over', () => {
    // A car parked in `slot`, seen from a high camera: its box reaches up over the slot behind.
    const car: Detection = { x1: 100, y1: 50, x2: 200, y2: 150, score: 0.8, classId: 2 };
    const [pSlot, pBehind] = slotProbabilities([car], [slot, behind], params);
    expect(pSlot).toBeCloseTo(0.8, 6);
    expect(pBehind).toBe(0);
  });

  it('scales with how much of the slot the footprint covers', () => {
    // footprint y 130..150 covers 40 % of the slot height and 50 % of its width: 20 % of the slot.
    const car: Detection = { x1: 150, y1: 110, x2: 250, y2: 150, score: 1, classId: 2 };
    const [p] = slotProbabilities([car], [slot], params);
    expect(p).toBeCloseTo(0.2 / 0.4, 6);
  });

  it('clips concave outlines exactly', () => {
    const l = [
      [0, 0],
      [10, 0],
      [10, 4],
      [4, 4],
      [4, 10],
      [0, 10],
    ] as const;
    expect(polygonArea(l)).toBe(64);
    expect(polygonArea(clipToRect(l, 2, 2, 20, 20))).toBeCloseTo(8 * 2 + 2 * 6, 9);
  });
});
