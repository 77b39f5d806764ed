import type { Point, Polygon } from '../../protocol/geometry.ts';
import { CalibrationError } from '../errors.ts';
import { canonicalCalibration } from '../document/format.ts';
import { fromPixels, frameOf, toPixels } from '../document/frame.ts';
import type { CalibrationDocument, CalibrationSlot, SlotType } from '../document/schema.ts';
import { isQuad, type Quad } from '../geometry/quad.ts';
import { rowFromEnds, rowFromSlot, type RowSpacing } from './row-tool.ts';

/** What the editor sends: outlines in the document's 0–1 coordinates. */
export type RowRequest =
  | { first: Polygon; last: Polygon; count: number; spacing?: RowSpacing }
  | { first: Polygon; towards: Point; count?: number };

export interface GeneratedRow {
  /** The slots' outlines, 0–1, first to last. */
  polygons: [number, number][][];
  /** How far (RMS, pixels) the drawn first/last corners are from the fitted row; 0 for `towards`. */
  residualPx: number;
}

/**
 * The row tool on a document: converts to pixels (the fit minimises pixel distances, and a 0–1
 * unit is wider than it is tall on a 16:9 frame), runs `rowFromEnds` or `rowFromSlot`, converts back.
 */
export function generateRow(doc: CalibrationDocument, request: RowRequest): GeneratedRow {
  const frame = frameOf(doc);
  const quad = (p: Polygon, what: string): Quad => {
    if (!isQuad(p))
      throw new CalibrationError('VOLNO_ROW_INVALID', `the ${what} slot must have 4 corners; it has ${p.length}`);
    return toPixels(p, frame) as unknown as Quad;
  };
  const first = quad(request.first, 'first');
  const result =
    'last' in request
      ? rowFromEnds(first, quad(request.last, 'last'), request.count, { spacing: request.spacing ?? 'contiguous' })
      : rowFromSlot(first, {
          towards: [request.towards[0] * frame.width, request.towards[1] * frame.height],
          ...(request.count === undefined ? {} : { count: request.count }),
        });
  return {
    polygons: result.slots.map((q) => fromPixels(q, frame).map(([x, y]): [number, number] => [x, y])),
    residualPx: result.residual,
  };
}

export interface AppendOptions {
  /** Ids and labels are `prefix` + number, e.g. "A" → A01, A02, …. Default "" (1, 2, … as PKLot does). */
  prefix?: string;
  /** First number to try; numbers already used as an id or label are skipped. Default 1. */
  start?: number;
  /** Zero-padding of the number. Default 2 when a prefix is given, else none. */
  digits?: number;
  type?: SlotType;
  reservable?: boolean;
}

/** Adds outlines as new slots with fresh, unique ids and labels. Returns a new document. */
export function appendSlots(
  doc: CalibrationDocument,
  polygons: readonly Polygon[],
  options: AppendOptions = {},
): { document: CalibrationDocument; added: CalibrationSlot[] } {
  const prefix = options.prefix ?? '';
  const digits = options.digits ?? (prefix === '' ? 1 : 2);
  const taken = new Set(doc.slots.flatMap((s) => [s.id.toLocaleLowerCase(), s.label.trim().toLocaleLowerCase()]));
  let n = options.start ?? 1;
  const added = polygons.map((polygon): CalibrationSlot => {
    let id = `${prefix}${String(n).padStart(digits, '0')}`;
    while (taken.has(id.toLocaleLowerCase())) id = `${prefix}${String(++n).padStart(digits, '0')}`;
    taken.add(id.toLocaleLowerCase());
    n++;
    return {
      id,
      label: id,
      type: options.type ?? 'standard',
      reservable: options.reservable ?? false,
      polygon: polygon.map(([x, y]) => [x, y]),
    };
  });
  return { document: canonicalCalibration({ ...doc, slots: [...doc.slots, ...added] }), added };
}
