/**
 * Undo/redo for the editor: a stack of labelled document states. Every edit is a pure function
 * from one immutable document to the next, so a command is simply the state before and after it;
 * storing whole documents (a few kB for a lot of 50 slots) keeps undo exact and needs no inverse
 * operations that could drift from the forward ones.
 *
 * A drag previews many intermediate states and commits once, so one Ctrl+Z undoes the whole drag.
 */
export interface HistoryEntry<T> {
  label: string;
  before: T;
  after: T;
}

export class History<T> {
  #done: HistoryEntry<T>[] = [];
  #undone: HistoryEntry<T>[] = [];
  #committed: T;
  #current: T;
  readonly limit: number;

  constructor(initial: T, limit = 500) {
    this.#committed = initial;
    this.#current = initial;
    this.limit = limit;
  }

  /** What the editor shows: the committed state, or a drag's preview of the next one. */
  get current(): T {
    return this.#current;
  }

  get canUndo(): boolean {
    return this.#done.length > 0;
  }

  get canRedo(): boolean {
    return this.#undone.length > 0;
  }

  /** Label of the edit Ctrl+Z would undo, for the button's title. */
  get undoLabel(): string | undefined {
    return this.#done.at(-1)?.label;
  }

  get redoLabel(): string | undefined {
    return this.#undone.at(-1)?.label;
  }

  /** Records an edit. A no-op edit (same object) is not recorded. Clears the redo stack. */
  apply(next: T, label: string): void {
    const before = this.#committed;
    this.#current = next;
    if (next === before) return;
    this.#committed = next;
    this.#done.push({ label, before, after: next });
    if (this.#done.length > this.limit) this.#done.shift();
    this.#undone = [];
  }

  /** Shows `next` without recording it (while dragging). */
  preview(next: T): void {
    this.#current = next;
  }

  /** Records the previewed state as one edit; false when the preview changed nothing. */
  commit(label: string): boolean {
    const changed = this.#current !== this.#committed;
    this.apply(this.#current, label);
    return changed;
  }

  /** Drops the preview (Escape during a drag). */
  cancel(): void {
    this.#current = this.#committed;
  }

  undo(): boolean {
    const entry = this.#done.pop();
    if (!entry) return false;
    this.#undone.push(entry);
    this.#committed = this.#current = entry.before;
    return true;
  }

  redo(): boolean {
    const entry = this.#undone.pop();
    if (!entry) return false;
    this.#done.push(entry);
    this.#committed = this.#current = entry.after;
    return true;
  }

  /** Starts over from `state` (a version was loaded, imported or rolled back). */
  reset(state: T): void {
    this.#done = [];
    this.#undone = [];
    this.#committed = this.#current = state;
  }
}
