import type { CalibrationDocument, CalibrationSlot, PrivacyMask } from '../document/schema.ts';

export type SlotField = 'label' | 'type' | 'reservable' | 'enter_delay_s' | 'exit_delay_s';
const SLOT_FIELDS: readonly SlotField[] = ['label', 'type', 'reservable', 'enter_delay_s', 'exit_delay_s'];

export interface FieldChange<F extends string> {
  field: F;
  before: unknown;
  after: unknown;
}

/** How far an outline moved, in pixels of the newer frame. */
export interface Movement {
  id: string;
  /** Largest and mean shift of corresponding points; with a changed point count, of the outlines' centres. */
  maxShiftPx: number;
  meanShiftPx: number;
  pointCountChanged: boolean;
}

export interface CalibrationDiff {
  /** True when nothing at all differs (within the tolerance). */
  identical: boolean;
  frame: FieldChange<'frame_width' | 'frame_height' | 'camera_id'>[];
  slots: {
    added: CalibrationSlot[];
    removed: CalibrationSlot[];
    moved: Movement[];
    changed: { id: string; changes: FieldChange<SlotField>[] }[];
    unchanged: number;
  };
  masks: {
    added: PrivacyMask[];
    removed: PrivacyMask[];
    moved: Movement[];
    changed: { id: string; changes: FieldChange<'label'>[] }[];
  };
}

/**
 * What changed from `before` to `after`, for the "compare with previous version" view. Slots and
 * masks are matched by id (the first one, if a draft repeats an id). A slot counts as moved when
 * any point shifts more than `tolerancePx` (default 0.5 px: below what staff can click).
 */
export function diffCalibrations(
  before: CalibrationDocument,
  after: CalibrationDocument,
  options: { tolerancePx?: number } = {},
): CalibrationDiff {
  const tol = options.tolerancePx ?? 0.5;
  const frame: CalibrationDiff['frame'] = [];
  for (const field of ['camera_id', 'frame_width', 'frame_height'] as const)
    if (before[field] !== after[field]) frame.push({ field, before: before[field], after: after[field] });
  const px = { width: after.frame_width, height: after.frame_height };

  const slots = pair(before.slots, after.slots);
  const masks = pair(before.privacy_masks, after.privacy_masks);
  const diff: CalibrationDiff = {
    identical: false,
    frame,
    slots: {
      added: slots.added,
      removed: slots.removed,
      moved: slots.both.flatMap(([a, b]) => moved(a, b, px, tol)),
      changed: slots.both.flatMap(([a, b]) => {
        const changes = SLOT_FIELDS.filter((f) => a[f] !== b[f]).map((field) => ({
          field,
          before: a[field],
          after: b[field],
        }));
        return changes.length > 0 ? [{ id: a.id, changes }] : [];
      }),
      unchanged: 0,
    },
    masks: {
      added: masks.added,
      removed: masks.removed,
      moved: masks.both.flatMap(([a, b]) => moved(a, b, px, tol)),
      changed: masks.both.flatMap(([a, b]) =>
        a.label === b.label
          ? []
          : [{ id: a.id, changes: [{ field: 'label' as const, before: a.label, after: b.label }] }],
      ),
    },
  };
  const touched = new Set([...diff.slots.moved.map((m) => m.id), ...diff.slots.changed.map((c) => c.id)]);
  diff.slots.unchanged = slots.both.filter(([a]) => !touched.has(a.id)).length;
  const s = diff.slots;
  const m = diff.masks;
  diff.identical =
    frame.length + s.added.length + s.removed.length + s.moved.length + s.changed.length === 0 &&
    m.added.length + m.removed.length + m.moved.length + m.changed.length === 0;
  return diff;
}

function pair<T extends { id: string }>(before: readonly T[], after: readonly T[]) {
  const a = new Map<string, T>();
  for (const x of before) if (!a.has(x.id)) a.set(x.id, x);
  const b = new Map<string, T>();
  for (const x of after) if (!b.has(x.id)) b.set(x.id, x);
  return {
    added: after.filter((x) => !a.has(x.id) || b.get(x.id) !== x),
    removed: before.filter((x) => !b.has(x.id) || a.get(x.id) !== x),
    both: [...a].flatMap(([id, x]): [T, T][] => (b.has(id) ? [[x, b.get(id)!]] : [])),
  };
}

function moved(
  a: { id: string; polygon: readonly (readonly number[])[] },
  b: { polygon: readonly (readonly number[])[] },
  px: { width: number; height: number },
  tol: number,
): Movement[] {
  const dist = (p: readonly number[], q: readonly number[]) =>
    Math.hypot((p[0]! - q[0]!) * px.width, (p[1]! - q[1]!) * px.height);
  if (a.polygon.length !== b.polygon.length) {
    const shift = dist(centre(a.polygon), centre(b.polygon));
    return [{ id: a.id, maxShiftPx: shift, meanShiftPx: shift, pointCountChanged: true }];
  }
  const shifts = a.polygon.map((p, i) => dist(p, b.polygon[i]!));
  const max = Math.max(0, ...shifts);
  if (max <= tol) return [];
  return [
    {
      id: a.id,
      maxShiftPx: max,
      meanShiftPx: shifts.reduce((s, d) => s + d, 0) / shifts.length,
      pointCountChanged: false,
    },
  ];
}

function centre(polygon: readonly (readonly number[])[]): [number, number] {
  const n = Math.max(1, polygon.length);
  return [polygon.reduce((s, p) => s + p[0]!, 0) / n, polygon.reduce((s, p) => s + p[1]!, 0) / n];
}
