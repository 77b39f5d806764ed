import { Type, type TProperties } from 'typebox';
import { ID_PATTERN } from '../../../protocol/index.ts';

/** Building blocks of the server's config schemas: every field gets a title and a description. */
export const id = (title: string, description: string) =>
  Type.String({ pattern: ID_PATTERN, minLength: 1, maxLength: 64, title, description });
export const seconds = (title: string, description: string, def: number, minimum = 0) =>
  Type.Number({ minimum, maximum: 10 * 365 * 86_400, default: def, title, description });
export const int = (title: string, description: string, def: number, minimum: number, maximum: number) =>
  Type.Integer({ minimum, maximum, default: def, title, description });
export const port = (title: string, description: string, def: number) =>
  Type.Integer({ minimum: 0, maximum: 65_535, default: def, title, description });
/** An object whose every field has a default, so the whole section may be left out of the file. */
export const section = <T extends TProperties>(props: T, title: string, description: string) =>
  Type.Object(props, { additionalProperties: false, default: {}, title, description });
