import { Type } from 'typebox';

/**
 * Site, camera, agent and slot ids become MQTT topic levels, SQL keys and URL segments, so they are
 * restricted to characters that are inert in all three: no `/`, `+`, `#`, `$`, spaces or dots.
 * PKLot numbers its slots ("1", "2", …), so a leading digit is allowed.
 */
export const ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$';
const idRegex = new RegExp(ID_PATTERN);

export const IdSchema = (title: string, description: string) =>
  Type.String({ pattern: ID_PATTERN, minLength: 1, maxLength: 64, title, description });

export const SiteId = IdSchema('Site id', 'The site (car park or office) the message belongs to.');
export const CameraId = IdSchema('Camera id', 'The camera, unique within its site.');
export const AgentId = IdSchema('Agent id', 'The edge agent, unique within its site.');
export const SlotId = IdSchema('Slot id', 'The parking slot, unique within its camera.');

/** True when `id` can be used as a site, camera, agent or slot id. */
export function isValidId(id: string): boolean {
  return idRegex.test(id);
}
