import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

interface AjvLike {
  compile(s: unknown): ((data: unknown) => boolean) & { errors?: unknown };
  errorsText(errors: unknown): string;
}

/**
 * Compiles a transcribed JSON Schema (see README.md beside this file) with every error collected.
 * Ajv 8 comes as ajv-formats (a dependency) brings it: the top-level `ajv` in node_modules is eslint's Ajv 6.
 */
export function schemaValidator(schemaFile: URL): { validate: (data: unknown) => boolean; errorsText: () => string } {
  const fromFormats = createRequire(createRequire(import.meta.url).resolve('ajv-formats'));
  const { Ajv } = fromFormats('ajv') as { Ajv: new (o: object) => AjvLike };
  const ajv = new Ajv({ allErrors: true, strict: false });
  (fromFormats('ajv-formats') as { default: (a: AjvLike) => void }).default(ajv);
  const validate = ajv.compile(JSON.parse(readFileSync(schemaFile, 'utf8')));
  return { validate, errorsText: () => ajv.errorsText(validate.errors) };
}
