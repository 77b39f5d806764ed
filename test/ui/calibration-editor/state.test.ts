import { describe, expect, it } from 'vitest';
import { emptyCalibration, validateCalibration, type CalibrationDocument } from '../../../calibration/index.ts';
import { History } from '../../../ui/calibration-editor/state/history.ts';
import {
  addSlots,
  deletePoint,
  deleteShape,
  insertPoint,
  movePoint,
  updateSlot,
} from '../../../ui/calibration-editor/state/shapes.ts';
import { hitEdge, hitPoint, snapPoint } from '../../../ui/calibration-editor/state/snap.ts';
import { EditorStore } from '../../../ui/calibration-editor/state/store.ts';
import { clampView, fitFrame, zoomAt, zoomOf } from '../../../ui/calibration-editor/state/viewport.ts';

const FRAME = { width: 1000, height: 500 };
const square = (x: number, y: number, s = 0.1): [number, number][] => [
  [x, y],
  [x + s, y],
  [x + s, y + s],
  [x, y + s],
];
const withSquares = (...corners: [number, number][]): CalibrationDocument =>
  addSlots(
    emptyCalibration(FRAME.width, FRAME.height, 'cam-1'),
    corners.map(([x, y]) => square(x, y)),
  ).doc;

describe('editor history', () => {
  it('undoes and redoes edits in order and forgets the redo branch after a new edit', () => {
    const h = new History(0);
    h.apply(1, 'one');
    h.apply(2, 'two');
    expect(h.undo()).toBe(true);
    expect(h.current).toBe(1);
    expect(h.redoLabel).toBe('two');
    expect(h.redo()).toBe(true);
    expect(h.current).toBe(2);
    h.undo();
    h.apply(3, 'three');
    expect(h.canRedo).toBe(false);
    h.undo();
    h.undo();
    expect(h.current).toBe(0);
    expect(h.undo()).toBe(false);
  });

  it('records a whole drag as one step and drops a cancelled preview', () => {
    const h = new History('a');
    h.preview('b1');
    h.preview('b2');
    expect(h.current).toBe('b2');
    expect(h.commit('drag')).toBe(true);
    h.preview('c');
    h.cancel();
    expect(h.current).toBe('b2');
    h.undo();
    expect(h.current).toBe('a');
    expect(h.canUndo).toBe(false);
  });

  it('does not record an edit that changed nothing', () => {
    const h = new History('a');
    h.apply('a', 'nothing');
    expect(h.commit('nothing either')).toBe(false);
    expect(h.canUndo).toBe(false);
  });
});

describe('editing outlines', () => {
  it('inserts a corner after the given one and deletes it again', () => {
    const doc = withSquares([0.1, 0.1]);
    const five = insertPoint(doc, { layer: 'slot', index: 0 }, 1, [0.2, 0.15]);
    expect(five.slots[0]!.polygon).toEqual([
      [0.1, 0.1],
      [0.2, 0.1],
      [0.2, 0.15],
      [0.2, 0.2],
      [0.1, 0.2],
    ]);
    expect(deletePoint(five, { layer: 'slot', index: 0, point: 2 }).slots[0]!.polygon).toEqual(doc.slots[0]!.polygon);
    expect(doc.slots[0]!.polygon).toHaveLength(4); // the original is untouched
  });

  it('refuses to delete a corner of a triangle, which would leave no area', () => {
    const tri = deletePoint(withSquares([0.1, 0.1]), { layer: 'slot', index: 0, point: 0 });
    expect(tri.slots[0]!.polygon).toHaveLength(3);
    expect(deletePoint(tri, { layer: 'slot', index: 0, point: 0 })).toBe(tri);
  });

  it('moves a corner, deletes a slot and changes a slot’s properties', () => {
    const doc = withSquares([0.1, 0.1], [0.5, 0.1]);
    expect(movePoint(doc, { layer: 'slot', index: 1, point: 2 }, [0.7, 0.3]).slots[1]!.polygon[2]).toEqual([0.7, 0.3]);
    expect(deleteShape(doc, { layer: 'slot', index: 0 }).slots.map((s) => s.id)).toEqual(['2']);
    const ev = updateSlot(doc, 0, { type: 'ev', reservable: true, label: 'E1' });
    expect(ev.slots[0]).toMatchObject({ id: '1', type: 'ev', reservable: true, label: 'E1' });
    expect(updateSlot(ev, 0, { type: 'ev' })).toBe(ev);
  });
});

describe('snapping and hit testing', () => {
  const doc = withSquares([0.1, 0.1]);
  const o = { frame: FRAME, radiusPx: 8 };

  it('snaps to a corner of another slot before its edge, within the radius in pixels', () => {
    // (0.205, 0.11) is 5 px right and 5 px down of the corner (0.2, 0.1), and 5 px from the edge x = 0.2.
    expect(snapPoint(doc, [0.205, 0.11], o)).toEqual({ point: [0.2, 0.1], kind: 'vertex' });
    expect(snapPoint(doc, [0.205, 0.15], o)).toEqual({ point: [0.2, 0.15], kind: 'edge' });
    expect(snapPoint(doc, [0.3, 0.15], o)).toEqual({ point: [0.3, 0.15], kind: 'none' });
  });

  it('falls back to the grid, and ignores the outline being edited', () => {
    expect(snapPoint(doc, [0.3012, 0.1588], { ...o, gridPx: 10 }).point).toEqual([0.3, 0.16]);
    expect(snapPoint(doc, [0.205, 0.11], { ...o, exclude: { layer: 'slot', index: 0 } }).kind).toBe('none');
  });

  it('finds the corner and the edge under the pointer', () => {
    expect(hitPoint(doc, [0.203, 0.2], FRAME, 6)).toEqual({ layer: 'slot', index: 0, point: 2 });
    expect(hitPoint(doc, [0.25, 0.2], FRAME, 6)).toBeUndefined();
    expect(hitEdge(doc, [0.15, 0.201], FRAME, 6)).toEqual({
      ref: { layer: 'slot', index: 0 },
      edge: 2,
      at: [0.15, 0.2],
    });
  });
});

describe('zoom and pan', () => {
  it('keeps the point under the pointer fixed and never zooms out past the frame', () => {
    const v = zoomAt(fitFrame(FRAME), FRAME, 4, [250, 125]);
    expect(zoomOf(v, FRAME)).toBe(4);
    expect((250 - v.x) / v.width).toBeCloseTo(0.25);
    expect(clampView({ x: -50, y: 900, width: 5000, height: 2500 }, FRAME)).toEqual(fitFrame(FRAME));
  });
});

describe('the editor store', () => {
  it('draws a slot by clicking four corners and closing on the first, undoably, with live validation', () => {
    const store = new EditorStore(emptyCalibration(FRAME.width, FRAME.height, 'cam-1'));
    expect(store.report.issues.map((i) => i.code)).toEqual(['no_slots']);
    store.setTool('slot');
    for (const p of square(0.1, 0.1)) store.addDraftPoint(p);
    store.addDraftPoint([0.1, 0.1]);
    expect(store.doc.slots).toHaveLength(1);
    expect(store.selection).toEqual({ layer: 'slot', index: 0 });
    expect(store.report.canSave).toBe(true);
    store.undo();
    expect(store.doc.slots).toHaveLength(0);
    expect(store.selection).toBeUndefined();
  });

  it('repeats a slot into a row of touching slots in one undoable step', () => {
    const store = new EditorStore(withSquares([0.1, 0.1]));
    store.select({ layer: 'slot', index: 0 });
    store.setTool('row');
    store.setRow({ end: { towards: [0.55, 0.15] }, count: 4, prefix: 'B' });
    const preview = store.rowPreview();
    expect(preview?.ok).toBe(true);
    expect(store.applyRow()).toBe(3);
    const doc = store.doc;
    expect(doc.slots.map((s) => s.id)).toEqual(['1', 'B01', 'B02', 'B03']);
    // Neighbours share their edge exactly, so validation finds no overlap.
    expect(doc.slots[1]!.polygon[0]).toEqual(doc.slots[0]!.polygon[1]);
    expect(validateCalibration(doc).issues).toEqual([]);
    store.undo();
    expect(store.doc.slots).toHaveLength(1);
  });

  it('says why a row cannot be made from a slot that is not a quadrilateral', () => {
    const tri = deletePoint(withSquares([0.1, 0.1]), { layer: 'slot', index: 0, point: 3 });
    const store = new EditorStore(tri);
    store.select({ layer: 'slot', index: 0 });
    store.setTool('row');
    store.setRow({ end: { towards: [0.5, 0.15] } });
    expect(store.rowPreview()).toEqual({ ok: false, error: expect.stringContaining('4 corners') });
    expect(store.applyRow()).toBe(0);
  });
});

describe('the editor store with masks, two-ended rows and loading', () => {
  it('draws a privacy mask with the mask tool, without touching the slots', () => {
    const store = new EditorStore(withSquares([0.1, 0.1]));
    store.setTool('mask');
    for (const p of square(0.6, 0.1)) store.addDraftPoint(p);
    store.closeDraft();
    expect(store.doc.slots).toHaveLength(1);
    expect(store.doc.privacy_masks.map((m) => m.id)).toEqual(['mask-1']);
    expect(store.selection).toEqual({ layer: 'mask', index: 0 });
  });

  it('fits a row between a drawn first and last slot and adds only the slots between them', () => {
    const store = new EditorStore(withSquares([0.1, 0.1], [0.4, 0.1]));
    store.select({ layer: 'slot', index: 0 });
    store.setTool('row');
    store.setRow({ end: { last: 1 }, count: 4 });
    const preview = store.rowPreview();
    expect(preview).toMatchObject({ ok: true });
    if (!preview?.ok) return;
    expect(preview.value.residualPx).toBeLessThan(1e-6); // the squares are exactly one row
    expect(store.applyRow()).toBe(2);
    const xs = store.doc.slots.map((s) => Math.round(s.polygon[0]![0] * 100) / 100);
    expect(xs).toEqual([0.1, 0.4, 0.2, 0.3]);
    expect(validateCalibration(store.doc).issues).toEqual([]);
  });

  it('marks edits as unsaved, and loading a version clears both that mark and the undo stack', () => {
    const store = new EditorStore(withSquares([0.1, 0.1]));
    expect(store.dirty).toBe(false);
    store.edit(updateSlot(store.doc, 0, { label: 'A1' }), 'label');
    expect(store.dirty).toBe(true);
    let notified = 0;
    store.subscribe(() => notified++);
    store.load(withSquares([0.5, 0.5]));
    expect(notified).toBe(1);
    expect(store.dirty).toBe(false);
    expect(store.history.canUndo).toBe(false);
    expect(store.doc.slots[0]!.polygon[0]).toEqual([0.5, 0.5]);
  });

  it('closes the outline being drawn only with three corners or more, and Escape removes the last corner', () => {
    const store = new EditorStore(emptyCalibration(FRAME.width, FRAME.height));
    store.setTool('slot');
    store.addDraftPoint([0.1, 0.1]);
    store.addDraftPoint([0.2, 0.1]);
    store.closeDraft();
    expect(store.doc.slots).toHaveLength(0);
    store.cancelDraft();
    expect(store.draft).toEqual([[0.1, 0.1]]);
  });
});
