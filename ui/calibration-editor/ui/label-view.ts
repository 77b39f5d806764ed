import { api, type LabelSnapshot, type LabelResult } from './api.ts';
import { h, svg } from './elements.ts';

const pct = (v: number) => `${(v * 100).toFixed(1)} %`;
/** Shown on each slot beside the colour, so the state never rests on colour alone. */
const MARK = { free: 'F', occupied: 'O' } as const;

/**
 * Label mode (issue 12): a fresh snapshot with every slot pre-filled with the model's state. Staff
 * click a slot (on the picture or in the list) to flip it and save; the server stores the labels,
 * fits the camera's own head and says whether it beat the generic one on labels it did not see.
 */
export class LabelView {
  #snap: LabelSnapshot | undefined;
  readonly #states = new Map<string, boolean>();
  #busy = false;

  constructor(
    private readonly root: HTMLElement,
    private readonly cameraId: string,
    private readonly say: (m: string, kind?: 'info' | 'error') => void,
  ) {}

  async open(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    this.say('Asking the camera agent for a fresh picture to label…');
    try {
      this.#snap = await api.labelSnapshot(this.cameraId);
      this.#states.clear();
      for (const s of this.#snap.slots) this.#states.set(s.slot_id, s.occupied);
      this.#render();
      this.root.hidden = false;
      this.root.scrollIntoView({ block: 'start' });
      this.say(
        this.#snap.tuning.available
          ? 'Label mode: each slot shows what the model sees. Click the wrong ones to correct them, then save.'
          : `Tuning is not available for this camera: ${this.#snap.tuning.reason ?? ''}`,
        this.#snap.tuning.available ? 'info' : 'error',
      );
    } catch (e) {
      this.say(`No snapshot to label: ${e instanceof Error ? e.message : String(e)}`, 'error');
    } finally {
      this.#busy = false;
    }
  }

  #toggle(slotId: string): void {
    this.#states.set(slotId, !this.#states.get(slotId));
    this.#render();
  }

  #render(): void {
    const s = this.#snap;
    if (!s) return;
    const close = h('button', { type: 'button' }, 'Close label mode');
    close.addEventListener('click', () => (this.root.hidden = true));
    if (!s.tuning.available) {
      this.root.replaceChildren(
        h('h2', {}, 'Label slots'),
        h('p', { 'data-tuning': 'unavailable' }, `Tuning is not available: ${s.tuning.reason ?? ''}`),
        close,
      );
      return;
    }
    const picture = svg('svg', {
      viewBox: `0 0 ${s.width} ${s.height}`,
      class: 'label-frame',
      role: 'img',
      'aria-label': 'Snapshot with each slot marked F (free) or O (occupied)',
    });
    picture.append(
      svg('image', {
        href: api.snapshotUrl(this.cameraId, s.snapshot_id),
        x: 0,
        y: 0,
        width: s.width,
        height: s.height,
      }),
    );
    const list = h('ul', { class: 'label-list' });
    for (const slot of s.slots) {
      const occupied = this.#states.get(slot.slot_id) ?? false;
      const state = occupied ? 'occupied' : 'free';
      const points = slot.polygon.map(([x, y]) => `${x! * s.width},${y! * s.height}`).join(' ');
      const shape = svg('polygon', { points, class: `label-slot ${state}`, 'data-label-slot': slot.slot_id });
      shape.addEventListener('click', () => this.#toggle(slot.slot_id));
      const cx = (slot.polygon.reduce((a, p) => a + p[0]!, 0) / slot.polygon.length) * s.width;
      const cy = (slot.polygon.reduce((a, p) => a + p[1]!, 0) / slot.polygon.length) * s.height;
      const mark = svg('text', { x: cx, y: cy, class: 'label-mark', 'font-size': s.width / 60 });
      mark.textContent = MARK[state];
      mark.addEventListener('click', () => this.#toggle(slot.slot_id));
      picture.append(shape, mark);
      const b = h(
        'button',
        { type: 'button', 'aria-pressed': String(occupied), 'data-slot-label': slot.slot_id, class: state },
        `Slot ${slot.slot_id}: ${state}`,
      );
      b.addEventListener('click', () => this.#toggle(slot.slot_id));
      list.append(h('li', {}, b));
    }
    const changed = s.slots.filter((x) => this.#states.get(x.slot_id) !== x.occupied).length;
    const save = h('button', { type: 'button', 'data-action': 'save-labels' }, 'Save labels');
    save.addEventListener('click', () => void this.#save());
    this.root.replaceChildren(
      h('h2', {}, 'Label slots'),
      h(
        'p',
        { class: 'hint' },
        `Pressed = occupied (O), not pressed = free (F). Pre-filled by model ${s.model_id ?? ''}; ` +
          `${changed} of ${s.slots.length} corrected so far.`,
      ),
      h('div', { class: 'label-pair' }, h('figure', {}, picture), list),
      save,
      close,
      h('div', { id: 'label-result', role: 'status', 'aria-live': 'polite' }),
    );
  }

  async #save(): Promise<void> {
    const s = this.#snap;
    if (!s || this.#busy) return;
    this.#busy = true;
    const out = this.root.querySelector('#label-result');
    if (out) out.textContent = 'Saving the labels and fitting this camera’s head…';
    try {
      const labels = s.slots.map((x) => ({ slot_id: x.slot_id, occupied: this.#states.get(x.slot_id) ?? false }));
      const r = await api.saveLabels(this.cameraId, s.snapshot_id, labels);
      if (out) showResult(out, r);
      this.say(r.message);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      if (out) out.textContent = `Not saved: ${msg}`;
      this.say(`Labels not saved: ${msg}`, 'error');
    } finally {
      this.#busy = false;
    }
  }
}

function showResult(out: Element, r: LabelResult): void {
  const a = r.accuracy;
  out.setAttribute('data-published-version', r.published_version === null ? '' : String(r.published_version));
  out.replaceChildren(
    h(
      'p',
      { 'data-accuracy': 'result' },
      `Generic model ${pct(a.accuracy_generic)}, tuned ${pct(a.accuracy_tuned)} (cross-validated) on ${a.labels} labels.`,
    ),
    h(
      'p',
      {},
      r.published_version === null
        ? 'No tuned head ships yet (it needs two snapshots and must beat the generic one); the labelled slots ' +
            'were sent to the agent as references for the same slots.'
        : `The tuned head was published as version ${r.published_version}.`,
    ),
  );
}
