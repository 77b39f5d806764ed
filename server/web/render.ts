import type { Lot, LotAvailability, LotSlots, SlotView } from '../core/availability/schemas.ts';
import type { Language } from '../core/config/schema.ts';
import { esc } from '../core/web/html.ts';
import { fill, formatAge, plural, STRINGS, type Strings } from '../core/web/i18n.ts';
import { govFooter, govHeader, govLinkButton } from '../core/web/gov-markup.ts';
import { WEB_TEXTS } from './texts.ts';

export interface LotView {
  lot: Lot;
  availability: LotAvailability;
  slots: LotSlots;
}

export interface PageOptions {
  lang: Language;
  title: string;
  /** Path without query, for the language links. */
  path: string;
  now: number;
  staleAfterS: number;
  /** URLs of the GOV.CZ stylesheet, our own, the live script and (overview only) the sorting script. */
  assets: { gov: string; css: string; js: string; overview?: string };
  embed: boolean;
}

const STATE_ICON = { free: '✓', occupied: '✕', unknown: '?', reserved: 'R' } as const;

/** What the public sees: a space held for a booking is not free to anyone else, whatever the camera says. */
export const shownState = (v: Pick<SlotView, 'state' | 'reserved'>) => (v.reserved ? 'reserved' : v.state);
const TYPE_ICON = { standard: '', disabled: '♿', ev: '⚡', visitor: 'N', staff: 'Z' } as const;
const TYPE_ICON_EN = { standard: '', disabled: '♿', ev: '⚡', visitor: 'V', staff: 'S' } as const;

export const lotName = (lot: Lot, lang: Language) => (lang === 'en' && lot.name_en !== null ? lot.name_en : lot.name);

/** "Updated 12 s ago", or that there is no data, plus a warning when it is old. */
export function updatedText(s: Strings, updatedAt: string | null, now: number, staleAfterS: number): string {
  if (updatedAt === null) return s.noData;
  const age = (now - Date.parse(updatedAt)) / 1000;
  const text = fill(s.updated, { age: formatAge(s, age) });
  return age > staleAfterS ? `${text} ${s.outdated}` : text;
}

function slotItem(v: SlotView, lang: Language, s: Strings): string {
  const type = s.type[v.type];
  const typeIcon = (lang === 'en' ? TYPE_ICON_EN : TYPE_ICON)[v.type];
  const place = v.row !== null && v.col !== null ? ` r${v.row} c${v.col}` : '';
  const state = shownState(v);
  return (
    `<li class="slot s-${state} t-${v.type}${place}" data-slot="${esc(v.camera_id)}/${esc(v.slot_id)}">` +
    `<span class="slot-icon" aria-hidden="true">${STATE_ICON[state]}</span>` +
    `<span class="slot-label">${esc(v.label)}</span>` +
    (typeIcon === '' ? '' : `<span class="slot-type" aria-hidden="true">${typeIcon}</span>`) +
    `<span class="sr-only">${type === '' ? '' : `, ${esc(type)}`}: <span data-state-text>${esc(s.state[state])}</span></span></li>`
  );
}

function legend(lang: Language, s: Strings, types: Set<string>, reserved: boolean): string {
  const states = (
    reserved ? (['free', 'occupied', 'unknown', 'reserved'] as const) : (['free', 'occupied', 'unknown'] as const)
  )
    .map(
      (st) =>
        `<li><span class="slot slot-sample s-${st}" aria-hidden="true"><span class="slot-icon">${STATE_ICON[st]}</span></span> ${esc(s.state[st])}</li>`,
    )
    .join('');
  const typeItems = (['disabled', 'ev', 'visitor', 'staff'] as const)
    .filter((t) => types.has(t))
    .map(
      (t) =>
        `<li><span class="type-sample" aria-hidden="true">${(lang === 'en' ? TYPE_ICON_EN : TYPE_ICON)[t]}</span> ${esc(s.type[t])}</li>`,
    )
    .join('');
  return `<ul class="gov-list--plain legend" aria-label="${esc(s.legend)}">${states}${typeItems}</ul>`;
}

/** The slot map of one lot (lot page only). */
function slotMap(v: LotView, o: PageOptions, s: Strings): string {
  const id = esc(v.lot.lot_id);
  const placed = v.slots.slots.length > 0 && v.slots.slots.every((x) => x.row !== null && x.col !== null);
  return (
    `<h2 id="map-${id}">${esc(s.map)}</h2><p class="hint">${esc(s.mapHint)}</p>` +
    `<div class="map-scroll" role="region" tabindex="0" aria-label="${esc(fill(s.mapRegion, { lot: lotName(v.lot, o.lang) }))}">` +
    `<ul class="gov-list--plain map${placed ? ' map--placed' : ''}" data-map aria-labelledby="map-${id}">${v.slots.slots.map((x) => slotItem(x, o.lang, s)).join('')}</ul></div>` +
    legend(
      o.lang,
      s,
      new Set(v.slots.slots.map((x) => x.type)),
      v.slots.slots.some((x) => x.reservable),
    )
  );
}

export interface SectionOptions {
  heading: 'h1' | 'h2';
  /** The slot map (lot page) or not (overview, widget). */
  map: boolean;
  /** Extra markup after the counts (links, distance); raw. */
  extra?: string;
}

/** One lot: the big free count, the other counts, freshness, and optionally the slot map. */
export function lotSection(v: LotView, o: PageOptions, so: SectionOptions): string {
  const s = STRINGS[o.lang];
  const a = v.availability;
  const id = esc(v.lot.lot_id);
  const name = esc(lotName(v.lot, o.lang));
  const h = so.heading;
  return (
    `<section class="lot" aria-labelledby="lot-${id}" data-lot="${id}" data-name="${name}">` +
    `<${h} id="lot-${id}">${name}</${h}>` +
    `<p class="free"><span class="free-count" data-free>${a.free}</span> <span data-free-label>${esc(plural(o.lang, s.free, a.free))}</span>` +
    ` <span class="total" data-total>${esc(fill(s.total, { n: a.total }))}</span></p>` +
    `<p class="sr-only" aria-live="polite" aria-atomic="true" data-announce></p>` +
    `<dl class="counts">` +
    `<div class="count c-occupied"><dt><span class="mini s-occupied" aria-hidden="true">${STATE_ICON.occupied}</span>${esc(s.occupied)}</dt><dd data-occupied>${a.occupied}</dd></div>` +
    `<div class="count c-unknown"><dt><span class="mini s-unknown" aria-hidden="true">${STATE_ICON.unknown}</span>${esc(s.unknown)}</dt><dd data-unknown>${a.unknown}</dd></div>` +
    `<div class="count c-reserved"><dt>${esc(s.reserved)}</dt><dd data-reserved>${a.reserved}</dd></div>` +
    `</dl>` +
    `<p class="updated" data-updated data-updated-at="${esc(a.updated_at ?? '')}">${esc(updatedText(s, a.updated_at, o.now, o.staleAfterS))}</p>` +
    `<p class="note" data-unknown-note${a.unknown === 0 ? ' hidden' : ''}>${esc(fill(plural(o.lang, s.unknownNote, a.unknown), { n: a.unknown }))}</p>` +
    (so.extra ?? '') +
    (so.map ? slotMap(v, o, s) : '') +
    `</section>`
  );
}

/** Links under a lot: its page, and booking where it has reservable spaces. */
export function lotLinks(v: LotView, o: PageOptions, details: boolean): string {
  const s = STRINGS[o.lang];
  const id = esc(v.lot.lot_id);
  const items = [
    details
      ? `<li>${govLinkButton(`/lot/${v.lot.lot_id}?lang=${o.lang}`, s.details, { attrs: o.embed ? 'target="_top"' : '' })}</li>`
      : '',
    o.embed || v.lot.reservable === 0
      ? ''
      : `<li>${govLinkButton(`/reserve?lot_id=${v.lot.lot_id}&lang=${o.lang}`, s.reserve, { kind: 'solid', attrs: `data-reserve="${id}"` })}</li>`,
  ].join('');
  return items === '' ? '' : `<ul class="gov-list--plain more">${items}</ul>`;
}

/** The whole document. Client data travels in a JSON block, so the CSP needs no inline script. */
export function page(lots: LotView[], o: PageOptions, content: string): string {
  const s = STRINGS[o.lang];
  const other: Language = o.lang === 'cs' ? 'en' : 'cs';
  const client = {
    lang: o.lang,
    embed: o.embed,
    stale_after_s: o.staleAfterS,
    lots: lots.map((l) => l.lot.lot_id),
    strings: {
      free: s.free,
      total: s.total,
      updated: s.updated,
      noData: s.noData,
      outdated: s.outdated,
      unknownNote: s.unknownNote,
      state: s.state,
      live: s.live,
      announce: s.announce,
      age: s.age,
    },
  };
  const langLink = (l: Language, label: string) =>
    `<li><a href="${esc(o.path)}?lang=${l}" hreflang="${l}" lang="${l}"${l === o.lang ? ' aria-current="page"' : ''}>${label}</a></li>`;
  const live = `<p class="live" role="status" data-live>${esc(s.live.connecting)}</p>`;
  const scripts =
    `<script type="module" src="${esc(o.assets.js)}"></script>` +
    (o.assets.overview === undefined ? '' : `<script type="module" src="${esc(o.assets.overview)}"></script>`);
  const footer = govFooter(
    `<li><a href="/?lang=${o.lang}">${esc(s.allLots)}</a></li>` +
      `<li><a href="/reserve?lang=${o.lang}">${esc(s.reserve)}</a></li>` +
      `<li><a href="/api/v1/opendata/datex2">${esc(s.openData)}</a></li>` +
      `<li><a href="/docs" hreflang="en"${other === 'en' ? ' lang="en"' : ''}>${esc(s.apiDocs)}</a></li>`,
  );
  return `<!doctype html>
<html lang="${o.lang}" data-theme="light">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(o.title)}</title>
<link rel="stylesheet" href="${esc(o.assets.gov)}">
<link rel="stylesheet" href="${esc(o.assets.css)}">
${scripts}
</head>
<body class="${o.embed ? 'embed' : 'full'}">
${
  o.embed
    ? ''
    : `<a class="skip" href="#main">${esc(s.skip)}</a>\n` +
      govHeader({
        lang: o.lang,
        name: WEB_TEXTS[o.lang].serviceOf,
        home: `/?lang=${o.lang}`,
        navLabel: s.languageNav,
        links: langLink('cs', 'Česky') + langLink('en', 'English'),
      })
}
<main id="main" class="${o.embed ? 'volno-embed' : 'gov-container volno-main'}">
${o.embed ? '' : live}
${content}
${o.embed ? live : ''}
</main>
${o.embed ? '' : footer}
<script type="application/json" id="volno-data">${JSON.stringify(client).replace(/</g, '\\u003c')}</script>
</body>
</html>
`;
}
