import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkConfigFiles } from '../../edge/config/check-files.ts';
import { parseConfig } from '../../edge/config/load.ts';
import { test } from '../fixtures/index.ts';
import { track } from '../fixtures/process.ts';
import { requireDataset } from '../support/datasets.ts';
import { MODELS_DIR } from './support/agent.ts';
import { Recorder } from './support/mqtt.ts';
import { ufpr05Calibration, UFPR05_VIDEO } from './support/ufpr05.ts';
import { waitFor } from './support/wait.ts';

const bin = fileURLToPath(new URL('../../bin/volno.mjs', import.meta.url));
const MODEL = 'volno-slotnet-v1';

function configDir(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'volno-cli-'));
  writeFileSync(join(dir, 'edge.yaml'), yaml);
  return dir;
}

const yaml = (brokerUrl: string, source: string) => `
version: 1
site_id: site-1
agent_id: agent-1
models_dir: ${MODELS_DIR}
log_level: warn
mqtt: { url: "${brokerUrl}", username: edge, password: "\${TEST_MQTT_PASSWORD}" }
cameras:
  - id: cam
    source: ${source}
    model: ${MODEL}
    calibration: { file: cal.json }
`;

describe('volno edge', () => {
  it('--validate-config prints path: message lines and exits 1 for a bad config', () => {
    const dir = configDir(yaml('mqtt://127.0.0.1:1', '{ type: rtsp, url: "rtsp://cam/s", fps: 2 }'));
    const r = spawnSync(process.execPath, [bin, 'edge', '--config', join(dir, 'edge.yaml'), '--validate-config'], {
      encoding: 'utf8',
      env: { ...process.env, TEST_MQTT_PASSWORD: 'x' },
    });
    expect(r.status).toBe(1);
    expect(r.stderr.split('\n').slice(1, 2)).toEqual(['/cameras/0/source: unknown property "fps"']);
  });

  it('--validate-config also checks the files the config names', async (ctx) => {
    if (!existsSync(join(MODELS_DIR, MODEL, 'model.json'))) return ctx.skip(`model ${MODEL} is not built`);
    const dir = configDir(yaml('mqtt://127.0.0.1:1', '{ type: rtsp, url: "rtsp://cam/s" }'));
    const loaded = parseConfig(readFileSync(join(dir, 'edge.yaml'), 'utf8'), dir, { TEST_MQTT_PASSWORD: 'x' });
    if (!loaded.ok) throw new Error(loaded.issues.join('\n'));
    expect(await checkConfigFiles(loaded.value.config)).toEqual([
      `/cameras/0/calibration/file: ${join(dir, 'cal.json')} does not exist`,
    ]);
    writeFileSync(join(dir, 'cal.json'), JSON.stringify(ufpr05Calibration(ctx, { cameraId: 'cam' })));
    const ok = spawnSync(process.execPath, [bin, 'edge', '-c', join(dir, 'edge.yaml'), '--validate-config'], {
      encoding: 'utf8',
      env: { ...process.env, TEST_MQTT_PASSWORD: 'x' },
    });
    expect(ok.stdout.trim()).toBe(`${join(dir, 'edge.yaml')}: valid (1 camera)`);
    expect(ok.status).toBe(0);
  });

  test('stops on SIGTERM: publishes stopped, ends ffmpeg, saves its state and exits 0', async ({ mosquitto, skip }) => {
    if (!existsSync(join(MODELS_DIR, MODEL, 'model.json'))) return skip(`model ${MODEL} is not built`);
    const video = requireDataset({ skip }, UFPR05_VIDEO);
    const dir = mkdtempSync(join(tmpdir(), 'volno-cli-'));
    const marker = join(dir, `clip-${process.pid}.mp4`); // a unique name to find our ffmpeg by
    symlinkSync(video, marker);
    writeFileSync(join(dir, 'edge.yaml'), yaml(mosquitto.url, `{ type: file, path: "${marker}" }`));
    writeFileSync(join(dir, 'cal.json'), JSON.stringify(ufpr05Calibration({ skip }, { cameraId: 'cam' })));
    const rec = await new Recorder(mosquitto.url).start();
    const agent = spawn(process.execPath, [bin, 'edge', '--config', join(dir, 'edge.yaml')], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TEST_MQTT_PASSWORD: 'not-checked-by-the-test-broker' },
    });
    track(agent);
    let output = '';
    agent.stdout.on('data', (d: Buffer) => (output += d.toString()));
    agent.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => agent.once('exit', (code) => resolve(code)));
    const ffmpegPids = () => spawnSync('pgrep', ['-f', marker], { encoding: 'utf8' }).stdout.trim();
    try {
      await waitFor(
        () => rec.of('camera_summary').some((h) => (h.payload['stream'] as { status: string }).status === 'ok'),
        { timeoutMs: 30_000, what: 'frames flowing' },
      );
      expect(ffmpegPids()).not.toBe('');
      agent.kill('SIGTERM');
      expect(await exited).toBe(0);
      await waitFor(() => rec.of('availability').at(-1)?.payload['status'] === 'stopped', {
        timeoutMs: 5000,
        what: 'stopped',
      });
      expect(ffmpegPids()).toBe('');
      expect(existsSync(join(dir, 'state', 'state.json'))).toBe(true);
      expect(output).not.toContain('not-checked-by-the-test-broker');
    } finally {
      agent.kill('SIGKILL');
      await rec.stop();
    }
  });
});
