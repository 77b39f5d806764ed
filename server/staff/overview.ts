import type { StaffPrincipal } from '../core/access.ts';
import type { StaffUser } from './accounts.ts';
import type { AuditEntry } from './audit-log.ts';
import { esc } from '../core/web/html.ts';
import { fill } from '../core/web/i18n.ts';
import { roleLabel } from '../core/web/staff-layout.ts';
import { OVERVIEW_TEXTS } from './overview-texts.ts';

const time = (ms: number | null) => (ms === null ? '—' : new Date(ms).toISOString().slice(0, 16).replace('T', ' '));

/**
 * The body of GET /staff below the wall: who you are, where to go, and for admins the accounts and
 * recent actions. `manage` is markup of our own (code elements), the rest is escaped.
 */
export function overviewBody(o: {
  lang: 'cs' | 'en';
  principal: StaffPrincipal;
  users?: StaffUser[];
  audit?: AuditEntry[];
}): string {
  const t = OVERVIEW_TEXTS[o.lang];
  const p = o.principal;
  let html =
    `<p>${esc(p.username)}, ${esc(roleLabel(o.lang, p.role))}, ${esc(t.via[p.via])}.</p>` +
    `<h2>${esc(t.tools)}</h2><ul>` +
    `<li><a href="/api/v1/health/agents">${esc(t.agentHealth)}</a></li>` +
    `<li><a href="/api/v1/health/cameras">${esc(t.cameraHealth)}</a></li>` +
    `<li><a href="/metrics">${esc(t.metrics)}</a></li>` +
    `<li><a href="/docs">${esc(t.apiDocs)}</a></li></ul>`;
  if (o.users !== undefined) {
    html +=
      `<h2>${esc(t.accounts)}</h2><p class="muted">${t.manage}</p>` +
      `<table><caption class="muted">${esc(fill(t.accountCount, { n: o.users.length }))}</caption><thead><tr>` +
      `<th scope="col">${esc(t.user)}</th><th scope="col">${esc(t.role)}</th><th scope="col">${esc(t.status)}</th>` +
      `<th scope="col">${esc(t.lastLogin)}</th></tr></thead><tbody>` +
      o.users
        .map(
          (u) =>
            `<tr><td>${esc(u.username)}</td><td>${esc(roleLabel(o.lang, u.role))} <code>${esc(u.role)}</code></td>` +
            `<td>${esc(u.disabledAt === null ? t.active : t.disabled)}</td><td>${esc(time(u.lastLoginAt))}</td></tr>`,
        )
        .join('') +
      `</tbody></table>`;
  }
  if (o.audit !== undefined) {
    html +=
      `<h2>${esc(t.recent)}</h2><table><thead><tr><th scope="col">${esc(t.time)}</th><th scope="col">${esc(t.who)}</th>` +
      `<th scope="col">${esc(t.action)}</th><th scope="col">${esc(t.target)}</th>` +
      `<th scope="col">${esc(t.address)}</th></tr></thead><tbody>` +
      o.audit
        .map(
          (e) =>
            `<tr><td>${esc(time(e.at))}</td><td>${esc(e.username ?? '—')} <span class="muted">(${esc(e.via)})</span></td>` +
            `<td>${esc(e.action)}</td><td>${esc(e.target)}</td><td>${esc(e.ip ?? '')}</td></tr>`,
        )
        .join('') +
      `</tbody></table>`;
  }
  return html;
}
