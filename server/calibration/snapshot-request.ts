import type { Logger } from 'pino';
import { buildTopic, encodeMessage, publishOptions, type Polygon } from '../../protocol/index.ts';
import type { Clock } from '../core/clock.ts';
import type { MqttConnection } from '../core/mqtt/connection.ts';
import { calibrationError } from './errors.ts';
import { maskJpeg } from './privacy.ts';
import { SnapshotStore, type Snapshot } from './snapshot-store.ts';

export interface SnapshotRequestDeps {
  mqtt: MqttConnection;
  snapshots: SnapshotStore;
  clock: Clock;
  log: Logger;
  site: string;
  prefix: string;
  timeoutMs: number;
}

/**
 * Asks the agent for a fresh frame (MQTT `snapshot_request`), waits for its reply (delivered by
 * ingest through `SnapshotStore.deliver`), masks it with the camera's privacy masks and keeps it in
 * memory. Throws ApiErrors: 503 when the broker is not connected or too many requests wait, 504 when
 * the agent stays silent, 502 when it answers with an error or an image that does not decode.
 */
export async function requestSnapshot(
  d: SnapshotRequestDeps,
  cameraId: string,
  masks: readonly Polygon[],
  maxWidth?: number,
): Promise<Snapshot> {
  if (!d.mqtt.connected) throw calibrationError(503, 'VOLNO_UNAVAILABLE', 'the MQTT broker is not connected');
  const requestId = SnapshotStore.newId();
  const waiting = d.snapshots.expect(requestId, cameraId, d.timeoutMs);
  if (waiting === null)
    throw calibrationError(503, 'VOLNO_UNAVAILABLE', 'too many snapshot requests are waiting; try again shortly');
  try {
    const topic = buildTopic('snapshot_request', { site: d.site, camera: cameraId }, d.prefix);
    const payload = encodeMessage('snapshot_request', {
      camera_id: cameraId,
      request_id: requestId,
      requested_at: new Date(d.clock.now()).toISOString(),
      ...(maxWidth === undefined ? {} : { max_width: maxWidth }),
    });
    await d.mqtt.publish(topic, payload, publishOptions('snapshot_request'));
  } catch (err) {
    d.snapshots.cancel(requestId);
    d.log.warn({ err, camera: cameraId }, 'could not publish a snapshot request');
    throw calibrationError(503, 'VOLNO_UNAVAILABLE', 'the snapshot request could not be sent');
  }
  const outcome = await waiting;
  if (!outcome.ok) {
    if (outcome.reason === 'stopped') throw calibrationError(503, 'VOLNO_UNAVAILABLE', 'the server is stopping');
    throw calibrationError(
      504,
      'VOLNO_SNAPSHOT_TIMEOUT',
      `the agent of camera ${cameraId} did not answer within ${Math.round(d.timeoutMs / 100) / 10} s; is it online?`,
    );
  }
  const reply = outcome.reply;
  if (reply.result !== 'ok' || reply.jpeg_base64 === undefined)
    throw calibrationError(
      502,
      'VOLNO_SNAPSHOT_FAILED',
      `the agent could not take a snapshot: ${reply.error ?? 'no image'}`,
    );
  let masked;
  try {
    masked = await maskJpeg(Buffer.from(reply.jpeg_base64, 'base64'), masks);
  } catch (err) {
    d.log.warn({ err, camera: cameraId }, 'an agent sent a snapshot that does not decode');
    throw calibrationError(502, 'VOLNO_SNAPSHOT_FAILED', 'the agent sent an image that cannot be decoded');
  }
  const captured = reply.captured_at === undefined ? NaN : Date.parse(reply.captured_at);
  return d.snapshots.put({
    cameraId,
    jpeg: masked.jpeg,
    width: masked.width,
    height: masked.height,
    capturedAt: Number.isFinite(captured) ? captured : d.clock.now(),
    ...(reply.classified && { classified: reply.classified }),
  });
}
