// `node bin/volno.mjs server|edge` as real child processes: JSON log lines are parsed as they
// arrive so tests can wait for a logged event, and every child dies with the test worker.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RingBuffer, hasExited, stopChild, track, waitFor } from '../../fixtures/process.ts';

const BIN = fileURLToPath(new URL('../../../bin/volno.mjs', import.meta.url));

/** One pino line: `msg`, `level` and whatever fields the logger added. */
export type LogLine = Record<string, unknown> & { msg?: string; level?: number };

export interface SpawnOptions {
  /** Extra environment (e.g. LD_PRELOAD for libfaketime: node itself must be the child, so it can be killed). */
  env?: Record<string, string>;
}

/** Process starts compile the CLI through tsx; on a loaded 2-core machine that has taken over 40 s. */
const START_TIMEOUT_MS = 150_000;

/** A running `volno` command. */
export class VolnoProcess {
  readonly child: ChildProcess;
  private readonly text = new RingBuffer(256 * 1024);
  /** Parsed JSON lines, oldest first (bounded). */
  readonly lines: LogLine[] = [];
  private partial = '';

  constructor(
    readonly name: string,
    args: string[],
    o: SpawnOptions = {},
  ) {
    this.child = spawn(process.execPath, [BIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...o.env },
    });
    track(this.child);
    this.child.stdout!.on('data', (d: Buffer) => this.take(d));
    this.child.stderr!.on('data', (d: Buffer) => this.text.push(d));
  }

  private take(d: Buffer): void {
    this.text.push(d);
    const parts = (this.partial + d.toString('utf8')).split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) {
      if (!line.startsWith('{')) continue;
      try {
        this.lines.push(JSON.parse(line) as LogLine);
      } catch {
        // not a log line
      }
      if (this.lines.length > 20_000) this.lines.splice(0, 10_000);
    }
  }

  get exited(): boolean {
    return hasExited(this.child);
  }

  get pid(): number {
    return this.child.pid!;
  }

  logs(): string {
    return this.text.toString();
  }

  /** Lines logged with message `msg` (and optionally matching `where`). */
  logged(msg: string, where: (l: LogLine) => boolean = () => true): LogLine[] {
    return this.lines.filter((l) => l.msg === msg && where(l));
  }

  /** Polls for a log line; fails at once with the output if the process exits meanwhile. */
  waitForLog(msg: string, where: (l: LogLine) => boolean = () => true, timeoutMs = 60_000): Promise<LogLine> {
    return waitFor(
      () => {
        const hit = this.logged(msg, where).at(-1);
        if (hit === undefined && this.exited) throw this.died(`waiting for "${msg}"`);
        return hit;
      },
      { timeoutMs, intervalMs: 100, what: `${this.name} to log "${msg}"` },
    );
  }

  /** An error carrying the tail of the output, for a process that exited when it should not have. */
  died(context: string): Error {
    const how = `code ${this.child.exitCode}, signal ${this.child.signalCode}`;
    return new Error(`${this.name} exited (${how}) while ${context}\n${this.logs().slice(-4000)}`);
  }

  /** Resolves with the exit once the process is gone. */
  waitForExit(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.exited) return Promise.resolve({ code: this.child.exitCode, signal: this.child.signalCode });
    return new Promise((ok) => this.child.once('exit', (code, signal) => ok({ code, signal })));
  }

  /** SIGTERM, then SIGKILL. Idempotent. */
  stop(): Promise<void> {
    if (this.child.signalCode === 'SIGSTOP') this.child.kill('SIGCONT');
    return stopChild(this.child, { graceMs: 10_000 });
  }
}

export interface ServerProcess extends VolnoProcess {
  httpUrl: string;
}

/** Starts `volno server --config FILE` and resolves once it logged `volno server ready`. */
export async function startServer(configFile: string, o: SpawnOptions = {}): Promise<ServerProcess> {
  const p = new VolnoProcess('volno server', ['server', '--config', configFile], o);
  try {
    const ready = await p.waitForLog('volno server ready', () => true, START_TIMEOUT_MS);
    return Object.assign(p, { httpUrl: ready['http_url'] as string });
  } catch (err) {
    await p.stop();
    throw err;
  }
}

/** Starts `volno edge --config FILE` and resolves once it logged `edge agent started`. */
export async function startEdge(configFile: string, o: SpawnOptions & { name?: string } = {}): Promise<VolnoProcess> {
  const p = new VolnoProcess(o.name ?? 'volno edge', ['edge', '--config', configFile], o);
  try {
    await p.waitForLog('edge agent started', () => true, START_TIMEOUT_MS);
    return p;
  } catch (err) {
    await p.stop();
    throw err;
  }
}
