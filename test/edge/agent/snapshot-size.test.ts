import { describe, expect, it } from 'vitest';
import { Inbound } from '../../../edge/agent/inbound.ts';
import type { CameraPipeline } from '../../../edge/camera/camera-pipeline.ts';
import type { MqttLink } from '../../../edge/mqtt/link.ts';
import { buildTopic, encodeFeatures, encodeMessage, type SnapshotClassified } from '../../../protocol/index.ts';
import { captureLog } from '../support/capture-log.ts';

const NOW = Date.parse('2026-12-04T10:00:00.000Z');

function classified(slots: number, dim: number): SnapshotClassified {
  const row = encodeFeatures(new Float32Array(dim).fill(0.25));
  return {
    model_id: 'm',
    calibration_version: 1,
    dim,
    generic_head: { weights: Array(dim).fill(0), bias: 0 },
    slots: Array.from({ length: slots }, (_, i) => ({ slot_id: `s${i}`, p_occupied: 0.5, features_base64: row })),
  };
}

/** A camera whose snapshot carries `c`; a link that records what would go on the wire. */
async function reply(c: SnapshotClassified, jpegBytes = 1000) {
  const sent: { kind: string; body: Record<string, unknown> }[] = [];
  const link = { publish: (kind: string, _p: unknown, body: Record<string, unknown>) => sent.push({ kind, body }) };
  const camera = {
    id: 'cam-1',
    snapshot: async () => ({
      ok: true,
      capturedAt: NOW,
      jpeg: Buffer.alloc(jpegBytes, 7),
      width: 1280,
      height: 720,
      classified: c,
    }),
  };
  const logged = captureLog();
  const inbound = new Inbound(
    link as unknown as MqttLink,
    new Map([['cam-1', camera as unknown as CameraPipeline]]),
    new Set(),
    'volno/v1',
    logged.log,
    () => NOW,
  );
  const request = encodeMessage('snapshot_request', {
    camera_id: 'cam-1',
    request_id: 'request-0001',
    requested_at: new Date(NOW).toISOString(),
  });
  inbound.handle(buildTopic('snapshot_request', { site: 'site-1', camera: 'cam-1' }, 'volno/v1'), Buffer.from(request));
  await new Promise((r) => setImmediate(r));
  return { body: sent.find((s) => s.kind === 'snapshot_reply')!.body, log: logged.text() };
}

describe('a snapshot reply with features', () => {
  it('carries them when they fit the message limit (300 slots × 646 features)', async () => {
    const r = await reply(classified(300, 646));
    expect((r.body['classified'] as SnapshotClassified).slots).toHaveLength(300);
  });

  it('leaves them out, and says so, when they would not: the picture still goes', async () => {
    const r = await reply(classified(1000, 4096), 12_000_000);
    expect(r.body['classified']).toBeUndefined();
    expect(r.body['result']).toBe('ok');
    expect(r.log).toContain('would be too large');
  });
});
