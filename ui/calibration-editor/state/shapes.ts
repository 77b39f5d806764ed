import type { Point } from '../../../protocol/geometry.ts';
import {
  appendSlots,
  type AppendOptions,
  type CalibrationDocument,
  type CalibrationSlot,
  type PrivacyMask,
} from '../../../calibration/index.ts';

/** Which outlines an edit applies to: parking slots, or privacy masks. */
export type Layer = 'slot' | 'mask';

/** One outline in the document. */
export interface ShapeRef {
  layer: Layer;
  index: number;
}

/** One corner of one outline. */
export interface PointRef extends ShapeRef {
  point: number;
}

type Pt = [number, number];

/** The outlines of a layer, in document order. */
export function polygonsOf(doc: CalibrationDocument, layer: Layer): readonly (readonly Pt[])[] {
  return layer === 'slot' ? doc.slots.map((s) => s.polygon) : doc.privacy_masks.map((m) => m.polygon);
}

export function polygonOf(doc: CalibrationDocument, ref: ShapeRef): readonly Pt[] | undefined {
  return polygonsOf(doc, ref.layer)[ref.index];
}

/** A copy of `doc` with one outline replaced; the same object when nothing changes or `ref` is stale. */
export function withPolygon(doc: CalibrationDocument, ref: ShapeRef, polygon: Pt[]): CalibrationDocument {
  if (ref.layer === 'slot') {
    const slot = doc.slots[ref.index];
    if (!slot) return doc;
    const slots = doc.slots.slice();
    slots[ref.index] = { ...slot, polygon };
    return { ...doc, slots };
  }
  const mask = doc.privacy_masks[ref.index];
  if (!mask) return doc;
  const privacy_masks = doc.privacy_masks.slice();
  privacy_masks[ref.index] = { ...mask, polygon };
  return { ...doc, privacy_masks };
}

const pt = (p: Point): Pt => [p[0], p[1]];

/** Moves one corner to `to` (0–1 coordinates). */
export function movePoint(doc: CalibrationDocument, ref: PointRef, to: Point): CalibrationDocument {
  const polygon = polygonOf(doc, ref);
  if (!polygon || ref.point < 0 || ref.point >= polygon.length) return doc;
  return withPolygon(
    doc,
    ref,
    polygon.map((p, i) => (i === ref.point ? pt(to) : pt(p))),
  );
}

/** Moves a whole outline by `delta`. */
export function moveShape(doc: CalibrationDocument, ref: ShapeRef, delta: Point): CalibrationDocument {
  const polygon = polygonOf(doc, ref);
  if (!polygon || (delta[0] === 0 && delta[1] === 0)) return doc;
  return withPolygon(
    doc,
    ref,
    polygon.map(([x, y]) => [x + delta[0], y + delta[1]]),
  );
}

/** Inserts `at` as a new corner after corner `edge` (on the edge from `edge` to `edge + 1`). */
export function insertPoint(doc: CalibrationDocument, ref: ShapeRef, edge: number, at: Point): CalibrationDocument {
  const polygon = polygonOf(doc, ref);
  if (!polygon || edge < 0 || edge >= polygon.length) return doc;
  const next = polygon.map(pt);
  next.splice(edge + 1, 0, pt(at));
  return withPolygon(doc, ref, next);
}

/** The smallest outline the editor lets a corner deletion leave; below it, delete the outline. */
export const MIN_POINTS = 3;

/** Deletes one corner; refused (same document back) when the outline would drop below 3 corners. */
export function deletePoint(doc: CalibrationDocument, ref: PointRef): CalibrationDocument {
  const polygon = polygonOf(doc, ref);
  if (!polygon || polygon.length <= MIN_POINTS || ref.point < 0 || ref.point >= polygon.length) return doc;
  return withPolygon(doc, ref, polygon.filter((_, i) => i !== ref.point).map(pt));
}

/** Deletes a slot or a mask. */
export function deleteShape(doc: CalibrationDocument, ref: ShapeRef): CalibrationDocument {
  if (ref.layer === 'slot')
    return ref.index in doc.slots ? { ...doc, slots: doc.slots.filter((_, i) => i !== ref.index) } : doc;
  return ref.index in doc.privacy_masks
    ? { ...doc, privacy_masks: doc.privacy_masks.filter((_, i) => i !== ref.index) }
    : doc;
}

/** Adds new slots (fresh ids and labels, see `appendSlots`) and returns their indexes. */
export function addSlots(
  doc: CalibrationDocument,
  polygons: readonly (readonly Point[])[],
  options: AppendOptions = {},
): { doc: CalibrationDocument; indexes: number[] } {
  const { document } = appendSlots(doc, polygons, options);
  return { doc: document, indexes: polygons.map((_, i) => doc.slots.length + i) };
}

/** Adds a privacy mask with the first free id `mask-N`. */
export function addMask(
  doc: CalibrationDocument,
  polygon: readonly Point[],
): { doc: CalibrationDocument; index: number } {
  const taken = new Set([...doc.privacy_masks.map((m) => m.id), ...doc.slots.map((s) => s.id)]);
  let n = 1;
  while (taken.has(`mask-${n}`)) n++;
  const mask: PrivacyMask = { id: `mask-${n}`, polygon: polygon.map(pt) };
  return { doc: { ...doc, privacy_masks: [...doc.privacy_masks, mask] }, index: doc.privacy_masks.length };
}

/** What the properties panel may change on a slot. */
export type SlotPatch = Partial<Pick<CalibrationSlot, 'id' | 'label' | 'type' | 'reservable' | 'closed'>>;

/** Changes a slot's id, label, type or reservable or closed flag; the same document when nothing differs. */
export function updateSlot(doc: CalibrationDocument, index: number, patch: SlotPatch): CalibrationDocument {
  const slot = doc.slots[index];
  if (!slot) return doc;
  const keys = Object.keys(patch) as (keyof SlotPatch)[];
  if (keys.every((k) => patch[k] === undefined || patch[k] === slot[k])) return doc;
  const slots = doc.slots.slice();
  slots[index] = { ...slot, ...patch };
  return { ...doc, slots };
}

/** Changes a privacy mask's label. */
export function updateMaskLabel(doc: CalibrationDocument, index: number, label: string): CalibrationDocument {
  const mask = doc.privacy_masks[index];
  if (!mask || mask.label === label) return doc;
  const privacy_masks = doc.privacy_masks.slice();
  privacy_masks[index] = { ...mask, label };
  return { ...doc, privacy_masks };
}
