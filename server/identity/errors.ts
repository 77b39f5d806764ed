import { ApiError, type ApiErrorCode } from '../core/http/errors.ts';

/** Stable codes of sign-in errors; clients switch on `code`. */
export type IdentityErrorCode =
  'VOLNO_OIDC_UNAVAILABLE' | 'VOLNO_OIDC_REFUSED' | 'VOLNO_OIDC_FLOW' | 'VOLNO_OIDC_NO_ROLE' | 'VOLNO_OIDC_NOT_READY';

/** A sign-in that failed for a reason the person can act on; an ApiError for the one error handler. */
export class IdentityError extends ApiError {
  constructor(status: number, code: IdentityErrorCode, message: string, options?: { cause?: unknown }) {
    // The shared ApiErrorCode union lists the server's own codes; ours are added here, not there.
    super(status, code as unknown as ApiErrorCode, message);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}
