import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError, type Command } from 'commander';
import { stringify } from 'yaml';
import { decodeMessage, type CalibrationPayload } from '../protocol/index.ts';
import { simulatedCalibration } from '../edge/simulator/calibration.ts';
import { layoutLot } from '../edge/simulator/lot.ts';
import { agentUsername } from '../server/core/mqtt/broker-rules.ts';
import { hashPassword } from '../server/core/mqtt/password-file.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin/volno.mjs');
const SITE = 'demo';

interface DemoFlags {
  port: number;
  data: string;
  cameras: number;
  slots: number;
  source?: string;
  calibration?: string;
  model: string;
}

const positive = (max: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new InvalidArgumentError(`must be an integer 1–${max}`);
  return n;
};

/** Asks the OS for a free port on 127.0.0.1 for the embedded broker, which only the demo's own agent uses. */
function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => ok(port));
    });
  });
}

interface DemoCamera {
  id: string;
  source: Record<string, unknown>;
  calibration: CalibrationPayload;
}

function cameras(flags: DemoFlags): DemoCamera[] {
  if (flags.source !== undefined) {
    if (flags.calibration === undefined) throw new InvalidArgumentError('--source needs --calibration <file>');
    const decoded = decodeMessage('calibration', readFileSync(flags.calibration));
    if (!decoded.ok) throw new Error(`${flags.calibration}: ${decoded.error.message}`);
    const source = /^rtsps?:\/\//.test(flags.source)
      ? { type: 'rtsp', url: flags.source }
      : { type: 'file', path: resolve(flags.source) };
    return [{ id: decoded.value.camera_id, source, calibration: decoded.value }];
  }
  return Array.from({ length: flags.cameras }, (_, i) => {
    const id = `sim-${i + 1}`;
    const perRow = Math.min(10, flags.slots);
    return {
      id,
      source: { type: 'simulated', simulation: { slots: flags.slots, per_row: perRow, seed: i + 1 } },
      calibration: simulatedCalibration(layoutLot(flags.slots, perRow), id),
    };
  });
}

/** Writes the server's and the agent's configuration for one demo site into the data folder. */
/** Slots of the first simulated camera that visitors may book in the demo. */
const DEMO_RESERVABLE = 4;
const allWeek = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, ['00:00-24:00']]));

const AGENT = 'demo-agent';

/**
 * The agent's broker account, made afresh at every start: even on loopback, a local process without
 * the password cannot publish fake states (issue 13, finding 3). The server reads the hash; the agent
 * gets the password through its environment, never through a file.
 */
function agentAccount(dir: string): { username: string; password: string; passwordFile: string } {
  const username = agentUsername(SITE, AGENT);
  const password = randomBytes(24).toString('base64url');
  const passwordFile = join(dir, 'broker-passwd');
  writeFileSync(passwordFile, `${username}:${hashPassword(password)}\n`, { mode: 0o600 });
  return { username, password, passwordFile };
}

function writeConfigs(
  flags: DemoFlags,
  mqttPort: number,
  cams: DemoCamera[],
  account: { username: string; passwordFile: string },
): { server: string; edge: string } {
  const dir = resolve(flags.data);
  mkdirSync(join(dir, 'edge'), { recursive: true });
  const server = {
    version: 1,
    site: SITE,
    data_dir: join(dir, 'server'),
    http: { port: flags.port },
    mqtt: { embedded: { port: mqttPort, password_file: account.passwordFile } },
    lots: [
      {
        lot_id: 'demo',
        name: 'Ukázkové parkoviště',
        name_en: 'Demo car park',
        cameras: cams.map((c, ci) => ({
          camera_id: c.id,
          agent_id: AGENT,
          slots: c.calibration.slots.map((s, i) => ({
            slot_id: s.slot_id,
            label: s.slot_id,
            row: Math.floor(i / 10) + 1,
            col: (i % 10) + 1,
            // The first camera's first row can be booked at /reserve, so the demo shows the whole loop.
            ...(ci === 0 && i < DEMO_RESERVABLE ? { reservable: true } : {}),
          })),
        })),
        // Open around the clock so the demo's booking page works whenever it is tried.
        // `none`: the demo has no identity gateway and no mail server; the server warns about it at start.
        reservations: { identity: 'none', opening_hours: allWeek, czech_public_holidays: false, lead_time_min: 15 },
      },
    ],
  };
  const edge = {
    version: 1,
    site_id: SITE,
    agent_id: AGENT,
    models_dir: join(ROOT, 'models'),
    state_dir: join(dir, 'edge'),
    mqtt: { url: `mqtt://127.0.0.1:${mqttPort}`, username: account.username, password: '${VOLNO_MQTT_PASSWORD}' },
    cameras: cams.map((c) => {
      const calibrationFile = join(dir, 'edge', `${c.id}.calibration.json`);
      writeFileSync(calibrationFile, JSON.stringify(c.calibration, null, 2));
      return {
        id: c.id,
        source: c.source,
        sample_rate_fps: 1,
        model: flags.model,
        calibration: { file: calibrationFile },
        delays: { enter_s: 3, exit_s: 3 },
      };
    }),
  };
  const files = { server: join(dir, 'server.yaml'), edge: join(dir, 'edge.yaml') };
  writeFileSync(files.server, stringify(server));
  writeFileSync(files.edge, stringify(edge));
  return files;
}

function start(name: string, args: string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'inherit', 'inherit'], env });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`volno demo: the ${name} stopped (${signal ?? `exit ${code}`}); stopping the demo.`);
      void stopAll(1);
    }
  });
  children.push(child);
  return child;
}

const children: ChildProcess[] = [];
let stopping = false;

/** Stops the agent first (it publishes `stopped`), then the server, each politely then firmly. */
async function stopAll(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const child of [...children].reverse()) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((ok) => child.once('exit', ok));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  process.exit(code);
}

async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (stopping) return;
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((ok) => setTimeout(ok, 200));
  }
  throw new Error(`the server did not answer ${url} within ${timeoutMs / 1000} s`);
}

/** `volno demo`: the whole system on its embedded defaults, with a simulated camera unless told otherwise. */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('start the server (embedded broker, SQLite) and an edge agent watching a simulated car park')
    .option('-p, --port <n>', 'HTTP port of the web page and API', positive(65_535), 8080)
    .option('-d, --data <dir>', 'where the demo keeps its database, configs and agent state', '.volno/demo')
    .option('--cameras <n>', 'simulated cameras (a load generator: N cameras × M slots)', positive(64), 1)
    .option('--slots <n>', 'slots per simulated camera', positive(500), 40)
    .option('--source <url|file>', 'a real camera (rtsp://…) or video file instead of the simulation')
    .option('--calibration <file>', 'calibration JSON (the MQTT calibration payload) for --source')
    // SlotNet reads the simulator's flat, drawn cars surely; the COCO-feature default is honestly unsure
    // about them (too many slots end `unknown`, reason `uncertain`). A real camera: --model volno-yolox-slot-v1.
    .option('--model <id>', 'model under models/', 'volno-slotnet-v1')
    .action(async (flags: DemoFlags) => {
      const mqttPort = await freePort();
      mkdirSync(resolve(flags.data), { recursive: true });
      const account = agentAccount(resolve(flags.data));
      const files = writeConfigs(flags, mqttPort, cameras(flags), account);
      process.once('SIGINT', () => void stopAll(0));
      process.once('SIGTERM', () => void stopAll(0));
      start('server', ['server', '--config', files.server]);
      await waitForHttp(`http://127.0.0.1:${flags.port}/api/v1/lots`, 60_000);
      start('edge agent', ['edge', '--config', files.edge], { ...process.env, VOLNO_MQTT_PASSWORD: account.password });
      const base = `http://127.0.0.1:${flags.port}`;
      console.log(
        `\nVolno demo is running: open ${base}/  (Ctrl+C stops it)\n` +
          `  book a space:  ${base}/reserve\n` +
          `  staff pages:   ${base}/staff  (this machine is admin until the first account exists: volno user add)\n`,
      );
    });
}
