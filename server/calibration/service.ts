import type { Logger } from 'pino';
import type { CalibrationDocument, PrivacyMask, ValidationOptions } from '../../calibration/index.ts';
import {
  decodeMessage,
  parseTopic,
  topicFilter,
  type CalibrationAckPayload,
  type CalibrationRunningPayload,
  type Polygon,
  type SnapshotReplyPayload,
} from '../../protocol/index.ts';
import type { Clock } from '../core/clock.ts';
import type { EventBus } from '../core/events.ts';
import type { Counter, Registry } from '../core/metrics/registry.ts';
import type { MqttConnection } from '../core/mqtt/connection.ts';
import type { Catalog } from '../core/storage/catalog.ts';
import type { SqlExecutor } from '../core/storage/sql/port.ts';
import { syncCatalog } from './catalog-sync.ts';
import { calibrationThresholds, type CalibrationConfig } from './config.ts';
import { validateDocument, type Lang } from './issues.ts';
import { LabelService } from './labels/label-service.ts';
import { LabelStore } from './labels/label-store.ts';
import { maskJpeg } from './privacy.ts';
import { publishVersion } from './publishing.ts';
import { RunningCalibrations } from './running.ts';
import { requestSnapshot } from './snapshot-request.ts';
import { SnapshotStore, type Snapshot } from './snapshot-store.ts';
import { VersionsStore } from './versions-store.ts';

export interface CalibrationDeps {
  sql: SqlExecutor;
  catalog: Catalog;
  mqtt: MqttConnection;
  clock: Clock;
  log: Logger;
  site: string;
  prefix: string;
  options: CalibrationConfig;
  registry: Registry;
  /** `lots.changed` for lots whose slot list changed, emitted once the ingest transaction has committed. */
  bus: EventBus;
}

/** The frame a calibration was drawn on, kept for camera-moved comparisons. */
export interface Reference {
  jpeg: Buffer;
  version: number;
}

/** Snapshot requests waiting at once, over all cameras. */
const MAX_PENDING_SNAPSHOTS = 16;

/**
 * The server side of calibrating cameras: versions in the database, privacy masks, snapshots in
 * memory, publishing to the agent (publishing.ts) and following its acknowledgements into the slot
 * catalog.
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
  /** Ingest hooks that failed; their writes were rolled back, the rest of the batch was not. */
  private readonly hookErrors: Counter;
  /** Lots whose catalog an ingest hook changed, announced after the ingest commit. */
  private readonly changedLots = new Set<string | null>();
  private subscribed = false;
  private unlisten: (() => void) | undefined;

  constructor(private readonly d: CalibrationDeps) {
    this.versions = new VersionsStore(d.sql);
    this.snapshots = new SnapshotStore(d.clock, {
      ttlMs: d.options.snapshot_ttl_s * 1000,
      maxBytes: d.options.snapshot_max_bytes,
      maxPending: MAX_PENDING_SNAPSHOTS,
    });
    this.labels = new LabelStore(d.sql);
    this.labelling = new LabelService({
      cal: this,
      store: this.labels,
      clock: d.clock,
      log: d.log,
      retentionDays: d.options.labels_retention_days,
    });
    this.hookErrors = d.registry.counter(
      'volno_calibration_hook_errors_total',
      'Calibration acknowledgements and running reports that could not be recorded, by hook.',
    );
    this.running = new RunningCalibrations({
      sql: d.sql,
      versions: this.versions,
      log: d.log,
      unverified: d.registry.counter(
        'volno_calibration_running_unverified_total',
        'Running-calibration reports naming a published version whose content hash is not the one published.',
      ),
      catalogChanged: (lot, tx) => this.catalogChanged(lot, tx),
    });
  }

  /** Re-applies applied calibrations over the config's slot lists, and listens for retained references. */
  async start(): Promise<void> {
    // Ingest announces its commit on the bus; a hook's catalog change is public only after it.
    this.unlisten ??= this.d.bus.on('ingest.committed', () => this.announceChanges());
    let synced = 0;
    for (const { cameraId, version } of await this.versions.latestApplied()) {
      const row = await this.versions.get(cameraId, version);
      if (row) synced += (await syncCatalog(this.d.sql, cameraId, row.document), 1);
    }
    if (synced > 0) await this.d.catalog.refresh();
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
    this.unlisten?.();
    this.unlisten = undefined;
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

  /** Ingest hook (no database): hand the reply to the request waiting for it. */
  snapshotReply(p: SnapshotReplyPayload): boolean {
    return this.snapshots.deliver(p);
  }

  /** Ingest hook, inside the write transaction `tx`: record the answer; an `applied` moves the catalog. */
  async calibrationAck(p: CalibrationAckPayload, tx: SqlExecutor): Promise<void> {
    await this.guard('ack', p.camera_id, tx, async (sp) => {
      const answer = { result: p.result, reason: p.reason ?? null, at: Date.parse(p.sent_at) };
      if (!(await this.versions.recordAck(p.camera_id, p.version, answer, sp))) return;
      this.d.log.info({ camera: p.camera_id, version: p.version, result: p.result }, 'calibration acknowledged');
      // Acks of one camera arrive in order on one topic (a replay is the retained, i.e. latest, one),
      // so an `applied` just recorded is what the agent runs now, whatever its version number.
      if (p.result !== 'applied') return;
      const row = await this.versions.get(p.camera_id, p.version, sp);
      if (row) await this.catalogChanged(await syncCatalog(sp, p.camera_id, row.document), sp);
    });
  }

  /** Ingest hook, inside the write transaction `tx`: what the agent runs; a new file becomes a version. */
  async calibrationRunning(p: CalibrationRunningPayload, at: number, tx: SqlExecutor): Promise<void> {
    await this.guard('running', p.camera_id, tx, (sp) => this.running.report(p, at, sp));
  }

  /**
   * Runs a hook's writes in a savepoint of the ingest transaction: a failure rolls back only them
   * (PostgreSQL would otherwise refuse the rest of the batch), and is logged and counted, never thrown.
   */
  private async guard(
    hook: 'ack' | 'running',
    cameraId: string,
    tx: SqlExecutor,
    fn: (sp: SqlExecutor) => Promise<unknown>,
  ): Promise<void> {
    try {
      await tx.transaction(fn);
    } catch (err) {
      this.hookErrors.inc({ hook });
      this.d.log.error({ err, camera: cameraId, hook }, 'could not record what an agent said about its calibration');
    }
  }

  private async catalogChanged(lot: string | null, tx: SqlExecutor): Promise<void> {
    await this.d.catalog.refresh(tx);
    this.changedLots.add(lot);
  }

  private announceChanges(): void {
    if (this.changedLots.size === 0) return;
    const lots = [...this.changedLots];
    this.changedLots.clear();
    this.d.bus.emit('lots.changed', { lots });
  }

  /**
   * MQTT messages the ingest does not take: retained calibrations (for their reference image).
   * Synchronous (the MQTT router asks whether to hand the message to ingest) and in memory only.
   */
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

  async knowsCamera(cameraId: string): Promise<boolean> {
    return (await this.d.sql.one('SELECT 1 AS known FROM cameras WHERE camera_id = $1', [cameraId])) !== undefined;
  }

  async snapshot(cameraId: string, maxWidth?: number): Promise<Snapshot> {
    const masks = (await this.masks(cameraId)).masks.map((m) => m.polygon as Polygon);
    return requestSnapshot(
      { ...this.d, snapshots: this.snapshots, timeoutMs: this.d.options.snapshot_timeout_ms },
      cameraId,
      masks,
      maxWidth,
    );
  }

  /** The camera's masks: as saved with PUT, else those of its latest version. */
  async masks(cameraId: string): Promise<{
    masks: PrivacyMask[];
    source: 'camera' | 'calibration' | 'none';
    updatedAt: number | null;
    updatedBy: string | null;
  }> {
    const own = await this.versions.masks(cameraId);
    if (own) return { masks: own.masks, source: 'camera', updatedAt: own.updatedAt, updatedBy: own.updatedBy };
    const doc = await this.versions.latestDocument(cameraId);
    if (doc && doc.privacy_masks.length > 0)
      return { masks: doc.privacy_masks, source: 'calibration', updatedAt: null, updatedBy: null };
    return { masks: [], source: 'none', updatedAt: null, updatedBy: null };
  }

  /** Saves the masks (422 on an error) and masks the snapshots already in memory with them. */
  async putMasks(cameraId: string, masks: PrivacyMask[], by: string, lang: Lang) {
    const doc = await this.versions.latestDocument(cameraId);
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
    await this.versions.putMasks(cameraId, masks, by, this.d.clock.now());
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

  /** Publishes a saved version to the agent (publishing.ts): 422 with errors, 503 without a broker. */
  async publish(cameraId: string, version: number, by: string, lang: Lang): Promise<void> {
    await publishVersion(
      {
        ...this.d,
        versions: this.versions,
        labels: this.labels,
        snapshots: this.snapshots,
        validation: this.validation,
        masks: async (id) => (await this.masks(id)).masks,
        setReference: (id, jpeg, v) => this.references.set(id, { jpeg, version: v }),
      },
      cameraId,
      version,
      by,
      lang,
    );
  }
}
