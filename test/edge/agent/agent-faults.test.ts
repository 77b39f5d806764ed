// Faults with real parts: a camera server that dies and comes back, a broker that restarts.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect } from 'vitest';
import { buildTopic } from '../../../protocol/index.ts';
import { test } from '../../fixtures/index.ts';
import { requireDataset } from '../../support/datasets.ts';
import { MODELS_DIR, startAgent, type RunningAgent } from '../support/agent.ts';
import { Recorder } from '../support/mqtt.ts';
import { startRtspOnPort } from '../support/rtsp-same-port.ts';
import { ufpr05Calibration, UFPR05_SEQUENCE0, UFPR05_VIDEO } from '../support/ufpr05.ts';
import { waitFor } from '../support/wait.ts';

const MODEL = 'volno-slotnet-v1';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function agent(yaml: string): Promise<RunningAgent> {
  const a = await startAgent(yaml);
  cleanups.push(() => a.stop());
  return a;
}

async function recorder(url: string): Promise<Recorder> {
  const r = await new Recorder(url).start();
  cleanups.push(() => r.stop());
  return r;
}

const header = (brokerUrl: string) => `
version: 1
site_id: site-1
agent_id: agent-1
models_dir: ${MODELS_DIR}
intervals: { heartbeat_s: 1, stats_s: 1, refresh_s: 60 }
mqtt: { url: "${brokerUrl}", reconnect_period_s: 0.2 }
cameras:`;

describe('the edge agent under faults', () => {
  test('turns slots unknown within the TTL when the camera server dies, keeps running, and recovers when it returns', async ({
    mosquitto,
    rtsp,
    skip,
  }) => {
    if (!existsSync(join(MODELS_DIR, MODEL, 'model.json'))) return skip(`model ${MODEL} is not built`);
    const video = requireDataset({ skip }, UFPR05_VIDEO);
    const server = await rtsp({ video });
    const rec = await recorder(mosquitto.url);
    await rec.publish(
      buildTopic('calibration', { site: 'site-1', camera: 'cam' }),
      JSON.stringify(ufpr05Calibration({ skip }, { cameraId: 'cam' })),
      true,
    );
    const a = await agent(`${header(mosquitto.url)}
  - id: cam
    source: { type: rtsp, url: "${server.url}", timeout_s: 2 }
    sample_rate_fps: 2
    model: ${MODEL}
    delays: { enter_s: 0, exit_s: 0 }
    frame_ttl_s: 3
    stall_timeout_s: 3
    reconnect: { initial_s: 0.2, max_s: 1 }
`);
    const summary = () =>
      rec.latest('camera_summary').get(buildTopic('camera_summary', { site: 'site-1', camera: 'cam' }));
    const allKnown = () => summary()?.['total'] === 40 && summary()?.['unknown'] === 0;
    await waitFor(allKnown, { timeoutMs: 20_000, what: 'every slot known' });

    const killedAt = Date.now();
    await server.stop();
    await waitFor(() => summary()?.['unknown'] === 40, { timeoutMs: 10_000, what: 'every slot unknown' });
    // TTL 3 s after the last frame (at most ~0.5 s before the kill), plus one TTL check tick.
    expect(Date.now() - killedAt).toBeLessThan(3000 + 500 + 1000 + 1500);
    const states = [...rec.latest('slot_state').values()];
    expect(states.every((s) => s['state'] === 'unknown' && s['reason'] === 'stream_down')).toBe(true);
    expect(['stalled', 'down']).toContain((summary()!['stream'] as { status: string }).status);

    const back = await startRtspOnPort(server.port, video);
    cleanups.push(() => back.stop());
    await waitFor(allKnown, { timeoutMs: 20_000, what: 'recovery after the server returned' });
    const stats = rec.of('stats').at(-1)!.payload['cameras'] as { reconnects_total: number }[];
    expect(stats[0]!.reconnects_total).toBeGreaterThanOrEqual(1);
    expect(a.agent.cameras.get('cam')!.health().status).toBe('ok');
  });

  test('reconnects after Mosquitto restarts and republishes the current state the broker lost', async ({
    mosquitto,
    skip,
  }) => {
    if (!existsSync(join(MODELS_DIR, MODEL, 'model.json'))) return skip(`model ${MODEL} is not built`);
    const frames = requireDataset({ skip }, UFPR05_SEQUENCE0);
    const rec = await recorder(mosquitto.url);
    const a = await agent(
      `${header(mosquitto.url)}
  - id: cam
    source: { type: images, path: "${frames}" }
    sample_rate_fps: 4
    model: ${MODEL}
    calibration: { file: cal.json }
    delays: { enter_s: 0, exit_s: 0 }
    quality: { frozen_s: 3600 }
`.replace('cal.json', join(await writeCalibration({ skip }), 'cal.json')),
    );
    await waitFor(() => [...rec.latest('slot_state').values()].filter((s) => s['state'] !== 'unknown').length === 40, {
      timeoutMs: 20_000,
      what: 'every slot known',
    });
    const session = a.agent.sessionId;

    await mosquitto.restart(); // persistence off: every retained message is gone
    // The first recorder reconnects too; once it has heard the agent come back online and republish,
    // a subscriber that arrives now can only learn the states from the broker's retained copies.
    const reconnected = () =>
      rec
        .of('availability')
        .find((h) => h.payload['status'] === 'online' && (h.payload['connection_seq'] as number) >= 1);
    await waitFor(reconnected, { timeoutMs: 20_000, what: 'the agent online again' });
    const before = rec.heard.indexOf(reconnected()!);
    await waitFor(() => rec.heard.slice(before).filter((h) => h.kind === 'slot_state').length >= 40, {
      timeoutMs: 10_000,
      what: 'the republished states',
    });
    const late = await recorder(mosquitto.url);
    await waitFor(() => late.of('slot_state').filter((h) => h.retain).length === 40, {
      timeoutMs: 20_000,
      what: 'republished retained states',
    });
    await waitFor(() => late.latest('availability').size === 1, { timeoutMs: 5000, what: 'availability' });
    expect([...late.latest('availability').values()][0]).toMatchObject({
      status: 'online',
      connection_seq: expect.any(Number),
      session_id: session,
    });
    expect(([...late.latest('availability').values()][0]!['connection_seq'] as number) >= 1).toBe(true);
    expect(late.of('camera_summary').some((h) => h.retain)).toBe(true);
    expect(a.agent.sessionId).toBe(session); // same process: nothing crashed
    expect(late.invalid).toEqual([]);
  });
});

async function writeCalibration(ctx: { skip: (note?: string) => never }): Promise<string> {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'volno-cal-'));
  writeFileSync(join(dir, 'cal.json'), JSON.stringify(ufpr05Calibration(ctx, { cameraId: 'cam' })));
  return dir;
}
