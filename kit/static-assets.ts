import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** A file served from memory: its bytes, Content-Type and a strong ETag (a hash of the bytes). */
export interface StaticAsset {
  body: string | Buffer;
  type: string;
  etag: string;
}

/** A strong ETag for this content: the first `length` characters of its SHA-1, base64url. */
export function etagOf(body: string | Buffer, length = 27): string {
  return `"${createHash('sha1').update(body).digest('base64url').slice(0, length)}"`;
}

export function staticAsset(body: string | Buffer, type: string): StaticAsset {
  return { body, type, etag: etagOf(body, 16) };
}

const TAG = /(W\/)?"([^"]*)"/g;

/**
 * Whether an If-None-Match header matches `etag`. RFC 9110 §13.1.2 makes If-None-Match use the
 * weak comparison: `W/"x"` matches `"x"` (a proxy that compresses a response weakens its tag, and
 * the browser sends that tag back), `*` matches any current representation, and the header may
 * list several tags. Tags may contain commas, so they are matched as quoted strings, not split.
 */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  const opaque = etag.replace(/^W\//, '');
  for (const m of header.matchAll(TAG)) if (`"${m[2]}"` === opaque) return true;
  return false;
}

/**
 * Answers with the asset, or with 304 when the client's copy is current. ETag and Cache-Control
 * go on both answers (RFC 9110 §15.4.5: a 304 carries the headers a 200 would).
 */
export function sendAsset(
  req: FastifyRequest,
  reply: FastifyReply,
  asset: StaticAsset,
  cacheControl: string,
): FastifyReply {
  void reply.header('etag', asset.etag).header('cache-control', cacheControl);
  if (etagMatches(req.headers['if-none-match'], asset.etag)) return reply.code(304).send();
  return reply.type(asset.type).send(asset.body);
}
