import type { SourceConfig } from '../config/schema.ts';

export interface FfmpegArgsOptions {
  source: SourceConfig;
  sampleRateFps: number;
}

/**
 * ffmpeg's argv for one source. Choices and their evidence:
 * - `-rtsp_transport tcp`: cameras over Wi-Fi/VPN lose UDP packets and smear frames; TCP is what every
 *   NVR uses behind NAT (STACK.md measured it against a real RTSP server).
 * - `-timeout` (µs, socket I/O) makes a dead camera fail the connect/read instead of hanging forever.
 * - `-analyzeduration`/`-probesize` 1 s / 1 MB: with ffmpeg's 5 s default a 2 fps stream from the
 *   GStreamer test server took 6.3 s to its first frame, 1.9 s with 0.5 s; RTSP carries the H.264
 *   parameters in its SDP, so a short probe loses nothing.
 * - `-fflags +discardcorrupt`: packets the demuxer knows are damaged are dropped, not decoded into
 *   grey smears that the model would then judge.
 * - `-skip_frame nokey` decodes keyframes only: 1080p25 H.264 dropped from ~17 % to ~4.5 % of a core
 *   (STACK.md), at the price of one frame per GOP.
 * - `select` keeps at most `sampleRate` frames per second and, unlike the `fps` filter, never
 *   duplicates a frame to fill a gap, so a frozen-picture check is not fooled by our own padding.
 * - rawvideo rgb24 on stdout: no JPEG encode in ffmpeg and no decode in Node.
 * No `-nostdin`: stdin stays open so `q` can end ffmpeg politely.
 */
export function buildFfmpegArgs({ source, sampleRateFps }: FfmpegArgsOptions): string[] {
  const args = ['-hide_banner', '-nostats', '-loglevel', 'info', '-fflags', '+discardcorrupt'];
  if (source.keyframes_only) args.push('-skip_frame', 'nokey');
  if (source.type === 'rtsp') {
    args.push('-rtsp_transport', 'tcp', '-timeout', String(Math.round(source.timeout_s * 1e6)));
    args.push('-analyzeduration', '1000000', '-probesize', '1000000');
    args.push('-i', source.url ?? '');
  } else {
    // -re: read at the file's own pace, so a replay behaves like a live camera.
    args.push('-re');
    if (source.loop) args.push('-stream_loop', '-1');
    args.push('-i', source.path ?? '');
  }
  const minGap = (0.98 / sampleRateFps).toFixed(4);
  const filters = [`select='isnan(prev_selected_t)+gte(t-prev_selected_t\\,${minGap})'`];
  if (source.width !== undefined && source.height !== undefined) filters.push(`scale=${source.width}:${source.height}`);
  args.push('-an', '-sn', '-dn', '-vf', filters.join(','), '-fps_mode', 'vfr');
  args.push('-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1');
  return args;
}

/**
 * Frame size from ffmpeg's stream dump on stderr (printed before the first frame is written):
 * `Output #0, rawvideo, to 'pipe:1': … Stream #0:0…: Video: rawvideo (RGB[24] / 0x18424752), rgb24(…), 1280x720 …`
 */
export function parseOutputSize(stderrText: string): { width: number; height: number } | null {
  const out = stderrText.indexOf('Output #0');
  if (out < 0) return null;
  const m = /Video: rawvideo[^\n]*?, (\d{1,5})x(\d{1,5})/.exec(stderrText.slice(out));
  if (!m) return null;
  return { width: Number(m[1]), height: Number(m[2]) };
}
