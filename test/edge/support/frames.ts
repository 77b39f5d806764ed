// Real frames for tests, decoded with the same tools the agent uses (ffmpeg rawvideo, sharp).
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import sharp from 'sharp';
import type { RgbFrame } from '../../../edge/vision/types.ts';

const run = promisify(execFile);

/**
 * Decodes the frames with the given indices of a video, after an optional extra filter (crop, pad,
 * scale…), with ffmpeg to raw RGB. `width`/`height` are the size after the filter.
 */
export function videoFrames(
  video: string,
  indices: readonly number[],
  width: number,
  height: number,
  filter?: string,
): RgbFrame[] {
  const select = `select='${indices.map((n) => `eq(n\\,${n})`).join('+')}'`;
  const vf = [select, ...(filter ? [filter] : [])].join(',');
  // Stop decoding after the last wanted frame instead of reading the whole file.
  const r = spawnSync(
    'ffmpeg',
    [
      '-v',
      'error',
      '-nostdin',
      '-i',
      video,
      '-vf',
      vf,
      '-fps_mode',
      'vfr',
      '-frames:v',
      String(indices.length),
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      'pipe:1',
    ],
    {
      maxBuffer: 1024 * 1024 * 1024,
    },
  );
  if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr.toString()}`);
  const size = width * height * 3;
  if (r.stdout.length !== size * indices.length)
    throw new Error(`expected ${indices.length} frames, got ${r.stdout.length / size}`);
  return indices.map((_, i) => ({
    width,
    height,
    data: new Uint8Array(r.stdout.buffer, r.stdout.byteOffset + i * size, size),
    capturedAt: 0,
  }));
}

/** One frame of a video by index (accurate seek: decodes from the previous keyframe only). */
export async function videoFrameAt(
  video: string,
  index: number,
  fps: number,
  width: number,
  height: number,
): Promise<RgbFrame> {
  const args = [
    '-v',
    'error',
    '-nostdin',
    '-ss',
    String(index / fps),
    '-i',
    video,
    '-frames:v',
    '1',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    'pipe:1',
  ];
  const { stdout } = await run('ffmpeg', args, { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
  if (stdout.length !== width * height * 3) throw new Error(`ffmpeg gave ${stdout.length} bytes for frame ${index}`);
  return { width, height, data: new Uint8Array(stdout.buffer, stdout.byteOffset, stdout.length), capturedAt: 0 };
}

/** A `w`x`h` window of `frame` at (x, y): what a camera pointed slightly elsewhere would see. */
export function cropFrame(frame: RgbFrame, x: number, y: number, w: number, h: number): RgbFrame {
  const out = new Uint8Array(w * h * 3);
  for (let row = 0; row < h; row++) {
    const from = ((y + row) * frame.width + x) * 3;
    out.set(frame.data.subarray(from, from + w * 3), row * w * 3);
  }
  return { width: w, height: h, data: out, capturedAt: frame.capturedAt };
}

/** An image file as an RgbFrame. */
export async function imageFrame(path: string, capturedAt = 0): Promise<RgbFrame> {
  const { data, info } = await sharp(path).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return {
    width: info.width,
    height: info.height,
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    capturedAt,
  };
}

/** A copy of `frame` with every byte passed through `fn`. */
export function mapFrame(frame: RgbFrame, fn: (v: number) => number): RgbFrame {
  const data = new Uint8Array(frame.data.length);
  for (let i = 0; i < data.length; i++) data[i] = fn(frame.data[i]!);
  return { ...frame, data };
}

/** `frame` blurred by sharp (Gaussian, sigma in pixels). */
export async function blurFrame(frame: RgbFrame, sigma: number): Promise<RgbFrame> {
  const data = await sharp(Buffer.from(frame.data), { raw: { width: frame.width, height: frame.height, channels: 3 } })
    .blur(sigma)
    .raw()
    .toBuffer();
  return { ...frame, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/** JPEG bytes of a frame, as a calibration reference would carry. */
export function jpegOf(frame: RgbFrame): Promise<Buffer> {
  return sharp(Buffer.from(frame.data), { raw: { width: frame.width, height: frame.height, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
}
