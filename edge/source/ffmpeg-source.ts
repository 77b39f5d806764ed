import { setTimeout as sleep } from 'node:timers/promises';
import type { SourceConfig } from '../config/schema.ts';
import { redactArgv, redactText, type Logger } from '../log.ts';
import { backoffDelayMs } from './backoff.ts';
import { buildFfmpegArgs } from './ffmpeg-args.ts';
import { FfmpegRun, type FfmpegExit, type StopGrace } from './ffmpeg-process.ts';
import { FramePool, type PooledFrame } from './frame-pool.ts';
import { RawFrameAssembler } from './raw-frame-assembler.ts';
import { newCounters, type FrameSource, type SourceListener, type SourceStatus } from './types.ts';

export interface FfmpegSourceOptions {
  source: SourceConfig;
  sampleRateFps: number;
  stallTimeoutS: number;
  reconnect: { initial_s: number; max_s: number };
  listener: SourceListener;
  log: Logger;
  ffmpegPath?: string;
  /** Pool size; see FramePool. */
  poolFrames?: number;
  grace?: StopGrace;
  random?: () => number;
}

/** A run that delivered frames for this long counts as healthy: the next failure starts backoff afresh. */
const HEALTHY_RUN_MS = 30_000;

/**
 * An RTSP camera or a video file through a supervised ffmpeg child: reconnects with exponential
 * backoff and jitter, restarts a stalled stream (Frigate's watchdog idea), keeps ffmpeg's stderr in a
 * ring buffer and logs it when the stream fails, and stops ffmpeg politely.
 */
export class FfmpegSource implements FrameSource {
  readonly counters = newCounters();
  status: SourceStatus = 'starting';
  frameSize: { width: number; height: number } | null = null;
  private running = false;
  private loopDone: Promise<void> | undefined;
  private run: FfmpegRun | undefined;
  private readonly stopAc = new AbortController();
  private pool: FramePool | undefined;

  constructor(private readonly opts: FfmpegSourceOptions) {}

  async start(): Promise<void> {
    if (this.running || this.stopAc.signal.aborted) return;
    this.running = true;
    this.loopDone = this.superviseLoop();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopAc.abort();
    await this.run?.stop(this.opts.grace);
    await this.loopDone;
  }

  /** pid of the current ffmpeg, for CPU accounting in the bench. */
  get ffmpegPid(): number | undefined {
    return this.run?.pid;
  }

  private setStatus(status: SourceStatus, detail?: string): void {
    if (status === this.status && detail === undefined) return;
    this.status = status;
    try {
      this.opts.listener.onStatus(status, detail);
    } catch (err) {
      this.opts.log.error({ err }, 'status listener threw');
    }
  }

  private async superviseLoop(): Promise<void> {
    const { source, log } = this.opts;
    let attempt = 0;
    let first = true;
    while (this.running) {
      if (!first) this.counters.reconnectsTotal++;
      first = false;
      const started = Date.now();
      const { exit, frames, stalled } = await this.runOnce();
      if (!this.running) break;
      const ranMs = Date.now() - started;
      const tail = redactText(this.run?.stderr.text() ?? '');
      const why = describeExit(exit);
      if (source.type !== 'rtsp' && !source.loop && exit.code === 0 && frames > 0) {
        this.setStatus('down', 'end of file');
        log.info('video file ended');
        break;
      }
      if (frames === 0 && !stalled) {
        this.setStatus('down', `cannot open source: ${lastLine(tail) ?? why}`);
      } else {
        this.setStatus(
          'stalled',
          stalled ? `no frame for ${this.opts.stallTimeoutS} s; reconnecting` : `stream ended (${why}); reconnecting`,
        );
      }
      log.warn(
        { exit: why, frames, ranMs, ffmpegStderr: tail },
        stalled ? 'stream stalled; restarting ffmpeg' : 'ffmpeg exited; restarting',
      );
      attempt = frames > 0 && ranMs >= HEALTHY_RUN_MS ? 0 : attempt + 1;
      const delay = backoffDelayMs(
        attempt,
        this.opts.reconnect.initial_s * 1000,
        this.opts.reconnect.max_s * 1000,
        this.opts.random,
      );
      try {
        await sleep(delay, undefined, { signal: this.stopAc.signal });
      } catch {
        break; // stopped while waiting
      }
    }
  }

  /** One ffmpeg lifetime, supervised by the stall watchdog. */
  private async runOnce(): Promise<{ exit: FfmpegExit; frames: number; stalled: boolean }> {
    const { source, listener, log } = this.opts;
    const args = buildFfmpegArgs({ source, sampleRateFps: this.opts.sampleRateFps });
    let assembler: RawFrameAssembler | undefined;
    let frames = 0;
    let stalled = false;
    let watchdog: NodeJS.Timeout | undefined;
    const arm = (extraS = 0) => {
      clearTimeout(watchdog);
      watchdog = setTimeout(
        () => {
          stalled = true;
          void this.run?.stop(this.opts.grace);
        },
        (this.opts.stallTimeoutS + extraS) * 1000,
      );
    };
    const onFrame = (frame: PooledFrame) => {
      frames++;
      this.counters.framesTotal++;
      frame.index = this.counters.framesTotal;
      frame.capturedAt = Date.now();
      arm();
      if (this.status !== 'ok') this.setStatus('ok');
      try {
        listener.onFrame(frame);
      } catch (err) {
        log.error({ err }, 'frame listener threw');
      }
    };
    log.debug({ argv: redactArgv(args) }, 'starting ffmpeg');
    const fixed =
      source.width !== undefined && source.height !== undefined
        ? { width: source.width, height: source.height }
        : undefined;
    this.run = new FfmpegRun(
      this.opts.ffmpegPath ?? 'ffmpeg',
      args,
      {
        onSize: (size) => {
          this.frameSize = size;
          if (!this.pool || this.pool.width !== size.width || this.pool.height !== size.height) {
            this.pool = new FramePool(size.width, size.height, this.opts.poolFrames ?? 4);
          }
          assembler = new RawFrameAssembler(this.pool, onFrame);
        },
        onData: (chunk) => {
          assembler?.push(chunk);
          if (assembler) this.counters.droppedTotal += takeDropped(assembler);
        },
      },
      fixed,
    );
    // The first frame may also wait for the connection and ffmpeg's probe.
    arm(source.type === 'rtsp' ? source.timeout_s : 0);
    const exit = await this.run.exited;
    clearTimeout(watchdog);
    if (assembler?.finish()) {
      this.counters.corruptTotal++;
      log.warn('discarded a partial frame at the end of the stream');
    }
    if (exit.spawnError) {
      log.error({ err: exit.spawnError, argv: redactArgv(args) }, 'cannot start ffmpeg');
    }
    return { exit, frames, stalled };
  }
}

/** Reads and resets the assembler's dropped counter so the source can total it across runs. */
function takeDropped(assembler: RawFrameAssembler): number {
  const n = assembler.counters.dropped;
  assembler.counters.dropped = 0;
  return n;
}

function describeExit(exit: FfmpegExit): string {
  if (exit.spawnError) return `spawn failed: ${exit.spawnError.message}`;
  return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
}

/** The most telling ffmpeg line: its last error-looking line, else its last line. */
function lastLine(stderr: string): string | undefined {
  const lines = stderr.split('\n').filter((l) => l.trim() !== '');
  const errorLine = [...lines]
    .reverse()
    .find((l) => /error|refused|not found|timed out|invalid|denied|unauthori[sz]ed|404|401/i.test(l));
  return (errorLine ?? lines.at(-1))?.slice(0, 300);
}
