/**
 * The base of every Volno error: a stable `code` that callers, log searches and HTTP answers switch
 * on (never the message), readable `path: message` lines for validation problems, and the standard
 * `{ cause }`. Each part names its own subclass and code union (ServerError, EdgeError, …), so
 * `instanceof` still tells them apart; the shape is declared once here.
 */
export class VolnoError<Code extends string = string> extends Error {
  override readonly name: string = 'VolnoError';
  constructor(
    readonly code: Code,
    message: string,
    /** Readable `path: message` lines, one per problem. */
    readonly issues: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(issues.length > 0 ? `${message}\n  ${issues.join('\n  ')}` : message, options);
  }
}

/** The message of anything thrown, for logs and acknowledgements. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
