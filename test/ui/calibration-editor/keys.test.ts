import { describe, expect, it } from 'vitest';
import { emptyCalibration } from '../../../calibration/index.ts';
import { addSlots } from '../../../ui/calibration-editor/state/shapes.ts';
import { EditorStore } from '../../../ui/calibration-editor/state/store.ts';
import { handleKey, SHORTCUTS, type KeyPress, type KeyTarget } from '../../../ui/calibration-editor/ui/keys.ts';

const key = (k: string, mods: Partial<Omit<KeyPress, 'key'>> = {}): KeyPress => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  altKey: false,
  ...mods,
});

function setup() {
  const square = (x: number): [number, number][] => [
    [x, 0.1],
    [x + 0.1, 0.1],
    [x + 0.1, 0.3],
    [x, 0.3],
  ];
  const doc = addSlots(emptyCalibration(1000, 500, 'cam'), [square(0.1), square(0.5)]).doc;
  const store = new EditorStore(doc);
  const calls: string[] = [];
  const canvas: KeyTarget = {
    selectedPoint: undefined,
    zoom: (f: number) => void calls.push(`zoom ${f}`),
    pan: (x: number, y: number) => void calls.push(`pan ${x} ${y}`),
    resetView: () => void calls.push('reset'),
  };
  const toggled: string[] = [];
  const toggles = {
    snap: () => void toggled.push('snap'),
    grid: () => void toggled.push('grid'),
    overlay: () => void toggled.push('overlay'),
    help: () => void toggled.push('help'),
  };
  const press = (k: string, mods = {}) => handleKey(key(k, mods), store, canvas, toggles);
  return { store, canvas, calls, toggled, press };
}

describe('editor keyboard shortcuts', () => {
  it('switches tools, and undoes and redoes with Ctrl+Z, Ctrl+Shift+Z and Ctrl+Y', () => {
    const { store, press } = setup();
    expect(press('n')).toBe(true);
    expect(store.tool).toBe('slot');
    store.select({ layer: 'slot', index: 1 });
    press('Delete');
    expect(store.doc.slots).toHaveLength(1);
    press('z', { ctrlKey: true });
    expect(store.doc.slots).toHaveLength(2);
    press('Z', { ctrlKey: true, shiftKey: true });
    expect(store.doc.slots).toHaveLength(1);
    press('z', { ctrlKey: true });
    press('y', { ctrlKey: true });
    expect(store.doc.slots).toHaveLength(1);
  });

  it('moves the selected corner by one pixel, or ten with Shift, and pans when nothing is selected', () => {
    const { store, canvas, calls, press } = setup();
    press('ArrowRight');
    expect(calls).toEqual(['pan 0.1 0']);
    store.select({ layer: 'slot', index: 0 });
    canvas.selectedPoint = 2;
    press('ArrowRight');
    press('ArrowDown', { shiftKey: true });
    const [x, y] = store.doc.slots[0]!.polygon[2]!;
    expect([Math.round(x * 1000), Math.round(y * 500)]).toEqual([201, 160]);
    canvas.selectedPoint = undefined;
    press('ArrowLeft');
    expect(Math.round(store.doc.slots[0]!.polygon[0]![0] * 1000)).toBe(99);
  });

  it('deletes the selected corner, and Escape steps back: last corner, then tool, then selection', () => {
    const { store, canvas, press } = setup();
    store.select({ layer: 'slot', index: 0 });
    canvas.selectedPoint = 0;
    press('Backspace');
    expect(store.doc.slots[0]!.polygon).toHaveLength(3);
    press('m');
    store.addDraftPoint([0.8, 0.8]);
    press('Escape');
    expect(store.draft).toEqual([]);
    press('Escape');
    expect(store.tool).toBe('select');
    press('Escape');
    expect(store.selection).toBeUndefined();
  });

  it('cycles the selection through the slots with Tab and lets focus leave after the last one', () => {
    const { store, press } = setup();
    expect(press('Tab')).toBe(true);
    expect(store.selection).toEqual({ layer: 'slot', index: 0 });
    expect(press('Tab')).toBe(true);
    expect(store.selection).toEqual({ layer: 'slot', index: 1 });
    expect(press('Tab')).toBe(false);
  });

  it('leaves keys it does not know, and Alt combinations, to the browser', () => {
    const { press, toggled } = setup();
    expect(press('q')).toBe(false);
    expect(press('n', { altKey: true })).toBe(false);
    press('s');
    press('g');
    press('o');
    press('?');
    expect(toggled).toEqual(['snap', 'grid', 'overlay', 'help']);
  });

  it('documents every tool key in the help panel', () => {
    const documented = SHORTCUTS.map((s) => s.keys).join(' ');
    for (const k of ['V', 'N', 'M', 'R', 'Enter', 'Delete', 'Ctrl+Z', 'Ctrl+Shift+Z', 'S', 'G', 'O', '?'])
      expect(documented).toContain(k);
  });
});
