import { ApiError, type ApiErrorCode } from '../core/http/errors.ts';

/** Stable codes of booking errors; clients switch on `code`. */
export type ReservationErrorCode =
  | 'VOLNO_RESERVATION_INVALID'
  | 'VOLNO_RESERVATION_RULE'
  | 'VOLNO_RESERVATION_LIMIT'
  | 'VOLNO_RESERVATION_FULL'
  | 'VOLNO_RESERVATION_NOT_FOUND'
  | 'VOLNO_RESERVATION_CUTOFF'
  | 'VOLNO_RESERVATION_STATE'
  // identity (issue 13): sign-in needed, confirmation link pending or cooling down
  | 'VOLNO_RESERVATION_SIGN_IN'
  | 'VOLNO_RESERVATION_UNVERIFIED'
  | 'VOLNO_RESERVATION_PENDING_EXPIRED';

/**
 * A booking refused for a reason the visitor can act on. An ApiError, so the one error handler
 * answers it as `{code, message, status, details}`.
 */
export class ReservationError extends ApiError {
  constructor(status: number, code: ReservationErrorCode, message: string, details?: string[]) {
    // The shared ApiErrorCode union lists the server's own codes; ours are added here, not there.
    super(status, code as unknown as ApiErrorCode, message, details);
  }
}

export const ruleError = (message: string, details?: string[]) =>
  new ReservationError(422, 'VOLNO_RESERVATION_RULE', message, details);
