import type { Language } from '../core/config/schema.ts';
import { esc } from '../core/web/html.ts';
import { STRINGS } from '../core/web/i18n.ts';
import { govCssAsset } from '../core/web/gov-css.ts';
import {
  govButton,
  govCheckbox,
  govField,
  govFooter,
  govHeader,
  govInput,
  govMessage,
  govSelect,
} from '../core/web/gov-markup.ts';
import { fill, formatTime, formatWindow, plural, R } from './i18n.ts';
import type { Booking } from './store.ts';

export interface ShellOptions {
  lang: Language;
  title: string;
  /** Path and query without `lang`, for the language links. */
  path: string;
  css: string;
}

/**
 * The page around every reservation view, in the GOV.CZ layout the public pages use: skip link,
 * header with the language switch, one h1 in main, footer. Its stylesheet comes first, then the
 * booking pages' own few rules.
 */
export function shell(o: ShellOptions, body: string): string {
  const s = R[o.lang];
  const sep = o.path.includes('?') ? '&' : '?';
  const link = (l: Language, label: string) =>
    `<li><a${l === o.lang ? ' aria-current="true"' : ''} lang="${l}" href="${esc(o.path + sep)}lang=${l}">${label}</a></li>`;
  return (
    `<!doctype html><html lang="${o.lang}" data-theme="light"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">` +
    `<title>${esc(o.title)}</title><link rel="stylesheet" href="${esc(govCssAsset().url)}">` +
    `<link rel="stylesheet" href="${esc(o.css)}"></head><body>` +
    `<a class="skip" href="#main">${esc(s.skip)}</a>` +
    govHeader({
      lang: o.lang,
      name: s.title,
      home: `/reserve?lang=${o.lang}`,
      navLabel: s.languageNav,
      links: link('cs', 'Česky') + link('en', 'English'),
    }) +
    `<main id="main" class="gov-container volno-main"><h1>${esc(o.title)}</h1>${body}</main>` +
    govFooter(`<li><a href="/?lang=${o.lang}">${esc(STRINGS[o.lang].allLots)}</a></li>`) +
    `</body></html>`
  );
}

export interface SearchForm {
  lots: { lotId: string; name: string }[];
  lotId?: string;
  date?: string;
  start?: string;
  end?: string;
}

/** The window search form (GET, works without JavaScript). */
export function searchForm(lang: Language, f: SearchForm, step: number): string {
  const s = R[lang];
  const opts = f.lots
    .map((l) => `<option value="${esc(l.lotId)}"${l.lotId === f.lotId ? ' selected' : ''}>${esc(l.name)}</option>`)
    .join('');
  const v = (x: string | undefined) => (x === undefined ? '' : ` value="${esc(x)}"`);
  return (
    `<p>${esc(s.intro)}</p><form method="get" action="/reserve" class="search">` +
    `<input type="hidden" name="lang" value="${lang}">` +
    govField('lot_id', esc(s.lot), govSelect('id="lot_id" name="lot_id" required', opts)) +
    govField('date', esc(s.date), govInput(`id="date" name="date" type="date" required${v(f.date)}`)) +
    govField(
      'start',
      esc(s.start),
      govInput(`id="start" name="start" type="time" step="${step * 60}" required${v(f.start)}`),
    ) +
    govField('end', esc(s.end), govInput(`id="end" name="end" type="time" step="${step * 60}" required${v(f.end)}`)) +
    `<p class="actions">${govButton(s.check)}</p></form>`
  );
}

export function errorBox(lang: Language, message: string, details: string[] = []): string {
  const s = R[lang];
  const list = details.length > 0 ? `<ul>${details.map((d) => `<li>${esc(d)}</li>`).join('')}</ul>` : '';
  return govMessage('error', `<h2>${esc(s.error)}</h2><p>${esc(message)}</p>${list}`, 'role="alert"');
}

export interface BookForm {
  lotId: string;
  date: string;
  start: string;
  end: string;
  available: number;
  purgeDays: number;
  name?: string;
  email?: string;
  plate?: string;
  /** Extra hidden fields (a signed-in citizen's CSRF token). */
  hidden?: string;
  /** Shown right under the availability line (the estimate from history); raw. */
  note?: string;
}

/** Availability for the chosen window and, when a space is left, the booking form. */
export function bookForm(lang: Language, f: BookForm): string {
  const s = R[lang];
  const status =
    `<p class="result" role="status">${esc(f.available > 0 ? plural(lang, s.available, f.available) : s.none)}</p>` +
    (f.note ?? '');
  if (f.available === 0) return status;
  const v = (x: string | undefined) => (x === undefined ? '' : ` value="${esc(x)}"`);
  const hidden =
    (['lotId', 'date', 'start', 'end'] as const)
      .map((k) => `<input type="hidden" name="${k === 'lotId' ? 'lot_id' : k}" value="${esc(f[k])}">`)
      .join('') + (f.hidden ?? '');
  const req = `<span class="req">${esc(s.required)}</span>`;
  return (
    status +
    `<h2>${esc(s.bookHeading)}</h2><form method="post" action="/reserve/book?lang=${lang}" class="book">${hidden}` +
    govField(
      'name',
      `${esc(s.name)} ${req}`,
      govInput(`id="name" name="name" autocomplete="name" maxlength="100" required${v(f.name)}`),
    ) +
    govField(
      'email',
      `${esc(s.email)} ${req}`,
      govInput(`id="email" name="email" type="email" autocomplete="email" maxlength="254" required${v(f.email)}`),
    ) +
    govField(
      'plate',
      esc(s.plate),
      govInput(`id="plate" name="plate" maxlength="12" autocomplete="off"${v(f.plate)}`),
    ) +
    `<div class="consent">${govCheckbox('consent', 'consent', esc(fill(s.consent, { days: f.purgeDays })), 'value="yes" required')}</div>` +
    `<p class="actions">${govButton(s.book)}</p></form>`
  );
}

export interface ManageView {
  booking: Booking;
  token: string;
  lotName: string;
  slotLabel: string;
  tz: string;
  changeable: boolean;
  cutoffAt: number;
  noShowAt: number;
  manageUrl: string;
  step: number;
}

/** The confirmation / manage page: code, link, QR, .ics, and cancel/change while allowed. */
export function managePage(lang: Language, v: ManageView): string {
  const s = R[lang];
  const b = v.booking;
  const api = `/api/v1/reservations/manage/${v.token}`;
  const rows: [string, string][] = [
    [s.code, `<strong data-code>${esc(b.code)}</strong>`],
    [s.status, `<span data-status>${esc(s.statuses[b.status])}</span>`],
    [s.when, esc(formatWindow(lang, b.startAt, b.endAt, v.tz))],
    [s.where, esc(v.lotName)],
    [s.space, esc(v.slotLabel)],
  ];
  const dl = `<dl class="booking">${rows.map(([k, val]) => `<div><dt>${esc(k)}</dt><dd>${val}</dd></div>`).join('')}</dl>`;
  const link =
    `<p>${esc(s.manageLink)}<br><a data-manage href="${esc(v.manageUrl)}">${esc(v.manageUrl)}</a></p>` +
    `<p><img class="qr" src="${api}/qr.svg" width="160" height="160" alt="${esc(s.qr)}"></p>` +
    `<p><a data-ics href="${api}/booking.ics" download>${esc(s.ics)}</a></p>`;
  if (b.status === 'cancelled') return `<p role="status">${esc(s.cancelled)}</p>${dl}`;
  if (b.status !== 'confirmed' || !v.changeable) return `${dl}${link}<p>${esc(s.tooLate)}</p>`;
  const local = (ms: number) => formatTime(lang, ms, v.tz);
  const base = `/reserve/manage/${v.token}`;
  return (
    dl +
    link +
    `<p>${esc(fill(s.grace, { time: local(v.noShowAt) }))}</p>` +
    `<p>${esc(fill(s.cutoff, { time: local(v.cutoffAt) }))}</p>` +
    `<form method="post" action="${base}/cancel?lang=${lang}"><p class="actions">${govButton(s.cancel, { color: 'error', kind: 'outlined' })}</p></form>` +
    `<h2>${esc(s.modify)}</h2><form method="post" action="${base}/modify?lang=${lang}" class="search">` +
    govField('date', esc(s.date), govInput('id="date" name="date" type="date" required')) +
    govField('start', esc(s.start), govInput(`id="start" name="start" type="time" step="${v.step * 60}" required`)) +
    govField('end', esc(s.end), govInput(`id="end" name="end" type="time" step="${v.step * 60}" required`)) +
    `<p class="actions">${govButton(s.save)}</p></form>`
  );
}
