import { CalibrationError, type Parsed } from '../errors.ts';

/** Imports are staff uploads: a few hundred kB at most. Anything far bigger is refused unread. */
export const DEFAULT_MAX_IMPORT_BYTES = 4 * 1024 * 1024;

/**
 * Bytes or text in, text out: enforces the size limit before decoding, rejects invalid UTF-8 instead
 * of silently replacing it, and drops a byte-order mark. Uses TextDecoder, so it runs in browsers too.
 */
export function readText(input: string | Uint8Array, maxBytes: number, what: string): Parsed<string> {
  const size =
    typeof input === 'string'
      ? input.length * 3 <= maxBytes
        ? 0
        : new TextEncoder().encode(input).byteLength
      : input.byteLength;
  if (size > maxBytes)
    return {
      ok: false,
      error: new CalibrationError('VOLNO_CALIBRATION_TOO_LARGE', `${what} is ${size} bytes; the limit is ${maxBytes}`),
    };
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(input);
    } catch (cause) {
      return {
        ok: false,
        error: new CalibrationError('VOLNO_CALIBRATION_UNREADABLE', `${what} is not UTF-8 text`, [], { cause }),
      };
    }
  }
  return { ok: true, value: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
}

/** JSON.parse that reports instead of throwing. */
export function parseJson(text: string, what: string): Parsed<unknown> {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    return {
      ok: false,
      error: new CalibrationError('VOLNO_CALIBRATION_UNREADABLE', `${what} is not JSON: ${detail}`, [], { cause }),
    };
  }
}
