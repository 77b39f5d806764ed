import type { Point } from '../../../protocol/geometry.ts';
import { deletePoint, insertPoint, movePoint, moveShape, type ShapeRef } from '../state/shapes.ts';
import { hitEdge, hitPoint, hitShape, snapPoint } from '../state/snap.ts';
import type { EditorStore } from '../state/store.ts';
import { clampView, fitFrame, panBy, zoomAt, zoomOf, type ViewBox } from '../state/viewport.ts';
import { svg } from './elements.ts';
import { renderScene } from './render.ts';

/** Snap and hit radius in screen pixels: a fingertip-free mouse target that stays the same at any zoom. */
const RADIUS_SCREEN_PX = 10;

type Drag =
  | { kind: 'point'; ref: ShapeRef; point: number; label: string }
  | { kind: 'shape'; ref: ShapeRef; from: Point; moved: boolean }
  | { kind: 'pan'; from: Point; view: ViewBox };

/**
 * The picture and everything drawn on it: pointer input (click to draw, drag corners and whole
 * outlines, drag an edge's middle handle to insert a corner, wheel to zoom, drag the background
 * to pan), snapping and rendering. Keyboard shortcuts live in keys.ts and call the methods here.
 */
export class Canvas {
  view: ViewBox;
  selectedPoint: number | undefined;
  snap = true;
  gridPx = 0;
  showMasks = true;
  occupancy: Map<string, string> | undefined;
  readonly image: SVGImageElement;
  readonly #svg: SVGSVGElement;
  readonly #overlay: SVGGElement;
  readonly #store: EditorStore;
  #drag: Drag | undefined;
  #hover: [number, number] | undefined;
  #frame = '';

  constructor(svgEl: SVGSVGElement, store: EditorStore) {
    this.#svg = svgEl;
    this.#store = store;
    this.view = fitFrame(store.frame);
    this.image = svg('image', {
      x: 0,
      y: 0,
      width: store.frame.width,
      height: store.frame.height,
      class: 'snapshot',
      preserveAspectRatio: 'none',
    });
    this.#overlay = svg('g', { class: 'overlay' });
    svgEl.replaceChildren(this.image, this.#overlay);
    svgEl.addEventListener('pointerdown', (e) => this.#down(e));
    svgEl.addEventListener('pointermove', (e) => this.#move(e));
    svgEl.addEventListener('pointerup', () => this.#up());
    svgEl.addEventListener('contextmenu', (e) => this.#context(e));
    svgEl.addEventListener('wheel', (e) => {
      e.preventDefault();
      this.zoom(e.deltaY < 0 ? 1.25 : 0.8, this.#framePx(e));
    });
  }

  /** Shows a snapshot; it is stretched over the document's frame, since outlines are relative (0–1). */
  setImage(url: string): void {
    this.image.setAttribute('href', url);
  }

  /** Screen pixels per frame pixel. */
  get scale(): number {
    return this.#svg.getScreenCTM()?.a ?? 1;
  }

  get #radius(): number {
    return RADIUS_SCREEN_PX / this.scale;
  }

  #framePx(e: { clientX: number; clientY: number }): Point {
    const m = this.#svg.getScreenCTM();
    if (!m) return [0, 0];
    const i = m.inverse();
    return [i.a * e.clientX + i.c * e.clientY + i.e, i.b * e.clientX + i.d * e.clientY + i.f];
  }

  #norm(e: { clientX: number; clientY: number }): Point {
    const [x, y] = this.#framePx(e);
    return [x / this.#store.frame.width, y / this.#store.frame.height];
  }

  /** Snaps a 0–1 point per the current settings. */
  snapped(p: Point, exclude?: ShapeRef): [number, number] {
    const s = this.#store;
    if (!this.snap && this.gridPx === 0) return [p[0], p[1]];
    return snapPoint(s.doc, p, {
      frame: s.frame,
      radiusPx: this.#radius,
      gridPx: this.gridPx,
      toShapes: this.snap,
      extra: s.draft,
      ...(exclude ? { exclude } : {}),
    }).point;
  }

  zoom(factor: number, at?: Point): void {
    const v = this.view;
    this.view = zoomAt(v, this.#store.frame, factor, at ?? [v.x + v.width / 2, v.y + v.height / 2]);
    this.render();
  }

  /** Pans by a fraction of the visible width/height (arrow keys). */
  pan(fx: number, fy: number): void {
    this.view = panBy(this.view, this.#store.frame, fx * this.view.width, fy * this.view.height);
    this.render();
  }

  resetView(): void {
    this.view = fitFrame(this.#store.frame);
    this.render();
  }

  get zoomLevel(): number {
    return zoomOf(this.view, this.#store.frame);
  }

  #down(e: PointerEvent): void {
    const s = this.#store;
    const p = this.#norm(e);
    this.#hover = undefined;
    if (e.button === 1 || (e.button === 0 && e.shiftKey && s.tool === 'select')) return this.#startPan(e);
    if (e.button !== 0) return;
    if (s.tool === 'slot' || s.tool === 'mask') {
      const first = s.draft[0];
      const close = first && s.draft.length >= 3 && hitDistance(first, p, s.frame) <= this.#radius;
      if (close) s.closeDraft();
      else s.addDraftPoint(this.snapped(p));
      return;
    }
    if (s.tool === 'row') {
      if (s.row) s.setRow({ end: { towards: p } });
      return;
    }
    const layers = this.showMasks ? (['slot', 'mask'] as const) : (['slot'] as const);
    const corner = hitPoint(s.doc, p, s.frame, this.#radius, s.selection);
    if (corner && (this.showMasks || corner.layer === 'slot')) {
      this.selectedPoint = corner.point;
      s.selection = { layer: corner.layer, index: corner.index };
      this.#drag = { kind: 'point', ref: corner, point: corner.point, label: 'move corner' };
      this.#svg.setPointerCapture(e.pointerId);
      return s.changed();
    }
    const edge = s.selection && hitEdge(s.doc, p, s.frame, this.#radius, s.selection);
    if (edge && isEdgeHandle(e.target)) {
      s.preview(insertPoint(s.doc, edge.ref, edge.edge, this.snapped(edge.at, edge.ref)));
      this.selectedPoint = edge.edge + 1;
      this.#drag = { kind: 'point', ref: edge.ref, point: edge.edge + 1, label: 'insert corner' };
      this.#svg.setPointerCapture(e.pointerId);
      return;
    }
    const shape = hitShape(s.doc, p, layers);
    this.selectedPoint = undefined;
    if (shape) {
      s.select(shape);
      this.#drag = { kind: 'shape', ref: shape, from: p, moved: false };
      this.#svg.setPointerCapture(e.pointerId);
      return;
    }
    s.select(undefined);
    if (this.zoomLevel > 1) this.#startPan(e);
  }

  #startPan(e: PointerEvent): void {
    this.#drag = { kind: 'pan', from: [e.clientX, e.clientY], view: this.view };
    this.#svg.setPointerCapture(e.pointerId);
  }

  #move(e: PointerEvent): void {
    const d = this.#drag;
    const s = this.#store;
    if (!d) {
      // While drawing, show where the next click lands (after snapping) and the edge it would make.
      if ((s.tool === 'slot' || s.tool === 'mask') && s.draft.length > 0) {
        this.#hover = this.snapped(this.#norm(e));
        this.render();
      } else if (this.#hover) {
        this.#hover = undefined;
        this.render();
      }
      return;
    }
    if (d.kind === 'pan') {
      const k = this.scale;
      this.view = clampView(
        { ...d.view, x: d.view.x - (e.clientX - d.from[0]) / k, y: d.view.y - (e.clientY - d.from[1]) / k },
        s.frame,
      );
      return this.render();
    }
    const p = this.#norm(e);
    if (d.kind === 'point') {
      const base = s.history.current;
      s.preview(movePoint(base, { ...d.ref, point: d.point }, this.snapped(p, d.ref)));
      return;
    }
    d.moved = true;
    s.history.cancel();
    s.preview(moveShape(s.history.current, d.ref, [p[0] - d.from[0], p[1] - d.from[1]]));
  }

  #up(): void {
    const d = this.#drag;
    this.#drag = undefined;
    if (!d || d.kind === 'pan') return;
    if (d.kind === 'point') this.#store.commit(d.label);
    else if (d.moved) this.#store.commit('move outline');
  }

  /** Right-click on a corner deletes it (as Delete does for the selected corner). */
  #context(e: PointerEvent): void {
    const s = this.#store;
    const corner = hitPoint(s.doc, this.#norm(e), s.frame, this.#radius, s.selection);
    if (!corner) return;
    e.preventDefault();
    s.selection = { layer: corner.layer, index: corner.index };
    this.selectedPoint = undefined;
    s.edit(deletePoint(s.doc, corner), 'delete corner');
  }

  render(): void {
    const s = this.#store;
    const frame = `${s.frame.width}x${s.frame.height}`;
    if (frame !== this.#frame) {
      // A loaded version, an import or a snapshot of another size: show the whole new frame.
      this.#frame = frame;
      this.view = fitFrame(s.frame);
      this.image.setAttribute('width', String(s.frame.width));
      this.image.setAttribute('height', String(s.frame.height));
    }
    const rep = s.report;
    const errors = new Set<number>();
    const warnings = new Set<number>();
    for (const i of rep.issues) for (const k of i.slotIndexes) (i.severity === 'error' ? errors : warnings).add(k);
    const preview = s.rowPreview();
    const end = s.row?.end;
    renderScene(this.#svg, this.#overlay, {
      doc: s.doc,
      view: this.view,
      scale: this.scale,
      selection: s.selection,
      selectedPoint: this.selectedPoint,
      draft: this.#hover && s.draft.length > 0 ? [...s.draft, this.#hover] : s.draft,
      draftLayer: s.tool === 'mask' ? 'mask' : 'slot',
      hovering: this.#hover !== undefined && s.draft.length > 0,
      rowPreview: preview?.ok ? preview.value : undefined,
      rowEnd: end && 'towards' in end ? [end.towards[0], end.towards[1]] : undefined,
      errors,
      warnings,
      occupancy: this.occupancy,
      showMasks: this.showMasks,
    });
  }
}

const hitDistance = (a: Point, b: Point, f: { width: number; height: number }) =>
  Math.hypot((a[0] - b[0]) * f.width, (a[1] - b[1]) * f.height);

const isEdgeHandle = (t: unknown): boolean =>
  typeof t === 'object' && t !== null && (t as Element).getAttribute?.('class') === 'edge-handle';
