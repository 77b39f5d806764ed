import { createHash } from 'node:crypto';
import { canonicalJson, type CalibrationContent } from './payloads/calibration-running.ts';

/**
 * The `sha256` of a running-calibration report. Kept out of protocol/index.ts and messages.ts on
 * purpose: it needs node:crypto, and the browser editor loads those (test/calibration/browser-safety).
 */
export function calibrationDigest(content: CalibrationContent): string {
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}
