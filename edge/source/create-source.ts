import type { CameraConfig } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import { FfmpegSource } from './ffmpeg-source.ts';
import { ImageFolderSource } from './image-folder-source.ts';
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
