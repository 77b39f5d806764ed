// Snapshots over the real embedded broker, answered by an MQTT client that speaks the protocol
// like an agent, so the image content is known pixel by pixel.
import type { MqttClient } from 'mqtt';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildTopic, decodeMessage, encodeMessage, parseTopic, topicFilter } from '../../../protocol/index.ts';
import { waitFor } from '../../fixtures/process.ts';
import { PREFIX, SITE } from '../support/messages.ts';
import { publisher, startTestServer, type TestServer } from '../support/server.ts';
import { API, call, doc, logInStaff, slot, type Staff } from './support.ts';

const W = 320;
const H = 180;
let s: TestServer;
let staff: Staff;
let agent: MqttClient;
/** How the fake agent answers the next requests. */
let mode: 'ok' | 'error' | 'garbage' | 'silent' = 'ok';
let seq = 0;
const heard: string[] = [];

/** A checkerboard of 2-pixel squares: every 12-pixel block has high variance until pixelated. */
async function checkerboard(): Promise<Buffer> {
  const data = Buffer.alloc(W * H * 3);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) data.fill(((x >> 1) + (y >> 1)) % 2 ? 255 : 0, (y * W + x) * 3, (y * W + x) * 3 + 3);
  return sharp(data, { raw: { width: W, height: H, channels: 3 } })
    .jpeg({ quality: 95 })
    .toBuffer();
}

/** Standard deviation of the red channel over a box of a decoded JPEG. */
async function stdev(jpeg: Buffer, x0: number, y0: number, size: number): Promise<number> {
  const { data, info } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
  let sum = 0;
  let sq = 0;
  for (let y = y0; y < y0 + size; y++)
    for (let x = x0; x < x0 + size; x++) {
      const v = data[(y * info.width + x) * info.channels]!;
      sum += v;
      sq += v * v;
    }
  const n = size * size;
  return Math.sqrt(sq / n - (sum / n) ** 2);
}

beforeAll(async () => {
  s = await startTestServer({ calibration: { snapshot_timeout_ms: 400 } }, { listen: false });
  staff = await logInStaff(s.app);
  const image = (await checkerboard()).toString('base64');
  agent = await publisher(s.mqttUrl);
  await agent.subscribeAsync(topicFilter('snapshot_request', { site: SITE }, PREFIX), { qos: 1 });
  agent.on('message', (topic, payload) => {
    const parsed = parseTopic(topic, PREFIX);
    const req = decodeMessage('snapshot_request', payload);
    if (parsed?.kind !== 'snapshot_request' || !req.ok) return;
    heard.push(req.value.request_id);
    if (mode === 'silent') return;
    const base = {
      agent_id: 'agent-1',
      session_id: 'session-aaaaaaaa',
      seq: seq++,
      sent_at: new Date().toISOString(),
      camera_id: req.value.camera_id,
      request_id: req.value.request_id,
    };
    const reply =
      mode === 'error'
        ? { ...base, result: 'error' as const, error: 'no recent frame (stream down)' }
        : {
            ...base,
            result: 'ok' as const,
            captured_at: new Date().toISOString(),
            width: W,
            height: H,
            jpeg_base64: mode === 'garbage' ? Buffer.from('not a jpeg at all').toString('base64') : image,
          };
    const topicOut = buildTopic(
      'snapshot_reply',
      { site: SITE, camera: req.value.camera_id, request: req.value.request_id },
      PREFIX,
    );
    void agent.publishAsync(topicOut, encodeMessage('snapshot_reply', reply), { qos: 1 });
  });
});
afterAll(async () => {
  await agent?.endAsync();
  await s.stop();
});
beforeEach(() => {
  mode = 'ok';
});

const snap = (camera = 'north-1') =>
  call(s.app, staff.operator, { method: 'POST', url: `${API}/cameras/${camera}/snapshot`, payload: {} });
const image = (url: string) => call(s.app, staff.viewer, { method: 'GET', url: `${API}${url}` });

describe('camera snapshots for staff', () => {
  it('asks the agent over MQTT and serves the frame to staff only, never cached', async () => {
    const r = await snap();
    expect(r.statusCode).toBe(201);
    const body = r.json();
    expect(body).toMatchObject({ width: W, height: H });
    expect(heard).toHaveLength(1);
    const img = await image(`/cameras/north-1/snapshots/${body.snapshot_id}`);
    expect(img.statusCode).toBe(200);
    expect(img.headers['content-type']).toBe('image/jpeg');
    expect(img.headers['cache-control']).toBe('no-store');
    expect((await sharp(img.rawPayload).metadata()).width).toBe(W);
    const anonymous = await s.app.inject({ url: `${API}/cameras/north-1/snapshots/${body.snapshot_id}` });
    expect(anonymous.statusCode).toBe(401);
    // Another camera's id does not reach it.
    expect((await image(`/cameras/south-1/snapshots/${body.snapshot_id}`)).statusCode).toBe(404);
  });

  it('pixelates the privacy masks in every snapshot shown, including those taken before the masks changed', async () => {
    const before = (await snap()).json().snapshot_id as string;
    const raw = (await image(`/cameras/north-1/snapshots/${before}`)).rawPayload;
    expect(await stdev(raw, 24, 24, 24)).toBeGreaterThan(60);

    const put = await call(s.app, staff.operator, {
      method: 'PUT',
      url: `${API}/cameras/north-1/masks`,
      payload: {
        masks: [
          {
            id: 'window',
            label: 'office window',
            polygon: [
              [0, 0],
              [0.5, 0],
              [0.5, 0.5],
              [0, 0.5],
            ],
          },
        ],
      },
    });
    expect(put.statusCode).toBe(200);
    const masks = await image('/cameras/north-1/masks');
    expect(masks.json()).toMatchObject({ source: 'camera', updated_by: 'otto', masks: [{ id: 'window' }] });

    // Blocks are 12 px (max(12, 320/40)); 24..48 covers two whole blocks inside the mask.
    const old = (await image(`/cameras/north-1/snapshots/${before}`)).rawPayload;
    expect(await stdev(old, 24, 24, 12)).toBeLessThan(8);
    const fresh = (await snap()).json().snapshot_id as string;
    const masked = (await image(`/cameras/north-1/snapshots/${fresh}`)).rawPayload;
    expect(await stdev(masked, 24, 24, 12)).toBeLessThan(8);
    expect(await stdev(masked, 36, 36, 12)).toBeLessThan(8);
    // Outside the mask the picture is untouched.
    expect(await stdev(masked, 240, 120, 24)).toBeGreaterThan(60);
    const latest = await image('/cameras/north-1/snapshots/latest');
    expect(latest.headers['x-snapshot-id']).toBe(fresh);
  });

  it('refuses a self-intersecting mask with a 422 that names it', async () => {
    const r = await call(s.app, staff.operator, {
      method: 'PUT',
      url: `${API}/cameras/north-1/masks`,
      payload: {
        masks: [
          {
            id: 'bow',
            polygon: [
              [0, 0],
              [0.5, 0.5],
              [0.5, 0],
              [0, 0.5],
            ],
          },
        ],
      },
    });
    expect(r.statusCode).toBe(422);
    expect(r.json().issues[0]).toMatchObject({ code: 'self_intersection', mask_ids: ['bow'] });
    const bad = await call(s.app, staff.operator, {
      method: 'PUT',
      url: `${API}/cameras/north-1/masks`,
      payload: {
        masks: [
          {
            id: 'x',
            polygon: [
              [0, 0],
              ['a', 1],
            ],
          },
        ],
      },
    });
    expect(bad.statusCode).toBe(400);
  });

  it('answers 504 when the agent stays silent, 502 when it reports an error or sends a broken image', async () => {
    mode = 'silent';
    const silent = await snap();
    expect(silent.statusCode).toBe(504);
    expect(silent.json().code).toBe('VOLNO_SNAPSHOT_TIMEOUT');
    mode = 'error';
    const failed = await snap();
    expect(failed.statusCode).toBe(502);
    expect(failed.json().message).toMatch(/stream down/);
    mode = 'garbage';
    const garbage = await snap();
    expect(garbage.statusCode).toBe(502);
    expect(garbage.json().code).toBe('VOLNO_SNAPSHOT_FAILED');
    expect((await snap('nowhere')).statusCode).toBe(404);
  });

  it('counts a reply nobody asked for as ignored and keeps nothing of it', async () => {
    const ignored = () => s.app.volno.metrics.ignored.get({ reason: 'snapshot_reply' });
    const before = ignored();
    const requestId = 'unasked-0123456789';
    const reply = {
      agent_id: 'agent-1',
      session_id: 'session-aaaaaaaa',
      seq: seq++,
      sent_at: new Date().toISOString(),
      camera_id: 'north-1',
      request_id: requestId,
      result: 'ok' as const,
      captured_at: new Date().toISOString(),
      width: W,
      height: H,
      jpeg_base64: (await checkerboard()).toString('base64'),
    };
    const count = s.app.volno.calibration.snapshots.size.count;
    await agent.publishAsync(
      buildTopic('snapshot_reply', { site: SITE, camera: 'north-1', request: requestId }, PREFIX),
      encodeMessage('snapshot_reply', reply),
      { qos: 1 },
    );
    await waitFor(
      async () => {
        await s.app.volno.writer.flush();
        return ignored() > before;
      },
      { timeoutMs: 5000, what: 'the reply counted as ignored' },
    );
    expect(s.app.volno.calibration.snapshots.size.count).toBe(count);
  });

  it('sends the newest snapshot as reference with a publish and serves it for camera-moved comparison', async () => {
    await snap();
    // A 16:9 document, as the snapshot: the reference goes along.
    const saved = await call(s.app, staff.operator, {
      method: 'POST',
      url: `${API}/cameras/north-1/calibrations`,
      payload: { document: doc([slot('R1', 0.6, 0.6, 0.2)]) },
    });
    const v = saved.json().version as number;
    const watcher = await publisher(s.mqttUrl);
    try {
      const got: Buffer[] = [];
      watcher.on('message', (_t, p) => got.push(p));
      await watcher.subscribeAsync(buildTopic('calibration', { site: SITE, camera: 'north-1' }, PREFIX), { qos: 1 });
      const pub = await call(s.app, staff.operator, {
        method: 'POST',
        url: `${API}/cameras/north-1/calibrations/${v}/publish`,
      });
      expect(pub.statusCode).toBe(202);
      await waitFor(() => got.length > 0, { timeoutMs: 5000, what: 'the calibration on MQTT' });
      const payload = decodeMessage('calibration', got.at(-1)!);
      expect(payload.ok).toBe(true);
      if (!payload.ok) return;
      expect(payload.value).toMatchObject({
        camera_id: 'north-1',
        version: v,
        privacy_masks: [
          [
            [0, 0],
            [0.5, 0],
            [0.5, 0.5],
            [0, 0.5],
          ],
        ],
      });
      expect(payload.value.reference_jpeg_base64).toBeDefined();
      const ref = await image('/cameras/north-1/reference');
      expect(ref.statusCode).toBe(200);
      expect(ref.headers['cache-control']).toBe('no-store');
      expect(ref.rawPayload.equals(Buffer.from(payload.value.reference_jpeg_base64!, 'base64'))).toBe(true);
    } finally {
      await watcher.endAsync();
    }
  });

  it('recovers the reference after a restart from the broker’s retained calibration, never from disk', async () => {
    // A second server on the same broker knows nothing but what the broker kept.
    // It logs in with the server's account: the embedded broker keeps server client ids and topics for it.
    const other = await startTestServer(
      { mqtt: { broker_url: s.mqttUrl, ...s.app.volno.broker!.serverCredentials } },
      { listen: false },
    );
    try {
      const who = await logInStaff(other.app);
      const ref = await waitFor(
        async () => {
          const r = await call(other.app, who.viewer, { method: 'GET', url: `${API}/cameras/north-1/reference` });
          return r.statusCode === 200 ? r : null;
        },
        { timeoutMs: 5000, intervalMs: 50, what: 'the retained reference' },
      );
      const mine = await image('/cameras/north-1/reference');
      expect(ref.rawPayload.equals(mine.rawPayload)).toBe(true);
      expect(ref.headers['x-calibration-version']).toBe(mine.headers['x-calibration-version']);
    } finally {
      await other.stop();
    }
  });

  it('re-projects every polygon with the homography of four reference points', async () => {
    const body = {
      reference_points: [
        [0.1, 0.1],
        [0.9, 0.1],
        [0.9, 0.9],
        [0.1, 0.9],
      ],
      current_points: [
        [0.15, 0.1],
        [0.95, 0.1],
        [0.95, 0.9],
        [0.15, 0.9],
      ],
      document: doc([slot('M1', 0.2, 0.2, 0.1)]),
    };
    const r = await call(s.app, staff.operator, {
      method: 'POST',
      url: `${API}/cameras/north-1/reproject`,
      payload: body,
    });
    expect(r.statusCode).toBe(200);
    const p = r.json().document.slots[0].polygon as number[][];
    expect(p[0]![0]).toBeCloseTo(0.25, 9);
    expect(p[0]![1]).toBeCloseTo(0.2, 9);
    expect(r.json().homography).toHaveLength(9);
    const collinear = await call(s.app, staff.operator, {
      method: 'POST',
      url: `${API}/cameras/north-1/reproject`,
      payload: {
        ...body,
        current_points: [
          [0.1, 0.1],
          [0.2, 0.2],
          [0.3, 0.3],
          [0.4, 0.5],
        ],
      },
    });
    expect(collinear.statusCode).toBe(422);
    expect(collinear.json().code).toBe('VOLNO_HOMOGRAPHY_DEGENERATE');
    const nonsense = await call(s.app, staff.operator, {
      method: 'POST',
      url: `${API}/cameras/north-1/reproject`,
      payload: {
        ...body,
        current_points: [
          [1e300, 0],
          [0, 0],
          [1, 1],
          [0, 1],
        ],
      },
    });
    expect(nonsense.statusCode).toBe(400);
  });
});
