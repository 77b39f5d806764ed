import type { CameraConfig } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import { FfmpegSource } from './ffmpeg-source.ts';
import { ImageFolderSource } from './image-folder-source.ts';
import { SimulatedSource } from './simulated-source.ts';
import type { FrameSource, SourceListener } from './types.ts';

export interface CreateSourceOptions {
  ffmpegPath?: string;
}

/** The frame source a camera's config asks for. */
export function createSource(
  camera: CameraConfig,
  listener: SourceListener,
  log: Logger,
  opts: CreateSourceOptions = {},
): FrameSource {
  if (camera.source.type === 'images') {
    return new ImageFolderSource({
      folder: camera.source.path ?? '',
      sampleRateFps: camera.sample_rate_fps,
      loop: camera.source.loop,
      width: camera.source.width,
      height: camera.source.height,
      listener,
      log,
    });
  }
  if (camera.source.type === 'simulated') {
    const sim = camera.source.simulation;
    return new SimulatedSource({
      slots: sim?.slots ?? 40,
      perRow: sim?.per_row ?? 10,
      seed: sim?.seed ?? 1,
      meanStayS: sim?.mean_stay_s ?? 90,
      meanGapS: sim?.mean_gap_s ?? 45,
      width: camera.source.width ?? 1280,
      height: camera.source.height ?? 720,
      sampleRateFps: camera.sample_rate_fps,
      listener,
      log,
    });
  }
  return new FfmpegSource({
    source: camera.source,
    sampleRateFps: camera.sample_rate_fps,
    stallTimeoutS: camera.stall_timeout_s,
    reconnect: camera.reconnect,
    listener,
    log,
    ffmpegPath: opts.ffmpegPath,
  });
}
