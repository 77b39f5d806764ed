import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { negotiate } from '../../../server/core/web/i18n.ts';
import { FakeAgent } from '../support/messages.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let s: TestServer;
const get = (url: string, headers: Record<string, string> = {}) => s.app.inject({ method: 'GET', url, headers });

beforeAll(async () => {
  s = await startTestServer({ http: { embed_origins: ['https://portal.example.cz'] } }, { listen: false });
  const agent = new FakeAgent();
  for (const m of [agent.slotState('north-1', 'A1', 'free'), agent.slotState('north-1', 'A2', 'occupied')])
    s.app.volno.ingestor.handle(m.topic, Buffer.from(m.payload), false);
  await s.app.volno.writer.flush();
});
afterAll(() => s.stop());

describe('the public page', () => {
  it('renders the overview in Czech by default, sorted by free spaces, in the GOV.CZ frame', async () => {
    const r = await get('/');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.body).toContain('<html lang="cs" data-theme="light">');
    expect(r.body).toMatch(/data-free>1<\/span> <span data-free-label>volné místo<\/span>/);
    expect(r.body).toContain('Stav 1 místa teď neznáme');
    expect(r.body).toContain('<header class="volno-header">');
    expect(r.body).toContain('<footer class="volno-footer">');
    // North has one free space, south none: north first. Only north has coordinates.
    const order = [
      ...r.body.matchAll(/<li class="gov-card overview-item" data-lot-item([^>]*)><section[^>]*data-lot="(\w+)"/g),
    ];
    expect(order.map((m) => m[2])).toEqual(['north', 'south']);
    expect(order[0]![1]).toMatch(/ data-lat="50\.08" data-lon="[\d.]+"/);
    expect(order[1]![1]).toBe('');
    // The distance button is there for the script to reveal; without JavaScript it stays hidden.
    expect(r.body).toMatch(/<button class="gov-button"[^>]*data-sort-distance hidden/);
    expect(r.body).not.toContain('data-map');
    expect(r.headers['vary']).toBe('Accept-Language, Cookie');
  });

  it('shows the slot map on the lot page, with the lot as its heading', async () => {
    const r = await get('/lot/north?lang=cs');
    expect(r.body).toContain('<h1 id="lot-north">Severní parkoviště</h1>');
    expect(r.body).toContain('class="slot s-occupied t-disabled r1 c2"');
    expect(r.body).toContain('<title>Severní parkoviště – Volná parkovací místa</title>');
  });

  it('follows Accept-Language, and a language switch that a cookie remembers', async () => {
    expect((await get('/', { 'accept-language': 'de-DE,en;q=0.8,cs;q=0.5' })).body).toContain('<html lang="en"');
    const switched = await get('/lot/north?lang=en', { 'accept-language': 'cs' });
    expect(switched.body).toContain('<html lang="en"');
    expect(switched.body).toContain('North car park');
    expect(switched.headers['set-cookie']).toMatch(/^volno_lang=en; Path=\/;/);
    expect((await get('/', { cookie: 'volno_lang=en', 'accept-language': 'cs' })).body).toContain('<html lang="en"');
  });

  it('forbids framing of the full page but lets the configured portal embed the widget', async () => {
    const full = await get('/lot/north');
    expect(full.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(full.headers['content-security-policy']).toContain("script-src 'self'");
    const embed = await get('/embed/north');
    expect(embed.statusCode).toBe(200);
    expect(embed.headers['content-security-policy']).toContain("frame-ancestors 'self' https://portal.example.cz");
    expect(embed.body).toContain('<body class="embed">');
    expect(embed.body).not.toContain('data-map');
  });

  it('answers an unknown lot with a 404 page, not an error dump', async () => {
    const r = await get('/lot/nowhere?lang=en');
    expect(r.statusCode).toBe(404);
    expect(r.body).toContain('We do not know this car park.');
  });

  it('escapes everything it puts into the page', async () => {
    const r = await get('/lot/north', { cookie: 'volno_lang="><script>alert(1)</script>' });
    expect(r.body).not.toContain('<script>alert(1)');
  });

  it('serves its assets with long caching and never serves an image on any public route', async () => {
    const page = (await get('/')).body;
    const assets = [...page.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.map((a) => a.replace(/\?.*/, ''))).toEqual([
      '/assets/gov.css',
      '/assets/style.css',
      '/assets/app.js',
      '/assets/overview.js',
    ]);
    for (const a of assets) {
      const r = await get(a);
      expect(r.statusCode).toBe(200);
      expect(r.headers['cache-control']).toContain('immutable');
    }
    // The GOV.CZ stylesheet is served from node_modules, pruned, and fetches nothing itself.
    const gov = await get(assets[0]!);
    expect(gov.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(gov.body).toContain('.gov-button[data-type=solid][data-color=primary]');
    expect(gov.body.length).toBeLessThan(150_000);
    expect(gov.body).not.toMatch(/@import|url\(\s*['"]?(https?:)?\/\//);
    const publicUrls = [
      '/',
      '/lot/north',
      '/embed/north',
      '/api/v1/lots',
      '/api/v1/availability',
      '/api/v1/lots/north',
      '/api/v1/lots/north/availability',
      '/api/v1/lots/north/slots',
      '/api/v1/lots/north/history',
      '/api/v1/lots/north/stats',
      '/api/v1/opendata/datex2',
      '/api/v1/opendata/parkapi',
      ...assets,
    ];
    for (const url of publicUrls) {
      const r = await get(url);
      expect(r.headers['content-type'], url).not.toMatch(/^image\//);
      expect(r.body, url).not.toMatch(/\/9j\/|jpeg_base64|data:image/);
    }
    // Camera images exist only on staff routes: each one declares its security requirement and
    // refuses an anonymous request.
    type Op = { security?: unknown[] };
    const doc = (await get('/docs/json')).json() as { paths: Record<string, Record<string, Op>> };
    const imagePaths = Object.keys(doc.paths).filter((p) => /snapshot|image|jpeg|frame|reference/i.test(p));
    expect(imagePaths.length).toBeGreaterThan(0);
    for (const p of imagePaths) {
      expect(p, p).toMatch(/^\/(api\/v1\/)?staff\//);
      for (const [method, op] of Object.entries(doc.paths[p]!)) {
        expect(op.security?.length ?? 0, `${method} ${p}`).toBeGreaterThan(0);
        if (method !== 'get') continue;
        const url = p.replace(/\{[^}]+\}/g, 'x');
        const r = await s.app.inject({ method: 'GET', url, remoteAddress: '192.0.2.10' });
        expect([401, 403], url).toContain(r.statusCode);
      }
    }
  });
});

describe('language negotiation', () => {
  it('prefers the query, then the cookie, then Accept-Language by q value, then the default', () => {
    expect(negotiate('en', 'volno_lang=cs', 'cs', 'cs')).toBe('en');
    expect(negotiate(undefined, 'a=b; volno_lang=en', 'cs', 'cs')).toBe('en');
    expect(negotiate(undefined, undefined, 'en;q=0.4, sk;q=0.9', 'en')).toBe('cs');
    expect(negotiate(undefined, undefined, 'fr, de;q=0.9', 'en')).toBe('en');
    expect(negotiate(undefined, undefined, 'en;q=0, fr', 'cs')).toBe('cs');
    expect(negotiate(undefined, undefined, ';;;,,q=abc', 'cs')).toBe('cs');
  });
});

describe('the map of the lots', () => {
  it('is off by default: no map, and the page may load images only from itself', async () => {
    const r = await get('/');
    expect(r.body).not.toContain('data-lots-map');
    expect(r.headers['content-security-policy']).toContain("img-src 'self';");
  });

  it('is drawn from a configured tile server, with markers on the lots that have coordinates', async () => {
    // A tile server on 127.0.0.1 (nothing listens there; inject loads no images).
    const tiles = 'http://127.0.0.1:9/tiles/{z}/{x}/{y}.png';
    const m = await startTestServer(
      { web: { map_tiles_url: tiles, map_attribution: '© Test tiles' } },
      { listen: false },
    );
    try {
      const r = await m.app.inject({ url: '/?lang=en' });
      expect(r.headers['content-security-policy']).toContain("img-src 'self' http://127.0.0.1:9;");
      expect(r.body).toContain('<figure class="lots-map" data-lots-map>');
      const hrefs = [...r.body.matchAll(/<image href="([^"]+)"/g)].map((x) => x[1]!);
      expect(hrefs.length).toBeGreaterThan(0);
      for (const h of hrefs) expect(h).toMatch(/^http:\/\/127\.0\.0\.1:9\/tiles\/17\/\d+\/\d+\.png$/);
      expect([...r.body.matchAll(/<g class="map-marker">/g)]).toHaveLength(1); // south has no coordinates
      expect(r.body).toMatch(/aria-label="Map of the car parks\. North car park: \d+ free spaces?"/);
      expect(r.body).toContain('<figcaption class="hint">© Test tiles</figcaption>');
    } finally {
      await m.stop();
    }
  });

  it('refuses a tile URL that is not an XYZ template', async () => {
    await expect(startTestServer({ web: { map_tiles_url: 'https://tiles.example/map.png' } })).rejects.toThrow(
      /map_tiles_url/,
    );
  });
});
