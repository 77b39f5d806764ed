// Short H.264 clips made at test time from the datasets (never copied into the repo).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Encodes an H.264 MP4 the GStreamer RTSP fixture can serve (qtdemux ! h264parse). */
export async function encodeClip(out: string, input: string[], filter?: string, fps = 2): Promise<string> {
  const args = ['-v', 'error', '-nostdin', '-y', ...input];
  if (filter) args.push('-vf', filter);
  args.push('-r', String(fps), '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '2', '-pix_fmt', 'yuv420p', '-an', out);
  await run('ffmpeg', args);
  return out;
}
