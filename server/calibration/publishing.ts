import type { Logger } from 'pino';
import { CalibrationError, toCalibrationPayload, type CalibrationDocument } from '../../calibration/index.ts';
import { calibrationDigest } from '../../protocol/calibration-digest.ts';
import { buildTopic, calibrationContent, encodeMessage, publishOptions } from '../../protocol/index.ts';
import type { Clock } from '../core/clock.ts';
import type { MqttConnection } from '../core/mqtt/connection.ts';
import type { SqlExecutor } from '../core/storage/sql/port.ts';
import { CalibrationIssuesError, calibrationError } from './errors.ts';
import { validateDocument, type Lang } from './issues.ts';
import { headForPublish } from './labels/carry.ts';
import { exemplarsForPublish } from './labels/exemplars.ts';
import type { LabelStore } from './labels/label-store.ts';
import type { SnapshotStore } from './snapshot-store.ts';
import type { VersionsStore } from './versions-store.ts';
import type { ValidationOptions, PrivacyMask } from '../../calibration/index.ts';

const PUBLISH_WAIT_MS = 5000;

export interface PublishDeps {
  sql: SqlExecutor;
  versions: VersionsStore;
  labels: LabelStore;
  snapshots: SnapshotStore;
  mqtt: MqttConnection;
  clock: Clock;
  log: Logger;
  site: string;
  prefix: string;
  validation: ValidationOptions;
  masks(cameraId: string): Promise<PrivacyMask[]>;
  /** Where the reference frame of a publish goes (the service's in-memory references). */
  setReference(cameraId: string, jpeg: Buffer, version: number): void;
}

/**
 * Publishes a saved version (retained, QoS 1) with the camera's masks and newest snapshot as
 * reference. 422 when it has errors, 503 when the broker does not take it.
 *
 * Several instances may publish at once: the version row is marked in one statement before the
 * message goes out (a fast agent's acknowledgement must find it published), and undone after a
 * broker failure only while it still carries this instance's mark. "Published wins" needs no lock:
 * a file report (running.ts) that committed before the mark was recorded first, and every later one
 * reads the mark in its own transaction.
 */
export async function publishVersion(
  d: PublishDeps,
  cameraId: string,
  version: number,
  by: string,
  lang: Lang,
): Promise<void> {
  const row = await d.versions.get(cameraId, version);
  if (!row) throw calibrationError(404, 'VOLNO_NOT_FOUND', `camera ${cameraId} has no version ${version}`);
  const doc: CalibrationDocument = { ...row.document, camera_id: cameraId, privacy_masks: await d.masks(cameraId) };
  const report = validateDocument(doc, d.validation, lang);
  if (!report.canSave) throw new CalibrationIssuesError(report.issues);
  const snap = d.snapshots.latest(cameraId);
  const fits = snap && Math.abs(snap.width / snap.height / (doc.frame_width / doc.frame_height) - 1) < 0.02;
  let payload;
  try {
    payload = toCalibrationPayload(doc, {
      cameraId,
      version,
      issuedAt: new Date(d.clock.now()),
      validation: d.validation,
      ...(fits ? { referenceJpegBase64: snap.jpeg.toString('base64') } : {}),
    });
  } catch (err) {
    if (err instanceof CalibrationError)
      throw calibrationError(422, 'VOLNO_CALIBRATION_INVALID', err.message.split('\n')[0]!, [...err.issues]);
    throw err;
  }
  const tuned = await headForPublish(d, cameraId, version, doc, await cameraMoved(d.sql, cameraId));
  if (tuned) payload = { ...payload, tuned_head: tuned };
  // After headForPublish, which has deleted the labels a moved view or a changed outline made stale.
  const exemplars = await exemplarsForPublish(d.labels, cameraId, doc);
  if (exemplars) payload = { ...payload, slot_exemplars: exemplars };
  if (!d.mqtt.connected) throw calibrationError(503, 'VOLNO_UNAVAILABLE', 'the MQTT broker is not connected');
  // The hash is what the agent will report running (server/calibration/running.ts checks it). It leaves
  // out the reference image and slot_exemplars (calibrationContent), so exemplars never change it.
  const mark = { at: d.clock.now(), by, sha256: calibrationDigest(calibrationContent(payload)) };
  const before = await d.versions.markPublished(cameraId, version, mark.by, mark.at, mark.sha256);
  const topic = buildTopic('calibration', { site: d.site, camera: cameraId }, d.prefix);
  try {
    await withTimeout(
      d.mqtt.publish(topic, encodeMessage('calibration', payload), publishOptions('calibration')),
      PUBLISH_WAIT_MS,
    );
  } catch (err) {
    await d.versions.restorePublished(cameraId, version, mark, before);
    d.log.warn({ err, camera: cameraId, version }, 'publishing a calibration failed');
    throw calibrationError(503, 'VOLNO_UNAVAILABLE', 'the broker did not accept the calibration; try again');
  }
  if (fits) d.setReference(cameraId, snap.jpeg, version);
  d.log.info(
    {
      camera: cameraId,
      version,
      by,
      reference: Boolean(fits),
      tuned_head: tuned !== null,
      exemplars: exemplars?.exemplars.length ?? 0,
    },
    'calibration published',
  );
}

/** The agent says the view no longer matches the calibration reference. */
async function cameraMoved(sql: SqlExecutor, cameraId: string): Promise<boolean> {
  const r = await sql.one<{ stream_status: string | null }>('SELECT stream_status FROM cameras WHERE camera_id = $1', [
    cameraId,
  ]);
  return r?.stream_status === 'camera_moved';
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
