import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';

/** Stable codes of HTTP errors; clients switch on `code`. */
export type ApiErrorCode =
  | 'VOLNO_BAD_REQUEST'
  | 'VOLNO_UNAUTHORIZED'
  | 'VOLNO_FORBIDDEN'
  | 'VOLNO_NOT_FOUND'
  | 'VOLNO_LOT_NOT_FOUND'
  | 'VOLNO_SLOT_NOT_FOUND'
  | 'VOLNO_METHOD_NOT_ALLOWED'
  | 'VOLNO_NOT_ACCEPTABLE'
  | 'VOLNO_PAYLOAD_TOO_LARGE'
  | 'VOLNO_UNSUPPORTED_MEDIA_TYPE'
  | 'VOLNO_UNAVAILABLE'
  | 'VOLNO_INTERNAL'
  // staff accounts (issue 7)
  | 'VOLNO_CSRF'
  | 'VOLNO_RATE_LIMITED'
  | 'VOLNO_CONFLICT';

export const ErrorBody = Type.Object(
  {
    code: Type.String({ description: 'Stable error code, e.g. VOLNO_LOT_NOT_FOUND.' }),
    message: Type.String({ description: 'For people; may change between versions.' }),
    status: Type.Integer(),
    details: Type.Optional(Type.Array(Type.String(), { description: '`path: message` lines for invalid input.' })),
  },
  { additionalProperties: false, title: 'Error' },
);
export type ErrorBody = Static<typeof ErrorBody>;

/** Response schemas for the given error statuses, for a route's `schema.response`. */
export function errorResponses<S extends number>(...statuses: S[]): Record<S, typeof ErrorBody> {
  return Object.fromEntries(statuses.map((s) => [s, ErrorBody])) as Record<S, typeof ErrorBody>;
}

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: string[],
  ) {
    super(message);
  }
}

const BY_STATUS: Record<number, ApiErrorCode> = {
  400: 'VOLNO_BAD_REQUEST',
  401: 'VOLNO_UNAUTHORIZED',
  403: 'VOLNO_FORBIDDEN',
  404: 'VOLNO_NOT_FOUND',
  405: 'VOLNO_METHOD_NOT_ALLOWED',
  406: 'VOLNO_NOT_ACCEPTABLE',
  413: 'VOLNO_PAYLOAD_TOO_LARGE',
  415: 'VOLNO_UNSUPPORTED_MEDIA_TYPE',
  503: 'VOLNO_UNAVAILABLE',
};

export function errorBody(err: ApiError): ErrorBody {
  return {
    code: err.code,
    message: err.message,
    status: err.statusCode,
    ...(err.details !== undefined ? { details: err.details } : {}),
  };
}

/**
 * The one error handler: every error becomes `{code, message, status}` JSON. Client errors keep
 * their message (it helps the caller); server errors are logged in full and answered with a
 * generic message, so internals never leak.
 */
export function errorHandler(err: FastifyError | ApiError, req: FastifyRequest, reply: FastifyReply): void {
  let apiError: ApiError;
  if (err instanceof ApiError) {
    apiError = err;
  } else if ('validation' in err && err.validation !== undefined) {
    const details = err.validation.map((v) => {
      const path = `${err.validationContext ?? ''}${v.instancePath === '' ? '' : v.instancePath}`;
      return `${path || '/'}: ${v.message ?? 'is not valid'}`.slice(0, 300);
    });
    apiError = new ApiError(400, 'VOLNO_BAD_REQUEST', 'the request is not valid', details.slice(0, 10));
  } else {
    const status =
      typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status >= 500) {
      req.log.error({ err }, 'request failed');
      apiError = new ApiError(
        status === 503 ? 503 : 500,
        status === 503 ? 'VOLNO_UNAVAILABLE' : 'VOLNO_INTERNAL',
        status === 503 ? 'the service is not available right now' : 'internal error',
      );
    } else {
      apiError = new ApiError(status, BY_STATUS[status] ?? 'VOLNO_BAD_REQUEST', err.message.slice(0, 300));
    }
  }
  void reply.code(apiError.statusCode).type('application/json; charset=utf-8').send(errorBody(apiError));
}

export function notFoundHandler(req: FastifyRequest, reply: FastifyReply): void {
  void reply
    .code(404)
    .type('application/json; charset=utf-8')
    .send(
      errorBody(new ApiError(404, 'VOLNO_NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]!.slice(0, 200)}`)),
    );
}
