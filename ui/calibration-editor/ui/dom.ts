/**
 * The small part of the browser DOM the editor uses, typed here. The project is type-checked
 * with the ES library only: adding `lib: dom` (even with a triple-slash reference in one file)
 * retypes globals for the whole program (Node's `performance` becomes the DOM's and
 * bench/server/http.ts stops compiling), so browser modules get their types from this module
 * instead of from the global scope.
 */
export interface DomRect {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface DomEvent {
  readonly type: string;
  readonly target: unknown;
  preventDefault(): void;
  stopPropagation(): void;
}

export interface DomKeyEvent extends DomEvent {
  readonly key: string;
  readonly ctrlKey: boolean;
  readonly metaKey: boolean;
  readonly shiftKey: boolean;
  readonly altKey: boolean;
}

export interface DomPointerEvent extends DomKeyEvent {
  readonly clientX: number;
  readonly clientY: number;
  readonly button: number;
  readonly pointerId: number;
  readonly detail: number;
}

export interface DomWheelEvent extends DomPointerEvent {
  readonly deltaX: number;
  readonly deltaY: number;
}

interface EventMap {
  click: DomPointerEvent;
  dblclick: DomPointerEvent;
  pointerdown: DomPointerEvent;
  pointermove: DomPointerEvent;
  pointerup: DomPointerEvent;
  contextmenu: DomPointerEvent;
  wheel: DomWheelEvent;
  keydown: DomKeyEvent;
  input: DomEvent;
  change: DomEvent;
  submit: DomEvent;
  load: DomEvent;
  error: DomEvent;
}

export interface DomElement {
  id: string;
  className: string;
  textContent: string | null;
  hidden: boolean;
  tabIndex: number;
  title: string;
  readonly tagName: string;
  readonly classList: {
    add(...c: string[]): void;
    remove(...c: string[]): void;
    toggle(c: string, on?: boolean): boolean;
  };
  readonly dataset: Record<string, string | undefined>;
  setAttribute(name: string, value: string): void;
  getAttribute(name: string): string | null;
  removeAttribute(name: string): void;
  append(...nodes: (DomElement | string)[]): void;
  replaceChildren(...nodes: (DomElement | string)[]): void;
  remove(): void;
  addEventListener<K extends keyof EventMap>(type: K, fn: (e: EventMap[K]) => void, opts?: { passive?: boolean }): void;
  querySelector(selector: string): DomElement | null;
  closest(selector: string): DomElement | null;
  focus(): void;
  click(): void;
  getBoundingClientRect(): DomRect;
  setPointerCapture(id: number): void;
  scrollIntoView(options?: { block?: 'start' | 'center' | 'nearest' }): void;
}

export interface DomInput extends DomElement {
  value: string;
  checked: boolean;
  disabled: boolean;
  type: string;
  readonly files: { readonly length: number; item(i: number): DomFile | null } | null;
}

export interface DomFile {
  readonly name: string;
  text(): Promise<string>;
}

export interface DomMatrix {
  a: number;
  b: number;
  c: number;
  d: number;
  e: number;
  f: number;
  inverse(): DomMatrix;
}

export interface DomSvg extends DomElement {
  getScreenCTM(): DomMatrix | null;
}

export interface DomDocument {
  querySelector(selector: string): DomElement | null;
  createElement(tag: string): DomElement;
  createElementNS(ns: string, tag: string): DomElement;
  addEventListener<K extends keyof EventMap>(type: K, fn: (e: EventMap[K]) => void): void;
  readonly activeElement: DomElement | null;
}

interface BrowserGlobals {
  document: DomDocument;
  location: { pathname: string; href: string };
  URL: { createObjectURL(blob: Blob): string; revokeObjectURL(url: string): void };
}

const g = globalThis as unknown as BrowserGlobals;

/** The page's document; only touched in the browser (the pure state modules never import this file). */
export const dom = (): DomDocument => g.document;
export const browserUrl = (): BrowserGlobals['URL'] => g.URL;
export const pagePath = (): string => g.location.pathname;

export const SVG_NS = 'http://www.w3.org/2000/svg';

/** Creates an element with attributes and children; `text:` sets textContent, `on*` are not supported on purpose. */
export function h(
  tag: string,
  attrs: Record<string, string | number | boolean | undefined> = {},
  ...children: (DomElement | string)[]
): DomElement {
  const el = dom().createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    el.setAttribute(k, v === true ? '' : String(v));
  }
  el.append(...children);
  return el;
}

/** An SVG element with attributes. */
export function svg(tag: string, attrs: Record<string, string | number | undefined> = {}): DomElement {
  const el = dom().createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) el.setAttribute(k, String(v));
  return el;
}

/** The element with this id, or a clear error naming what the page is missing. */
export function byId<T extends DomElement = DomElement>(id: string): T {
  const el = dom().querySelector(`#${id}`);
  if (!el) throw new Error(`the editor page has no #${id}`);
  return el as T;
}
