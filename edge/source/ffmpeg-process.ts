import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseOutputSize } from './ffmpeg-args.ts';
import { LineRing } from './ring-buffer.ts';

export interface FfmpegRunHandlers {
  /** Frame size, once ffmpeg has printed its output stream. */
  onSize(size: { width: number; height: number }): void;
  /** Raw stdout bytes; only called after onSize. */
  onData(chunk: Buffer): void;
}

export interface FfmpegExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all. */
  spawnError?: Error;
}

/** Grace periods of the polite stop: `q`, then SIGTERM, then SIGKILL. */
export interface StopGrace {
  quitMs: number;
  termMs: number;
}

const HEADER_LIMIT = 64 * 1024;

/**
 * One ffmpeg child. stdout is not read until ffmpeg has told us the frame size on stderr: until then
 * the bytes wait in the pipe (ffmpeg blocks on a full pipe), so no frame is ever mis-sized.
 */
export class FfmpegRun {
  readonly stderr = new LineRing();
  readonly exited: Promise<FfmpegExit>;
  private readonly child: ChildProcess;
  private header = '';
  private sized = false;
  private stopping: Promise<void> | undefined;

  constructor(
    binary: string,
    args: readonly string[],
    private readonly handlers: FfmpegRunHandlers,
    fixedSize?: { width: number; height: number },
  ) {
    this.child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    // A stopped ffmpeg closes stdin; writing `q` then must not throw EPIPE into the process.
    this.child.stdin?.on('error', () => {});
    this.exited = new Promise<FfmpegExit>((resolve) => {
      this.child.once('error', (spawnError) => resolve({ code: null, signal: null, spawnError }));
      // 'close' waits for stdio to drain, so the last bytes of stdout are delivered before we report.
      this.child.once('close', (code, signal) => resolve({ code, signal }));
    });
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (text: string) => this.onStderr(text));
    if (fixedSize) this.startReading(fixedSize);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** `q` on stdin (ffmpeg flushes and exits), then SIGTERM, then SIGKILL. Idempotent. */
  stop(grace: StopGrace = { quitMs: 2000, termMs: 2000 }): Promise<void> {
    this.stopping ??= this.politeStop(grace);
    return this.stopping;
  }

  private async politeStop(grace: StopGrace): Promise<void> {
    if (this.hasExited()) return void (await this.exited);
    this.child.stdin?.end('q\n');
    if (await this.exitsWithin(grace.quitMs)) return;
    this.child.kill('SIGTERM');
    if (await this.exitsWithin(grace.termMs)) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  private hasExited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  private async exitsWithin(ms: number): Promise<boolean> {
    const ac = new AbortController();
    const result = await Promise.race([
      this.exited.then(() => true),
      sleep(ms, false, { signal: ac.signal }).catch(() => false),
    ]);
    ac.abort();
    return result;
  }

  private onStderr(text: string): void {
    this.stderr.push(text);
    if (this.sized) return;
    this.header = (this.header + text).slice(-HEADER_LIMIT);
    const size = parseOutputSize(this.header);
    if (size) this.startReading(size);
  }

  private startReading(size: { width: number; height: number }): void {
    this.sized = true;
    this.header = '';
    this.handlers.onSize(size);
    this.child.stdout?.on('data', (chunk: Buffer) => this.handlers.onData(chunk));
  }
}
