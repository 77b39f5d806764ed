import type { EditorStore, Tool } from '../state/store.ts';
import { h } from './elements.ts';

export interface ToolbarActions {
  snapshot(): void;
  snap(): void;
  grid(): void;
  overlay(): void;
  moved(): void;
  label(): void;
  saveMasks(): void;
  help(): void;
  zoomIn(): void;
  zoomOut(): void;
  zoomReset(): void;
}

export interface ToolbarState {
  snap: boolean;
  grid: boolean;
  overlay: boolean;
  help: boolean;
}

const TOOL_BUTTONS: [Tool, string, string][] = [
  ['select', 'Select', 'V'],
  ['slot', 'Draw slot', 'N'],
  ['row', 'Row tool', 'R'],
  ['mask', 'Privacy mask', 'M'],
];

/** Tool buttons (pressed state via aria-pressed), undo/redo, zoom, snapping and the other switches. */
export function toolbar(root: HTMLElement, store: EditorStore, a: ToolbarActions): (s: ToolbarState) => void {
  const button = (label: string, attrs: Record<string, string>, fn: () => void) => {
    const b = h('button', { type: 'button', ...attrs }, label);
    b.addEventListener('click', fn);
    return b;
  };
  const tools = TOOL_BUTTONS.map(([tool, label, key]) =>
    button(label, { 'data-tool': tool, 'aria-keyshortcuts': key, title: `${label} (${key})` }, () =>
      store.setTool(tool),
    ),
  );
  const undo = button('Undo', { 'data-action': 'undo', 'aria-keyshortcuts': 'Control+Z' }, () => store.undo());
  const redo = button('Redo', { 'data-action': 'redo', 'aria-keyshortcuts': 'Control+Shift+Z' }, () => store.redo());
  const toggles = {
    snap: button('Snap', { 'data-action': 'snap', 'aria-keyshortcuts': 'S' }, a.snap),
    grid: button('Grid', { 'data-action': 'grid', 'aria-keyshortcuts': 'G' }, a.grid),
    overlay: button('Live occupancy', { 'data-action': 'overlay', 'aria-keyshortcuts': 'O' }, a.overlay),
    help: button('Shortcuts', { 'data-action': 'help', 'aria-keyshortcuts': '?' }, a.help),
  };
  root.replaceChildren(
    h('span', { class: 'group' }, button('Fetch snapshot', { 'data-action': 'snapshot' }, a.snapshot)),
    h('span', { class: 'group', role: 'group', 'aria-label': 'Tools' }, ...tools),
    h('span', { class: 'group' }, undo, redo),
    h(
      'span',
      { class: 'group', role: 'group', 'aria-label': 'Zoom' },
      button('+', { 'aria-label': 'Zoom in' }, a.zoomIn),
      button('−', { 'aria-label': 'Zoom out' }, a.zoomOut),
      button('Fit', { title: 'Show the whole picture (0)' }, a.zoomReset),
    ),
    h('span', { class: 'group' }, toggles.snap, toggles.grid, toggles.overlay),
    h(
      'span',
      { class: 'group' },
      button('Save masks now', { 'data-action': 'save-masks' }, a.saveMasks),
      button('Camera moved…', { 'data-action': 'moved' }, a.moved),
      button('Label slots…', { 'data-action': 'label' }, a.label),
      toggles.help,
    ),
  );
  return (s) => {
    for (const b of tools) b.setAttribute('aria-pressed', String(b.dataset['tool'] === store.tool));
    setDisabled(undo, !store.history.canUndo, store.history.undoLabel);
    setDisabled(redo, !store.history.canRedo, store.history.redoLabel);
    for (const k of ['snap', 'grid', 'overlay', 'help'] as const) toggles[k].setAttribute('aria-pressed', String(s[k]));
  };
}

function setDisabled(b: HTMLElement, off: boolean, label: string | undefined): void {
  if (off) b.setAttribute('disabled', '');
  else b.removeAttribute('disabled');
  b.title = label ? `${b.textContent ?? ''}: ${label}` : (b.textContent ?? '');
}
