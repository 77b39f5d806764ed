import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STAFF_CSP } from '../../../../server/core/web/staff-layout.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';

const TOKEN = 'editor-routes-test-token-0123456789';
let s: TestServer;
const bearer = { authorization: `Bearer ${TOKEN}` };

beforeAll(async () => {
  s = await startTestServer({ http: { staff_token: TOKEN } }, { listen: false });
});
afterAll(async () => s?.stop());

describe('the calibration editor pages', () => {
  it('lists the cameras with their lot, agent, stream and versions, linking to their editors', async () => {
    const res = await s.app.inject({ url: '/staff/calibration', headers: bearer });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-security-policy']).toBe(STAFF_CSP);
    expect(res.body).toContain('href="/staff/calibration/north-1"');
    expect(res.body).toContain('href="/staff/calibration/south-1"');
    expect(res.body).toContain('<td>Severní parkoviště</td>');
    expect(res.body).toContain('Applied by the agent');
  });

  it('serves the editor page with its bundled script and stylesheet under content-hashed URLs, and no inline script', async () => {
    const res = await s.app.inject({ url: '/staff/calibration/north-1', headers: bearer });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('data-camera="north-1" data-lot="north"');
    // The live check in the browser uses the server's thresholds and model input size.
    const options = /data-validation-options="([^"]+)"/.exec(res.body)![1]!.replaceAll('&quot;', '"');
    expect(JSON.parse(options)).toEqual({ overlap: { warning: 0.1, error: 0.5 }, model: { width: 48, height: 48 } });
    const js = /<script type="module" src="(\/staff\/calibration\/assets\/editor-[0-9a-f]{16}\.js)">/.exec(
      res.body,
    )?.[1];
    const css = /href="(\/staff\/calibration\/assets\/editor-[0-9a-f]{16}\.css)"/.exec(res.body)?.[1];
    expect(js).toBeDefined();
    expect(css).toBeDefined();
    expect(res.body).not.toMatch(/<script>|<script [^>]*>[^<]/);
    const script = await s.app.inject({ url: js!, headers: bearer });
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toContain('text/javascript');
    // The core is bundled in, not fetched: the validation messages staff read are in the script.
    expect(script.body).toContain('crosses itself');
    const again = await s.app.inject({
      url: js!,
      headers: { ...bearer, 'if-none-match': String(script.headers.etag) },
    });
    expect(again.statusCode).toBe(304);
    expect((await s.app.inject({ url: css!, headers: bearer })).statusCode).toBe(200);
  });

  it('refuses the pages and the editor code without credentials', async () => {
    const page = await s.app.inject({ url: '/staff/calibration/north-1', headers: bearer });
    const js = /src="([^"]+\.js)"/.exec(page.body)![1]!;
    for (const url of ['/staff/calibration', '/staff/calibration/north-1', js]) {
      const res = await s.app.inject({ url });
      expect([401, 302, 303]).toContain(res.statusCode);
      expect(res.body).not.toContain('crosses itself');
    }
  });

  it('answers 400 for a camera id that could not exist, and 404 for an unknown asset', async () => {
    expect((await s.app.inject({ url: '/staff/calibration/..%2Fetc', headers: bearer })).statusCode).toBe(400);
    const res = await s.app.inject({ url: '/staff/calibration/assets/editor-0000000000000000.js', headers: bearer });
    expect(res.statusCode).toBe(404);
  });
});
