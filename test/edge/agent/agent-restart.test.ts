// A restart is not an outage of knowledge: with the state file and the cached calibration, the agent
// resumes each slot's state and `since` at its first agreeing frame, even if the broker is down.
import { existsSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect } from 'vitest';
import { buildTopic } from '../../../protocol/index.ts';
import { test } from '../../fixtures/index.ts';
import { freePort } from '../../fixtures/process.ts';
import { MODELS_DIR, startAgent, type RunningAgent } from '../support/agent.ts';
import { Recorder } from '../support/mqtt.ts';
import { labelledFrames, ufpr05Calibration } from '../support/ufpr05.ts';

const UFPR05_SEQUENCE4 = 'pklot-ufpr05/sequence4/frames'; // 8 to 40 cars
import { waitFor } from '../support/wait.ts';

const MODEL = 'volno-slotnet-v1';
const running: RunningAgent[] = [];
afterEach(async () => {
  for (const a of running.splice(0)) await a.stop();
});

describe('the edge agent across a restart', () => {
  test('resumes every slot with its old since, from the state file and the calibration it cached', async ({
    mosquitto,
    skip,
  }) => {
    if (!existsSync(join(MODELS_DIR, MODEL, 'model.json'))) return skip(`model ${MODEL} is not built`);
    // One picture on repeat, so the model's answer cannot change between the two lives.
    const [picture] = labelledFrames({ skip }, UFPR05_SEQUENCE4);
    const dir = mkdtempSync(join(tmpdir(), 'volno-restart-'));
    const frames = join(dir, 'frames');
    mkdirSync(frames);
    symlinkSync(picture!.path, join(frames, 'frame.png'));
    const config = (url: string) => `
version: 1
site_id: site-1
agent_id: agent-1
models_dir: ${MODELS_DIR}
state_dir: ${join(dir, 'state')}
mqtt: { url: "${url}", reconnect_period_s: 0.2 }
cameras:
  - id: cam
    source: { type: images, path: "${frames}" }
    sample_rate_fps: 4
    model: ${MODEL}
    delays: { enter_s: 0, exit_s: 1 }
    quality: { frozen_s: 3600 }
`;
    const rec = await new Recorder(mosquitto.url).start();
    try {
      await rec.publish(
        buildTopic('calibration', { site: 'site-1', camera: 'cam' }),
        JSON.stringify(ufpr05Calibration({ skip }, { cameraId: 'cam' })),
        true,
      );
      const first = await startAgent(config(mosquitto.url), {}, dir);
      running.push(first);
      const camera = () => first.agent.cameras.get('cam')!;
      await waitFor(() => camera().slots.counts().unknown === 0 && camera().slots.counts().total === 40, {
        timeoutMs: 20_000,
        what: 'every slot known',
      });
      const before = new Map(
        camera()
          .slots.reports()
          .map(({ slotId, report }) => [slotId, { ...report }]),
      );
      await first.stop();

      // Second life: the broker is unreachable, so the calibration can only come from the cache.
      const second = await startAgent(config(`mqtt://127.0.0.1:${await freePort()}`), {}, dir);
      running.push(second);
      const again = () => second.agent.cameras.get('cam')!;
      expect(again().calibrationVersion).toBe(1);
      await waitFor(() => again().slots.counts().unknown === 0, { timeoutMs: 20_000, what: 'every slot known again' });
      expect(again().slots.counts().occupied).toBeGreaterThan(0);
      for (const { slotId, report } of again().slots.reports()) {
        expect(report, `slot ${slotId}`).toMatchObject({
          state: before.get(slotId)!.state,
          since: before.get(slotId)!.since,
        });
      }
    } finally {
      await rec.stop();
    }
  });
});
