import { decodeMessage, MESSAGES, parseTopic, type SnapshotClassified } from '../../protocol/index.ts';
import type { CameraPipeline } from '../camera/camera-pipeline.ts';
import type { Logger } from '../log.ts';
import type { MqttLink } from '../mqtt/link.ts';

/** Requests older than this are ignored (docs/mqtt.md: snapshot request). */
const SNAPSHOT_MAX_AGE_MS = 60_000;

export interface InboundCounters {
  /** Payloads that failed to decode or did not belong to us, by kind. */
  rejected: number;
}

/**
 * Handles what the server sends: calibrations (validated, applied or rejected with a retained ack) and
 * snapshot requests (answered with a masked JPEG, or an error saying why not). A bad payload is
 * logged and counted; it never throws into the MQTT client.
 */
export class Inbound {
  readonly counters: InboundCounters = { rejected: 0 };
  /** The last answer per camera, so a re-delivered retained calibration is not answered twice. */
  private readonly answered = new Map<string, string>();
  /** Calibrations are applied one at a time per camera, in arrival order. */
  private readonly chains = new Map<string, Promise<void>>();

  constructor(
    private readonly link: MqttLink,
    private readonly cameras: ReadonlyMap<string, CameraPipeline>,
    private readonly fromTopic: ReadonlySet<string>,
    private readonly prefix: string,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
    /** Told of every published calibration that was installed (for the running-calibration report). */
    private readonly onApplied?: (cameraId: string, raw: Buffer) => void,
  ) {}

  handle(topic: string, payload: Buffer): void {
    const parsed = parseTopic(topic, this.prefix);
    const cameraId = parsed?.params.camera;
    const camera = cameraId === undefined ? undefined : this.cameras.get(cameraId);
    if (!parsed || !camera) return;
    if (parsed.kind === 'calibration' && this.fromTopic.has(camera.id)) {
      if (payload.length === 0) return; // a cleared retained topic: nothing to apply
      const prev = this.chains.get(camera.id) ?? Promise.resolve();
      const next = prev.then(() => this.calibration(camera, payload));
      this.chains.set(camera.id, next);
    } else if (parsed.kind === 'snapshot_request') {
      void this.snapshot(camera, payload);
    }
  }

  /** Resolves when every calibration received so far has been handled (for shutdown and tests). */
  async settled(): Promise<void> {
    await Promise.all(this.chains.values());
  }

  private async calibration(camera: CameraPipeline, payload: Buffer): Promise<void> {
    try {
      const outcome = await camera.applyCalibration(payload, 'topic');
      if (outcome.result === 'rejected') this.counters.rejected++;
      if (outcome.result === 'unchanged') return;
      if (outcome.result === 'applied') this.onApplied?.(camera.id, payload);
      const key = `${outcome.version}|${outcome.result}|${outcome.result === 'rejected' ? outcome.reason : ''}`;
      if (this.answered.get(camera.id) === key) return;
      this.answered.set(camera.id, key);
      this.link.publish(
        'calibration_ack',
        { camera: camera.id },
        {
          camera_id: camera.id,
          version: outcome.version,
          result: outcome.result,
          ...(outcome.result === 'rejected' && { reason: outcome.reason.slice(0, 2000) }),
        },
      );
    } catch (err) {
      this.log.error({ err, camera: camera.id }, 'applying a calibration failed');
    }
  }

  /**
   * The features, unless they would push the reply past what the server accepts (it refuses a larger
   * payload unread, and staff would see only a timeout): then the picture goes alone, for drawing.
   */
  private fits(
    cameraId: string,
    jpegBase64: string,
    c: SnapshotClassified | undefined,
  ): SnapshotClassified | undefined {
    if (!c) return undefined;
    // Base64 features dominate; 24 bytes per weight and 128 per slot bound the JSON around them.
    const size =
      jpegBase64.length + c.slots.reduce((a, s) => a + s.features_base64.length + 128, 0) + c.dim * 24 + 4096;
    if (size <= MESSAGES.snapshot_reply.maxBytes) return c;
    this.log.warn(
      { camera: cameraId, bytes: size, limit: MESSAGES.snapshot_reply.maxBytes },
      'snapshot with model features would be too large; sending the picture without them',
    );
    return undefined;
  }

  private async snapshot(camera: CameraPipeline, payload: Buffer): Promise<void> {
    const decoded = decodeMessage('snapshot_request', payload);
    if (!decoded.ok) {
      this.counters.rejected++;
      this.log.warn({ camera: camera.id, reason: decoded.error.message }, 'snapshot request rejected');
      return;
    }
    const req = decoded.value;
    if (req.camera_id !== camera.id) {
      this.counters.rejected++;
      this.log.warn({ camera: camera.id, asked: req.camera_id }, 'snapshot request for another camera ignored');
      return;
    }
    const age = this.now() - Date.parse(req.requested_at);
    if (age > SNAPSHOT_MAX_AGE_MS) {
      this.log.info({ camera: camera.id, requestId: req.request_id, ageMs: age }, 'ignoring a stale snapshot request');
      return;
    }
    const params = { camera: camera.id, request: req.request_id };
    const base = { camera_id: camera.id, request_id: req.request_id };
    try {
      const shot = await camera.snapshot(req.max_width);
      if (!shot.ok) {
        this.link.publish('snapshot_reply', params, { ...base, result: 'error', error: shot.error.slice(0, 2000) });
        return;
      }
      const jpegBase64 = shot.jpeg.toString('base64');
      const classified = this.fits(camera.id, jpegBase64, shot.classified);
      this.link.publish('snapshot_reply', params, {
        ...base,
        result: 'ok',
        captured_at: new Date(shot.capturedAt).toISOString(),
        width: shot.width,
        height: shot.height,
        jpeg_base64: jpegBase64,
        ...(classified && { classified }),
      });
    } catch (err) {
      this.log.error({ err, camera: camera.id }, 'snapshot failed');
      this.link.publish('snapshot_reply', params, {
        ...base,
        result: 'error',
        error: 'the agent could not encode a snapshot',
      });
    }
  }
}
