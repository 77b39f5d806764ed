import { area, findSelfIntersection, type Polygon } from '../../protocol/geometry.ts';
import { MIN_SLOT_AREA } from '../../protocol/payloads/calibration.ts';
import { MAX_POINTS, type Finding } from './types.ts';

/** Which list an outline belongs to, and its position there. */
export interface Target {
  kind: 'slot' | 'mask';
  index: number;
}

/**
 * The rules for one outline on its own. Returns the findings and whether the outline is simple
 * (≥ 3 points, not crossing itself), because overlap and size are only meaningful for those.
 */
export function checkOutline(polygon: Polygon, target: Target): { findings: Finding[]; simple: boolean } {
  const where = target.kind === 'slot' ? { slots: [target.index] } : { masks: [target.index] };
  const path = target.kind === 'slot' ? `/slots/${target.index}/polygon` : `/privacy_masks/${target.index}/polygon`;
  const findings: Finding[] = [];
  if (polygon.length < 3) {
    findings.push({ code: 'too_few_points', severity: 'error', ...where, path, params: { count: polygon.length } });
    return { findings, simple: false };
  }
  if (polygon.length > MAX_POINTS)
    findings.push({
      code: 'too_many_points',
      severity: 'error',
      ...where,
      path,
      params: { count: polygon.length, max: MAX_POINTS },
    });
  const outside = polygon.flatMap(([x, y], i) => (x < 0 || x > 1 || y < 0 || y > 1 ? [i] : []));
  if (outside.length > 0)
    findings.push({
      code: 'out_of_frame',
      severity: 'error',
      ...where,
      path,
      points: outside,
      params: { count: outside.length, points: outside.map((i) => i + 1).join(', ') },
    });
  const crossing = findSelfIntersection(polygon);
  if (crossing) {
    const [a, b] = crossing;
    const n = polygon.length;
    findings.push({
      code: 'self_intersection',
      severity: 'error',
      ...where,
      path,
      points: [a, (a + 1) % n, b, (b + 1) % n],
      // Edges are named by their end points, counted from 1 as staff see them.
      params: { edge_a: `${a + 1}–${((a + 1) % n) + 1}`, edge_b: `${b + 1}–${((b + 1) % n) + 1}` },
    });
    return { findings, simple: false };
  }
  // The agent rejects outlines under this area (protocol's refineCalibration), so catch them here first.
  if (area(polygon) < MIN_SLOT_AREA) {
    findings.push({ code: 'no_area', severity: 'error', ...where, path });
    return { findings, simple: false };
  }
  return { findings, simple: true };
}
