import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireDataset } from '../../support/datasets.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { loginStaff } from '../support/staff.ts';
import { ackCalibration, API, call, doc, logInStaff, slot, type Staff } from './support.ts';

let s: TestServer;
let staff: Staff;
let seq = 0;

beforeAll(async () => {
  s = await startTestServer({}, { listen: false });
  staff = await logInStaff(s.app);
});
afterAll(() => s.stop());

const post = (url: string, payload: unknown, who = staff.operator) =>
  call(s.app, who, { method: 'POST', url: `${API}${url}`, payload: payload as object });
const get = (url: string, who = staff.viewer) => call(s.app, who, { method: 'GET', url: `${API}${url}` });

/** The agent's acknowledgement, through the real ingest path. */
const ack = (version: number, result: 'applied' | 'rejected', reason?: string) =>
  ackCalibration(s.app, { seq: seq++, version, result, ...(reason === undefined ? {} : { reason }) });

describe('calibration versions', () => {
  it('validates a draft with sentences staff understand, in English or Czech', async () => {
    const bad = doc([slot('a1', 0.1, 0.1), slot('a2', 0.12, 0.12), slot('a3', 0.95, 0.5)]);
    const r = await post('/cameras/north-1/calibrations/validate', { document: bad });
    expect(r.statusCode).toBe(200);
    const { issues, can_save } = r.json();
    expect(can_save).toBe(false);
    const codes = issues.map((i: { code: string }) => i.code);
    expect(codes).toContain('overlap');
    expect(codes).toContain('out_of_frame');
    const outside = issues.find((i: { code: string }) => i.code === 'out_of_frame');
    expect(outside).toMatchObject({ severity: 'error', slot_id: 'a3', path: '/slots/2/polygon' });
    expect(outside.message).toMatch(/outside the picture/);
    const cs = await post('/cameras/north-1/calibrations/validate?lang=cs', { document: bad });
    const csOutside = cs.json().issues.find((i: { code: string }) => i.code === 'out_of_frame');
    expect(csOutside.message).toMatch(/^Místo a3 má 2 bod\(y\) mimo obraz/);
  });

  it('refuses to save a calibration with errors (422 with every issue) but saves one with warnings only', async () => {
    const broken = doc([slot('a1', 0.1, 0.1), slot('a1', 0.5, 0.1)]);
    const refused = await post('/cameras/north-1/calibrations', { document: broken, note: 'dup' });
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({ code: 'VOLNO_CALIBRATION_INVALID', status: 422 });
    expect(refused.json().issues.some((i: { code: string }) => i.code === 'duplicate_id')).toBe(true);

    const warned = doc([slot('N1', 0.1, 0.1), slot('N2', 0.19, 0.1, 0.1, { label: 'N 2', reservable: true })]);
    const saved = await post('/cameras/north-1/calibrations', { document: warned, note: 'first', base_version: null });
    expect(saved.statusCode).toBe(201);
    expect(saved.json().version).toBe(1);
    expect(saved.json().issues.map((i: { code: string }) => i.code)).toEqual(['overlap']);
  });

  it('answers 409 when the draft started from a version that is no longer the latest', async () => {
    const stale = await post('/cameras/north-1/calibrations', {
      document: doc([slot('X', 0.5, 0.5)]),
      base_version: null,
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().code).toBe('VOLNO_CONFLICT');
    const ok = await post('/cameras/north-1/calibrations', {
      document: doc([slot('N1', 0.1, 0.1), slot('N2', 0.3, 0.1), slot('N3', 0.5, 0.1)]),
      note: 'third slot',
      base_version: 1,
    });
    expect(ok.statusCode).toBe(201);
    expect(ok.json().version).toBe(2);
  });

  it('lists versions with author, note and slot count, and returns one with its document', async () => {
    const list = await get('/cameras/north-1/calibrations');
    expect(list.statusCode).toBe(200);
    expect(list.json().map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect(list.json()[0]).toMatchObject({
      author: 'otto',
      note: 'third slot',
      slot_count: 3,
      published_at: null,
      ack: null,
      status: 'draft',
    });
    const one = await get('/cameras/north-1/calibrations/1');
    expect(one.json().document.slots.map((x: { id: string }) => x.id)).toEqual(['N1', 'N2']);
    expect(one.json().document.camera_id).toBe('north-1');
    expect((await get('/cameras/north-1/calibrations/99')).statusCode).toBe(404);
    expect((await get('/cameras/nowhere/calibrations')).statusCode).toBe(404);
  });

  it('compares a version with the previous one and rolls back by saving a copy', async () => {
    const diff = await get('/cameras/north-1/calibrations/2/diff');
    expect(diff.statusCode).toBe(200);
    expect(diff.json()).toMatchObject({ version: 2, against: 1 });
    expect(diff.json().diff.slots.added.map((x: { id: string }) => x.id)).toEqual(['N3']);
    expect(diff.json().diff.slots.moved[0]).toMatchObject({ id: 'N2', point_count_changed: false });
    expect(diff.json().diff.slots.changed[0].changes.map((c: { field: string }) => c.field)).toEqual([
      'label',
      'reservable',
    ]);
    const rb = await post('/cameras/north-1/calibrations/1/rollback', { note: 'back' });
    expect(rb.statusCode).toBe(201);
    expect(rb.json().version).toBe(3);
    const same = await get('/cameras/north-1/calibrations/3/diff?against=1');
    expect(same.json().diff.identical).toBe(true);
  });

  it('publishes over MQTT, shows the agent’s rejection, then its application, and the catalog follows', async () => {
    const pub = await post('/cameras/north-1/calibrations/2/publish', {});
    expect(pub.statusCode).toBe(202);
    expect(pub.json()).toEqual({ version: 2, status: 'pending' });
    expect((await get('/cameras/north-1/calibrations/2/ack')).json()).toMatchObject({ status: 'pending', ack: null });

    await ack(2, 'rejected', '/slots/0/polygon: too small');
    const rejected = (await get('/cameras/north-1/calibrations/2/ack')).json();
    expect(rejected).toMatchObject({
      status: 'rejected',
      ack: { result: 'rejected', reason: '/slots/0/polygon: too small' },
    });
    // Nothing applied: the lot still has the configured slots.
    const before = (await s.app.inject({ url: '/api/v1/lots/north/slots' })).json();
    expect(before.slots.map((x: { slot_id: string }) => x.slot_id)).toEqual(['A1', 'A2', 'A3']);

    await ack(2, 'applied');
    const list = (await get('/cameras/north-1/calibrations')).json();
    expect(list.find((v: { version: number }) => v.version === 2)).toMatchObject({
      status: 'applied',
      ack: { result: 'applied', reason: null },
    });
    const after = (await s.app.inject({ url: '/api/v1/lots/north/slots' })).json();
    expect(after.slots.map((x: { slot_id: string; label: string }) => [x.slot_id, x.label])).toEqual([
      ['N1', 'N1'],
      ['N2', 'N2'],
      ['N3', 'N3'],
    ]);
    const cams = (await get('/cameras')).json();
    expect(cams.find((c: { camera_id: string }) => c.camera_id === 'north-1')).toMatchObject({
      lot_id: 'north',
      published_version: 2,
      applied_version: 2,
      latest_version: 3,
      frame: { width: 1280, height: 720 },
      camera_moved: false,
      last_ack: { version: 2, result: 'applied' },
    });
  });

  it('keeps a published calibration’s slots after a restart, and re-validates a version before publishing it', async () => {
    // Stricter overlap limits than when version 1 (two slots overlapping 10 %) was saved.
    const again = await startTestServer(
      { calibration: { overlap_warning: 0.01, overlap_error: 0.05 } },
      { listen: false, dataDir: s.dataDir },
    );
    try {
      const slots = (await again.app.inject({ url: '/api/v1/lots/north/slots' })).json().slots;
      expect(slots.map((x: { slot_id: string }) => x.slot_id)).toEqual(['N1', 'N2', 'N3']);
      const otto = await loginStaff(again.app, 'otto'); // the accounts are in the same database
      const publish = (v: number) =>
        call(again.app, otto, { method: 'POST', url: `${API}/cameras/north-1/calibrations/${v}/publish` });
      const refused = await publish(1);
      expect(refused.statusCode).toBe(422);
      expect(refused.json().issues[0]).toMatchObject({ code: 'overlap', severity: 'error', slot_id: 'N1' });
      expect((await publish(42)).statusCode).toBe(404);
    } finally {
      await again.app.close();
    }
  });

  it('imports the shared UFPR05 PKLot XML as the 40 slots of the labelled JSON, and exports it back', async (ctx) => {
    const xml = readFileSync(requireDataset(ctx, 'pklot-ufpr05/sequence0/bounding_boxes/2013-02-24_10_05_04.xml'));
    const json = JSON.parse(
      readFileSync(requireDataset(ctx, 'pklot-ufpr05/sequence0/frames/2013-02-24_10_05_04.json'), 'utf8'),
    ) as { slots: { id: string; polygon: [number, number][] }[] };
    const r = await call(s.app, staff.operator, {
      method: 'POST',
      url: `${API}/cameras/south-1/calibrations/import?format=pklot&width=1280&height=720`,
      headers: { 'content-type': 'application/xml' },
      payload: xml,
    });
    expect(r.statusCode).toBe(200);
    const d = r.json().document;
    expect(d.slots).toHaveLength(40);
    expect(d.camera_id).toBe('south-1');
    expect(d.slots.map((x: { id: string }) => x.id)).toEqual(json.slots.map((x) => x.id));
    d.slots.forEach((x: { polygon: number[][] }, i: number) =>
      x.polygon.forEach(([px, py], k) => {
        expect(px! * 1280).toBeCloseTo(json.slots[i]!.polygon[k]![0], 6);
        expect(py! * 720).toBeCloseTo(json.slots[i]!.polygon[k]![1], 6);
      }),
    );
    expect(r.json().issues.every((i: { severity: string }) => i.severity === 'warning')).toBe(true);

    const labelled = await call(s.app, staff.operator, {
      method: 'POST',
      url: `${API}/cameras/south-1/calibrations/import?format=labelled`,
      headers: { 'content-type': 'application/json' },
      payload: readFileSync(requireDataset(ctx, 'pklot-ufpr05/sequence0/frames/2013-02-24_10_05_04.json')),
    });
    expect(labelled.statusCode).toBe(200);
    expect(labelled.json().document.slots).toHaveLength(40);

    const saved = await post('/cameras/south-1/calibrations', { document: d, note: 'UFPR05' });
    expect(saved.statusCode).toBe(201);
    const v = saved.json().version;
    const exported = await get(`/cameras/south-1/calibrations/${v}/export?format=pklot`);
    expect(exported.headers['content-type']).toMatch(/^application\/xml/);
    expect(exported.headers['content-disposition']).toBe(`attachment; filename="south-1-v${v}.xml"`);
    expect((exported.body.match(/<space /g) ?? []).length).toBe(40);
    const volno = await get(`/cameras/south-1/calibrations/${v}/export?format=volno`);
    const back = await call(s.app, staff.operator, {
      method: 'POST',
      url: `${API}/cameras/south-1/calibrations/import?format=volno`,
      headers: { 'content-type': 'text/plain' },
      payload: volno.body,
    });
    expect(back.json().document).toEqual(d);
  });

  it('answers malformed imports with 400 and their lines, and oversized ones with 413', async () => {
    const bad = await call(s.app, staff.operator, {
      method: 'POST',
      url: `${API}/cameras/north-1/calibrations/import?format=pklot&width=1280&height=720`,
      headers: { 'content-type': 'application/xml' },
      payload: '<!DOCTYPE x [<!ENTITY a "b">]><parking/>',
    });
    expect(bad.statusCode).toBe(400);
    const notJson = await call(s.app, staff.operator, {
      method: 'POST',
      url: `${API}/cameras/north-1/calibrations/import?format=volno`,
      headers: { 'content-type': 'application/json' },
      payload: '{"format": ',
    });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json().code).toBe('VOLNO_CALIBRATION_UNREADABLE');
    const huge = await call(s.app, staff.operator, {
      method: 'POST',
      url: `${API}/cameras/north-1/calibrations/import?format=volno`,
      headers: { 'content-type': 'application/octet-stream' },
      payload: Buffer.alloc(5 * 1024 * 1024, 32),
    });
    expect(huge.statusCode).toBe(413);
  });

  it('answers hostile documents with 4xx, never 5xx', async () => {
    const bodies: unknown[] = [
      { document: null },
      { document: 'x' },
      {
        document: {
          ...doc([]),
          slots: [{ id: 'a', label: 'a', type: 'standard', reservable: false, polygon: [[1e308, 0]] }],
        },
      },
      { document: { ...doc([]), frame_width: -1 } },
      { document: { ...doc([]), slots: Array.from({ length: 1001 }, (_, i) => slot(`s${i}`, 0.1, 0.1)) } },
      {
        document: doc([
          slot('a', 0.1, 0.1, 0.1, {
            polygon: [
              [0.1, 0.1],
              [0.5, 0.5],
              [0.5, 0.1],
              [0.1, 0.5],
            ],
          }),
        ]),
      },
      { document: { ...doc([]), extra: 1 } },
    ];
    for (const b of bodies) {
      const r = await post('/cameras/north-1/calibrations', b);
      expect([400, 422]).toContain(r.statusCode);
    }
    const raw = await call(s.app, staff.operator, {
      method: 'POST',
      url: `${API}/cameras/north-1/calibrations`,
      headers: { 'content-type': 'application/json' },
      payload: '{"document": {"frame_width": NaN}}',
    });
    expect(raw.statusCode).toBe(400);
    const big = await post('/cameras/north-1/calibrations', { document: doc([]), note: 'x'.repeat(5 * 1024 * 1024) });
    expect(big.statusCode).toBe(413);
  });

  it('answers hostile input on every route with a 4xx', async () => {
    const cases: { method: 'GET' | 'POST' | 'PUT'; url: string; payload?: unknown }[] = [
      { method: 'POST', url: '/cameras/north-1/snapshot', payload: { max_width: 10 } },
      { method: 'POST', url: '/cameras/bad%20id/snapshot', payload: {} },
      { method: 'GET', url: '/cameras/north-1/snapshots/..%2F..%2Fetc' },
      {
        method: 'PUT',
        url: '/cameras/north-1/masks',
        payload: {
          masks: Array.from({ length: 65 }, (_, i) => ({
            id: `m${i}`,
            polygon: [
              [0, 0],
              [0.1, 0],
              [0, 0.1],
            ],
          })),
        },
      },
      { method: 'PUT', url: '/cameras/north-1/masks', payload: { masks: 'all of it' } },
      {
        method: 'POST',
        url: '/cameras/north-1/reproject',
        payload: { reference_points: [[0, 0]], current_points: [] },
      },
      {
        method: 'POST',
        url: '/cameras/south-1/reproject',
        payload: {
          reference_points: [
            [0, 0],
            [1, 0],
            [1, 1],
            [0, 1],
          ],
          current_points: [
            [0, 0],
            [1, 0],
            [1, 1],
            ['x', 1],
          ],
        },
      },
      { method: 'GET', url: '/cameras/north-1/calibrations/0' },
      { method: 'GET', url: '/cameras/north-1/calibrations/99999999999' },
      { method: 'GET', url: '/cameras/north-1/calibrations/1/diff?against=abc' },
      { method: 'GET', url: '/cameras/north-1/calibrations/1/export?format=exe' },
      { method: 'POST', url: '/cameras/north-1/calibrations/import?format=pklot', payload: '<parking/>' },
      { method: 'POST', url: '/cameras/north-1/calibrations/1/rollback', payload: { note: 'x'.repeat(501) } },
    ];
    for (const c of cases) {
      const r = await call(s.app, staff.operator, {
        method: c.method,
        url: `${API}${c.url}`,
        ...(c.payload === undefined
          ? {}
          : typeof c.payload === 'string'
            ? { payload: c.payload, headers: { 'content-type': 'application/xml' } }
            : { payload: c.payload as object }),
      });
      expect(r.statusCode, `${c.method} ${c.url}: ${r.body.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
      expect(r.statusCode, `${c.method} ${c.url}: ${r.body.slice(0, 200)}`).toBeLessThan(500);
    }
  });
});
