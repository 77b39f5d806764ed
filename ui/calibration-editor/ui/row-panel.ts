import type { EditorStore } from '../state/store.ts';
import { h } from './elements.ts';

/**
 * The row tool: select a drawn slot, click where the row ends (or pick a drawn last slot, which
 * fits the perspective from both ends), set how many slots; the preview follows every change and
 * "Add row" adds them as one undoable edit.
 */
export function rowPanel(root: HTMLElement, store: EditorStore, say: (m: string) => void): () => void {
  const count = h('input', { id: 'row-count', type: 'number', min: 2, max: 200, value: 5 });
  const prefix = h('input', { id: 'row-prefix', type: 'text', maxlength: 20, placeholder: 'e.g. B' });
  const last = h('select', { id: 'row-last' });
  const status = h('p', { class: 'hint', 'aria-live': 'polite', id: 'row-status' });
  const apply = h('button', { type: 'button', id: 'row-apply', 'data-action': 'row-apply' }, 'Add row');
  count.addEventListener('input', () => {
    const n = Number(count.value);
    if (Number.isInteger(n) && n >= 2) store.setRow({ count: n });
  });
  prefix.addEventListener('input', () => store.setRow({ prefix: prefix.value.trim() }));
  last.addEventListener('change', () =>
    store.setRow({ end: last.value === '' ? undefined : { last: Number(last.value) } }),
  );
  apply.addEventListener('click', () => {
    const n = store.applyRow();
    if (n > 0) say(`Added ${n} slots in a row.`);
  });
  root.replaceChildren(
    h('p', { class: 'hint' }, 'Select one drawn slot (4 corners), press R, then click the far end of the row.'),
    h('p', { class: 'field' }, h('label', { for: 'row-count' }, 'Slots in the row (with the first)'), count),
    h('p', { class: 'field' }, h('label', { for: 'row-prefix' }, 'Id prefix of new slots'), prefix),
    h('p', { class: 'field' }, h('label', { for: 'row-last' }, 'Or end at drawn slot'), last),
    status,
    apply,
  );
  let options = '';
  return () => {
    root.hidden = store.tool !== 'row';
    const r = store.row;
    const ids = store.doc.slots.map((s, i) => `${i}:${s.id}`).join(',');
    if (ids !== options) {
      options = ids;
      last.replaceChildren(
        h('option', { value: '' }, '— click the end instead —'),
        ...store.doc.slots.map((s, i) => h('option', { value: i }, s.label || s.id)),
      );
    }
    if (r) {
      count.value = String(r.count);
      last.value = r.end && 'last' in r.end ? String(r.end.last) : '';
    }
    const p = store.rowPreview();
    if (!r)
      status.textContent = 'Select a slot first (tool Select, then click a slot), then choose the row tool again.';
    else if (!p) status.textContent = 'Click where the row ends.';
    else if (!p.ok) status.textContent = `Cannot make this row: ${p.error}`;
    else
      status.textContent =
        `${p.value.polygons.length} slots` +
        (p.value.residualPx > 0 ? `; the two drawn ends fit within ${p.value.residualPx.toFixed(1)} px.` : '.');
    if (p?.ok) apply.removeAttribute('disabled');
    else apply.setAttribute('disabled', '');
  };
}
