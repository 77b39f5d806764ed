import { esc } from '../core/web/html.ts';

/** The login form: bilingual labels (the office works in Czech, some staff read English), no script. */
export function loginPage(o: { next: string; error?: string; username?: string; sso?: string | undefined }): string {
  const error = o.error === undefined ? '' : `<p class="error" role="alert" id="login-error">${esc(o.error)}</p>`;
  const described = o.error === undefined ? '' : ' aria-describedby="login-error"';
  return (
    `<!doctype html><html lang="cs"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">` +
    `<title>Přihlášení · Log in · Volno staff</title><link rel="stylesheet" href="/staff/assets/staff.css"></head>` +
    `<body class="login"><main id="main"><h1>Přihlášení pracovníků <span lang="en">/ Staff login</span></h1>${error}` +
    `<form method="post" action="/staff/login" class="login-form">` +
    `<input type="hidden" name="next" value="${esc(o.next)}">` +
    `<label for="username">Uživatelské jméno <span lang="en">/ Username</span></label>` +
    `<input id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required` +
    ` maxlength="64" value="${esc(o.username ?? '')}"${described}>` +
    `<label for="password">Heslo <span lang="en">/ Password</span></label>` +
    `<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="512"${described}>` +
    `<button type="submit">Přihlásit <span lang="en">/ Log in</span></button></form>` +
    // Single sign-on (identity.staff): a link, so the form above stays the break-glass way in.
    (o.sso === undefined
      ? ''
      : `<p class="sso"><a href="/staff/sso?next=${encodeURIComponent(o.next)}">${esc(o.sso)}</a></p>`) +
    `</main></body></html>`
  );
}

/**
 * Where to go after login: only a staff page of this server, never another site (open redirect), and
 * only printable ASCII: a CR/LF or U+2028 in a Location header made Node throw, a 500 with a stack
 * trace (issue 13, finding 8). Anything else falls back to /staff.
 */
export function safeNext(next: unknown): string {
  return typeof next === 'string' &&
    /^[\x21-\x7e]+$/.test(next) &&
    /^\/staff(\/[^/\\]*)*(\?[^\\]*)?$/.test(next) &&
    !next.startsWith('/staff/login')
    ? next
    : '/staff';
}
