import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A 1080p25 H.264 "camera" made from the UFPR05 timelapse (scaled and frame-repeated), with a 1 s
 * GOP like a typical IP camera's default. Cached in the temp folder between runs.
 */
export async function camera1080p(source: string, out: string, seconds: number): Promise<string> {
  if (existsSync(out)) return out;
  await run('ffmpeg', [
    '-v',
    'error',
    '-nostdin',
    '-y',
    '-t',
    String(seconds / 2),
    '-i',
    source,
    '-vf',
    'scale=1920:1080,fps=25',
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-g',
    '25',
    '-keyint_min',
    '25',
    '-sc_threshold',
    '0',
    '-pix_fmt',
    'yuv420p',
    '-an',
    out,
  ]);
  return out;
}

/** user+system CPU seconds a process has used so far, from /proc (Linux). */
export async function processCpuSeconds(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15 overall.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / 100; // CLK_TCK is 100 on Linux x86-64/arm64
}
