import { Type } from 'typebox';
import { ID_PATTERN } from '../../protocol/index.ts';

/** Building blocks shared by the config schema files. */
export const strict = { additionalProperties: false } as const;
export const id = (title: string, description: string) =>
  Type.String({ pattern: ID_PATTERN, minLength: 1, maxLength: 64, title, description });
export const seconds = (title: string, description: string, dflt: number, min = 0, max = 86_400) =>
  Type.Number({ minimum: min, maximum: max, default: dflt, title, description });
/** An object whose every field has a default may itself be omitted. */
export const section = <T extends Parameters<typeof Type.Object>[0]>(props: T, title: string, description: string) =>
  Type.Object(props, { ...strict, default: {}, title, description });
