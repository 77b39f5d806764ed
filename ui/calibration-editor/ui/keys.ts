import { deletePoint, deleteShape, movePoint, moveShape, polygonOf } from '../state/shapes.ts';
import type { EditorStore, Tool } from '../state/store.ts';
import type { Canvas } from './canvas.ts';

/** What the keys need of the picture (a stand-in in unit tests). */
export type KeyTarget = Pick<Canvas, 'selectedPoint' | 'zoom' | 'pan' | 'resetView'>;
import { h } from './elements.ts';

/** What the key handler reads of a KeyboardEvent (unit tests pass plain objects). */
export type KeyPress = Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey'>;

export interface Shortcut {
  keys: string;
  does: string;
}

/** The one list the key handler and the help panel both follow. */
export const SHORTCUTS: Shortcut[] = [
  { keys: 'V / Esc', does: 'Select tool (Esc first removes the last corner placed; in Select, clears the selection)' },
  { keys: 'N', does: 'Draw a slot: click its corners, click the first corner or press Enter to close' },
  { keys: 'M', does: 'Draw a privacy mask' },
  { keys: 'R', does: 'Row tool: repeat the selected slot along a row' },
  { keys: 'Enter', does: 'Close the outline being drawn' },
  { keys: 'Delete / Backspace', does: 'Delete the selected corner, or the selected slot or mask' },
  { keys: 'Right-click a corner', does: 'Delete that corner' },
  { keys: 'Drag the middle of an edge', does: 'Insert a corner there' },
  { keys: 'Ctrl+Z / Ctrl+Shift+Z (or Ctrl+Y)', does: 'Undo / redo' },
  { keys: 'S', does: 'Snapping to other outlines on/off' },
  { keys: 'G', does: 'Grid snapping on/off' },
  { keys: '+ / − / 0 or the mouse wheel', does: 'Zoom in / out / show the whole picture' },
  { keys: 'Arrow keys (Shift: ×10)', does: 'Move the selected corner, or the selected outline, by one pixel' },
  { keys: 'Arrow keys with nothing selected, Shift+drag or drag the background', does: 'Pan when zoomed in' },
  { keys: 'Tab / Shift+Tab (on the picture)', does: 'Select the next / previous slot' },
  { keys: 'O', does: 'Live occupancy overlay on/off' },
  { keys: '?', does: 'Show or hide this help' },
];

/** The help panel listing every shortcut. */
export function helpPanel(): HTMLElement {
  return h(
    'dl',
    { class: 'shortcuts' },
    ...SHORTCUTS.flatMap((s) => [h('dt', {}, h('kbd', {}, s.keys)), h('dd', {}, s.does)]),
  );
}

const TOOLS: Record<string, Tool> = { v: 'select', n: 'slot', m: 'mask', r: 'row' };

/**
 * Keyboard control of the picture. Only active while focus is on the picture or the page body, so
 * typing a label or a note never triggers a shortcut.
 */
export function handleKey(
  e: KeyPress,
  store: EditorStore,
  canvas: KeyTarget,
  toggles: Record<'snap' | 'grid' | 'overlay' | 'help', () => void>,
): boolean {
  const ctrl = e.ctrlKey || e.metaKey;
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  if (ctrl && key === 'z') return run(() => (e.shiftKey ? store.redo() : store.undo()));
  if (ctrl && key === 'y') return run(() => store.redo());
  if (ctrl || e.altKey) return false;
  const tool = TOOLS[key];
  if (tool) return run(() => store.setTool(tool));
  switch (key) {
    case 'Enter':
      return run(() => store.closeDraft());
    case 'Escape':
      if (store.draft.length > 0) return run(() => store.cancelDraft());
      if (store.tool !== 'select') return run(() => store.setTool('select'));
      canvas.selectedPoint = undefined;
      return run(() => store.select(undefined));
    case 'Delete':
    case 'Backspace': {
      if (store.draft.length > 0) return run(() => store.cancelDraft());
      const sel = store.selection;
      if (!sel) return false;
      const point = canvas.selectedPoint;
      canvas.selectedPoint = undefined;
      return run(() =>
        point === undefined
          ? store.edit(deleteShape(store.doc, sel), `delete ${sel.layer}`)
          : store.edit(deletePoint(store.doc, { ...sel, point }), 'delete corner'),
      );
    }
    case 's':
      return run(toggles.snap);
    case 'g':
      return run(toggles.grid);
    case 'o':
      return run(toggles.overlay);
    case '?':
      return run(toggles.help);
    case '+':
    case '=':
      return run(() => canvas.zoom(1.25));
    case '-':
      return run(() => canvas.zoom(0.8));
    case '0':
      return run(() => canvas.resetView());
    case 'ArrowLeft':
    case 'ArrowRight':
    case 'ArrowUp':
    case 'ArrowDown': {
      const [dx, dy] = ARROWS[key]!;
      if (store.selection)
        return run(() => nudge(store, canvas.selectedPoint, dx * (e.shiftKey ? 10 : 1), dy * (e.shiftKey ? 10 : 1)));
      return run(() => canvas.pan(dx * 0.1, dy * 0.1));
    }
    case 'Tab': {
      const n = store.doc.slots.length;
      if (n === 0) return false;
      const at = store.selection?.layer === 'slot' ? store.selection.index : -1;
      const next = e.shiftKey ? (at <= 0 ? n - 1 : at - 1) : (at + 1) % n;
      if ((e.shiftKey && at === 0) || (!e.shiftKey && at === n - 1)) return false; // let focus leave the picture
      canvas.selectedPoint = undefined;
      return run(() => store.select({ layer: 'slot', index: next }));
    }
    default:
      return false;
  }
}

const ARROWS: Record<string, [number, number]> = {
  ArrowLeft: [-1, 0],
  ArrowRight: [1, 0],
  ArrowUp: [0, -1],
  ArrowDown: [0, 1],
};

/** Moves the selected corner (or the whole selected outline) by whole frame pixels. */
function nudge(store: EditorStore, point: number | undefined, dxPx: number, dyPx: number): void {
  const sel = store.selection;
  if (!sel) return;
  const d: [number, number] = [dxPx / store.frame.width, dyPx / store.frame.height];
  const at = point === undefined ? undefined : polygonOf(store.doc, sel)?.[point];
  store.edit(
    at ? movePoint(store.doc, { ...sel, point: point! }, [at[0] + d[0], at[1] + d[1]]) : moveShape(store.doc, sel, d),
    at ? 'nudge corner' : 'nudge outline',
  );
}

function run(fn: () => unknown): true {
  fn();
  return true;
}
