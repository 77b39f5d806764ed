import { serializeCalibrationDocument } from '../../../calibration/index.ts';
import type { EditorStore } from '../state/store.ts';
import { api } from './api.ts';
import { h } from './elements.ts';

const FORMATS: [string, string][] = [
  ['volno', 'Volno calibration (JSON)'],
  ['pklot', 'PKLot XML'],
  ['labelled', 'Labelled-frame JSON'],
];

/**
 * Import a file (read by the server with calibration/io, shown as an unsaved, undoable edit) and
 * export the last saved version in any format, or the unsaved drawing as Volno JSON.
 */
export function ioPanel(
  root: HTMLElement,
  store: EditorStore,
  cameraId: string,
  latest: () => number | null,
  say: (m: string, kind?: 'info' | 'error') => void,
): () => void {
  const format = h('select', { id: 'io-format' });
  for (const [v, label] of FORMATS) format.append(h('option', { value: v }, label));
  const file = h('input', {
    id: 'io-file',
    type: 'file',
    accept: '.json,.xml,application/json,application/xml',
  });
  file.addEventListener('change', () => {
    const f = file.files?.item(0);
    if (!f) return;
    void f
      .text()
      .then((text) => api.importFile(cameraId, format.value, text))
      .then((r) => {
        store.edit({ ...r.document, camera_id: cameraId }, `import ${f.name}`);
        say(`Imported ${r.document.slots.length} slots from ${f.name}; check them, then save.`);
      })
      .catch((e: unknown) => say(e instanceof Error ? e.message : String(e), 'error'))
      .finally(() => (file.value = ''));
  });
  const exportLink = h('a', { id: 'io-export', download: '' }, 'Export last saved version');
  const draft = h('button', { type: 'button', 'data-action': 'export-draft' }, 'Download the drawing as Volno JSON');
  draft.addEventListener('click', () => {
    const url = URL.createObjectURL(new Blob([serializeCalibrationDocument(store.doc)], { type: 'application/json' }));
    const a = h('a', { href: url, download: `${cameraId}-draft.json` });
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  });
  root.replaceChildren(
    h('p', { class: 'field' }, h('label', { for: 'io-format' }, 'Format'), format),
    h('p', { class: 'field' }, h('label', { for: 'io-file' }, 'Import a file'), file),
    h('p', {}, exportLink),
    draft,
  );
  return () => {
    const v = latest();
    exportLink.hidden = v === null;
    if (v !== null) exportLink.setAttribute('href', api.exportUrl(cameraId, v, format.value));
  };
}
