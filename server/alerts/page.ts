import { esc } from '../core/web/html.ts';
import { fill } from '../core/web/i18n.ts';
import { ALERT_TEXTS, localTime } from './i18n.ts';
import type { AlertRow } from './store.ts';

export interface AlertsPageView {
  lang: 'cs' | 'en';
  tz: string;
  rows: readonly AlertRow[];
  keepDays: number;
}

/** The body of GET /staff/alerts: open alerts, then recently resolved ones, each a plain table. */
export function alertsBody(v: AlertsPageView): string {
  const t = ALERT_TEXTS[v.lang];
  const open = v.rows.filter((a) => a.resolvedAt === null);
  const resolved = v.rows.filter((a) => a.resolvedAt !== null);
  const other = v.lang === 'cs' ? 'en' : 'cs';
  const cell = (a: AlertRow) =>
    `<td>${esc(t.kinds[a.kind])}</td><td>${esc(a.subject)}</td><td>${esc(a.detail ?? '—')}</td>` +
    `<td>${esc(localTime(a.raisedAt, v.tz))}</td>`;
  const head = (extra: string) =>
    `<thead><tr><th scope="col">${t.kind}</th><th scope="col">${t.subject}</th><th scope="col">${t.detail}</th>` +
    `<th scope="col">${t.raisedAt}</th>${extra}</tr></thead>`;
  const mailed = (at: number | null) => (at === null ? t.pending : t.yes);
  return (
    `<p><a href="?lang=${other}" lang="${other}" hreflang="${other}">${other === 'cs' ? 'Česky' : 'English'}</a></p>` +
    `<h2 id="open">${t.open} (${open.length})</h2>` +
    (open.length === 0
      ? `<p data-alerts="none">${t.none}</p>`
      : `<table aria-labelledby="open">${head(`<th scope="col">${t.mailed}</th>`)}<tbody>` +
        open
          .map(
            (a) =>
              `<tr data-alert="${esc(a.key)}" data-state="open">${cell(a)}<td>${esc(mailed(a.raisedMailedAt))}</td></tr>`,
          )
          .join('') +
        `</tbody></table>`) +
    `<h2 id="resolved">${t.resolved} (${resolved.length})</h2>` +
    (resolved.length === 0
      ? `<p>${esc(fill(t.noneResolved, { days: v.keepDays }))}</p>`
      : `<table aria-labelledby="resolved">${head(`<th scope="col">${t.resolvedAt}</th><th scope="col">${t.mailed}</th>`)}<tbody>` +
        resolved
          .map(
            (a) =>
              `<tr data-alert="${esc(a.key)}" data-state="resolved">${cell(a)}` +
              `<td>${esc(localTime(a.resolvedAt!, v.tz))}</td><td>${esc(mailed(a.resolvedMailedAt))}</td></tr>`,
          )
          .join('') +
        `</tbody></table>`)
  );
}
