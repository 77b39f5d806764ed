import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Value } from 'typebox/value';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CameraPipeline } from '../../../edge/camera/camera-pipeline.ts';
import { CameraConfig } from '../../../edge/config/schema.ts';
import type { CameraState } from '../../../edge/occupancy/state-store.ts';
import type { RgbFrame } from '../../../edge/vision/types.ts';
import { captureLog } from '../support/capture-log.ts';
import { imageFrame, mapFrame } from '../support/frames.ts';
import { pattern, ScriptedModel } from '../support/models.ts';
import { ScriptedSource } from '../support/scripted-source.ts';
import { labelledFrames, ufpr05Calibration } from '../support/ufpr05.ts';

const T0 = Date.parse('2026-11-30T08:00:00.000Z');
let day: RgbFrame;

function camera(extra: Record<string, unknown> = {}): CameraConfig {
  return Value.Default(CameraConfig, {
    id: 'cam-a',
    source: { type: 'rtsp', url: 'rtsp://cam/s' },
    model: 'scripted-v1',
    delays: { enter_s: 2, exit_s: 5 },
    frame_ttl_s: 10,
    quality: { confirm_frames: 1 },
    shift: { enabled: false },
    ...extra,
  }) as CameraConfig;
}

function pipeline(opts: { model?: ScriptedModel; restored?: CameraState; cam?: CameraConfig } = {}) {
  const model = opts.model ?? new ScriptedModel(pattern((i) => i < 10));
  let source!: ScriptedSource;
  const changed: string[] = [];
  let summaries = 0;
  const p = new CameraPipeline({
    camera: opts.cam ?? camera(),
    model,
    continuityMs: 120_000,
    stateDir: mkdtempSync(join(tmpdir(), 'volno-pipe-')),
    log: captureLog().log,
    restored: opts.restored,
    events: { slotsChanged: (_c, ids) => changed.push(...ids), summaryChanged: () => summaries++ },
    createSource: (listener) => (source = new ScriptedSource(listener)),
  });
  return { p, source, model, changed, summaries: () => summaries };
}

/** Emits `frame` once per second for `seconds` seconds of fake time, letting the pipeline work. */
async function play(source: ScriptedSource, frame: RgbFrame, seconds: number): Promise<void> {
  for (let i = 0; i < seconds; i++) {
    source.emit(frame, Date.now());
    await vi.advanceTimersByTimeAsync(1000);
  }
}

describe('the camera pipeline', () => {
  beforeEach(async (ctx) => {
    day ??= await imageFrame(labelledFrames(ctx)[0]!.path);
    vi.useFakeTimers({ now: T0 });
  });
  afterEach(() => vi.useRealTimers());

  it('reports states after their delays and every slot unknown once no frame came within the TTL', async (ctx) => {
    const { p, source } = pipeline();
    expect(await p.applyCalibration(JSON.stringify(ufpr05Calibration(ctx, { cameraId: 'cam-a' })), 'file')).toEqual({
      result: 'applied',
      version: 1,
    });
    await p.start();
    await play(source, day, 3);
    expect(p.slots.counts()).toEqual({ free: 0, occupied: 10, unknown: 30, total: 40 }); // enter 2 s < exit 5 s
    await play(source, day, 4);
    expect(p.slots.counts()).toEqual({ free: 30, occupied: 10, unknown: 0, total: 40 });
    expect(p.health()).toEqual({ status: 'ok' });

    source.setStatus('stalled', 'stream ended (exit code 1); reconnecting');
    await vi.advanceTimersByTimeAsync(9000);
    expect(p.slots.counts().unknown).toBe(0); // still within the TTL: a short hiccup changes nothing
    await vi.advanceTimersByTimeAsync(2000);
    expect(p.slots.counts()).toMatchObject({ unknown: 40 });
    expect(p.slots.report('1')).toMatchObject({ state: 'unknown', reason: 'stream_down' });
    expect(p.health().status).toBe('stalled');

    await play(source, day, 1); // back within the continuity bound: old states and since return at once
    expect(p.slots.counts()).toEqual({ free: 30, occupied: 10, unknown: 0, total: 40 });
    expect(p.slots.report('1')!.since).toBe(T0);
    await p.stop();
  });

  it('never judges a picture that is too dark: slots go unknown with that reason', async (ctx) => {
    const { p, source } = pipeline();
    await p.applyCalibration(JSON.stringify(ufpr05Calibration(ctx, { cameraId: 'cam-a' })), 'file');
    await p.start();
    await play(source, day, 7);
    await play(
      source,
      mapFrame(day, (v) => v * 0.1),
      1,
    );
    expect(p.slots.report('20')).toMatchObject({ state: 'unknown', reason: 'too_dark' });
    expect(p.health()).toMatchObject({ status: 'unusable', detail: expect.stringMatching(/^too dark/) });
    await p.stop();
  });

  it('keeps the calibration in force when a malformed one arrives, and applies a new version without restarting the source', async (ctx) => {
    const { p, source } = pipeline();
    await p.applyCalibration(JSON.stringify(ufpr05Calibration(ctx, { cameraId: 'cam-a' })), 'topic');
    await p.start();
    await play(source, day, 7);
    const bad = ufpr05Calibration(ctx, { cameraId: 'cam-a', version: 2 });
    bad.slots[0]!.polygon = [
      [0.1, 0.1],
      [0.2, 0.2],
      [0.2, 0.1],
      [0.1, 0.2],
    ];
    expect(await p.applyCalibration(JSON.stringify(bad), 'topic')).toMatchObject({
      result: 'rejected',
      version: 2,
      reason: expect.stringContaining('/slots/0/polygon'),
    });
    expect(p.calibrationVersion).toBe(1);
    expect(p.slots.counts()).toEqual({ free: 30, occupied: 10, unknown: 0, total: 40 });

    const v2 = ufpr05Calibration(ctx, { cameraId: 'cam-a', version: 2 });
    v2.slots = v2.slots.slice(0, 20);
    v2.slots[0]!.polygon = [
      [0.01, 0.01],
      [0.05, 0.01],
      [0.05, 0.05],
      [0.01, 0.05],
    ];
    expect(await p.applyCalibration(JSON.stringify(v2), 'topic')).toEqual({ result: 'applied', version: 2 });
    expect(p.slots.counts()).toEqual({ free: 10, occupied: 9, unknown: 1, total: 20 }); // slot 1 moved: it starts over
    expect(source.starts).toBe(1);
    await p.stop();
  });

  it('resumes a restored state with its old since when the first frame agrees', async (ctx) => {
    const since = T0 - 3_600_000;
    const restored: CameraState = {
      calibrationVersion: 1,
      spells: new Map([
        ['1', { state: 'occupied', since, lastConfirmedAt: T0 - 30_000 }],
        ['11', { state: 'occupied', since, lastConfirmedAt: T0 - 30_000 }],
      ]),
    };
    const { p, source } = pipeline({ restored });
    await p.applyCalibration(JSON.stringify(ufpr05Calibration(ctx, { cameraId: 'cam-a' })), 'file');
    await p.start();
    await play(source, day, 1);
    expect(p.slots.report('1')).toMatchObject({ state: 'occupied', since }); // agrees: continuity proven
    expect(p.slots.report('11')).toMatchObject({ state: 'unknown' }); // the model now says free: no shortcut
    await p.stop();
  });

  it('keeps only the newest frame waiting while the model is busy, and counts the dropped one', async (ctx) => {
    const model = new ScriptedModel(pattern(() => true));
    let open!: () => void;
    model.gate = new Promise((r) => (open = r));
    const { p, source } = pipeline({ model });
    await p.applyCalibration(JSON.stringify(ufpr05Calibration(ctx, { cameraId: 'cam-a' })), 'file');
    await p.start();
    for (let i = 0; i < 4; i++) source.emit(day, Date.now() + i);
    expect(model.calls).toBe(1);
    model.gate = null;
    open();
    await vi.advanceTimersByTimeAsync(10);
    expect(model.calls).toBe(2); // the first frame, then only the newest of the three that waited
    expect(p.droppedTotal).toBe(2);
    await p.stop();
  });

  it('answers a snapshot with the newest frame, and explains when there is none', async (ctx) => {
    const { p, source } = pipeline();
    expect(await p.snapshot()).toEqual({
      ok: false,
      error: 'no recent frame (stream starting: waiting for the first frame)',
    });
    await p.applyCalibration(JSON.stringify(ufpr05Calibration(ctx, { cameraId: 'cam-a' })), 'file');
    await p.start();
    await play(source, day, 1);
    expect(await p.snapshot(320)).toMatchObject({ ok: true, width: 320, height: 180, capturedAt: T0 });
    await p.stop();
  });
});
