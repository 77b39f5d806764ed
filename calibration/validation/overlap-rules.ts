import { area, type Polygon } from '../../protocol/geometry.ts';
import { boundingBox, boxesOverlap, intersectionArea, type Box } from '../geometry/clip.ts';
import type { CalibrationDocument } from '../document/schema.ts';
import type { Finding, Thresholds } from './types.ts';

interface Outline {
  index: number;
  polygon: Polygon;
  box: Box;
  area: number;
}

/**
 * Pairwise slot overlap as intersection area / the smaller slot's area, so a small slot swallowed
 * by a big one counts fully. Disabled slots are skipped: they are not sent to the agent, so a car
 * under two outlines cannot be counted twice. `simple` lists the outlines worth measuring.
 */
export function checkOverlaps(
  doc: CalibrationDocument,
  simpleSlots: ReadonlySet<number>,
  thresholds: Thresholds,
): Finding[] {
  const live = outlines(doc.slots, (s, i) => simpleSlots.has(i) && s.closed !== true);
  const findings: Finding[] = [];
  // Sorting by left edge lets the inner loop stop at the first box that starts right of this one ends.
  live.sort((a, b) => a.box.minX - b.box.minX);
  for (let i = 0; i < live.length; i++) {
    const a = live[i]!;
    for (let j = i + 1; j < live.length && live[j]!.box.minX < a.box.maxX; j++) {
      const b = live[j]!;
      if (!boxesOverlap(a.box, b.box)) continue;
      const shared = intersectionArea(a.polygon, b.polygon);
      if (shared === null) continue;
      const ratio = shared / Math.min(a.area, b.area);
      const severity = ratio > thresholds.error ? 'error' : ratio > thresholds.warning ? 'warning' : null;
      if (!severity) continue;
      const [first, second] = a.index < b.index ? [a.index, b.index] : [b.index, a.index];
      findings.push({
        code: 'overlap',
        severity,
        slots: [first, second],
        path: `/slots/${second}/polygon`,
        params: { percent: Math.round(ratio * 100), ratio },
      });
    }
  }
  return findings;
}

/** Warns when a privacy mask hides more than `limit` of a slot that the agent analyses. */
export function checkMaskCover(
  doc: CalibrationDocument,
  simpleSlots: ReadonlySet<number>,
  simpleMasks: ReadonlySet<number>,
  limit: number,
): Finding[] {
  const slots = outlines(doc.slots, (s, i) => simpleSlots.has(i) && s.closed !== true);
  const masks = outlines(doc.privacy_masks, (_m, i) => simpleMasks.has(i));
  const findings: Finding[] = [];
  for (const m of masks)
    for (const s of slots) {
      if (!boxesOverlap(m.box, s.box)) continue;
      const hidden = (intersectionArea(s.polygon, m.polygon) ?? 0) / s.area;
      if (hidden > limit)
        findings.push({
          code: 'mask_covers_slot',
          severity: 'warning',
          slots: [s.index],
          masks: [m.index],
          path: `/privacy_masks/${m.index}/polygon`,
          params: { percent: Math.round(hidden * 100), ratio: hidden },
        });
    }
  return findings;
}

function outlines<T extends { polygon: Polygon }>(
  items: readonly T[],
  keep: (item: T, i: number) => boolean,
): Outline[] {
  return items.flatMap((item, index) =>
    keep(item, index)
      ? [{ index, polygon: item.polygon, box: boundingBox(item.polygon), area: area(item.polygon) }]
      : [],
  );
}
