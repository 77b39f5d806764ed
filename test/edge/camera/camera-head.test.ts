import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Value } from 'typebox/value';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CameraPipeline } from '../../../edge/camera/camera-pipeline.ts';
import { CameraConfig } from '../../../edge/config/schema.ts';
import type { DetailedResult, PixelPolygon, RgbFrame } from '../../../edge/vision/types.ts';
import { decodeFeatures, encodeFeatures, type CalibrationPayload } from '../../../protocol/index.ts';
import { captureLog } from '../support/capture-log.ts';
import { cropFrame, imageFrame } from '../support/frames.ts';
import { ScriptedSource } from '../support/scripted-source.ts';
import { labelledFrames } from '../support/ufpr05.ts';

const T0 = Date.parse('2026-12-04T08:00:00.000Z');
const SLOTS = 6;
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/**
 * A model with features: slot i has features [±1, 1] (+1 for even i). Its generic head says every
 * slot is free (bias −3); the tuned head below says the even ones are occupied. So which head decides
 * shows in the published states.
 */
class FeatureModel {
  readonly id = 'feature-v1';
  readonly threshold = 0.5;
  readonly kind = 'classifier' as const;
  readonly lastTimings = undefined;
  static readonly generic = { weights: Float64Array.from([0, 0]), bias: -3 };
  async classify(frame: RgbFrame, polygons: ReadonlyArray<PixelPolygon>): Promise<Float32Array> {
    return (await this.classifyDetailed(frame, polygons)).probs;
  }
  async classifyDetailed(_f: RgbFrame, polygons: ReadonlyArray<PixelPolygon>): Promise<DetailedResult> {
    const features = new Float32Array(polygons.length * 2);
    for (let i = 0; i < polygons.length; i++) features.set([i % 2 === 0 ? 1 : -1, 1], i * 2);
    return { probs: new Float32Array(polygons.length).fill(sigmoid(-3)), features, dim: 2 };
  }
  async close(): Promise<void> {}
}

const TUNED = {
  model_id: 'feature-v1',
  dim: 2,
  weights: [4, 0],
  bias: 0,
  labels: 24,
  accuracy_generic: 0.5,
  accuracy_tuned: 1,
  fitted_at: '2026-12-04T07:00:00.000Z',
};

/** Six boxes across a 1200 × 680 view; the frame comes from the UFPR05 dataset (texture for the shift check). */
function calibration(version: number, head: Partial<typeof TUNED> | null = TUNED): CalibrationPayload {
  return {
    camera_id: 'cam-a',
    version,
    issued_at: '2026-12-04T07:00:00.000Z',
    frame_width: 1200,
    frame_height: 680,
    slots: Array.from({ length: SLOTS }, (_, i) => ({
      slot_id: `s${i}`,
      polygon: [
        [0.1 + i * 0.13, 0.5],
        [0.2 + i * 0.13, 0.5],
        [0.2 + i * 0.13, 0.7],
        [0.1 + i * 0.13, 0.7],
      ],
    })),
    privacy_masks: [],
    ...(head && { tuned_head: { ...TUNED, ...head } }),
  };
}

function pipeline(stateDir = mkdtempSync(join(tmpdir(), 'volno-head-'))) {
  let source!: ScriptedSource;
  const logged = captureLog();
  const p = new CameraPipeline({
    camera: Value.Default(CameraConfig, {
      id: 'cam-a',
      source: { type: 'rtsp', url: 'rtsp://cam/s' },
      model: 'feature-v1',
      delays: { enter_s: 0, exit_s: 0 },
      frame_ttl_s: 10,
      quality: { confirm_frames: 1 },
      shift: { enabled: true, interval_s: 0, confirm_checks: 1 },
    }) as CameraConfig,
    model: new FeatureModel(),
    genericHead: FeatureModel.generic,
    continuityMs: 120_000,
    stateDir,
    log: logged.log,
    events: { slotsChanged: () => undefined, summaryChanged: () => undefined },
    createSource: (listener) => (source = new ScriptedSource(listener)),
  });
  return { p, source: () => source, logged, stateDir };
}

const states = (p: CameraPipeline) => p.slots.reports().map((r) => r.report.state);

let still: RgbFrame;
let moved: RgbFrame;

describe('the per-camera head on the agent', () => {
  beforeEach(async (ctx) => {
    if (!still) {
      const day = await imageFrame(labelledFrames(ctx)[0]!.path);
      // The camera sees a 1200 × 680 window; 40 px right and 20 px down is a knocked camera.
      still = cropFrame(day, 40, 20, 1200, 680);
      moved = cropFrame(day, 80, 40, 1200, 680);
    }
    vi.useFakeTimers({ now: T0 });
  });
  afterEach(() => vi.useRealTimers());

  async function play(p: { source: () => ScriptedSource }, frame: RgbFrame, seconds: number) {
    for (let i = 0; i < seconds; i++) {
      p.source().emit(frame, Date.now());
      await vi.advanceTimersByTimeAsync(1000);
    }
  }

  it('publishes what the tuned head says, and what the generic head says without one', async () => {
    const run = pipeline();
    await run.p.applyCalibration(JSON.stringify(calibration(1, null)), 'file');
    await run.p.start();
    await play(run, still, 2);
    expect(run.p.head.inUse).toBe('generic');
    expect(states(run.p)).toEqual(Array(SLOTS).fill('free'));

    expect((await run.p.applyCalibration(JSON.stringify(calibration(2)), 'topic')).result).toBe('applied');
    await play(run, still, 2);
    expect(run.p.head.inUse).toBe('tuned');
    expect(states(run.p)).toEqual(['occupied', 'free', 'occupied', 'free', 'occupied', 'free']);
    await run.p.stop();
  });

  it('ignores a tuned head made for another model or another feature count', async () => {
    for (const head of [{ model_id: 'other-v1' }, { dim: 3, weights: [4, 0, 0] }]) {
      const run = pipeline();
      await run.p.applyCalibration(JSON.stringify(calibration(1, head)), 'file');
      await run.p.start();
      await play(run, still, 2);
      expect(run.p.head.inUse).toBe('generic');
      expect(states(run.p)).toEqual(Array(SLOTS).fill('free'));
      expect(run.logged.entries().some((l) => /tuned head for another model/.test(String(l['msg'])))).toBe(true);
      await run.p.stop();
    }
  });

  it('falls back to the generic head once the view moved, until a new calibration arrives', async () => {
    const run = pipeline();
    await run.p.applyCalibration(JSON.stringify(calibration(1)), 'file');
    await run.p.start();
    await play(run, still, 3);
    expect(states(run.p)).toEqual(['occupied', 'free', 'occupied', 'free', 'occupied', 'free']);

    await play(run, moved, 3);
    expect(run.p.health().status).toBe('camera_moved');
    expect(run.p.head.inUse).toBe('generic');

    // Back where it was (or the reference re-taken): states return, but from the generic head, since
    // the labels the tuned one was fitted on may no longer describe the picture.
    await play(run, still, 3);
    expect(run.p.health().status).toBe('ok');
    expect(states(run.p)).toEqual(Array(SLOTS).fill('free'));

    await run.p.applyCalibration(JSON.stringify(calibration(2)), 'topic');
    await play(run, still, 2);
    expect(run.p.head.inUse).toBe('tuned');
    expect(states(run.p)).toEqual(['occupied', 'free', 'occupied', 'free', 'occupied', 'free']);
    await run.p.stop();
  });

  /** Calibration 5 without a tuned head, with exemplars: slot → [features, occupied]. */
  const withExemplars = (rows: Record<string, [number[], boolean]>, over: Record<string, unknown> = {}) => ({
    ...calibration(5, null),
    slot_exemplars: {
      model_id: 'feature-v1',
      dim: 2,
      max_distance: 0.4,
      exemplars: Object.entries(rows).map(([slot_id, [f, occupied]]) => ({
        slot_id,
        occupied,
        features_base64: encodeFeatures(Float32Array.from(f)),
      })),
      ...over,
    },
  });

  it('lets a slot’s own exemplar decide when its features are close to it, the generic head otherwise', async () => {
    const run = pipeline();
    // s0 and s2 both read [1, 1]; only s0 has an exemplar, so s2 stays with the generic head (free).
    // s1 reads [-1, 1]: its exemplar [1, 1] is at cosine distance 1, too far to decide.
    const cal = withExemplars({ s0: [[1, 1], true], s1: [[1, 1], true], s3: [[-1, 1.1], true] });
    expect((await run.p.applyCalibration(JSON.stringify(cal), 'file')).result).toBe('applied');
    await run.p.start();
    await play(run, still, 2);
    expect(run.p.head.inUse).toBe('generic');
    expect(run.p.head.exemplarsInUse).toBe(3);
    expect(states(run.p)).toEqual(['occupied', 'free', 'free', 'occupied', 'free', 'free']);

    // The view moves: the labelled pictures show another view, so the exemplars go too.
    await play(run, moved, 3);
    expect(run.p.health().status).toBe('camera_moved');
    expect(run.p.head.exemplarsInUse).toBe(0);
    await play(run, still, 3);
    expect(states(run.p)).toEqual(Array(SLOTS).fill('free'));
    await run.p.stop();
  });

  it('ignores exemplars made for another model or another feature count', async () => {
    for (const over of [{ model_id: 'other-v1' }, { dim: 3 }]) {
      const run = pipeline();
      const cal = withExemplars({ s0: [[1, 1, 1].slice(0, over.dim ?? 2), true] }, over);
      await run.p.applyCalibration(JSON.stringify(cal), 'file');
      await run.p.start();
      await play(run, still, 2);
      expect(run.p.head.exemplarsInUse).toBe(0);
      expect(states(run.p)).toEqual(Array(SLOTS).fill('free'));
      expect(run.logged.entries().some((l) => /exemplars for another model/.test(String(l['msg'])))).toBe(true);
      await run.p.stop();
    }
  });

  it('applies the exemplars after the tuned head, in the labelling snapshot too, until a calibration without them', async () => {
    const run = pipeline();
    // The tuned head says even slots occupied; s0's exemplar says free, s1's says occupied, both close.
    const cal = { ...withExemplars({ s0: [[1, 1], false], s1: [[-1, 1], true] }), tuned_head: TUNED };
    expect((await run.p.applyCalibration(JSON.stringify(cal), 'file')).result).toBe('applied');
    await run.p.start();
    await play(run, still, 2);
    expect(run.p.head.inUse).toBe('tuned');
    expect(run.p.head.exemplarsInUse).toBe(2);
    expect(states(run.p)).toEqual(['free', 'occupied', 'occupied', 'free', 'occupied', 'free']);
    expect(run.logged.entries().some((l) => l['msg'] === 'using per-slot exemplars' && l['exemplars'] === 2)).toBe(
      true,
    );

    const shot = await run.p.snapshot();
    if (!shot.ok) throw new Error(shot.error);
    const p = shot.classified!.slots.map((s) => s.p_occupied);
    expect(p[0]).toBeCloseTo(0.05, 6);
    expect(p[1]).toBeCloseTo(0.95, 6);
    expect(p[2]).toBeCloseTo(sigmoid(4), 6); // no exemplar of its own: the tuned head
    expect(p[3]).toBeCloseTo(sigmoid(-4), 6);

    // A newer calibration without exemplars: they go, the head in force decides every slot.
    expect((await run.p.applyCalibration(JSON.stringify(calibration(6)), 'topic')).result).toBe('applied');
    expect(run.p.head.exemplarsInUse).toBe(0);
    await play(run, still, 2);
    expect(states(run.p)).toEqual(['occupied', 'free', 'occupied', 'free', 'occupied', 'free']);
    await run.p.stop();
  });

  it('sends the features and the head in use with a snapshot, from the very frame it encodes', async () => {
    const run = pipeline();
    await run.p.applyCalibration(JSON.stringify(calibration(4)), 'file');
    await run.p.start();
    await play(run, still, 1);
    const shot = await run.p.snapshot();
    if (!shot.ok) throw new Error(shot.error);
    const c = shot.classified!;
    expect(c).toMatchObject({ model_id: 'feature-v1', calibration_version: 4, dim: 2 });
    expect(c.generic_head).toEqual({ weights: [0, 0], bias: -3 });
    expect(c.slots.map((s) => s.slot_id)).toEqual(['s0', 's1', 's2', 's3', 's4', 's5']);
    expect([...decodeFeatures(c.slots[1]!.features_base64, 2)!]).toEqual([-1, 1]);
    expect(c.slots[0]!.p_occupied).toBeCloseTo(sigmoid(4), 6);
    expect(c.slots[1]!.p_occupied).toBeCloseTo(sigmoid(-4), 6);
    await run.p.stop();
  });
});

describe('the tuned head across a restart', () => {
  it('is back after the agent restarts, from the calibration it cached', async () => {
    vi.useRealTimers();
    const first = pipeline();
    await first.p.applyCalibration(JSON.stringify(calibration(3)), 'topic');
    await vi.waitFor(async () => expect(await first.p.files.loadCalibration()).not.toBeNull());
    const second = pipeline(first.stateDir);
    const cached = await second.p.files.loadCalibration();
    expect((await second.p.applyCalibration(cached!, 'cache')).result).toBe('applied');
    expect(second.p.head.inUse).toBe('tuned');
  });
});
