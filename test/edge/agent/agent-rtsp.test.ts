// The agent end to end with real parts: GStreamer RTSP servers, ffmpeg, the project's ONNX model,
// Mosquitto. Three cameras in one agent:
// - `timelapse` streams the UFPR05 timelapse (mostly an empty lot, so its counts are mostly 0);
// - `busy` streams the labelled UFPR05 frames of sequence 4 (8 to 40 cars), so counts really change;
// - `knocked` streams the timelapse translated 5 % left and up with ffmpeg: a camera that was hit.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect } from 'vitest';
import { buildTopic } from '../../../protocol/index.ts';
import { loadOccupancyModel } from '../../../edge/vision/index.ts';
import { test } from '../../fixtures/index.ts';
import { requireDataset } from '../../support/datasets.ts';
import { startAgent, MODELS_DIR, type RunningAgent } from '../support/agent.ts';
import { encodeClip } from '../support/clips.ts';
import { jpegOf, videoFrames } from '../support/frames.ts';
import { Recorder } from '../support/mqtt.ts';
import { ufpr05Calibration, UFPR05_VIDEO } from '../support/ufpr05.ts';
import { waitFor } from '../support/wait.ts';

const MODEL = 'volno-slotnet-v1';
const SITE = 'site-1';
const topic = (kind: Parameters<typeof buildTopic>[0], params: Record<string, string>) =>
  buildTopic(kind, { site: SITE, ...params });

let running: RunningAgent | undefined;
let recorder: Recorder | undefined;
afterEach(async () => {
  await running?.stop();
  await recorder?.stop();
  running = recorder = undefined;
});

/** Occupied counts the model gives for every frame of a clip, decoded exactly as the agent decodes it. */
async function modelCounts(clip: string, frames: number, polygons: [number, number][][]): Promise<number[]> {
  const model = await loadOccupancyModel(join(MODELS_DIR, MODEL));
  try {
    const out: number[] = [];
    for (const f of videoFrames(
      clip,
      Array.from({ length: frames }, (_, i) => i),
      1280,
      720,
    )) {
      const p = await model.classify(f, polygons);
      out.push([...p].filter((v) => v >= model.threshold).length);
    }
    return out;
  } finally {
    await model.close();
  }
}

describe('the edge agent with real cameras, model and broker', () => {
  test('publishes the model’s counts, reports a knocked camera as moved, and rejects a malformed calibration', async ({
    mosquitto,
    rtsp,
    skip,
  }) => {
    const ctx = { skip };
    if (!existsSync(join(MODELS_DIR, MODEL, 'model.json'))) return skip(`model ${MODEL} is not built`);
    const video = requireDataset(ctx, UFPR05_VIDEO);
    const seq4 = requireDataset(ctx, 'pklot-ufpr05/sequence4/frames');
    const tmp = mkdtempSync(join(tmpdir(), 'volno-clips-'));
    const [busyClip, knockedClip] = await Promise.all([
      encodeClip(join(tmp, 'busy.mp4'), ['-framerate', '1', '-pattern_type', 'glob', '-i', join(seq4, '*.png')]),
      encodeClip(join(tmp, 'knocked.mp4'), ['-t', '20', '-i', video], 'crop=1216:684:64:36,pad=1280:720:0:0'),
    ]);
    const [camTimelapse, camBusy, camKnocked] = await Promise.all([
      rtsp({ video }),
      rtsp({ video: busyClip }),
      rtsp({ video: knockedClip }),
    ]);

    // Calibrations arrive the way the server sends them: retained on the calibration topic.
    recorder = await new Recorder(mosquitto.url).start();
    const reference = await jpegOf(videoFrames(video, [0], 1280, 720)[0]!);
    for (const cameraId of ['timelapse', 'busy', 'knocked']) {
      const cal = ufpr05Calibration(ctx, { cameraId, ...(cameraId !== 'busy' && { referenceJpeg: reference }) });
      await recorder.publish(topic('calibration', { camera: cameraId }), JSON.stringify(cal), true);
    }
    const polygons = ufpr05Calibration(ctx, { cameraId: 'x' }).slots.map((s) =>
      s.polygon.map(([x, y]) => [x! * 1280, y! * 720] as [number, number]),
    );
    const [expectTimelapse, expectBusy] = await Promise.all([
      modelCounts(video, 60, polygons),
      modelCounts(busyClip, 10, polygons),
    ]);

    const camera = (id: string, url: string, extra: string) => `
  - id: ${id}
    source: { type: rtsp, url: "${url}", timeout_s: 5 }
    sample_rate_fps: 2
    model: ${MODEL}
    delays: { enter_s: 0, exit_s: 0 }
    frame_ttl_s: 5
    reconnect: { initial_s: 0.2, max_s: 1 }
    ${extra}`;
    running = await startAgent(`
version: 1
site_id: ${SITE}
agent_id: agent-1
models_dir: ${MODELS_DIR}
intervals: { heartbeat_s: 1, stats_s: 2, refresh_s: 2 }
mqtt: { url: "${mosquitto.url}", reconnect_period_s: 0.2 }
cameras:${camera('timelapse', camTimelapse.url, 'shift: { interval_s: 0, confirm_checks: 2 }')}${camera('busy', camBusy.url, 'shift: { enabled: false }')}${camera('knocked', camKnocked.url, 'shift: { interval_s: 0, confirm_checks: 2 }')}
`);
    const rec = recorder;
    const summaries = (cameraId: string) =>
      rec
        .of('camera_summary')
        .filter((h) => h.payload['camera_id'] === cameraId)
        .map((h) => h.payload);
    const known = (s: Record<string, unknown>) =>
      s['total'] === 40 && s['unknown'] === 0 && (s['stream'] as { status: string }).status === 'ok';

    for (const cameraId of ['timelapse', 'busy', 'knocked']) {
      await waitFor(() => rec.latest('calibration_ack').get(topic('calibration_ack', { camera: cameraId })), {
        timeoutMs: 10_000,
        what: `ack of ${cameraId}`,
      });
      expect(rec.latest('calibration_ack').get(topic('calibration_ack', { camera: cameraId }))).toMatchObject({
        version: 1,
        result: 'applied',
      });
    }

    // Counts of frames the agent judged are counts the model gives for frames of that stream.
    await waitFor(
      () =>
        new Set(
          summaries('busy')
            .filter(known)
            .map((s) => s['occupied']),
        ).size >= 3,
      { timeoutMs: 40_000, what: 'three different counts on busy' },
    );
    await waitFor(() => summaries('timelapse').some(known), { timeoutMs: 20_000, what: 'a judged timelapse frame' });
    for (const s of summaries('busy').filter(known)) expect(expectBusy).toContain(s['occupied']);
    for (const s of summaries('timelapse').filter(known)) expect(expectTimelapse).toContain(s['occupied']);
    const states = [...rec.latest('slot_state').values()].filter((p) => p['camera_id'] === 'timelapse');
    expect(states).toHaveLength(40);
    expect(states.every((p) => p['model_id'] === MODEL && p['calibration_version'] === 1)).toBe(true);

    // The knocked camera: moved, and its slots unknown rather than wrong.
    await waitFor(
      () =>
        summaries('knocked').some(
          (s) => (s['stream'] as { status: string }).status === 'camera_moved' && s['unknown'] === 40,
        ),
      {
        timeoutMs: 20_000,
        what: 'camera_moved on knocked',
      },
    );
    const knockedStates = [...rec.latest('slot_state').values()].filter((p) => p['camera_id'] === 'knocked');
    expect(knockedStates.every((p) => p['state'] === 'unknown' && p['reason'] === 'camera_moved')).toBe(true);
    expect(summaries('timelapse').some((s) => (s['stream'] as { status: string }).status === 'camera_moved')).toBe(
      false,
    );

    // A malformed version 2 is rejected with its reason; version 1 stays in force.
    const bad = ufpr05Calibration(ctx, { cameraId: 'timelapse', version: 2, referenceJpeg: reference });
    bad.slots[0]!.polygon = [
      [0.1, 0.1],
      [0.2, 0.2],
      [0.2, 0.1],
      [0.1, 0.2],
    ];
    await rec.publish(topic('calibration', { camera: 'timelapse' }), JSON.stringify(bad), true);
    await waitFor(
      () => rec.latest('calibration_ack').get(topic('calibration_ack', { camera: 'timelapse' }))?.['version'] === 2,
      { timeoutMs: 10_000, what: 'ack of v2' },
    );
    expect(rec.latest('calibration_ack').get(topic('calibration_ack', { camera: 'timelapse' }))).toMatchObject({
      result: 'rejected',
      reason: expect.stringContaining('/slots/0/polygon: edges 0 and 2 cross'),
    });
    const ackSeq = rec.latest('calibration_ack').get(topic('calibration_ack', { camera: 'timelapse' }))![
      'seq'
    ] as number;
    await waitFor(() => summaries('timelapse').some((s) => (s['seq'] as number) > ackSeq), {
      timeoutMs: 10_000,
      what: 'a refresh after the rejection',
    });
    expect(
      summaries('timelapse')
        .filter((s) => (s['seq'] as number) > ackSeq)
        .every((s) => s['calibration_version'] === 1),
    ).toBe(true);

    // Staff ask for a snapshot to calibrate: a fresh, downscaled JPEG comes back on the reply topic.
    const requestId = 'req-00000001';
    const request = {
      camera_id: 'timelapse',
      request_id: requestId,
      requested_at: new Date().toISOString(),
      max_width: 640,
    };
    await rec.publish(topic('snapshot_request', { camera: 'timelapse' }), JSON.stringify(request));
    await waitFor(() => rec.of('snapshot_reply').length > 0, { timeoutMs: 10_000, what: 'a snapshot reply' });
    const reply = rec.of('snapshot_reply')[0]!;
    expect(reply.topic).toBe(topic('snapshot_reply', { camera: 'timelapse', request: requestId }));
    expect(reply.payload).toMatchObject({ result: 'ok', width: 640, height: 360 });
    expect(Buffer.from(reply.payload['jpeg_base64'] as string, 'base64').subarray(0, 2)).toEqual(
      Buffer.from([0xff, 0xd8]),
    );
    expect(rec.invalid).toEqual([]);
  });
});
