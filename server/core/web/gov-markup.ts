import type { Language } from '../config/schema.ts';
import { esc } from './html.ts';

/**
 * GOV.CZ design-system markup for plain, server-rendered HTML. The package's `html/` build styles
 * the same DOM its web components render (`.gov-form-input > .element > input`, a `.gov-button`
 * carrying `data-type`/`data-color`/`data-size`), so these helpers write that DOM directly and the
 * pages need no component script. Class names and attributes are those in
 * `@gov-design-system-ce/styles/lib/html/components/*.css` (4.2.7).
 */

type Color = 'primary' | 'error';
type Kind = 'solid' | 'outlined' | 'base' | 'link';

/** A submit button (`attrs` is raw, already escaped). */
export function govButton(label: string, o: { color?: Color; kind?: Kind; attrs?: string } = {}): string {
  return (
    `<button class="gov-button" data-type="${o.kind ?? 'solid'}" data-color="${o.color ?? 'primary'}" data-size="m" ` +
    `type="submit"${o.attrs ? ` ${o.attrs}` : ''}>${esc(label)}</button>`
  );
}

/** A link that looks like a button. */
export function govLinkButton(href: string, label: string, o: { kind?: Kind; attrs?: string } = {}): string {
  return (
    `<a class="gov-button" data-type="${o.kind ?? 'outlined'}" data-color="primary" data-size="m" href="${esc(href)}"` +
    `${o.attrs ? ` ${o.attrs}` : ''}>${esc(label)}</a>`
  );
}

/** Label above a control, both inside `.gov-form-control`. `labelHtml` is raw (may hold a hint span). */
export function govField(id: string, labelHtml: string, control: string): string {
  return (
    `<div class="gov-form-control volno-field"><div class="gov-form-label" data-size="m" slot="top">` +
    `<label class="gov-form-label__label" for="${esc(id)}">${labelHtml}</label></div>${control}</div>`
  );
}

/** `<input>` in GOV.CZ's input frame; `attrs` is raw, already escaped. */
export function govInput(attrs: string): string {
  return `<div class="gov-form-input" data-size="m"><div class="element"><input ${attrs}></div></div>`;
}

const ARROW =
  '<svg class="arrow-icon" aria-hidden="true" focusable="false" viewBox="0 0 24 24" width="24" height="24">' +
  '<path d="M7 10l5 5 5-5" fill="none" stroke="currentColor" stroke-width="2"/></svg>';

/** `<select>` in GOV.CZ's select frame, with its arrow (the select itself has `appearance: none`). */
export function govSelect(attrs: string, options: string): string {
  return `<div class="gov-form-select" data-size="m" data-hydrated><div class="element"><select ${attrs}>${options}</select>${ARROW}</div></div>`;
}

const CHECK =
  '<svg class="gov-form-checkbox__check" aria-hidden="true" focusable="false" viewBox="0 0 24 24" width="16" height="16">' +
  '<path d="M5 12l5 5 9-10" fill="none" stroke="currentColor" stroke-width="3"/></svg>';

/** A checkbox with its label to the right (`labelHtml` raw). */
export function govCheckbox(id: string, name: string, labelHtml: string, attrs = ''): string {
  return (
    `<div class="gov-form-checkbox" data-size="m"><input id="${esc(id)}" name="${esc(name)}" type="checkbox"${attrs ? ` ${attrs}` : ''}>` +
    `<span>${CHECK}<span slot="label"><label for="${esc(id)}">${labelHtml}</label></span></span></div>`
  );
}

/** A message box (`role` decides whether it is announced). `bodyHtml` is raw. */
export function govMessage(color: 'primary' | 'error' | 'warning' | 'success', bodyHtml: string, attrs = ''): string {
  return `<div class="gov-message" data-color="${color}" data-type="subtle"${attrs ? ` ${attrs}` : ''}><div class="volno-message-body">${bodyHtml}</div></div>`;
}

/** The page header: the service name and the language switch, on GOV.CZ's primary blue. */
export function govHeader(o: { lang: Language; name: string; home: string; navLabel: string; links: string }): string {
  return (
    `<header class="volno-header"><div class="gov-container volno-header__inner">` +
    `<a class="volno-header__name" href="${esc(o.home)}">${esc(o.name)}</a>` +
    `<nav aria-label="${esc(o.navLabel)}"><ul class="gov-list--plain volno-langs">${o.links}</ul></nav></div></header>`
  );
}

/** The page footer with its links (`items` are raw `<li>`s). */
export function govFooter(items: string): string {
  return `<footer class="volno-footer"><div class="gov-container"><ul class="gov-list--plain volno-footer__links">${items}</ul></div></footer>`;
}
