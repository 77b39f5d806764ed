import type { Language } from '../core/config/schema.ts';
import { esc } from '../core/web/html.ts';
import { govButton, govLinkButton } from '../core/web/gov-markup.ts';
import { fill, formatTime } from './i18n.ts';
import { I } from './identity-i18n.ts';
import type { Booking } from './store.ts';

/** Where sign-in starts; the window travels along so the citizen comes back to the same form. */
export function signInUrl(lang: Language, q: { lot_id?: string; date?: string; start?: string; end?: string }): string {
  const p = new URLSearchParams({ lang });
  for (const k of ['lot_id', 'date', 'start', 'end'] as const) if (q[k]) p.set(k, q[k]);
  return `/reserve/signin?${p.toString()}`;
}

/** Shown instead of the booking form on an `oidc` lot to someone not signed in. */
export function signInBox(lang: Language, q: Parameters<typeof signInUrl>[1]): string {
  const t = I[lang];
  return (
    `<section class="identity" aria-labelledby="signin-h"><h2 id="signin-h">${esc(t.signIn)}</h2>` +
    `<p>${esc(t.signInNeeded)}</p><p>${govLinkButton(signInUrl(lang, q), t.signIn, { kind: 'solid', attrs: 'data-signin' })}</p></section>`
  );
}

/** A signed-in citizen's status and the sign-out button (a POST with the session's CSRF token). */
export function signedInBox(lang: Language, csrf: string): string {
  const t = I[lang];
  return (
    `<section class="identity" aria-label="${esc(t.signedIn)}"><p>${esc(t.signedIn)}</p>` +
    `<form method="post" action="/reserve/signout?lang=${lang}"><input type="hidden" name="csrf_token" value="${esc(csrf)}">` +
    `${govButton(t.signOut, { kind: 'outlined', attrs: 'data-signout' })}</form></section>`
  );
}

/** After booking on an `email` lot: the token went by mail only, so this page shows none. */
export function checkMailBody(lang: Language, b: Booking, tz: string): string {
  const t = I[lang];
  return `<p role="status" data-pending>${esc(fill(t.checkMailText, { time: formatTime(lang, b.pendingUntil!, tz) }))}</p>`;
}

/** On the manage page of a pending booking: the one button that confirms it. */
export function confirmBox(lang: Language, b: Booking, base: string, tz: string): string {
  const t = I[lang];
  return (
    `<div class="pending" role="status"><p>${esc(fill(t.confirmText, { time: formatTime(lang, b.pendingUntil!, tz) }))}</p>` +
    `<form method="post" action="${esc(base)}/confirm?lang=${lang}">${govButton(t.confirm, { attrs: 'data-confirm' })}</form></div>`
  );
}
