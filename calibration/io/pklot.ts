import type { Point } from '../../protocol/geometry.ts';
import { CalibrationError, type Parsed } from '../errors.ts';
import { fromPixels, toPixels, type FrameSize } from '../document/frame.ts';
import { canonicalCalibration, checkCalibrationDocument } from '../document/format.ts';
import { emptyCalibration, type CalibrationDocument } from '../document/schema.ts';
import { minAreaRect, rotatedRectCorners, type RotatedRect } from './rotated-rect.ts';
import { DEFAULT_MAX_IMPORT_BYTES, readText } from './text.ts';
import { parseXml, type XmlElement } from './xml.ts';

/** One `<space>` of a PKLot file, in pixels. */
export interface PklotSpace {
  id: string;
  /** `occupied="1"`/`"0"`; null when the attribute is missing (some original PKLot files omit it). */
  occupied: boolean | null;
  rotatedRect: RotatedRect | null;
  /** The `<contour>` points; empty when the file has none. */
  contour: Point[];
}

export interface PklotParking {
  id: string;
  spaces: PklotSpace[];
}

/**
 * Reads a PKLot annotation file (`<parking id><space id occupied><rotatedRect…/><contour><point x y/>…`),
 * as published with PKLot (de Almeida et al. 2015) and in ../shared/datasets/pklot-ufpr05. Every problem is
 * reported with its line, all at once. Never throws.
 */
export function parsePklotXml(input: string | Uint8Array, options: { maxBytes?: number } = {}): Parsed<PklotParking> {
  const text = readText(input, options.maxBytes ?? DEFAULT_MAX_IMPORT_BYTES, 'the PKLot file');
  if (!text.ok) return text;
  let root: XmlElement;
  try {
    root = parseXml(text.value);
  } catch (cause) {
    if (cause instanceof CalibrationError) return { ok: false, error: cause };
    throw cause;
  }
  const issues: string[] = [];
  if (root.name !== 'parking') issues.push(`line ${root.line}: the root element is <${root.name}>, not <parking>`);
  const spaces = root.children
    .filter((c) => c.name === 'space')
    .map((el) => readSpace(el, issues))
    .filter((s): s is PklotSpace => s !== null);
  if (issues.length === 0 && spaces.length === 0) issues.push(`line ${root.line}: <parking> has no <space>`);
  if (issues.length > 0)
    return {
      ok: false,
      error: new CalibrationError('VOLNO_CALIBRATION_INVALID', 'the PKLot file cannot be imported', issues),
    };
  return { ok: true, value: { id: root.attributes['id'] ?? '', spaces } };
}

function readSpace(el: XmlElement, issues: string[]): PklotSpace | null {
  const where = `line ${el.line}: space ${el.attributes['id'] ?? '(no id)'}`;
  const before = issues.length;
  const id = el.attributes['id'];
  if (id === undefined || id.trim() === '') issues.push(`${where}: has no id`);
  const occ = el.attributes['occupied'];
  if (occ !== undefined && occ !== '0' && occ !== '1') issues.push(`${where}: occupied must be 0 or 1, not "${occ}"`);
  const num = (e: XmlElement | undefined, key: string): number => {
    const raw = e?.attributes[key];
    const v = raw === undefined || raw.trim() === '' ? NaN : Number(raw);
    if (!Number.isFinite(v))
      issues.push(`line ${e?.line ?? el.line}: space ${id}: <${e?.name ?? '?'}> ${key} is not a number`);
    return v;
  };
  const child = (parent: XmlElement | undefined, name: string) => parent?.children.find((c) => c.name === name);
  const rr = child(el, 'rotatedRect');
  let rotatedRect: RotatedRect | null = null;
  if (rr) {
    const c = child(rr, 'center');
    const s = child(rr, 'size');
    const a = child(rr, 'angle');
    if (!c || !s || !a) issues.push(`line ${rr.line}: space ${id}: <rotatedRect> needs <center>, <size> and <angle>`);
    else
      rotatedRect = { center: [num(c, 'x'), num(c, 'y')], width: num(s, 'w'), height: num(s, 'h'), angle: num(a, 'd') };
  }
  const contourEl = child(el, 'contour');
  const contour: Point[] = (contourEl?.children ?? [])
    .filter((p) => p.name === 'point')
    .map((p) => [num(p, 'x'), num(p, 'y')]);
  if (contourEl && contour.length < 3)
    issues.push(`line ${contourEl.line}: space ${id}: <contour> has ${contour.length} point(s); at least 3 are needed`);
  if (!contourEl && !rotatedRect) issues.push(`${where}: has neither <contour> nor <rotatedRect>`);
  if (issues.length > before) return null;
  return { id: id!.trim(), occupied: occ === undefined ? null : occ === '1', rotatedRect, contour };
}

/**
 * A calibration from a PKLot parking. PKLot files do not say the frame size, so the caller gives it
 * (UFPR05 frames are 1280×720). The outline is the `<contour>`; a space with only a rotatedRect gets
 * that rectangle's corners. Ids are kept, labels are the ids, every slot `standard`, not reservable.
 */
export function pklotToDocument(parking: PklotParking, frame: FrameSize, cameraId?: string): CalibrationDocument {
  const doc = emptyCalibration(frame.width, frame.height, cameraId);
  doc.slots = parking.spaces.map((s) => ({
    id: s.id,
    label: s.id,
    type: 'standard',
    reservable: false,
    polygon: fromPixels(s.contour.length > 0 ? s.contour : rotatedRectCorners(s.rotatedRect!), frame).map(([x, y]) => [
      x,
      y,
    ]),
  }));
  return canonicalCalibration(doc);
}

/**
 * `parsePklotXml`, `pklotToDocument`, then the document schema (a wrong frame size shows up there as
 * coordinates far outside the frame). Never throws.
 */
export function importPklotXml(
  input: string | Uint8Array,
  frame: FrameSize,
  options: { maxBytes?: number; cameraId?: string } = {},
): Parsed<CalibrationDocument> {
  const parsed = parsePklotXml(input, options);
  return parsed.ok ? checkCalibrationDocument(pklotToDocument(parsed.value, frame, options.cameraId)) : parsed;
}

/**
 * PKLot XML for a calibration: every slot (closed ones too, PKLot has no such flag) with its outline as
 * `<contour>` in whole pixels, as PKLot writes them, and the smallest enclosing `<rotatedRect>`.
 * `occupied` is a label PKLot requires; a calibration knows none, so it is `0` unless given.
 */
export function exportPklotXml(
  doc: CalibrationDocument,
  options: { parkingId?: string; occupied?: Readonly<Record<string, boolean>> } = {},
): string {
  const frame = { width: doc.frame_width, height: doc.frame_height };
  const lines = ['<?xml version="1.0"?>', `<parking id="${escape(options.parkingId ?? doc.camera_id ?? 'volno')}">`];
  for (const slot of doc.slots) {
    const px = toPixels(slot.polygon, frame).map(([x, y]): Point => [Math.round(x), Math.round(y)]);
    const r = minAreaRect(px);
    lines.push(
      `  <space id="${escape(slot.id)}" occupied="${options.occupied?.[slot.id] ? 1 : 0}">`,
      '    <rotatedRect>',
      `      <center x="${Math.round(r.center[0])}" y="${Math.round(r.center[1])}" />`,
      `      <size w="${Math.round(r.width)}" h="${Math.round(r.height)}" />`,
      `      <angle d="${Math.round(r.angle)}" />`,
      '    </rotatedRect>',
      '    <contour>',
      ...px.map(([x, y]) => `      <point x="${x}" y="${y}" />`),
      '    </contour>',
      '  </space>',
    );
  }
  lines.push('</parking>', '');
  return lines.join('\n');
}

const escape = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
