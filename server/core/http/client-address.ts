import { isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';

/**
 * Headers by which a proxy (or a client pretending to be one) names another client address or
 * scheme. Their presence means the request did not come straight from the TCP peer, so the loopback
 * bootstrap refuses it whoever sent them (issue 13, finding 1).
 */
export const FORWARDING_HEADERS = [
  'x-forwarded-for',
  'forwarded',
  'x-real-ip',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-forwarded-port',
  'x-client-ip',
  'x-cluster-client-ip',
  'cf-connecting-ip',
  'true-client-ip',
  'fastly-client-ip',
  'via',
] as const;

export function hasForwardingHeaders(req: Pick<FastifyRequest, 'headers'>): boolean {
  return FORWARDING_HEADERS.some((h) => req.headers[h] !== undefined);
}

/** The TCP peer's address, whatever any header says (`req.ip` follows `http.trust_proxy`). */
export function socketAddress(req: Pick<FastifyRequest, 'raw'>): string {
  return req.raw.socket?.remoteAddress ?? '';
}

/** The raw X-Forwarded-For / Forwarded header as sent, bounded, for the audit log; undefined without one. */
export function forwardedHeader(req: Pick<FastifyRequest, 'headers'>): string | undefined {
  const v = req.headers['x-forwarded-for'] ?? req.headers['forwarded'] ?? req.headers['x-real-ip'];
  if (v === undefined) return undefined;
  return [v].flat().join(', ').slice(0, 300);
}

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;
export const isLoopback = (address: string): boolean => LOOPBACK.test(address);

/**
 * The subnet a client address belongs to, as a limiter key: /24 for IPv4 (a home or office NAT, a
 * small hosting block), /64 for IPv6 (what one customer is normally given, RFC 6177), so rotating
 * through one's own addresses does not multiply a budget.
 */
export function subnetOf(address: string): string {
  const v4 = /^(?:::ffff:)?(\d+)\.(\d+)\.(\d+)\.\d+$/i.exec(address);
  if (v4 !== null) return `${v4[1]}.${v4[2]}.${v4[3]}.0/24`;
  if (isIP(address) !== 6) return address;
  const [head = '', tail = ''] = address.toLowerCase().split('%')[0]!.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = address.includes('::') ? (tail === '' ? [] : tail.split(':')) : [];
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** Named ranges proxy-addr (Fastify's trustProxy) understands besides addresses and CIDR ranges. */
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * `http.trust_proxy`: the proxies whose X-Forwarded-For is believed. A list of addresses or CIDR
 * ranges, or a hop count; `false`/absent trusts none. `true` is in the schema only so that config
 * load can refuse it with a readable message (see trustProxyIssues).
 */
export const TrustProxySchema = Type.Union(
  [
    Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 32 }),
    Type.Integer({ minimum: 1, maximum: 10 }),
    Type.Boolean(),
  ],
  {
    default: false,
    title: 'Trusted proxies',
    description:
      'The reverse proxies whose X-Forwarded-For is believed: their addresses or CIDR ranges (e.g. [127.0.0.1] for nginx on this machine), or a hop count when the server is reachable only through a chain of that many proxies. false (default): none, the TCP peer is the client. true is refused: it lets any client forge its address.',
  },
);

/** What JSON Schema cannot say about `http.trust_proxy`. */
export function trustProxyIssues(v: unknown, path = '/http/trust_proxy'): { path: string; message: string }[] {
  if (v === true)
    return [
      {
        path,
        message:
          'true trusts X-Forwarded-For from anyone, so any client can claim any address (even 127.0.0.1); list the proxy’s address instead, e.g. [127.0.0.1], or give a hop count',
      },
    ];
  if (!Array.isArray(v)) return [];
  return v.flatMap((entry: string, i) => {
    const [ip, bits, extra] = entry.split('/');
    const family = isIP(ip ?? '');
    const ok =
      NAMED_RANGES.has(entry) ||
      (family !== 0 &&
        extra === undefined &&
        (bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128))));
    return ok ? [] : [{ path: `${path}/${i}`, message: `"${entry}" is not an IP address or CIDR range` }];
  });
}

/** Fastify's `trustProxy` value: false, the list, or a hop count as proxy-addr's (address, hop) function. */
export type TrustProxy = false | string[] | ((address: string, hop: number) => boolean);

export function toTrustProxy(v: boolean | number | string[]): TrustProxy {
  // A function rather than the number: Fastify's https overload does not type a hop count.
  if (typeof v === 'number') return (_address, hop) => hop < v;
  if (Array.isArray(v) && v.length > 0) return v;
  return false;
}
