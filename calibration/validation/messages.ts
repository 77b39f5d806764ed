/**
 * What staff read. One table per language with the same keys (the type makes a missing Czech
 * sentence a compile error); `{name}` placeholders are filled from the issue's params.
 */
export const ISSUE_CODES = [
  'no_slots',
  'too_few_points',
  'too_many_points',
  'self_intersection',
  'out_of_frame',
  'no_area',
  'invalid_id',
  'duplicate_id',
  'missing_label',
  'duplicate_label',
  'overlap',
  'too_small_for_model',
  'mask_covers_slot',
] as const;
export type IssueCode = (typeof ISSUE_CODES)[number];

/** How a message names what it is about; `{name}` is the slot's label (or id) or the mask's label (or id). */
export const SUBJECTS = ['slot', 'mask'] as const;
export type Subject = (typeof SUBJECTS)[number];

export type MessageTable = Readonly<Record<IssueCode | Subject, string>>;

const en: MessageTable = {
  slot: 'slot {name}',
  mask: 'privacy mask {name}',
  no_slots: 'There are no slots yet, so this camera will report nothing. Draw at least one slot.',
  too_few_points: '{what} has only {count} point(s). An outline needs at least 3; add points or delete it.',
  too_many_points: '{what} has {count} points; the camera agent accepts at most {max}. Remove some points.',
  self_intersection:
    '{what} crosses itself (edges {edge_a} and {edge_b} cross). Drag the points so the outline does not cross.',
  out_of_frame: '{what} has {count} point(s) outside the picture (points {points}). Drag them back inside the picture.',
  no_area: '{what} encloses almost no area. Spread its points out, or delete it.',
  invalid_id:
    'Slot id "{id}" cannot be used: ids may only contain letters, digits, "_" and "-", start with a letter or digit, and have at most 64 characters.',
  duplicate_id: '{count} outlines use the id "{id}". Every slot and every privacy mask needs its own id.',
  missing_label: '{what} has no label; visitors and staff will see its id "{id}" instead.',
  duplicate_label: 'Label "{label}" is used by {count} slots ({ids}). Give each slot its own label.',
  overlap:
    '{what} and {other} overlap by {percent} % of the smaller one. Adjacent slots should only touch; move the shared edge.',
  too_small_for_model:
    '{what} is only {width_px} × {height_px} pixels in the picture; the model needs {input_width} × {input_height}, so the slot would be enlarged {factor} times and read unreliably. Use a closer camera or a higher resolution.',
  mask_covers_slot: '{mask} hides {percent} % of {what}. Staff will not be able to check that slot in snapshots.',
};

/** Czech is added as `cs: { … }` with the same keys. */
export const CALIBRATION_MESSAGES = { en } as const satisfies Record<string, MessageTable>;
export type Locale = keyof typeof CALIBRATION_MESSAGES;

/**
 * Fills `{name}` placeholders and capitalises the first letter (subjects such as "slot A07" are
 * written in lower case so they read well mid-sentence). An unknown placeholder stays visible
 * rather than silently vanishing.
 */
export function formatMessage(template: string, params: Readonly<Record<string, string | number>>): string {
  const text = fillTemplate(template, params);
  return text.charAt(0).toLocaleUpperCase() + text.slice(1);
}

/** `formatMessage` without the capital, for phrases used inside a sentence. */
export function fillTemplate(template: string, params: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{([a-z_]+)\}/g, (whole, name: string) =>
    params[name] === undefined ? whole : String(params[name]),
  );
}
