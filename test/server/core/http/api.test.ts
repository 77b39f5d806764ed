import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../server/core/clock.ts';
import { FakeAgent } from '../../support/messages.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';

let s: TestServer;
let clock: ManualClock;
let agent: FakeAgent;

const send = async (m: { topic: string; payload: string }) => {
  s.app.volno.ingestor.handle(m.topic, Buffer.from(m.payload), false);
  await s.app.volno.writer.flush();
};
const get = (url: string, headers: Record<string, string> = {}) => s.app.inject({ method: 'GET', url, headers });

beforeAll(async () => {
  // Twenty minutes into an hour (the previous one, so never in the future): the history test ticks the
  // sampler a minute apart and expects both samples in one hourly bucket, which a start in an hour's last
  // minute would split (it failed so in CI at 05:00).
  const hour = 3_600_000;
  clock = new ManualClock(Math.floor(Date.now() / hour) * hour - hour + 20 * 60_000);
  s = await startTestServer({}, { clock, listen: false });
  agent = new FakeAgent('agent-1', 'session-aaaaaaaa', () => clock.now());
  await send(agent.availability('online'));
  await send(agent.slotState('north-1', 'A1', 'free'));
  await send(agent.slotState('north-1', 'A2', 'occupied'));
});
afterAll(() => s.stop());

describe('lots and availability', () => {
  it('lists the configured lots with their slot totals per type', async () => {
    const r = await get('/api/v1/lots');
    expect(r.statusCode).toBe(200);
    const { lots } = r.json();
    expect(lots.map((l: { lot_id: string }) => l.lot_id)).toEqual(['north', 'south']);
    expect(lots[0]).toMatchObject({ name: 'Severní parkoviště', name_en: 'North car park', total: 3, reservable: 1 });
    expect(lots[0].by_type).toEqual({ standard: 1, disabled: 1, ev: 1, visitor: 0, staff: 0 });
  });

  it('answers a lot’s availability with counts per state and per slot type', async () => {
    const r = await get('/api/v1/lots/north/availability');
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({
      lot_id: 'north',
      total: 3,
      free: 1,
      occupied: 1,
      unknown: 1,
      reserved: 0,
      stale_slots: 0,
      by_type: {
        standard: { total: 1, free: 1, occupied: 0, unknown: 0, reserved: 0 },
        disabled: { total: 1, free: 0, occupied: 1, unknown: 0, reserved: 0 },
        ev: { total: 1, free: 0, occupied: 0, unknown: 1, reserved: 0 },
      },
    });
    expect(r.headers['cache-control']).toMatch(/max-age=\d/);
  });

  it('answers 304 to a matching If-None-Match and a new ETag once the counts change', async () => {
    const first = await get('/api/v1/lots/north/availability');
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^".+"$/);
    const again = await get('/api/v1/lots/north/availability', { 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    clock.advance(1000);
    await send(agent.slotState('north-1', 'A3', 'free'));
    const changed = await get('/api/v1/lots/north/availability', { 'if-none-match': etag });
    expect(changed.statusCode).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
    expect(changed.json().free).toBe(2);
  });

  it('gives every slot its freshness: age and a stale flag', async () => {
    clock.advance(12_000);
    const { slots } = (await get('/api/v1/lots/north/slots')).json();
    expect(slots[0]).toMatchObject({ slot_id: 'A1', label: 'A1', state: 'free', stale: false, row: 1, col: 1 });
    expect(slots[0].age_s).toBeGreaterThanOrEqual(12);
    expect(slots[0]).not.toHaveProperty('reason');
  });

  it('answers errors as JSON with stable codes', async () => {
    const missing = await get('/api/v1/lots/nowhere/availability');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'VOLNO_LOT_NOT_FOUND', status: 404 });
    const bad = await get('/api/v1/lots/bad.id/availability');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'VOLNO_BAD_REQUEST' });
    expect(bad.json().details[0]).toMatch(/^params\/lot_id: /);
    const noRoute = await get('/api/v1/nothing-here');
    expect(noRoute.json()).toMatchObject({ code: 'VOLNO_NOT_FOUND', status: 404 });
  });
});

describe('history for charts', () => {
  it('answers hourly points and the typical day from sampled counts', async () => {
    await s.app.volno.sampler.tick();
    clock.advance(60_000);
    await s.app.volno.sampler.tick();
    const history = await get('/api/v1/lots/north/history?bucket=hour');
    expect(history.statusCode).toBe(200);
    const { points, timezone } = history.json();
    expect(timezone).toBe('Europe/Prague');
    expect(points.at(-1)).toMatchObject({
      samples: 2,
      occupancy_ratio: expect.any(Number),
      free_min: expect.any(Number),
    });
    const days = (await get('/api/v1/lots/north/history?bucket=day')).json().points;
    expect(days.at(-1).start).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const stats = (await get('/api/v1/lots/north/stats?days=7')).json();
    expect(stats.by_hour).toHaveLength(24);
    expect(stats.by_weekday).toHaveLength(7);
    expect(stats.peak_hour).toEqual(expect.any(Number));
    const tooLong = await get(
      '/api/v1/lots/north/history?bucket=hour&from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z',
    );
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json().code).toBe('VOLNO_BAD_REQUEST');
  });
});

describe('staff endpoints', () => {
  it('serve agent and camera health to requests from this machine', async () => {
    await send(agent.summary('north-1', { free: 2, occupied: 1, unknown: 0 }));
    await send(agent.heartbeat(15, ['north-1']));
    const agents = (await get('/api/v1/health/agents')).json().agents;
    expect(agents).toEqual([
      expect.objectContaining({
        agent_id: 'agent-1',
        status: 'online',
        restarts: 0,
        heartbeat_interval_s: 15,
        process: { cpu_percent: 12.5, rss_bytes: 120_000_000, heap_used_bytes: 40_000_000 },
      }),
    ]);
    const cameras = (await get('/api/v1/health/cameras')).json().cameras;
    expect(cameras.find((c: { camera_id: string }) => c.camera_id === 'north-1')).toMatchObject({
      lot_id: 'north',
      agent_id: 'agent-1',
      stream: { status: 'ok', fps: 1 },
      summary: { free: 2, occupied: 1, unknown: 0, total: 3 },
    });
  });

  it('list slots that agents report but no lot contains', async () => {
    await send(agent.slotState('west-9', 'X1', 'occupied'));
    const { slots } = (await get('/api/v1/health/unassigned-slots')).json();
    expect(slots).toEqual([
      expect.objectContaining({ camera_id: 'west-9', slot_id: 'X1', state: 'occupied', agent_id: 'agent-1' }),
    ]);
    expect((await get('/api/v1/lots')).json().lots.map((l: { total: number }) => l.total)).toEqual([3, 1]);
  });

  it('refuse requests from other machines when no staff token is configured', async () => {
    const r = await s.app.inject({ method: 'GET', url: '/api/v1/health/agents', remoteAddress: '203.0.113.7' });
    expect(r.statusCode).toBe(403);
    expect(r.json().code).toBe('VOLNO_FORBIDDEN');
  });

  it('export Prometheus metrics including rejected messages by reason', async () => {
    s.app.volno.ingestor.handle('volno/v1/krajsky-urad/camera/north-1/slot/A1/state', Buffer.from('nope'), false);
    const r = await get('/metrics');
    expect(r.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(r.body).toContain('volno_ingest_rejected_total{reason="not_json"} 1');
    expect(r.body).toMatch(/volno_lot_slots\{lot="north",state="free"\} \d/);
    expect(r.body).toContain('# TYPE volno_ingest_received_total counter');
  });

  it('list one slot’s transitions', async () => {
    const r = await get('/api/v1/slots/north-1/A3/transitions');
    expect(r.statusCode).toBe(200);
    expect(r.json().transitions).toEqual([
      expect.objectContaining({ from_state: null, to_state: 'free', source: 'agent' }),
    ]);
    expect((await get('/api/v1/slots/north-1/ZZ/transitions')).json().code).toBe('VOLNO_SLOT_NOT_FOUND');
  });
});

describe('with a staff token', () => {
  it('asks for the bearer token, even from this machine', async () => {
    const t = await startTestServer({ http: { staff_token: 'a-long-enough-staff-token' } }, { listen: false });
    try {
      expect((await t.app.inject({ url: '/metrics' })).statusCode).toBe(401);
      const wrong = await t.app.inject({
        url: '/metrics',
        headers: { authorization: 'Bearer a-long-enough-staff-tokeX' },
      });
      expect(wrong.statusCode).toBe(401);
      expect(wrong.headers['www-authenticate']).toMatch(/^Bearer/);
      const right = await t.app.inject({
        url: '/api/v1/health/agents',
        remoteAddress: '203.0.113.7',
        headers: { authorization: 'Bearer a-long-enough-staff-token' },
      });
      expect(right.statusCode).toBe(200);
    } finally {
      await t.stop();
    }
  });
});

describe('documentation and probes', () => {
  it('serves the OpenAPI document at /docs/json and the UI at /docs', async () => {
    const doc = (await get('/docs/json')).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/lots/{lot_id}/availability',
        '/api/v1/live',
        '/api/v1/opendata/datex2',
        '/api/v1/opendata/parkapi',
        '/metrics',
      ]),
    );
    const availability = doc.paths['/api/v1/lots/{lot_id}/availability'].get;
    expect(Object.keys(availability.responses)).toEqual(expect.arrayContaining(['200', '400', '404']));
    expect((await get('/docs')).statusCode).toBeLessThan(400);
  });

  it('answers the liveness probe', async () => {
    expect((await get('/healthz')).json()).toEqual({ status: 'ok', mqtt_connected: true });
  });
});
