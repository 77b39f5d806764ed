import type { EditorStore } from '../state/store.ts';
import { api, ApiCallError, type ServerDiff, type VersionInfo } from './api.ts';
import { h } from './elements.ts';

/** What the editor knows about the camera's saved versions. */
export interface Session {
  cameraId: string;
  /** The version the document on screen started from (sent as base_version to detect conflicts). */
  baseVersion: number | null;
  say(message: string, kind?: 'info' | 'error'): void;
}

const ACK_POLL_MS = 1000;
const ACK_POLL_LIMIT = 120;

/**
 * Save (with a note), the version list (author, time, note, status), compare with the previous
 * version, roll back, publish and the agent's acknowledgement, polled until it arrives.
 */
export class VersionsPanel {
  readonly #root: HTMLElement;
  readonly #store: EditorStore;
  readonly #session: Session;
  readonly #list: HTMLElement;
  readonly #diff: HTMLElement;
  readonly #note: HTMLInputElement;
  readonly #save: HTMLElement;
  #versions: VersionInfo[] = [];

  constructor(root: HTMLElement, store: EditorStore, session: Session) {
    this.#root = root;
    this.#store = store;
    this.#session = session;
    this.#note = h('input', {
      id: 'save-note',
      type: 'text',
      maxlength: 500,
      placeholder: 'What changed?',
    });
    this.#save = h('button', { type: 'button', id: 'save', 'data-action': 'save' }, 'Save version');
    this.#save.addEventListener('click', () => void this.save());
    this.#list = h('ol', { class: 'versions', reversed: true });
    this.#diff = h('div', { class: 'diff', 'aria-live': 'polite' });
    root.replaceChildren(
      h('p', { class: 'field' }, h('label', { for: 'save-note' }, 'Note'), this.#note),
      this.#save,
      this.#list,
      this.#diff,
    );
  }

  /** Save is disabled while validation reports errors. */
  update(): void {
    const blocked = !this.#store.report.canSave;
    if (blocked) this.#save.setAttribute('disabled', '');
    else this.#save.removeAttribute('disabled');
    this.#save.title = blocked
      ? 'Fix the errors listed under Validation first'
      : 'Save this calibration as a new version';
  }

  async refresh(): Promise<VersionInfo[]> {
    this.#versions = await api.versions(this.#session.cameraId);
    this.#list.replaceChildren(...this.#versions.map((v, i) => this.#item(v, this.#versions[i + 1])));
    return this.#versions;
  }

  #item(v: VersionInfo, previous: VersionInfo | undefined): HTMLElement {
    const status = h('span', { class: `status s-${v.status}`, 'data-ack-status': v.status }, statusText(v));
    const buttons = h('span', { class: 'actions' });
    const add = (label: string, action: string, fn: () => Promise<void>) => {
      const b = h(
        'button',
        { type: 'button', 'data-action': action, 'aria-label': `${label} version ${v.version}` },
        label,
      );
      b.addEventListener('click', () => void fn().catch((e: unknown) => this.#fail(e)));
      buttons.append(b);
    };
    add('Load', 'load', () => this.load(v.version));
    add('Publish', 'publish', () => this.publish(v.version));
    if (previous) add('Compare', 'diff', () => this.showDiff(v.version));
    add('Roll back to', 'rollback', () => this.rollback(v.version));
    return h(
      'li',
      { 'data-version': v.version },
      h('strong', {}, `v${v.version}`),
      ` ${v.author}, ${new Date(v.created_at).toLocaleString()}, ${v.slot_count} slots `,
      status,
      v.note ? h('span', { class: 'note' }, ` — ${v.note}`) : '',
      ' ',
      buttons,
    );
  }

  async save(): Promise<number | undefined> {
    const s = this.#store;
    if (!s.report.canSave) return undefined;
    try {
      const r = await api.save(this.#session.cameraId, s.doc, this.#note.value, this.#session.baseVersion);
      this.#session.baseVersion = r.version;
      this.#note.value = '';
      s.dirty = false;
      this.#session.say(`Saved as version ${r.version}.`);
      await this.refresh();
      return r.version;
    } catch (e) {
      this.#fail(e);
      return undefined;
    }
  }

  async load(version: number, ask = true): Promise<void> {
    if (ask && this.#store.dirty && !this.#confirmDiscard()) return;
    const v = await api.version(this.#session.cameraId, version);
    this.#session.baseVersion = this.#versions[0]?.version ?? version;
    this.#store.load(v.document);
    this.#session.say(`Loaded version ${version}.`);
  }

  #confirmDiscard(): boolean {
    const c = (globalThis as unknown as { confirm?: (m: string) => boolean }).confirm;
    return c ? c('Discard the unsaved changes?') : true;
  }

  async rollback(version: number): Promise<void> {
    if (this.#store.dirty && !this.#confirmDiscard()) return;
    const r = await api.rollback(this.#session.cameraId, version);
    await this.refresh();
    await this.load(r.version, false);
    this.#session.say(`Version ${version} restored as version ${r.version}; publish it to apply it.`);
  }

  async showDiff(version: number): Promise<void> {
    const r = await api.diff(this.#session.cameraId, version);
    this.#diff.replaceChildren(h('h3', {}, `v${version} compared with v${r.against}`), diffList(r.diff));
  }

  /** Publishes and polls the acknowledgement until the agent answers (or the poll gives up). */
  async publish(version: number): Promise<void> {
    await api.publish(this.#session.cameraId, version);
    this.#session.say(`Version ${version} sent to the camera agent; waiting for its answer…`);
    await this.refresh();
    for (let i = 0; i < ACK_POLL_LIMIT; i++) {
      const a = await api.ack(this.#session.cameraId, version);
      if (a.status === 'applied' || a.status === 'rejected') {
        await this.refresh();
        this.#session.say(
          a.status === 'applied'
            ? `The agent applied version ${version}.`
            : `The agent rejected version ${version}: ${a.ack?.reason ?? 'no reason given'}`,
          a.status === 'applied' ? 'info' : 'error',
        );
        return;
      }
      await new Promise((ok) => setTimeout(ok, ACK_POLL_MS));
    }
    this.#session.say(`No answer from the agent about version ${version} yet; it may be offline.`, 'error');
  }

  #fail(e: unknown): void {
    if (e instanceof ApiCallError && e.issues.length > 0)
      this.#session.say(`${e.message}: ${e.issues.map((i) => i.message).join(' ')}`, 'error');
    else if (e instanceof ApiCallError && e.code === 'VOLNO_CONFLICT')
      this.#session.say(`${e.message}. Someone saved a newer version; load it and redo your change.`, 'error');
    else this.#session.say(e instanceof Error ? e.message : String(e), 'error');
  }

  get root(): HTMLElement {
    return this.#root;
  }
}

function statusText(v: VersionInfo): string {
  if (v.status === 'applied') return 'applied by the agent';
  if (v.status === 'rejected') return `rejected: ${v.ack?.reason ?? 'no reason given'}`;
  if (v.status === 'pending') return 'sent, waiting for the agent';
  return 'not published';
}

function diffList(d: ServerDiff): HTMLElement {
  if (d.identical) return h('p', {}, 'No differences.');
  const ids = (xs: { id: string }[]) => xs.map((x) => x.id).join(', ');
  const rows: string[] = [];
  if (d.slots.added.length) rows.push(`Added slots: ${ids(d.slots.added)}`);
  if (d.slots.removed.length) rows.push(`Removed slots: ${ids(d.slots.removed)}`);
  for (const m of d.slots.moved) rows.push(`Moved ${m.id} by up to ${m.max_shift_px.toFixed(1)} px`);
  for (const c of d.slots.changed)
    rows.push(`${c.id}: ${c.changes.map((x) => `${x.field} ${String(x.before)} → ${String(x.after)}`).join(', ')}`);
  if (d.masks.added.length + d.masks.removed.length + d.masks.moved.length) rows.push('Privacy masks changed');
  rows.push(`${d.slots.unchanged} slot(s) unchanged`);
  return h('ul', {}, ...rows.map((r) => h('li', {}, r)));
}
