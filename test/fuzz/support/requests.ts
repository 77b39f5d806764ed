// One fuzzed HTTP request for an OpenAPI operation: path and query from the schema or hostile,
// hostile headers, a body from the schema (field by field broken) or raw junk, and a credential.
import fc from 'fast-check';
import { asText, fromSchema, fuzzValue, hostileString, type Operation, type Schema } from './openapi.ts';

export type Auth = 'none' | 'token' | 'bad-token' | 'session' | 'session-no-csrf';

export interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
  auth: Auth;
  remoteAddress: string;
}

/** Ids that exist in the test server, so some requests get past the 404 into the handler. */
const KNOWN: Record<string, string[]> = {
  lot: ['north', 'south'],
  camera: ['north-1', 'south-1'],
  slot: ['A1', 'A3', 'B1'],
  user: ['1', '2', '3'],
};
const known = (name: string) =>
  Object.entries(KNOWN).find(([k]) => name.includes(k))?.[1] ?? Object.values(KNOWN).flat();

/** Either fully percent-encoded, or raw with only what would end the path escaped. */
const encode = (v: string, full: boolean) => (full ? encodeURIComponent(v) : v.replace(/[\s#?]/g, encodeURIComponent));

const hostileQuery = fc.constantFrom(
  '__proto__[polluted]=1',
  'constructor[prototype][polluted]=1',
  'a=1&a=2&a=3',
  '%',
  '&&&',
  '=',
  'x=' + 'y'.repeat(3000),
);

const headerValue = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.constantFrom('', '*', 'gzip', 'cs,en;q=0.5', 'W/"x"', '"*"', 'bytes=0-1'),
);

const optionalHeaders = fc.record(
  {
    'accept-language': headerValue,
    'if-none-match': headerValue,
    accept: fc.constantFrom('*/*', 'application/json', 'text/html', 'text/event-stream', 'image/png', ''),
    cookie: fc.oneof(headerValue, fc.constant('volno_staff=' + 'a'.repeat(64))),
    'x-forwarded-for': fc.constantFrom('10.0.0.1', '127.0.0.1', 'not-an-ip', '1.1.1.1, 127.0.0.1'),
    origin: fc.constantFrom('http://evil.example', 'null'),
    range: headerValue,
    'x-csrf-token': headerValue,
  },
  { requiredKeys: [] },
);

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'invalid',
];

/** Text that is not the JSON a route expects: truncated, nested too deep, too big, not UTF-8. */
const rawBody: fc.Arbitrary<string | Buffer> = fc.oneof(
  hostileString,
  fc.constantFrom(
    '{',
    '{"a":',
    '[',
    'null',
    '0',
    '""',
    'NaN',
    '{"__proto__":{"polluted":true}}',
    '{"constructor":{"prototype":{"polluted":true}}}',
    'a=1&b=2',
  ),
  fc.integer({ min: 1, max: 5000 }).map((d) => '['.repeat(d) + ']'.repeat(d)),
  fc.integer({ min: 60_000, max: 70_000 }).map((n) => JSON.stringify({ x: 'y'.repeat(n) })),
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
  fc.constant(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d])),
);

/** A body object built field by field, each field valid or hostile, sometimes with extra keys. */
function bodyObject(schema: Schema): fc.Arbitrary<unknown> {
  const props = schema.properties ?? {};
  const fields = Object.fromEntries(Object.entries(props).map(([k, s]) => [k, fuzzValue(s, known(k))]));
  const extra = fc.dictionary(
    fc.constantFrom('__proto__', 'constructor', 'prototype', 'role', 'id', 'x'),
    fc.jsonValue({ maxDepth: 2 }),
    { maxKeys: 2 },
  );
  return fc.tuple(fc.record(fields, { requiredKeys: [] }), fc.option(extra)).map(([body, more]) => {
    const out = { ...body };
    // defineProperty: a "__proto__" key must stay an own key, as JSON.parse would make it.
    for (const [k, v] of Object.entries(more ?? {}))
      Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    return out;
  });
}

function body(op: Operation): fc.Arbitrary<{ payload?: string | Buffer; contentType?: string }> {
  const declared = op.body?.contentTypes ?? [];
  const contentType = fc.oneof(
    { weight: declared.length > 0 ? 6 : 0, arbitrary: fc.constantFrom(...declared, 'application/json') },
    { weight: 2, arbitrary: fc.constantFrom(...CONTENT_TYPES) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
  const json = (arb: fc.Arbitrary<unknown>) => arb.map((v) => JSON.stringify(v) ?? 'null');
  const payloads: fc.Arbitrary<string | Buffer>[] = [rawBody];
  if (op.body !== undefined) payloads.push(json(fromSchema(op.body.schema)), json(bodyObject(op.body.schema)));
  const some = fc.record({ payload: fc.oneof(...payloads), contentType });
  if (op.body === undefined && op.method === 'GET')
    return fc.oneof({ weight: 9, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: some });
  return fc.oneof(
    { weight: 8, arbitrary: some },
    { weight: 1, arbitrary: fc.constant({ contentType: declared[0] ?? 'application/json' }) },
  );
}

function url(op: Operation): fc.Arbitrary<string> {
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  const queryParams = op.parameters.filter((p) => p.in === 'query');
  const path = fc
    .tuple(fc.tuple(...pathParams.map((p) => fuzzValue(p.schema ?? {}, known(p.name)))), fc.boolean())
    .map(([values, full]) =>
      pathParams.reduce((t, p, i) => t.replace(`{${p.name}}`, encode(asText(values[i]), full)), op.path),
    );
  const query = fc
    .tuple(
      fc.tuple(
        ...queryParams.map((p) =>
          // `freq`: one in freq is absent, so required parameters are mostly there.
          fc.option(fc.array(fuzzValue(p.schema ?? {}, known(p.name)), { minLength: 1, maxLength: 2 }), {
            freq: p.required === true ? 8 : 2,
          }),
        ),
      ),
      fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: hostileQuery }),
      fc.boolean(),
    )
    .map(([values, extra, full]) => {
      const parts = queryParams.flatMap((p, i) =>
        (values[i] ?? []).map((v) => `${encodeURIComponent(p.name)}=${encode(asText(v), full)}`),
      );
      if (extra !== null) parts.push(extra);
      return parts.length === 0 ? '' : `?${parts.join('&')}`;
    });
  return fc.tuple(path, query).map(([p, q]) => p + q);
}

/** One request for `op`, anonymous, with the staff token (right or wrong) or a staff session. */
export function fuzzRequest(op: Operation): fc.Arbitrary<FuzzRequest> {
  const auths: Auth[] = ['none', 'token', 'token', 'bad-token', 'session', 'session', 'session-no-csrf'];
  return fc
    .record({
      url: url(op),
      headers: optionalHeaders,
      body: body(op),
      auth: fc.constantFrom(...auths),
      // Non-loopback addresses mostly, so fuzzed logins never lock out the loopback address
      // the test's own logins come from; "::1" stands in for the server's own machine.
      remoteAddress: fc.constantFrom('192.0.2.10', '198.51.100.7', '203.0.113.99', '::1'),
    })
    .map(({ url, headers, body, auth, remoteAddress }) => ({
      method: op.method,
      url,
      headers: { ...headers, ...(body.contentType === undefined ? {} : { 'content-type': body.contentType }) },
      ...(body.payload === undefined ? {} : { payload: body.payload }),
      auth,
      remoteAddress,
    }));
}
