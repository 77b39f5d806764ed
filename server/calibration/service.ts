import type { Database } from 'better-sqlite3';
import type { Logger } from 'pino';
import {
  CalibrationError,
  toCalibrationPayload,
  type CalibrationDocument,
  type PrivacyMask,
  type ValidationOptions,
} from '../../calibration/index.ts';
import { calibrationDigest } from '../../protocol/calibration-digest.ts';
import {
  buildTopic,
  calibrationContent,
  decodeMessage,
  encodeMessage,
  parseTopic,
  publishOptions,
  topicFilter,
  type CalibrationAckPayload,
  type CalibrationRunningPayload,
  type Polygon,
  type SnapshotReplyPayload,
} from '../../protocol/index.ts';
import type { Clock } from '../core/clock.ts';
import type { Registry } from '../core/metrics/registry.ts';
import type { MqttConnection } from '../core/mqtt/connection.ts';
import type { Catalog } from '../core/storage/catalog.ts';
import { syncCatalog } from './catalog-sync.ts';
import { CalibrationIssuesError, calibrationError } from './errors.ts';
import { validateDocument, type Lang } from './issues.ts';
import { calibrationThresholds, type CalibrationConfig } from './config.ts';
import { headForPublish } from './labels/carry.ts';
import { LabelService } from './labels/label-service.ts';
import { LabelStore } from './labels/label-store.ts';
import { maskJpeg } from './privacy.ts';
import { requestSnapshot } from './snapshot-request.ts';
import { SnapshotStore, type Snapshot } from './snapshot-store.ts';
import { RunningCalibrations } from './running.ts';
import { VersionsStore } from './versions-store.ts';

export interface CalibrationDeps {
  db: Database;
  catalog: Catalog;
  mqtt: MqttConnection;
  clock: Clock;
  log: Logger;
  site: string;
  prefix: string;
  options: CalibrationConfig;
  registry: Registry;
  /** Lots whose slot list changed (live updates of availability). */
  onCatalogChanged(lots: (string | null)[]): void;
}

/** The frame a calibration was drawn on, kept for camera-moved comparisons. */
export interface Reference {
  jpeg: Buffer;
  version: number;
}

const PUBLISH_WAIT_MS = 5000;
/** Snapshot requests waiting at once, over all cameras. */
const MAX_PENDING_SNAPSHOTS = 16;

/**
 * The server side of calibrating cameras: versions in SQLite, privacy masks, snapshots in memory,
 * publishing to the agent and following its acknowledgements into the slot catalog.
 */
export class CalibrationService {
  readonly versions: VersionsStore;
  readonly snapshots: SnapshotStore;
  /** Staff labels and per-camera heads (issue 12). */
  readonly labels: LabelStore;
  readonly labelling: LabelService;
  /** What each camera runs, from its agent's reports (issue 15). */
  readonly running: RunningCalibrations;
  private readonly references = new Map<string, Reference>();
  private subscribed = false;

  constructor(private readonly d: CalibrationDeps) {
    this.versions = new VersionsStore(d.db);
    this.snapshots = new SnapshotStore(d.clock, {
      ttlMs: d.options.snapshot_ttl_s * 1000,
      maxBytes: d.options.snapshot_max_bytes,
      maxPending: MAX_PENDING_SNAPSHOTS,
    });
    this.labels = new LabelStore(d.db);
    this.labelling = new LabelService({
      cal: this,
      store: this.labels,
      clock: d.clock,
      log: d.log,
      retentionDays: d.options.labels_retention_days,
    });
    this.running = new RunningCalibrations({
      db: d.db,
      versions: this.versions,
      log: d.log,
      unverified: d.registry.counter(
        'volno_calibration_running_unverified_total',
        'Running-calibration reports naming a published version whose content hash is not the one published.',
      ),
      catalogChanged: (lot) => {
        this.d.catalog.refresh();
        setImmediate(() => this.d.onCatalogChanged([lot]));
      },
    });
  }

  /** Re-applies applied calibrations over the config's slot lists, and listens for retained references. */
  async start(): Promise<void> {
    const lots = this.versions.latestApplied().flatMap(({ cameraId, version }) => {
      const row = this.versions.get(cameraId, version);
      return row ? [syncCatalog(this.d.db, cameraId, row.document)] : [];
    });
    if (lots.length > 0) this.d.catalog.refresh();
    this.labelling.start();
    const subscribe = async () => {
      if (this.subscribed) return;
      this.subscribed = true;
      // The broker keeps the last published calibration (retained), reference image included: that
      // is how the reference survives a server restart without the server writing images to disk.
      await this.d.mqtt.subscribe([topicFilter('calibration', { site: this.d.site }, this.d.prefix)], 1);
    };
    this.d.mqtt.onConnected(() => void subscribe().catch((err) => this.d.log.warn({ err }, 'subscribing failed')));
    if (this.d.mqtt.connected) await subscribe();
  }

  stop(): void {
    this.labelling.stop();
    this.snapshots.stop();
    this.references.clear();
  }

  get labelsRetentionDays(): number {
    return this.d.options.labels_retention_days;
  }

  get validation(): ValidationOptions {
    return calibrationThresholds(this.d.options);
  }

  /** Ingest hook (inside the write transaction): hand the reply to the request waiting for it. */
  snapshotReply(p: SnapshotReplyPayload): boolean {
    return this.snapshots.deliver(p);
  }

  /** Ingest hook (inside the write transaction): record the answer; an `applied` moves the catalog. */
  calibrationAck(p: CalibrationAckPayload): void {
    try {
      const at = Date.parse(p.sent_at);
      if (!this.versions.recordAck(p.camera_id, p.version, p.result, p.reason ?? null, at)) return;
      this.d.log.info({ camera: p.camera_id, version: p.version, result: p.result }, 'calibration acknowledged');
      // Acks of one camera arrive in order on one topic (a replay is the retained, i.e. latest, one),
      // so an `applied` just recorded is what the agent runs now, whatever its version number.
      if (p.result !== 'applied') return;
      const row = this.versions.get(p.camera_id, p.version);
      if (!row) return;
      const lot = syncCatalog(this.d.db, p.camera_id, row.document);
      this.d.catalog.refresh();
      // After the surrounding transaction commits.
      setImmediate(() => this.d.onCatalogChanged([lot]));
    } catch (err) {
      this.d.log.error({ err, camera: p.camera_id }, 'could not record a calibration acknowledgement');
    }
  }

  /** Ingest hook (inside the write transaction): what the agent runs; a new file becomes a version. */
  calibrationRunning(p: CalibrationRunningPayload, at: number): void {
    try {
      this.running.report(p, at);
    } catch (err) {
      this.d.log.error({ err, camera: p.camera_id }, 'could not record the calibration an agent runs');
    }
  }

  /** MQTT messages the ingest does not take: retained calibrations (for their reference image). */
  handleMessage(topic: string, payload: Buffer): boolean {
    // Checked first: this runs for every ingest message.
    if (!topic.endsWith('/calibration')) return false;
    const parsed = parseTopic(topic, this.d.prefix);
    if (parsed?.kind !== 'calibration') return false;
    if (parsed.params.site !== this.d.site || payload.length === 0) return true;
    const decoded = decodeMessage('calibration', payload);
    if (!decoded.ok || decoded.value.reference_jpeg_base64 === undefined) return true;
    const cam = decoded.value.camera_id;
    const known = this.references.get(cam);
    if (known === undefined || known.version <= decoded.value.version)
      this.references.set(cam, {
        jpeg: Buffer.from(decoded.value.reference_jpeg_base64, 'base64'),
        version: decoded.value.version,
      });
    return true;
  }

  reference(cameraId: string): Reference | undefined {
    return this.references.get(cameraId);
  }

  knowsCamera(cameraId: string): boolean {
    return this.d.db.prepare('SELECT 1 FROM cameras WHERE camera_id = ?').get(cameraId) !== undefined;
  }

  async snapshot(cameraId: string, maxWidth?: number): Promise<Snapshot> {
    const masks = this.masks(cameraId).masks.map((m) => m.polygon as Polygon);
    return requestSnapshot(
      { ...this.d, snapshots: this.snapshots, timeoutMs: this.d.options.snapshot_timeout_ms },
      cameraId,
      masks,
      maxWidth,
    );
  }

  /** The camera's masks: as saved with PUT, else those of its latest version. */
  masks(cameraId: string): {
    masks: PrivacyMask[];
    source: 'camera' | 'calibration' | 'none';
    updatedAt: number | null;
    updatedBy: string | null;
  } {
    const own = this.versions.masks(cameraId);
    if (own) return { masks: own.masks, source: 'camera', updatedAt: own.updatedAt, updatedBy: own.updatedBy };
    const latest = this.versions.latestVersion(cameraId);
    const doc = latest === null ? undefined : this.versions.get(cameraId, latest)?.document;
    if (doc && doc.privacy_masks.length > 0)
      return { masks: doc.privacy_masks, source: 'calibration', updatedAt: null, updatedBy: null };
    return { masks: [], source: 'none', updatedAt: null, updatedBy: null };
  }

  /** Saves the masks (422 on an error) and masks the snapshots already in memory with them. */
  async putMasks(cameraId: string, masks: PrivacyMask[], by: string, lang: Lang) {
    const latest = this.versions.latestVersion(cameraId);
    const doc = latest === null ? undefined : this.versions.get(cameraId, latest)?.document;
    const probe: CalibrationDocument = {
      format: 'volno-calibration',
      format_version: 1,
      frame_width: doc?.frame_width ?? 1280,
      frame_height: doc?.frame_height ?? 720,
      slots: doc?.slots ?? [],
      privacy_masks: masks,
    };
    const report = validateDocument(probe, this.validation, lang);
    const issues = report.issues.filter((i) => i.mask_ids.length > 0);
    if (issues.some((i) => i.severity === 'error')) return { ok: false as const, issues };
    this.versions.putMasks(cameraId, masks, by, this.d.clock.now());
    const polygons = masks.map((m) => m.polygon as Polygon);
    for (const s of this.snapshots.ofCamera(cameraId)) {
      try {
        this.snapshots.replaceJpeg(s.id, (await maskJpeg(s.jpeg, polygons)).jpeg);
      } catch (err) {
        this.d.log.warn({ err }, 'could not re-mask a snapshot; dropping it');
        this.snapshots.dropCamera(cameraId);
      }
    }
    return { ok: true as const, issues };
  }

  /**
   * Publishes a saved version (retained, QoS 1) with the camera's masks and newest snapshot as
   * reference. 422 when it has errors, 503 when the broker does not take it.
   */
  async publish(cameraId: string, version: number, by: string, lang: Lang): Promise<void> {
    const row = this.versions.get(cameraId, version);
    if (!row) throw calibrationError(404, 'VOLNO_NOT_FOUND', `camera ${cameraId} has no version ${version}`);
    const doc: CalibrationDocument = {
      ...row.document,
      camera_id: cameraId,
      privacy_masks: this.masks(cameraId).masks,
    };
    const report = validateDocument(doc, this.validation, lang);
    if (!report.canSave) throw new CalibrationIssuesError(report.issues);
    const snap = this.snapshots.latest(cameraId);
    const fits = snap && Math.abs(snap.width / snap.height / (doc.frame_width / doc.frame_height) - 1) < 0.02;
    let payload;
    try {
      payload = toCalibrationPayload(doc, {
        cameraId,
        version,
        issuedAt: new Date(this.d.clock.now()),
        validation: this.validation,
        ...(fits ? { referenceJpegBase64: snap.jpeg.toString('base64') } : {}),
      });
    } catch (err) {
      if (err instanceof CalibrationError)
        throw calibrationError(422, 'VOLNO_CALIBRATION_INVALID', err.message.split('\n')[0]!, [...err.issues]);
      throw err;
    }
    const tuned = headForPublish(
      { labels: this.labels, versions: this.versions, log: this.d.log },
      cameraId,
      version,
      doc,
      this.cameraMoved(cameraId),
    );
    if (tuned) payload = { ...payload, tuned_head: tuned };
    if (!this.d.mqtt.connected) throw calibrationError(503, 'VOLNO_UNAVAILABLE', 'the MQTT broker is not connected');
    const before = { at: row.publishedAt, by: row.publishedBy, sha256: row.contentSha256 };
    // Marked first: a fast agent's acknowledgement must find the version published. The hash is
    // what the agent will report running (server/calibration/running.ts checks it).
    const sha256 = calibrationDigest(calibrationContent(payload));
    this.versions.markPublished(cameraId, version, by, this.d.clock.now(), sha256);
    const topic = buildTopic('calibration', { site: this.d.site, camera: cameraId }, this.d.prefix);
    try {
      await withTimeout(
        this.d.mqtt.publish(topic, encodeMessage('calibration', payload), publishOptions('calibration')),
        PUBLISH_WAIT_MS,
      );
    } catch (err) {
      this.versions.restorePublished(cameraId, version, before);
      this.d.log.warn({ err, camera: cameraId, version }, 'publishing a calibration failed');
      throw calibrationError(503, 'VOLNO_UNAVAILABLE', 'the broker did not accept the calibration; try again');
    }
    if (fits) this.references.set(cameraId, { jpeg: snap.jpeg, version });
    this.d.log.info(
      { camera: cameraId, version, by, reference: Boolean(fits), tuned_head: tuned !== null },
      'calibration published',
    );
  }

  /** The agent says the view no longer matches the calibration reference. */
  private cameraMoved(cameraId: string): boolean {
    const r = this.d.db.prepare('SELECT stream_status FROM cameras WHERE camera_id = ?').get(cameraId) as
      { stream_status: string | null } | undefined;
    return r?.stream_status === 'camera_moved';
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
