import type { FastifyInstance } from 'fastify';
import { etagMatches, etagOf } from '../../../kit/static-assets.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Answer with an ETag and honour If-None-Match (304). */
    etag?: boolean;
    /** Cache-Control for a successful response. */
    cacheControl?: string;
  }
}

/**
 * ETags for routes that opt in with `config: { etag: true }`: the tag is a hash of the serialised
 * body, so it changes exactly when the answer does, and a client polling the availability gets a
 * cheap 304 until then.
 */
export function registerCaching(app: FastifyInstance): void {
  app.addHook('onSend', async (req, reply, payload) => {
    const config = req.routeOptions.config;
    if (reply.statusCode !== 200) return payload;
    if (config.cacheControl !== undefined && !reply.hasHeader('cache-control'))
      reply.header('cache-control', config.cacheControl);
    // A route that set its own ETag (from a cached body) has already answered If-None-Match.
    if (config.etag !== true || typeof payload !== 'string' || reply.hasHeader('etag')) return payload;
    const tag = etagOf(payload);
    reply.header('etag', tag);
    if (etagMatches(req.headers['if-none-match'], tag)) {
      reply.code(304);
      return '';
    }
    return payload;
  });
}
