/**
 * Edge agent benchmark: CPU of one camera at 1 fps, 1080p25 H.264 over RTSP, 100 slots, with the
 * project's model, for full decoding (the baseline, measured in the same run) against keyframe-only
 * decoding, and how many such cameras one core can carry.
 *
 *   npx tsx bench/edge/run.ts [--seconds 20] [--warmup 6] [--model volno-slotnet-v1]
 *
 * "agent" is this Node process (ffmpeg output parsing, quality and shift checks, the model, the
 * hysteresis); "ffmpeg" is the decoder child. Prints one JSON object. Compare ratios, not absolute
 * numbers: the machine is shared (its load average is in the output).
 */
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Value } from 'typebox/value';
import { CameraPipeline } from '../../edge/camera/camera-pipeline.ts';
import { CameraConfig } from '../../edge/config/schema.ts';
import { silentLogger } from '../../edge/log.ts';
import { FfmpegSource } from '../../edge/source/ffmpeg-source.ts';
import { loadOccupancyModel } from '../../edge/vision/index.ts';
import { startRtspServer } from '../../test/fixtures/rtsp.ts';
import { datasetsDir } from '../../test/support/datasets.ts';
import { camera1080p, processCpuSeconds } from './clip.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '6' },
    model: { type: 'string', default: 'volno-slotnet-v1' },
  },
});
const seconds = Number(values.seconds);
const warmup = Number(values.warmup);
const SLOTS = 100;

/** 100 slot quads in a 10x10 grid over the lower two thirds of the frame. */
function calibration() {
  const slots = [];
  for (let r = 0; r < 10; r++) {
    for (let c = 0; c < 10; c++) {
      const x = 0.02 + c * 0.096;
      const y = 0.34 + r * 0.064;
      slots.push({
        slot_id: `s${r}-${c}`,
        polygon: [
          [x, y],
          [x + 0.08, y],
          [x + 0.08, y + 0.055],
          [x, y + 0.055],
        ],
      });
    }
  }
  return {
    camera_id: 'bench',
    version: 1,
    issued_at: new Date().toISOString(),
    frame_width: 1920,
    frame_height: 1080,
    slots,
    privacy_masks: [],
  };
}

async function measure(url: string, keyframesOnly: boolean, modelDir: string) {
  const model = await loadOccupancyModel(modelDir, { intraOpNumThreads: 1 });
  const camera = Value.Default(CameraConfig, {
    id: 'bench',
    source: { type: 'rtsp', url, keyframes_only: keyframesOnly },
    sample_rate_fps: 1,
    model: model.id,
  }) as CameraConfig;
  let source: FfmpegSource | undefined;
  const pipeline = new CameraPipeline({
    camera,
    model,
    continuityMs: 120_000,
    stateDir: join(tmpdir(), 'volno-bench-state'),
    log: silentLogger(),
    events: { slotsChanged: () => {}, summaryChanged: () => {} },
    createSource: (listener) =>
      (source = new FfmpegSource({
        source: camera.source,
        sampleRateFps: 1,
        stallTimeoutS: 30,
        reconnect: camera.reconnect,
        listener,
        log: silentLogger(),
      })),
  });
  await pipeline.applyCalibration(JSON.stringify(calibration()), 'file');
  await pipeline.start();
  await sleep(warmup * 1000);
  const pid = source!.ffmpegPid!;
  const frames0 = pipeline.framesJudged;
  const agent0 = process.cpuUsage();
  const ffmpeg0 = await processCpuSeconds(pid);
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const wall = (performance.now() - t0) / 1000;
  const agentCpu = process.cpuUsage(agent0);
  const ffmpegCpu = (await processCpuSeconds(pid)) - ffmpeg0;
  const samePid = source!.ffmpegPid === pid;
  const frames = pipeline.framesJudged - frames0;
  const result = {
    keyframes_only: keyframesOnly,
    frames_per_s: round(frames / wall),
    agent_cpu_pct: round(((agentCpu.user + agentCpu.system) / 1e6 / wall) * 100),
    ffmpeg_cpu_pct: round((ffmpegCpu / wall) * 100),
    inference_ms_p50: pipeline.inferenceMs.percentile(50),
    dropped_frames: pipeline.droppedTotal,
    ffmpeg_restarted: !samePid,
  };
  await pipeline.stop();
  await model.close();
  return {
    ...result,
    total_cpu_pct: round(result.agent_cpu_pct + result.ffmpeg_cpu_pct),
    cameras_per_core: round(100 / (result.agent_cpu_pct + result.ffmpeg_cpu_pct), 1),
  };
}

function round(v: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

const modelDir = fileURLToPath(new URL(`../../models/${values.model}/`, import.meta.url));
const clip = await camera1080p(
  join(datasetsDir(), 'videos/ufpr05_timelapse_2fps_1280x720.mp4'),
  join(tmpdir(), 'volno-bench-1080p25-g25.mp4'),
  60,
);
const server = await startRtspServer({ video: clip });
try {
  const full = await measure(server.url, false, modelDir);
  const keyframes = await measure(server.url, true, modelDir);
  console.log(
    JSON.stringify(
      {
        node: process.version,
        cpus: cpus().length,
        load_average_1m: round(loadavg()[0]!),
        setup: {
          resolution: '1920x1080',
          source_fps: 25,
          gop_frames: 25,
          sample_rate_fps: 1,
          slots: SLOTS,
          model: values.model,
          seconds,
          transport: 'RTSP/TCP (GStreamer server)',
        },
        full_decode: full,
        keyframes_only: keyframes,
        keyframes_vs_full: {
          ffmpeg_cpu_ratio: round(keyframes.ffmpeg_cpu_pct / full.ffmpeg_cpu_pct),
          total_cpu_ratio: round(keyframes.total_cpu_pct / full.total_cpu_pct),
        },
      },
      null,
      2,
    ),
  );
} finally {
  await server.stop();
}
