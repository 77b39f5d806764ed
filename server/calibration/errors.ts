import type { CalibrationErrorCode } from '../../calibration/index.ts';
import { VolnoError } from '../../kit/errors.ts';
import { ApiError, type ApiErrorCode } from '../core/http/errors.ts';
import type { IssueJson } from './issues.ts';

/** HTTP error codes of the calibration API, on top of the shared ones in server/core/http/errors.ts. */
export type CalibrationApiCode =
  | ApiErrorCode
  /** The calibration core's own codes (calibration/errors.ts), passed through. */
  | CalibrationErrorCode
  /** The agent did not answer a snapshot request in time (504). */
  | 'VOLNO_SNAPSHOT_TIMEOUT'
  /** The agent answered with an error, or sent an image that does not decode (502). */
  | 'VOLNO_SNAPSHOT_FAILED'
  /** The calibration has validation errors, or an import file is malformed (422 / 400). */
  | 'VOLNO_CALIBRATION_INVALID'
  /** An import file is not UTF-8 / JSON / well-formed XML (400). */
  | 'VOLNO_CALIBRATION_UNREADABLE'
  /** A Volno file of a newer format version (400). */
  | 'VOLNO_CALIBRATION_FORMAT_VERSION'
  /** The save started from a version that is no longer the latest (409). */
  | 'VOLNO_CONFLICT'
  /** Reference points of a camera move do not define a homography (422). */
  | 'VOLNO_HOMOGRAPHY_DEGENERATE';

/**
 * An ApiError with a calibration code. The shared handler (server/core/http/errors.ts) sends any
 * ApiError's code as is; its type lists only the shared codes, hence the one cast here rather than
 * an edit to a file several parts share.
 */
export function calibrationError(
  status: number,
  code: CalibrationApiCode,
  message: string,
  details?: string[],
): ApiError {
  return new ApiError(
    status,
    code as ApiErrorCode,
    message,
    details?.slice(0, 50).map((d) => d.slice(0, 300)),
  );
}

/** A calibration with validation errors: answered 422 `{code, message, status, issues}` by the routes. */
export class CalibrationIssuesError extends Error {
  readonly statusCode = 422;
  constructor(
    readonly issues: IssueJson[],
    message = `the calibration has ${issues.filter((i) => i.severity === 'error').length} error(s); fix them before saving or publishing`,
  ) {
    super(message);
  }
}

/** Failures of the calibration stores outside an HTTP request (ingest hooks, start). */
export type CalibrationStoreCode =
  /** Another writer kept taking the camera's next version number (several instances on one PostgreSQL). */
  'VOLNO_CALIBRATION_NUMBER_RACE';

export class CalibrationStoreError extends VolnoError<CalibrationStoreCode> {
  override readonly name = 'CalibrationStoreError';
}
