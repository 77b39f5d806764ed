import { esc } from '../core/web/html.ts';
import { STRINGS } from '../core/web/i18n.ts';
import { govButton } from '../core/web/gov-markup.ts';
import { lotLinks, lotName, lotSection, type LotView, type PageOptions } from './render.ts';
import { WEB_TEXTS } from './texts.ts';

/**
 * Most free spaces first; ties by name, so the order is stable between reloads. The list is not
 * re-sorted live: items jumping while someone reads or tabs through them would be worse than a
 * count that is a few seconds ahead of the order.
 */
export function byFree(lots: LotView[], lang: PageOptions['lang']): LotView[] {
  return [...lots].sort(
    (a, b) =>
      b.availability.free - a.availability.free || lotName(a.lot, lang).localeCompare(lotName(b.lot, lang), lang),
  );
}

/**
 * The overview of every lot, sorted by free spaces. Where the browser can share its location, a
 * small script (ui/public/overview.ts, served as /assets/overview.js) reveals a button that re-sorts
 * the same list by distance; without JavaScript the button stays hidden and nothing else changes.
 */
export function overviewBody(lots: LotView[], o: PageOptions, map = ''): string {
  const s = STRINGS[o.lang];
  const t = WEB_TEXTS[o.lang];
  if (lots.length === 0) return `<h1>${esc(o.title)}</h1><p>${esc(s.noLots)}</p>`;
  const items = byFree(lots, o.lang)
    .map((v) => {
      const where =
        v.lot.latitude !== null && v.lot.longitude !== null
          ? ` data-lat="${v.lot.latitude}" data-lon="${v.lot.longitude}"`
          : '';
      const card = lotSection(v, o, {
        heading: 'h2',
        map: false,
        extra: `<p class="distance" data-distance hidden></p>${lotLinks(v, o, true)}`,
      });
      return `<li class="gov-card overview-item" data-lot-item${where}>${card}</li>`;
    })
    .join('');
  const texts = {
    sorted_by_distance: t.sortedByDistance,
    sorted_by_free: t.sortedByFree,
    denied: t.locationDenied,
    distance: t.distance,
  };
  return (
    `<h1>${esc(o.title)}</h1>` +
    `<div class="overview-tools"><p class="hint" role="status" data-sort-status>${esc(t.overviewHint)}</p>` +
    govButton(t.sortByDistance, { kind: 'outlined', attrs: 'data-sort-distance hidden' }).replace(
      'type="submit"',
      'type="button"',
    ) +
    `</div>` +
    map +
    `<ol class="gov-list--plain overview" data-overview aria-label="${esc(t.overview)}">${items}</ol>` +
    `<script type="application/json" id="volno-overview">${JSON.stringify(texts).replace(/</g, '\\u003c')}</script>`
  );
}
