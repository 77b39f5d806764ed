import type { Language } from '../core/config/schema.ts';
import { fill } from '../core/web/i18n.ts';
import type { UsualGrid } from '../core/storage/usual-free.ts';
import { esc } from '../core/web/html.ts';
import { WEB_TEXTS } from './texts.ts';

const CELL_W = 28;
const CELL_H = 26;
const LEFT = 36;
const TOP = 22;

/** Five shades from "nearly full" to "mostly free"; style.css colours them from the GOV.CZ palette. */
function shade(free: number, total: number): number {
  if (total <= 0) return 0;
  const r = free / total;
  return r < 0.05 ? 0 : r < 0.25 ? 1 : r < 0.5 ? 2 : r < 0.75 ? 3 : 4;
}

/**
 * A weekday × hour heat map as inline SVG (no script, no external file, so the page's CSP needs
 * nothing new). The SVG is one image with a name; the numbers it shows are in the table below it,
 * which is what a screen reader reads.
 */
function chart(grid: UsualGrid, total: number, lang: Language, titleId: string, title: string): string {
  const t = WEB_TEXTS[lang];
  const width = LEFT + 24 * CELL_W;
  const height = TOP + 7 * CELL_H;
  let body = '';
  for (let h = 0; h < 24; h += 3)
    body += `<text class="uc-axis" x="${LEFT + h * CELL_W + CELL_W / 2}" y="15" text-anchor="middle">${h}</text>`;
  grid.cells.forEach((row, d) => {
    const y = TOP + d * CELL_H;
    body += `<text class="uc-axis" x="${LEFT - 6}" y="${y + CELL_H / 2 + 4}" text-anchor="end">${esc(t.days[d]!)}</text>`;
    row.forEach((c, h) => {
      const x = LEFT + h * CELL_W;
      const q = c.free === null ? 'n' : String(shade(c.free, total));
      body += `<rect class="uc-cell uq${q}" x="${x + 1}" y="${y + 1}" width="${CELL_W - 2}" height="${CELL_H - 2}" rx="3"/>`;
      if (c.free !== null)
        body += `<text class="uc-num uq${q}" x="${x + CELL_W / 2}" y="${y + CELL_H / 2 + 4}" text-anchor="middle">${Math.round(c.free)}</text>`;
    });
  });
  return (
    `<svg class="usually-chart" role="img" aria-labelledby="${titleId}" viewBox="0 0 ${width} ${height}" ` +
    `width="${width}" height="${height}" focusable="false" xmlns="http://www.w3.org/2000/svg">` +
    `<title id="${titleId}">${esc(title)}</title>${body}</svg>`
  );
}

function legend(lang: Language): string {
  const t = WEB_TEXTS[lang];
  const swatches = [0, 1, 2, 3, 4].map((q) => `<span class="uc-swatch uq${q}"></span>`).join('');
  return (
    `<p class="usually-legend" aria-hidden="true"><span>${esc(t.legendFew)}</span>${swatches}<span>${esc(t.legendMany)}</span>` +
    `<span class="uc-swatch uqn"></span><span>${esc(t.noValue)}</span></p>`
  );
}

function table(grid: UsualGrid, lang: Language, lotId: string, lotName: string): string {
  const t = WEB_TEXTS[lang];
  const head =
    `<tr><th scope="col">${esc(t.weekday)}</th>` +
    Array.from({ length: 24 }, (_, h) => `<th scope="col">${h}</th>`).join('') +
    '</tr>';
  const rows = grid.cells
    .map(
      (row, d) =>
        `<tr><th scope="row">${esc(t.daysLong[d]!)}</th>` +
        row
          .map((c) =>
            c.free === null
              ? `<td><span aria-hidden="true">–</span><span class="sr-only">${esc(t.noValue)}</span></td>`
              : `<td>${Math.round(c.free)}</td>`,
          )
          .join('') +
        '</tr>',
    )
    .join('');
  return (
    `<details class="usually-details"><summary>${esc(t.usuallyTable)}</summary>` +
    `<div class="table-scroll" role="region" tabindex="0" aria-label="${esc(fill(t.usuallyRegion, { lot: lotName }))}">` +
    `<table class="volno-table" id="usually-table-${esc(lotId)}"><caption class="sr-only">${esc(t.usuallyTable)} (${esc(t.hour)} 0–23)</caption>` +
    `<thead>${head}</thead><tbody>${rows}</tbody></table></div></details>`
  );
}

/** The lot page's "usually" section: chart, legend and the same numbers as a table. */
export function usuallySection(
  grid: UsualGrid,
  o: { total: number; lotId: string; lotName: string; lang: Language; windowWeeks: number },
): string {
  const t = WEB_TEXTS[o.lang];
  const id = esc(o.lotId);
  const heading = `<h2 id="usually-${id}">${esc(t.usually)}</h2>`;
  const hasData = grid.cells.some((row) => row.some((c) => c.free !== null));
  if (!hasData)
    return `<section class="usually" aria-labelledby="usually-${id}" data-usually>${heading}<p data-usually-none>${esc(t.usuallyNone)}</p></section>`;
  return (
    `<section class="usually" aria-labelledby="usually-${id}" data-usually>${heading}` +
    `<p>${esc(fill(t.usuallyIntro, { weeks: o.windowWeeks }))} ${esc(fill(t.usuallyBasis, { n: grid.weeks }))}</p>` +
    `<div class="chart-scroll">${chart(grid, o.total, o.lang, `usually-title-${id}`, fill(t.usuallyChart, { lot: o.lotName }))}</div>` +
    legend(o.lang) +
    table(grid, o.lang, o.lotId, o.lotName) +
    `</section>`
  );
}
