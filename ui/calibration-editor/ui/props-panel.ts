import { SLOT_TYPES, type SlotType } from '../../../calibration/index.ts';
import { deleteShape, updateMaskLabel, updateSlot } from '../state/shapes.ts';
import type { EditorStore } from '../state/store.ts';
import { h } from './elements.ts';

const TYPE_NAMES: Record<SlotType, string> = {
  standard: 'Standard',
  disabled: 'Disabled permit',
  ev: 'Electric vehicle',
  visitor: 'Visitor',
  staff: 'Staff',
};

/**
 * The selected slot's id, label, type and reservable flag (or a mask's label), applied on change
 * as one undoable edit each. Re-rendered only when the selection changes, so typing is not
 * interrupted by the store's notifications.
 */
export function propsPanel(root: HTMLElement, store: EditorStore): () => void {
  let shown = '';
  let shownObject: unknown;
  let refresh: (() => void) | undefined;
  return () => {
    const sel = store.selection;
    const object = sel && (sel.layer === 'slot' ? store.doc.slots[sel.index] : store.doc.privacy_masks[sel.index]);
    const key = sel ? `${sel.layer}:${sel.index}` : '';
    if (key === shown && object === shownObject) return;
    // Same selection, edited: update the fields in place so focus stays where staff are typing.
    if (key === shown && refresh) {
      shownObject = object;
      return refresh();
    }
    shown = key;
    shownObject = object;
    refresh = undefined;
    if (!sel) return root.replaceChildren(h('p', { class: 'hint' }, 'Select a slot or a mask to edit it.'));
    const remove = h(
      'button',
      { type: 'button', 'data-action': 'delete-shape' },
      `Delete ${sel.layer === 'slot' ? 'slot' : 'mask'}`,
    );
    remove.addEventListener('click', () => store.edit(deleteShape(store.doc, sel), `delete ${sel.layer}`));
    if (sel.layer === 'mask') {
      const mask = store.doc.privacy_masks[sel.index];
      if (!mask) return root.replaceChildren();
      const label = input('mask-label', mask.label ?? '');
      label.addEventListener('change', () =>
        store.edit(updateMaskLabel(store.doc, sel.index, label.value), 'rename mask'),
      );
      refresh = () => setIfIdle(label, store.doc.privacy_masks[sel.index]?.label ?? '');
      return root.replaceChildren(h('p', {}, `Privacy mask ${mask.id}`), field('Label', label), remove);
    }
    const slot = store.doc.slots[sel.index];
    if (!slot) return root.replaceChildren();
    const id = input('slot-id', slot.id);
    id.addEventListener('change', () =>
      store.edit(updateSlot(store.doc, sel.index, { id: id.value.trim() }), 'change slot id'),
    );
    const label = input('slot-label', slot.label);
    label.addEventListener('change', () =>
      store.edit(updateSlot(store.doc, sel.index, { label: label.value }), 'change label'),
    );
    const type = h('select', { id: 'slot-type' });
    for (const t of SLOT_TYPES) type.append(h('option', { value: t, selected: t === slot.type }, TYPE_NAMES[t]));
    type.addEventListener('change', () =>
      store.edit(updateSlot(store.doc, sel.index, { type: type.value as SlotType }), 'change type'),
    );
    const reservable = h('input', { id: 'slot-reservable', type: 'checkbox', checked: slot.reservable });
    reservable.addEventListener('change', () =>
      store.edit(updateSlot(store.doc, sel.index, { reservable: reservable.checked }), 'change reservable'),
    );
    const closed = h('input', { id: 'slot-closed', type: 'checkbox', checked: slot.closed === true });
    closed.addEventListener('change', () =>
      store.edit(updateSlot(store.doc, sel.index, { closed: closed.checked }), 'change closed'),
    );
    const corners = h('p', { class: 'hint' }, `${slot.polygon.length} corners`);
    refresh = () => {
      const now = store.doc.slots[sel.index];
      if (!now) return;
      setIfIdle(id, now.id);
      setIfIdle(label, now.label);
      type.value = now.type;
      reservable.checked = now.reservable;
      closed.checked = now.closed === true;
      corners.textContent = `${now.polygon.length} corners`;
    };
    root.replaceChildren(
      field('Id', id),
      field('Label', label),
      field('Type', type),
      h('p', { class: 'check' }, reservable, h('label', { for: 'slot-reservable' }, 'Visitors may reserve it')),
      h('p', { class: 'check' }, closed, h('label', { for: 'slot-closed' }, 'Closed: drawn, but not counted')),
      corners,
      remove,
    );
  };
}

/** Writes a field's value unless staff are typing in it. */
function setIfIdle(el: HTMLInputElement, value: string): void {
  if (document.activeElement !== el && el.value !== value) el.value = value;
}

function input(id: string, value: string): HTMLInputElement {
  const el = h('input', { id, type: 'text', maxlength: 64, autocomplete: 'off' });
  el.value = value;
  return el;
}

function field(label: string, control: HTMLElement): HTMLElement {
  return h('p', { class: 'field' }, h('label', { for: control.id }, label), control);
}

/** The core's validation as staff read it: errors (which block saving) first, then warnings. */
export function issuesPanel(root: HTMLElement, store: EditorStore): () => void {
  let shown: unknown;
  return () => {
    const report = store.report;
    if (report === shown) return;
    shown = report;
    const summary = h(
      'p',
      { class: report.errors > 0 ? 'bad' : 'good', 'data-validation': report.errors > 0 ? 'errors' : 'ok' },
      report.errors > 0
        ? `${report.errors} error(s) must be fixed before saving; ${report.warnings} warning(s).`
        : report.warnings > 0
          ? `No errors; ${report.warnings} warning(s).`
          : 'No problems found.',
    );
    const list = h('ul', { class: 'issues' });
    for (const issue of report.issues) {
      const b = h(
        'button',
        { type: 'button', class: `issue ${issue.severity}`, 'data-code': issue.code },
        issue.message,
      );
      const first = issue.slotIndexes[0] ?? issue.maskIndexes[0];
      const layer = issue.slotIndexes[0] !== undefined ? 'slot' : 'mask';
      b.addEventListener('click', () => first !== undefined && store.select({ layer, index: first }));
      list.append(h('li', {}, h('span', { class: 'sev' }, issue.severity === 'error' ? 'Error' : 'Warning'), ' ', b));
    }
    root.replaceChildren(summary, list);
  };
}
