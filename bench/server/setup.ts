// Shared pieces of the server benchmarks: a config with many slots, agent messages, a broker, a worker.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Aedes } from 'aedes';
import { buildTopic, encodeMessage } from '../../protocol/index.ts';
import { parseConfig } from '../../server/main/config/load.ts';
import type { ServerConfig } from '../../server/main/config/schema.ts';
import { startMosquitto } from '../../test/fixtures/mosquitto.ts';

export const SITE = 'bench-site';
export const CAMERAS = 5;

export const slotIds = (perCamera: number) =>
  Array.from({ length: CAMERAS }, (_, c) =>
    Array.from({ length: perCamera }, (_, s) => [`cam-${c}`, `S${s}`] as const),
  ).flat();

/** One lot per camera, `perCamera` slots each, laid out in rows of 20. */
export function benchConfig(dataDir: string, perCamera: number, raw: Record<string, unknown> = {}): ServerConfig {
  const lots = Array.from({ length: CAMERAS }, (_, c) => ({
    lot_id: `lot-${c}`,
    name: `Lot ${c}`,
    cameras: [
      {
        camera_id: `cam-${c}`,
        slots: Array.from({ length: perCamera }, (_, s) => ({
          slot_id: `S${s}`,
          row: Math.floor(s / 20) + 1,
          col: (s % 20) + 1,
        })),
      },
    ],
  }));
  const { mqtt, ...rest } = raw as { mqtt?: Record<string, unknown> };
  return parseConfig(
    {
      site: SITE,
      data_dir: dataDir,
      log_level: 'silent',
      lots,
      http: { port: 0 },
      ingest: { sweep_interval_s: 3600, agent_ttl_s: 3600 },
      home_assistant: { enabled: false },
      ...rest,
      mqtt: { embedded: { port: 0 }, ...mqtt },
    },
    { baseDir: dataDir, env: {} },
  );
}

/**
 * `count` slot states as an agent publishes them: round-robin over the slots, every fifth report a
 * change of state and the rest refreshes, observation times increasing.
 */
export function slotMessages(
  count: number,
  perCamera: number,
  start = Date.now() - count,
): { topics: string[]; payloads: string[] } {
  const slots = slotIds(perCamera);
  const topics: string[] = [];
  const payloads: string[] = [];
  for (let i = 0; i < count; i++) {
    const [camera, slot] = slots[i % slots.length]!;
    const round = Math.floor(i / slots.length);
    const at = new Date(start + i).toISOString();
    topics.push(buildTopic('slot_state', { site: SITE, camera, slot }));
    payloads.push(
      encodeMessage('slot_state', {
        agent_id: 'bench-agent',
        session_id: 'bench-session-1',
        seq: i,
        sent_at: at,
        camera_id: camera,
        slot_id: slot,
        state: Math.floor(round / 5) % 2 === 0 ? 'free' : 'occupied',
        confidence: 0.93,
        since: at,
        observed_at: at,
        model_id: 'volno-slotnet-v1',
        calibration_version: 1,
      }),
    );
  }
  return { topics, payloads };
}

export interface Broker {
  url: string;
  kind: 'mosquitto' | 'aedes';
  stop(): Promise<void>;
}

/** Debian's Mosquitto when installed (the production setup for load), else the embedded aedes. */
export async function startBroker(): Promise<Broker> {
  try {
    // Mosquitto drops QoS 1 messages queued beyond 1000 for a subscriber that lags (its
    // max_queued_messages default); the benchmark measures throughput, not that limit.
    const m = await startMosquitto({ configExtra: ['max_queued_messages 0'] });
    return { url: m.url, kind: 'mosquitto', stop: () => m.stop() };
  } catch {
    // A bare aedes, as the embedded broker runs it but without its accounts and topic rules: the
    // benchmark's server connects from outside, as an anonymous client the rules would not let read.
    const aedes = await Aedes.createBroker({ drainTimeout: 30_000 });
    const server = createServer(aedes.handle);
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const { port } = server.address() as AddressInfo;
    const stop = async () => {
      await new Promise<void>((r) => aedes.close(() => r()));
      await new Promise<void>((r) => server.close(() => r()));
    };
    return { url: `mqtt://127.0.0.1:${port}`, kind: 'aedes', stop };
  }
}

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'volno-bench-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs a plain-JS worker next to this file; resolves with its messages as they come. */
export function worker(
  file: string,
  data: unknown,
  onMessage: (m: { type?: string } & Record<string, unknown>) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL(file, import.meta.url), { workerData: data });
    w.on('message', onMessage);
    w.on('error', reject);
    w.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${file} exited with ${code}`))));
  });
}

export const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
