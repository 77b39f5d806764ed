import type { StaffPrincipal } from '../access.ts';
import { esc } from './html.ts';

/** One entry of the staff navigation. */
export interface StaffNavItem {
  href: string;
  label: string;
}

export interface StaffPageOptions {
  title: string;
  lang: 'cs' | 'en';
  principal: StaffPrincipal;
  /** Trusted HTML: every value in it must already be escaped with `esc`. */
  body: string;
  /** Same-origin script URLs (the CSP allows no inline script). */
  scripts?: string[];
  /** Same-origin stylesheet URLs in addition to the staff stylesheet. */
  styles?: string[];
  nav?: StaffNavItem[];
}

/** The staff pages' navigation; each feature adds its own page here. */
export const STAFF_NAV: StaffNavItem[] = [
  { href: '/staff', label: 'Overview' },
  { href: '/staff/bookings', label: 'Bookings' },
  { href: '/staff/calibration', label: 'Calibration' },
  { href: '/staff/alerts', label: 'Alerts' },
];

/** Content-Security-Policy for staff pages: same-origin only, snapshots as blob:/data: images in the editor. */
export const STAFF_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; " +
  "base-uri 'none'; form-action 'self'; object-src 'none'; frame-ancestors 'none'";

/**
 * The shell around every staff page: navigation, who is logged in, the logout form and the CSRF
 * token in `<meta name="csrf-token">`, which staff scripts send back as `x-csrf-token` on every
 * request that changes something.
 */
export function staffPage(o: StaffPageOptions): string {
  const nav = (o.nav ?? STAFF_NAV).map((n) => `<li><a href="${esc(n.href)}">${esc(n.label)}</a></li>`).join('');
  const csrf = o.principal.csrfToken ?? '';
  const styles = ['/staff/assets/staff.css', ...(o.styles ?? [])]
    .map((href) => `<link rel="stylesheet" href="${esc(href)}">`)
    .join('');
  const scripts = (o.scripts ?? []).map((src) => `<script type="module" src="${esc(src)}"></script>`).join('');
  return (
    `<!doctype html><html lang="${o.lang}"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<meta name="csrf-token" content="${esc(csrf)}"><meta name="robots" content="noindex">` +
    `<title>${esc(o.title)} · Volno staff</title>${styles}</head><body>` +
    `<header class="staff-header"><nav aria-label="Staff"><ul>${nav}</ul></nav>` +
    `<p class="who">${esc(o.principal.username)} (${esc(o.principal.role)})</p>` +
    (o.principal.via === 'session'
      ? `<form method="post" action="/staff/logout"><input type="hidden" name="csrf_token" value="${esc(csrf)}">` +
        `<button type="submit">Log out</button></form>`
      : '') +
    `</header><main id="main"><h1>${esc(o.title)}</h1>${o.body}</main>${scripts}</body></html>`
  );
}
