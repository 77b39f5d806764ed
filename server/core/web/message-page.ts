import type { FastifyReply } from 'fastify';
import { esc } from './html.ts';

const CSP =
  "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; " +
  "object-src 'none'; frame-ancestors 'none'";

/**
 * A small page for sign-in outcomes (refused, expired, continue): one h1, a message and a link. A
 * `refresh` target continues with a same-site navigation, so a SameSite=Strict cookie set by the
 * callback (which the provider's site started) is sent on the next request.
 */
export function sendPage(
  reply: FastifyReply,
  status: number,
  o: {
    lang: 'cs' | 'en';
    title: string;
    text: string;
    link: { href: string; label: string };
    css: string;
    refresh?: boolean;
  },
): FastifyReply {
  const refresh = o.refresh === true ? `<meta http-equiv="refresh" content="0;url=${esc(o.link.href)}">` : '';
  const html =
    `<!doctype html><html lang="${o.lang}"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">${refresh}` +
    `<title>${esc(o.title)}</title><link rel="stylesheet" href="${esc(o.css)}"></head><body>` +
    `<main id="main"><h1>${esc(o.title)}</h1><p role="status">${esc(o.text)}</p>` +
    `<p><a href="${esc(o.link.href)}">${esc(o.link.label)}</a></p></main></body></html>`;
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('content-security-policy', CSP)
    .header('cache-control', 'no-store')
    .send(html);
}
