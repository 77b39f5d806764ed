import type { Language } from '../core/config/schema.ts';
import { esc } from '../core/web/html.ts';
import { fill, plural, STRINGS } from '../core/web/i18n.ts';
import { lotName, type LotView } from './render.ts';
import { WEB_TEXTS } from './texts.ts';

const TILE = 256;
const W = 768;
const H = 384;

/** Web Mercator pixel position at zoom `z` (the XYZ tile scheme every tile server uses). */
function pixel(lat: number, lon: number, z: number): { x: number; y: number } {
  const n = TILE * 2 ** z;
  const r = (lat * Math.PI) / 180;
  return { x: ((lon + 180) / 360) * n, y: ((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n };
}

/** The origin of a tile URL template, for the page's CSP (`img-src`). */
export const tileOrigin = (template: string) => new URL(template.replace(/\{[xyz]\}/g, '0')).origin;

/**
 * A map of the lots as one server-rendered SVG: the tiles as `<image>` elements, a marker with the
 * free count on each lot that has coordinates. No script and no map library; drawn only when
 * `web.map_tiles_url` is configured. It repeats what the list beside it says, so it is one named
 * image to assistive technology, and the list stays the way to reach each lot.
 */
export function lotsMap(lots: LotView[], o: { lang: Language; tiles: string; attribution?: string }): string {
  const placed = lots.filter((v) => v.lot.latitude !== null && v.lot.longitude !== null);
  if (placed.length === 0) return '';
  const s = STRINGS[o.lang];
  const t = WEB_TEXTS[o.lang];
  // The highest zoom at which every lot fits, with a margin, capped at street level.
  let z = 17;
  let pts: { v: LotView; x: number; y: number }[] = [];
  for (; z >= 2; z--) {
    pts = placed.map((v) => ({ v, ...pixel(v.lot.latitude!, v.lot.longitude!, z) }));
    const xs = pts.map((p) => p.x);
    const ys = pts.map((p) => p.y);
    if (Math.max(...xs) - Math.min(...xs) < W - 120 && Math.max(...ys) - Math.min(...ys) < H - 80) break;
  }
  const cx = (Math.max(...pts.map((p) => p.x)) + Math.min(...pts.map((p) => p.x))) / 2;
  const cy = (Math.max(...pts.map((p) => p.y)) + Math.min(...pts.map((p) => p.y))) / 2;
  const x0 = cx - W / 2;
  const y0 = cy - H / 2;
  const last = 2 ** z - 1;
  let tiles = '';
  for (let tx = Math.floor(x0 / TILE); tx <= Math.floor((x0 + W) / TILE); tx++)
    for (let ty = Math.max(0, Math.floor(y0 / TILE)); ty <= Math.min(last, Math.floor((y0 + H) / TILE)); ty++) {
      const wrapped = ((tx % (last + 1)) + last + 1) % (last + 1);
      const href = o.tiles.replace('{z}', String(z)).replace('{x}', String(wrapped)).replace('{y}', String(ty));
      tiles += `<image href="${esc(href)}" x="${Math.round(tx * TILE - x0)}" y="${Math.round(ty * TILE - y0)}" width="${TILE}" height="${TILE}"/>`;
    }
  const markers = pts
    .map(
      ({ v, x, y }) =>
        `<g class="map-marker"><circle cx="${Math.round(x - x0)}" cy="${Math.round(y - y0)}" r="16"/>` +
        `<text x="${Math.round(x - x0)}" y="${Math.round(y - y0) + 5}" text-anchor="middle">${v.availability.free}</text></g>`,
    )
    .join('');
  const label = pts
    .map(({ v }) => `${lotName(v.lot, o.lang)}: ${v.availability.free} ${plural(o.lang, s.free, v.availability.free)}`)
    .join('; ');
  return (
    `<figure class="lots-map" data-lots-map>` +
    `<svg role="img" aria-label="${esc(fill(t.mapLabel, { lots: label }))}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" focusable="false" xmlns="http://www.w3.org/2000/svg">` +
    `${tiles}${markers}</svg>` +
    (o.attribution === undefined ? '' : `<figcaption class="hint">${esc(o.attribution)}</figcaption>`) +
    `</figure>`
  );
}
