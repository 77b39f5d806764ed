import { describe, expect, it } from 'vitest';
import { decodeMessage } from '../../../protocol/index.ts';
import { simulatedCalibration } from '../../../edge/simulator/calibration.ts';
import { layoutLot, slotPolygons } from '../../../edge/simulator/lot.ts';
import { LotOccupancy } from '../../../edge/simulator/occupancy.ts';
import { LotRenderer } from '../../../edge/simulator/render.ts';
import { loadOccupancyModel } from '../../../edge/vision/index.ts';

const options = { seed: 42, meanStaySeconds: 90, meanGapSeconds: 45 };

describe('the simulated car park', () => {
  it('replays the same arrivals and departures for the same seed', () => {
    const a = new LotOccupancy(40, options);
    const b = new LotOccupancy(40, options);
    for (let t = 0; t <= 600; t += 30) {
      a.advanceTo(t);
      b.advanceTo(t);
      expect(Array.from({ length: 40 }, (_, i) => a.car(i) !== null)).toEqual(
        Array.from({ length: 40 }, (_, i) => b.car(i) !== null),
      );
    }
  });

  it('keeps cars coming and going so the demo count changes within a minute', () => {
    const lot = new LotOccupancy(40, options);
    let changes = 0;
    for (let t = 1; t <= 60; t++) changes += lot.advanceTo(t);
    expect(changes).toBeGreaterThan(5);
  });

  it('settles near the occupancy its mean stay and gap imply', () => {
    const lot = new LotOccupancy(200, { ...options, seed: 9 });
    let occupied = 0;
    const samples = 200;
    for (let s = 1; s <= samples; s++) {
      lot.advanceTo(s * 60);
      occupied += lot.occupiedCount();
    }
    expect(occupied / samples / 200).toBeCloseTo(90 / 135, 1);
  });

  it('publishes a calibration that the MQTT contract accepts, one slot per simulated slot', () => {
    const layout = layoutLot(40, 10);
    const calibration = simulatedCalibration(layout, 'sim-1');
    expect(decodeMessage('calibration', JSON.stringify(calibration)).ok).toBe(true);
    expect(calibration.slots.map((s) => s.slot_id)).toEqual(layout.slots.map((s) => s.id));
  });

  // The demo runs SlotNet (cli/demo.ts): the COCO-feature default reads the drawn cars less surely.
  it.each(['volno-slotnet-v1'])(
    'renders frames that %s reads correctly, so the demo shows the real pipeline',
    async (id) => {
      const layout = layoutLot(40, 10);
      const lot = new LotOccupancy(40, { ...options, seed: 3 });
      const renderer = new LotRenderer(layout);
      const model = await loadOccupancyModel(`models/${id}`);
      const polygons = slotPolygons(layout);
      const data = new Uint8Array(layout.width * layout.height * 3);
      let right = 0;
      let total = 0;
      try {
        for (let t = 0; t < 600; t += 60) {
          lot.advanceTo(t);
          renderer.render(lot, data, 0.95 + (t % 120) / 1200);
          const p = await model.classify({ width: layout.width, height: layout.height, data, capturedAt: t }, polygons);
          p.forEach((prob, i) => {
            total++;
            if (prob >= model.threshold === (lot.car(i) !== null)) right++;
          });
        }
      } finally {
        await model.close();
      }
      expect(right / total).toBeGreaterThan(0.85);
    },
  );
});
