import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXAMPLES } from '../../../protocol/examples.ts';
import { buildTopic, encodeMessage } from '../../../protocol/index.ts';
import { ingestHarness, type Harness } from '../support/ingest-harness.ts';
import { PREFIX } from '../support/messages.ts';

let h: Harness;
beforeEach(async () => {
  h = await ingestHarness();
  h.clock.set(Date.parse('2026-11-30T08:20:00Z'));
});
afterEach(() => h.close());

const ex = EXAMPLES.calibration_running;
const topic = (camera: string) => buildTopic('calibration_running', { ...ex.params, camera }, PREFIX);
const report = (camera: string, seq: number) =>
  encodeMessage('calibration_running', { ...ex.payload, camera_id: camera, seq });
const accepted = () => h.metrics.accepted.get({ kind: 'calibration_running' });
const skipped = () => h.metrics.ignored.get({ reason: 'repeated_report' });

describe('running-calibration reports replayed by the broker', () => {
  it('checks a report once: the same bytes again on that camera are skipped before parsing and hashing', async () => {
    await h.send({ topic: topic('north-1'), payload: report('north-1', 3) }, true);
    expect(accepted()).toBe(1);
    // The broker replays its retained copy on every (re)subscription.
    await h.send({ topic: topic('north-1'), payload: report('north-1', 3) }, true);
    await h.send({ topic: topic('north-1'), payload: report('north-1', 3) }, true);
    expect(accepted()).toBe(1);
    expect(skipped()).toBe(2);
  });

  it('checks a new report, and the same report on another camera, as usual', async () => {
    await h.send({ topic: topic('north-1'), payload: report('north-1', 3) });
    await h.send({ topic: topic('north-1'), payload: report('north-1', 4) });
    await h.send({ topic: topic('south-1'), payload: report('south-1', 4) });
    expect(accepted()).toBe(3);
    // And the first one again is not the last seen on north-1: checked again.
    await h.send({ topic: topic('north-1'), payload: report('north-1', 3) });
    expect(accepted()).toBe(4);
    expect(skipped()).toBe(0);
  });

  it('checks again a report that was rejected, rather than remembering it', async () => {
    const forged = encodeMessage('calibration_running', { ...ex.payload, sha256: 'f'.repeat(64) });
    await h.send({ topic: topic('north-1'), payload: forged });
    await h.send({ topic: topic('north-1'), payload: forged });
    expect(h.metrics.rejected.get({ reason: 'hash_mismatch' })).toBe(2);
    expect(skipped()).toBe(0);
  });
});
