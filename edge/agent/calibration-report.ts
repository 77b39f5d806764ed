import { calibrationDigest } from '../../protocol/calibration-digest.ts';
import {
  calibrationContent,
  decodeMessage,
  type CalibrationOrigin,
  type CalibrationPayload,
} from '../../protocol/index.ts';
import type { Logger } from '../log.ts';
import type { Body, MqttLink } from '../mqtt/link.ts';

/** The report of one installed calibration: its content without the reference image, and its hash. */
export function runningBody(p: CalibrationPayload, origin: CalibrationOrigin): Body<'calibration_running'> {
  const calibration = calibrationContent(p);
  return {
    camera_id: p.camera_id,
    origin,
    version: p.version,
    issued_at: p.issued_at,
    sha256: calibrationDigest(calibration),
    calibration,
  };
}

/**
 * Tells the server which calibration each camera runs (retained `calibration_running`), so that the
 * editor opens what the camera uses, also when it came from the agent's own file (issue 15). Sent
 * after every install and again on a connection the broker may have forgotten us on, since its
 * retained copy went with the session.
 */
export class CalibrationReporter {
  private readonly running = new Map<string, Body<'calibration_running'>>();

  constructor(
    private readonly link: MqttLink,
    private readonly log: Logger,
  ) {}

  /** `raw` has just been applied, so it passed the codec; decoding again keeps the pipeline untouched. */
  applied(cameraId: string, raw: Buffer | string, origin: CalibrationOrigin): void {
    const decoded = decodeMessage('calibration', raw);
    if (!decoded.ok) {
      this.log.warn({ camera: cameraId, reason: decoded.error.message }, 'cannot report an applied calibration');
      return;
    }
    // 1000 slots of 32 points, 64 masks and a tuned head stay far below the topic's 4 MiB.
    const body = runningBody(decoded.value, origin);
    this.running.set(cameraId, body);
    this.link.publish('calibration_running', { camera: cameraId }, body);
    this.log.info(
      { camera: cameraId, origin, version: body.version, sha256: body.sha256 },
      'reported the running calibration',
    );
  }

  republish(): void {
    for (const [cameraId, body] of this.running) this.link.publish('calibration_running', { camera: cameraId }, body);
  }
}
