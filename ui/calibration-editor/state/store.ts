import type { Point } from '../../../protocol/geometry.ts';
import {
  generateRow,
  validateCalibration,
  type CalibrationDocument,
  type FrameSize,
  type SlotType,
  type ValidationOptions,
  type ValidationReport,
} from '../../../calibration/index.ts';
import { History } from './history.ts';
import { addMask, addSlots, polygonOf, withPolygon, type Layer, type ShapeRef } from './shapes.ts';

/** What a click on the picture does. */
export type Tool = 'select' | 'slot' | 'mask' | 'row';

export interface RowDraft {
  /** The slot the row starts from (4 corners). */
  first: number;
  /** A point at the far end of the row, or a drawn last slot (more accurate: fits both ends). */
  end: { towards: Point } | { last: number } | undefined;
  count: number;
  prefix: string;
}

export interface RowPreview {
  polygons: [number, number][][];
  residualPx: number;
}

/**
 * The editor's state without any DOM: the document (with undo), the tool, the selection, the
 * outline being drawn and the row being laid out. The UI calls these methods and re-renders on
 * every `subscribe` notification, so the whole behaviour is testable in Node.
 */
export class EditorStore {
  readonly history: History<CalibrationDocument>;
  tool: Tool = 'select';
  selection: ShapeRef | undefined;
  /** Corners placed so far of the outline being drawn (0–1). */
  draft: [number, number][] = [];
  row: RowDraft | undefined;
  /** Set when the document differs from the last saved or loaded version. */
  dirty = false;
  validationOptions: ValidationOptions = {};
  #listeners = new Set<() => void>();
  #report: { doc: CalibrationDocument; report: ValidationReport } | undefined;

  constructor(doc: CalibrationDocument) {
    this.history = new History(doc);
  }

  get doc(): CalibrationDocument {
    return this.history.current;
  }

  get frame(): FrameSize {
    return { width: this.doc.frame_width, height: this.doc.frame_height };
  }

  /** The core's validation of what is on screen, recomputed only when the document changed. */
  get report(): ValidationReport {
    if (this.#report?.doc !== this.doc) this.#report = { doc: this.doc, report: this.#validate(this.doc) };
    return this.#report.report;
  }

  #validate(doc: CalibrationDocument): ValidationReport {
    return validateCalibration(doc, this.validationOptions);
  }

  subscribe(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  changed(): void {
    for (const fn of this.#listeners) fn();
  }

  /** Applies a pure edit as one undoable step. */
  edit(next: CalibrationDocument, label: string): void {
    if (next === this.doc) return;
    this.history.apply(next, label);
    this.dirty = true;
    this.#fixSelection();
    this.changed();
  }

  preview(next: CalibrationDocument): void {
    this.history.preview(next);
    this.changed();
  }

  commit(label: string): void {
    if (this.history.commit(label)) this.dirty = true;
    this.changed();
  }

  undo(): void {
    if (this.history.undo()) this.#afterJump();
  }

  redo(): void {
    if (this.history.redo()) this.#afterJump();
  }

  #afterJump(): void {
    this.dirty = true;
    this.draft = [];
    this.#fixSelection();
    this.changed();
  }

  /** Replaces the document (loaded version, import, re-projection result) and forgets undo. */
  load(doc: CalibrationDocument, dirty = false): void {
    this.history.reset(doc);
    this.dirty = dirty;
    this.selection = undefined;
    this.draft = [];
    this.row = undefined;
    this.changed();
  }

  #fixSelection(): void {
    if (this.selection && !polygonOf(this.doc, this.selection)) this.selection = undefined;
    if (this.row && !this.doc.slots[this.row.first]) this.row = undefined;
  }

  setTool(tool: Tool): void {
    this.tool = tool;
    this.draft = [];
    if (tool === 'row') this.startRow();
    this.changed();
  }

  select(ref: ShapeRef | undefined): void {
    this.selection = ref;
    this.changed();
  }

  /** Adds a corner to the outline being drawn; clicking the first corner again closes it. */
  addDraftPoint(p: Point): void {
    const first = this.draft[0];
    if (first && this.draft.length >= 3 && first[0] === p[0] && first[1] === p[1]) return this.closeDraft();
    this.draft = [...this.draft, [p[0], p[1]]];
    this.changed();
  }

  /** Finishes the outline being drawn as a slot (tool `slot`) or a mask (tool `mask`). */
  closeDraft(defaults: { type?: SlotType; reservable?: boolean; prefix?: string } = {}): void {
    if (this.draft.length < 3) return;
    const layer: Layer = this.tool === 'mask' ? 'mask' : 'slot';
    const polygon = this.draft;
    this.draft = [];
    if (layer === 'mask') {
      const r = addMask(this.doc, polygon);
      this.selection = { layer, index: r.index };
      return this.edit(r.doc, 'draw privacy mask');
    }
    const r = addSlots(this.doc, [polygon], defaults);
    this.selection = { layer, index: r.indexes[0]! };
    this.edit(r.doc, 'draw slot');
  }

  cancelDraft(): void {
    this.draft = this.draft.slice(0, -1);
    this.changed();
  }

  /** Begins a row from the selected slot (it must have 4 corners; the core says why otherwise). */
  startRow(): void {
    const first = this.selection?.layer === 'slot' ? this.selection.index : undefined;
    this.row = first === undefined ? undefined : { first, end: undefined, count: 5, prefix: '' };
  }

  setRow(patch: Partial<RowDraft>): void {
    if (!this.row) return;
    this.row = { ...this.row, ...patch };
    this.changed();
  }

  /** The row as it would be added, or the core's reason why it cannot be. */
  rowPreview(): { ok: true; value: RowPreview } | { ok: false; error: string } | undefined {
    const r = this.row;
    const first = r && this.doc.slots[r.first];
    if (!r || !first || !r.end) return undefined;
    try {
      const last = 'last' in r.end ? this.doc.slots[r.end.last] : undefined;
      const value =
        'last' in r.end
          ? generateRow(this.doc, { first: first.polygon, last: last?.polygon ?? [], count: r.count })
          : generateRow(this.doc, { first: first.polygon, towards: r.end.towards, count: r.count });
      return { ok: true, value };
    } catch (err) {
      return { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
  }

  /**
   * Adds the row as one undoable edit: the first slot (and a drawn last slot) take the fitted
   * outline, the slots between them are new.
   */
  applyRow(): number {
    const r = this.row;
    const p = this.rowPreview();
    if (!r || !p?.ok) return 0;
    const polys = p.value.polygons;
    let doc = withPolygon(this.doc, { layer: 'slot', index: r.first }, polys[0]!);
    let fresh = polys.slice(1);
    if (r.end && 'last' in r.end) {
      doc = withPolygon(doc, { layer: 'slot', index: r.end.last }, polys.at(-1)!);
      fresh = polys.slice(1, -1);
    }
    const added = addSlots(doc, fresh, r.prefix === '' ? {} : { prefix: r.prefix });
    this.row = undefined;
    this.tool = 'select';
    this.edit(added.doc, `row of ${polys.length} slots`);
    return fresh.length;
  }
}
