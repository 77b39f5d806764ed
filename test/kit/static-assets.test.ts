import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { etagMatches, etagOf, sendAsset, staticAsset } from '../../kit/static-assets.ts';

describe('etagMatches (If-None-Match, RFC 9110 §13.1.2 weak comparison)', () => {
  const tag = '"abc"';
  it.each([
    ['the same strong tag', '"abc"', true],
    ['our tag weakened by a proxy', 'W/"abc"', true],
    ['one of a list', '"x", W/"abc" , "y"', true],
    ['a list without spaces', '"x",W/"abc"', true],
    ['the wildcard', '*', true],
    ['the wildcard with blanks', ' * ', true],
    ['another tag', '"abd"', false],
    ['a tag that only contains ours', '"xabc"', false],
    ['an unquoted tag', 'abc', false],
    ['an empty header', '', false],
  ])('%s: %s', (_what, header, expected) => {
    expect(etagMatches(header, tag)).toBe(expected);
  });

  it('matches a weak tag of ours against the strong form', () => {
    expect(etagMatches('"abc"', 'W/"abc"')).toBe(true);
  });

  it('matches tags that contain commas as whole quoted strings', () => {
    expect(etagMatches('"a,b", "c"', '"a,b"')).toBe(true);
    expect(etagMatches('"a,b"', '"a"')).toBe(false);
  });

  it('never matches without a header', () => {
    expect(etagMatches(undefined, tag)).toBe(false);
  });
});

describe('sendAsset', () => {
  const asset = staticAsset(Buffer.from('body { color: red }'), 'text/css; charset=utf-8');
  const app = async () => {
    const a = Fastify();
    a.get('/x.css', async (req, reply) => sendAsset(req, reply, asset, 'public, max-age=60'));
    await a.ready();
    return a;
  };

  it('answers 200 with the body, a strong ETag and Cache-Control', async () => {
    const a = await app();
    const r = await a.inject('/x.css');
    expect(r.statusCode).toBe(200);
    expect(r.body).toBe('body { color: red }');
    expect(r.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(r.headers['etag']).toBe(asset.etag);
    expect(r.headers['etag']).toMatch(/^"[A-Za-z0-9_-]{16}"$/);
    expect(r.headers['cache-control']).toBe('public, max-age=60');
    await a.close();
  });

  it('answers 304 with the same headers and no body to the tag a proxy weakened', async () => {
    const a = await app();
    const r = await a.inject({ url: '/x.css', headers: { 'if-none-match': `W/${asset.etag}` } });
    expect(r.statusCode).toBe(304);
    expect(r.body).toBe('');
    expect(r.headers['etag']).toBe(asset.etag);
    expect(r.headers['cache-control']).toBe('public, max-age=60');
    await a.close();
  });

  it('answers 200 to a stale tag', async () => {
    const a = await app();
    const r = await a.inject({ url: '/x.css', headers: { 'if-none-match': etagOf('old') } });
    expect(r.statusCode).toBe(200);
    await a.close();
  });
});
