// The staff camera wall (GET /staff) over a real server: which calibration it draws, and what a
// failed snapshot may say.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ackCalibration, API, call, doc, logInStaff, slot, type Staff } from '../calibration/support.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let s: TestServer;
let staff: Staff;
let seq = 0;

beforeAll(async () => {
  // No agent answers snapshot requests here: a short wait makes the failure quick.
  s = await startTestServer({ calibration: { snapshot_timeout_ms: 100 } }, { listen: false });
  staff = await logInStaff(s.app);
});
afterAll(() => s.stop());

const post = (url: string, payload: unknown) =>
  call(s.app, staff.operator, { method: 'POST', url: `${API}${url}`, payload: payload as object });
const wall = async (query = 'lang=en') => {
  const r = await call(s.app, staff.viewer, { method: 'GET', url: `/staff?${query}` });
  expect(r.statusCode).toBe(200);
  return r.body;
};
/** The slot ids drawn over north-1's tile. */
const drawn = async () => {
  const html = await wall();
  const tile = /<article class="camera"[^>]*data-camera="north-1"[\s\S]*?<\/article>/.exec(html)?.[0] ?? '';
  return [...tile.matchAll(/<polygon class="slot [a-z]+" data-slot="([^"]+)"/g)].map((m) => m[1]);
};

/** The agent's acknowledgement, through the real ingest path. */
const ack = (version: number) => ackCalibration(s.app, { seq: seq++, version, result: 'applied' });

describe('the camera wall', () => {
  it('draws the calibration in force, never a newer unpublished draft, and the one the agent confirms', async () => {
    expect(await drawn()).toEqual([]);
    expect((await post('/cameras/north-1/calibrations', { document: doc([slot('V1', 0.1, 0.1)]) })).statusCode).toBe(
      201,
    );
    // A saved draft alone is not in force.
    expect(await drawn()).toEqual([]);
    expect((await post('/cameras/north-1/calibrations/1/publish', {})).statusCode).toBe(202);
    const draft = doc([slot('V2a', 0.1, 0.1), slot('V2b', 0.5, 0.1)]);
    expect((await post('/cameras/north-1/calibrations', { document: draft, base_version: 1 })).statusCode).toBe(201);
    expect(await drawn()).toEqual(['V1']);

    // Published v2 while the agent still runs v1: the wall keeps drawing what the agent runs.
    await ack(1);
    expect((await post('/cameras/north-1/calibrations/2/publish', {})).statusCode).toBe(202);
    expect(await drawn()).toEqual(['V1']);
    await ack(2);
    expect(await drawn()).toEqual(['V2a', 'V2b']);
    const cams = await call(s.app, staff.viewer, { method: 'GET', url: `${API}/cameras` });
    expect(cams.json().find((c: { camera_id: string }) => c.camera_id === 'north-1')).toMatchObject({
      applied_version: 2,
      published_version: 2,
    });
  });

  it('words a failed snapshot itself, from a code: a link cannot put its own text on the page', async () => {
    const r = await call(s.app, staff.operator, {
      method: 'POST',
      url: '/staff/cameras/north-1/snapshot',
      payload: `csrf_token=${encodeURIComponent(staff.operator.csrfToken)}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(r.statusCode).toBe(303);
    const to = new URL(r.headers.location as string, 'http://x');
    expect([...to.searchParams.keys()].sort()).toEqual(['error', 'failed']);
    expect(to.searchParams.get('error')).toBe('timeout');
    expect(await wall(`${to.searchParams.toString()}&lang=en`)).toContain(
      'The snapshot could not be taken: the camera’s agent did not answer in time. Is it online?',
    );
    expect(await wall(`${to.searchParams.toString()}&lang=cs`)).toContain(
      'Náhled se nepodařilo pořídit: agent kamery neodpověděl včas. Je online?',
    );

    const crafted = await wall('failed=north-1&error=Call+555+123&reason=Call+555+123&lang=en');
    expect(crafted).not.toContain('Call 555');
    expect(crafted).toMatch(/<p class="error" role="alert" data-snapshot-error>The snapshot could not be taken\.<\/p>/);
  });

  it('follows the language setting below the wall too: the tools and the status words are Czech on a Czech page', async () => {
    const cs = await wall('lang=cs');
    expect(cs).toContain('<h2>Nástroje</h2>');
    expect(cs).toContain('Stav kamer (JSON)');
    expect(cs).not.toContain('<div lang="en">');
    expect(cs).toMatch(/data-camera="north-1" data-stream="unknown"/);
    expect(cs).toContain('<dt>Stav streamu</dt><dd>neznámý</dd>');
    // …and so does the shared staff header: navigation, role and the logout button.
    const header = (html: string) => /<header class="staff-header">[\s\S]*?<\/header>/.exec(html)?.[0] ?? '';
    expect(header(cs)).toContain('<nav aria-label="Navigace pro zaměstnance">');
    expect(header(cs)).toContain('<a href="/staff">Přehled</a>');
    expect(header(cs)).toContain('<a href="/staff/alerts">Upozornění</a>');
    expect(header(cs)).toMatch(/\(náhled\)<\/p>/);
    // The overview's own sentence names the role in the page's language too.
    expect(cs).toMatch(/<p>[^<]+, náhled, /);
    expect(cs).toContain('<title>Kamery · Volno pro zaměstnance</title>');
    const en = await wall('lang=en');
    expect(header(en)).toContain('<a href="/staff">Overview</a>');
    expect(header(en)).toMatch(/\(viewer\)<\/p>/);
    expect(en).toContain('<h2>Tools</h2>');
    expect(en).toContain('<dt>Stream health</dt><dd>unknown</dd>');
  });
});
