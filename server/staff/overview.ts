import type { StaffPrincipal } from '../core/access.ts';
import type { StaffUser } from './accounts.ts';
import type { AuditEntry } from './audit-log.ts';
import { esc } from '../core/web/html.ts';

const time = (ms: number | null) => (ms === null ? '—' : new Date(ms).toISOString().slice(0, 16).replace('T', ' '));

const VIA = {
  session: 'logged in',
  token: 'with the staff token',
  loopback: 'from this machine (no accounts yet: create one with `volno user add`)',
} as const;

/** The body of GET /staff: who you are, where to go, and for admins the accounts and recent actions. */
export function overviewBody(o: { principal: StaffPrincipal; users?: StaffUser[]; audit?: AuditEntry[] }): string {
  const p = o.principal;
  let html =
    `<p>${esc(p.username)}, ${esc(p.role)}, ${esc(VIA[p.via])}.</p>` +
    `<h2>Tools</h2><ul>` +
    `<li><a href="/api/v1/health/agents">Agent health (JSON)</a></li>` +
    `<li><a href="/api/v1/health/cameras">Camera health (JSON)</a></li>` +
    `<li><a href="/metrics">Metrics (Prometheus)</a></li>` +
    `<li><a href="/docs">API documentation</a></li></ul>`;
  if (o.users !== undefined) {
    html +=
      `<h2>Accounts</h2><p class="muted">Manage with <code>volno user</code> or the ` +
      `<code>/api/v1/staff/users</code> API.</p>` +
      `<table><caption class="muted">${o.users.length} accounts</caption><thead><tr><th scope="col">User</th>` +
      `<th scope="col">Role</th><th scope="col">Status</th><th scope="col">Last login (UTC)</th></tr></thead><tbody>` +
      o.users
        .map(
          (u) =>
            `<tr><td>${esc(u.username)}</td><td>${esc(u.role)}</td>` +
            `<td>${u.disabledAt === null ? 'active' : 'disabled'}</td><td>${esc(time(u.lastLoginAt))}</td></tr>`,
        )
        .join('') +
      `</tbody></table>`;
  }
  if (o.audit !== undefined) {
    html +=
      `<h2>Recent staff actions</h2><table><thead><tr><th scope="col">Time (UTC)</th><th scope="col">Who</th>` +
      `<th scope="col">Action</th><th scope="col">Target</th><th scope="col">Address</th></tr></thead><tbody>` +
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
