import type { CalibrationDocument } from '../../../calibration/index.ts';
import type { RowPreview } from '../state/store.ts';
import type { Layer, ShapeRef } from '../state/shapes.ts';
import { viewBoxAttr, type ViewBox } from '../state/viewport.ts';
import { svg } from './elements.ts';

/** Everything the picture shows, besides the document. */
export interface Scene {
  doc: CalibrationDocument;
  view: ViewBox;
  /** Screen pixels per frame pixel, to keep handles and strokes the same size at any zoom. */
  scale: number;
  selection: ShapeRef | undefined;
  selectedPoint: number | undefined;
  draft: readonly (readonly [number, number])[];
  draftLayer: Layer;
  /** The draft's last point is where the pointer is, not a placed corner. */
  hovering: boolean;
  rowPreview: RowPreview | undefined;
  rowEnd: readonly [number, number] | undefined;
  /** Slots (by index) that validation reports an error or a warning for. */
  errors: ReadonlySet<number>;
  warnings: ReadonlySet<number>;
  /** Live state per slot id, when the occupancy overlay is on. */
  occupancy: ReadonlyMap<string, string> | undefined;
  showMasks: boolean;
}

const pts = (poly: readonly (readonly [number, number])[], w: number, h: number) =>
  poly.map(([x, y]) => `${x * w},${y * h}`).join(' ');

/** Redraws the overlay layer of the SVG (the snapshot <image> stays in place). */
export function renderScene(root: SVGSVGElement, overlay: SVGGElement, s: Scene): void {
  const w = s.doc.frame_width;
  const h = s.doc.frame_height;
  root.setAttribute('viewBox', viewBoxAttr(s.view));
  const k = 1 / s.scale; // one screen pixel in frame pixels (presentation attributes: the CSP forbids inline style)
  const nodes: SVGElement[] = [];
  if (s.showMasks)
    s.doc.privacy_masks.forEach((m, i) => {
      const selected = s.selection?.layer === 'mask' && s.selection.index === i;
      nodes.push(
        svg('polygon', {
          points: pts(m.polygon, w, h),
          class: `mask${selected ? ' selected' : ''}`,
          'stroke-width': 2 * k,
          'data-mask': m.id,
        }),
      );
    });
  s.doc.slots.forEach((slot, i) => {
    const selected = s.selection?.layer === 'slot' && s.selection.index === i;
    const state = s.occupancy?.get(slot.id);
    const cls = [
      'slot',
      `t-${slot.type}`,
      selected ? 'selected' : '',
      s.errors.has(i) ? 'has-error' : s.warnings.has(i) ? 'has-warning' : '',
      state ? `occ-${state}` : '',
    ].join(' ');
    nodes.push(
      svg('polygon', { points: pts(slot.polygon, w, h), class: cls, 'stroke-width': 2 * k, 'data-slot': slot.id }),
    );
    const cx = (slot.polygon.reduce((a, p) => a + p[0], 0) / Math.max(1, slot.polygon.length)) * w;
    const cy = (slot.polygon.reduce((a, p) => a + p[1], 0) / Math.max(1, slot.polygon.length)) * h;
    const label = svg('text', { x: cx, y: cy, class: 'slot-label', 'font-size': 13 * k });
    label.textContent = slot.label || slot.id;
    nodes.push(label);
  });
  if (s.rowPreview)
    for (const poly of s.rowPreview.polygons)
      nodes.push(svg('polygon', { points: pts(poly, w, h), class: 'row-preview', 'stroke-width': 2 * k }));
  if (s.rowEnd) nodes.push(svg('circle', { cx: s.rowEnd[0] * w, cy: s.rowEnd[1] * h, r: 6 * k, class: 'row-end' }));
  if (s.draft.length > 0) {
    nodes.push(
      svg('polyline', {
        points: pts(s.draft, w, h),
        class: `draft draft-${s.draftLayer}`,
        'stroke-width': 2 * k,
      }),
    );
    // The last draft point may be the pointer's position (no handle drawn for it).
    const placed = s.hovering ? s.draft.slice(0, -1) : s.draft;
    placed.forEach(([x, y], i) =>
      nodes.push(
        svg('circle', {
          cx: x * w,
          cy: y * h,
          r: (i === 0 ? 7 : 5) * k,
          class: i === 0 ? 'draft-first' : 'draft-point',
        }),
      ),
    );
  }
  nodes.push(...handles(s, w, h, k));
  overlay.replaceChildren(...nodes);
}

/** Corner handles of the selected outline, and a small "+" handle in the middle of each edge. */
function handles(s: Scene, w: number, h: number, k: number): SVGElement[] {
  const sel = s.selection;
  if (!sel) return [];
  const poly = sel.layer === 'slot' ? s.doc.slots[sel.index]?.polygon : s.doc.privacy_masks[sel.index]?.polygon;
  if (!poly) return [];
  const out: SVGElement[] = [];
  poly.forEach(([x, y], i) => {
    const [nx, ny] = poly[(i + 1) % poly.length]!;
    out.push(
      svg('circle', {
        cx: ((x + nx) / 2) * w,
        cy: ((y + ny) / 2) * h,
        r: 4 * k,
        class: 'edge-handle',
        'data-edge': i,
      }),
    );
  });
  poly.forEach(([x, y], i) =>
    out.push(
      svg('circle', {
        cx: x * w,
        cy: y * h,
        r: 6 * k,
        class: `handle${s.selectedPoint === i ? ' selected' : ''}`,
        'data-point': i,
      }),
    ),
  );
  return out;
}
