import type { Static, TProperties, TSchema } from 'typebox';
import { Compile, type Validator } from 'typebox/compile';
import { ProtocolError } from './errors.ts';

// ignoreBOM keeps a leading U+FEFF in the text, so JSON.parse refuses it as before (RFC 8259 §8.1: senders
// must not add one).
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A problem that JSON Schema cannot express, found by a message's own refine function. */
export interface RefineIssue {
  path: string;
  message: string;
}

interface SchemaError {
  keyword: string;
  schemaPath: string;
  instancePath: string;
  params: Record<string, unknown>;
  message: string;
}

/**
 * Turns Ajv-style errors into `path: message` lines a person can act on. Unions report every
 * branch's failure, which buries the real one, so their branch errors are folded into one line.
 */
export function formatSchemaErrors(errors: readonly SchemaError[]): string[] {
  const unionPaths = errors.filter((e) => e.keyword === 'anyOf').map((e) => e.schemaPath);
  const lines: string[] = [];
  for (const e of errors) {
    const path = e.instancePath === '' ? '/' : e.instancePath;
    if (e.keyword === 'boolean') {
      // `additionalProperties: false` reports twice; keep the line that names the property. Other
      // `false` schemas (tuple items beyond the end) have no twin, so they keep their own line.
      const twin = errors.some(
        (a) => a.keyword === 'additionalProperties' && `${a.schemaPath}/additionalProperties` === e.schemaPath,
      );
      if (twin) continue;
      lines.push(`${path}: is not allowed here`);
      continue;
    }
    if (unionPaths.some((u) => e.schemaPath.startsWith(`${u}/anyOf/`))) continue;
    if (e.keyword === 'anyOf') {
      const types = errors
        .filter((b) => b.schemaPath.startsWith(`${e.schemaPath}/anyOf/`) && b.keyword === 'type')
        .map((b) => String(b.params['type']));
      lines.push(
        `${path}: ${types.length > 0 ? `must be ${types.join(' or ')}` : 'matches none of the allowed shapes'}`,
      );
    } else if (e.keyword === 'additionalProperties') {
      const extra = (e.params['additionalProperties'] as string[] | undefined) ?? [];
      lines.push(
        `${path}: unknown propert${extra.length === 1 ? 'y' : 'ies'} ${extra.map((k) => `"${k}"`).join(', ')}`,
      );
    } else if (e.keyword === 'enum') {
      const allowed = (e.params['allowedValues'] as unknown[] | undefined) ?? [];
      lines.push(`${path}: must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`);
    } else if (e.keyword === 'required') {
      const missing = (e.params['requiredProperties'] as string[] | undefined) ?? [];
      for (const m of missing) lines.push(`${path === '/' ? '' : path}/${m}: is required`);
      if (missing.length === 0) lines.push(`${path}: ${e.message}`);
    } else {
      lines.push(`${path}: ${e.message}`);
    }
  }
  return [...new Set(lines)];
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; error: ProtocolError };

/** A compiled schema plus an optional semantic check, shared by MQTT payloads and config files. */
export class SchemaCodec<S extends TSchema> {
  private readonly validator: Validator<TProperties, S>;

  constructor(
    readonly schema: S,
    private readonly refine?: (value: Static<S>) => RefineIssue[],
  ) {
    this.validator = Compile(schema) as Validator<TProperties, S>;
  }

  /** Validates an already-parsed value. Never throws. */
  check(value: unknown): Decoded<Static<S>> {
    if (!this.validator.Check(value)) {
      const issues = formatSchemaErrors(this.validator.Errors(value) as unknown as SchemaError[]);
      return {
        ok: false,
        error: new ProtocolError('VOLNO_PAYLOAD_INVALID', 'payload does not match the schema', issues),
      };
    }
    const refined = this.refine?.(value as Static<S>) ?? [];
    if (refined.length > 0) {
      const issues = refined.map((i) => `${i.path}: ${i.message}`);
      return { ok: false, error: new ProtocolError('VOLNO_PAYLOAD_INVALID', 'payload is not valid', issues) };
    }
    return { ok: true, value: value as Static<S> };
  }

  /** Parses JSON bytes and validates them. Never throws. */
  decode(raw: Buffer | Uint8Array | string, maxBytes: number): Decoded<Static<S>> {
    const size = typeof raw === 'string' ? Buffer.byteLength(raw) : raw.byteLength;
    if (size > maxBytes) {
      return {
        ok: false,
        error: new ProtocolError('VOLNO_PAYLOAD_TOO_LARGE', `payload is ${size} bytes; the limit is ${maxBytes}`),
      };
    }
    let text: string;
    try {
      text = typeof raw === 'string' ? raw : STRICT_UTF8.decode(raw);
    } catch (cause) {
      // JSON on the wire is UTF-8 (RFC 8259 §8.1); a lenient decode would store U+FFFD in place of
      // the bad bytes and accept a payload its sender never wrote.
      return {
        ok: false,
        error: new ProtocolError('VOLNO_PAYLOAD_NOT_JSON', 'payload is not valid UTF-8', [], { cause }),
      };
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (cause) {
      const detail = cause instanceof Error ? cause.message : String(cause);
      return {
        ok: false,
        error: new ProtocolError('VOLNO_PAYLOAD_NOT_JSON', `payload is not JSON: ${detail}`, [], { cause }),
      };
    }
    return this.check(parsed);
  }

  /** Serialises a value the caller built; an invalid one is a programming error, so this throws. */
  encode(value: Static<S>): string {
    const result = this.check(value);
    if (!result.ok) throw result.error;
    return JSON.stringify(value);
  }
}
