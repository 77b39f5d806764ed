import type { StaffPrincipal, StaffRole } from '../access.ts';
import { esc } from './html.ts';

type Lang = 'cs' | 'en';

/** One entry of the staff navigation. */
export interface StaffNavItem {
  href: string;
  label: Record<Lang, string>;
}

export interface StaffPageOptions {
  title: string;
  lang: Lang;
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
  { href: '/staff', label: { cs: 'Přehled', en: 'Overview' } },
  { href: '/staff/bookings', label: { cs: 'Rezervace', en: 'Bookings' } },
  { href: '/staff/calibration', label: { cs: 'Kalibrace', en: 'Calibration' } },
  { href: '/staff/alerts', label: { cs: 'Upozornění', en: 'Alerts' } },
];

/** The header's own words, in the page's language. */
const HEADER_TEXTS: Record<Lang, { site: string; nav: string; logout: string; roles: Record<StaffRole, string> }> = {
  cs: {
    site: 'Volno pro zaměstnance',
    nav: 'Navigace pro zaměstnance',
    logout: 'Odhlásit se',
    roles: { viewer: 'náhled', operator: 'obsluha', admin: 'správce' },
  },
  en: {
    site: 'Volno staff',
    nav: 'Staff',
    logout: 'Log out',
    roles: { viewer: 'viewer', operator: 'operator', admin: 'admin' },
  },
};

/** A role in the page's language ("náhled" for `viewer` in Czech); the identifier stays what the API takes. */
export function roleLabel(lang: Lang, role: StaffRole): string {
  return HEADER_TEXTS[lang].roles[role];
}

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
  const t = HEADER_TEXTS[o.lang];
  const nav = (o.nav ?? STAFF_NAV).map((n) => `<li><a href="${esc(n.href)}">${esc(n.label[o.lang])}</a></li>`).join('');
  const role = t.roles[o.principal.role];
  const csrf = o.principal.csrfToken ?? '';
  const styles = ['/staff/assets/staff.css', ...(o.styles ?? [])]
    .map((href) => `<link rel="stylesheet" href="${esc(href)}">`)
    .join('');
  const scripts = (o.scripts ?? []).map((src) => `<script type="module" src="${esc(src)}"></script>`).join('');
  return (
    `<!doctype html><html lang="${o.lang}"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<meta name="csrf-token" content="${esc(csrf)}"><meta name="robots" content="noindex">` +
    `<title>${esc(o.title)} · ${t.site}</title>${styles}</head><body>` +
    `<header class="staff-header"><nav aria-label="${t.nav}"><ul>${nav}</ul></nav>` +
    `<p class="who">${esc(o.principal.username)} (${esc(role)})</p>` +
    (o.principal.via === 'session'
      ? `<form method="post" action="/staff/logout"><input type="hidden" name="csrf_token" value="${esc(csrf)}">` +
        `<button type="submit">${t.logout}</button></form>`
      : '') +
    `</header><main id="main"><h1>${esc(o.title)}</h1>${o.body}</main>${scripts}</body></html>`
  );
}
