import type { CalibrationDocument } from '../document/schema.ts';
import { checkIdsAndLabels } from './id-rules.ts';
import { CALIBRATION_MESSAGES, fillTemplate, formatMessage, type MessageTable } from './messages.ts';
import { checkModelSize } from './model-size.ts';
import { checkMaskCover, checkOverlaps } from './overlap-rules.ts';
import { checkOutline } from './polygon-rules.ts';
import {
  DEFAULT_MASK_COVER,
  DEFAULT_OVERLAP,
  DEFAULT_UPSAMPLE,
  type CalibrationIssue,
  type Finding,
  type ValidationOptions,
  type ValidationReport,
} from './types.ts';

/**
 * Every rule over a schema-valid document (see `checkCalibrationDocument`), as sentences staff can
 * act on. Errors first, then warnings, each in document order. Pure and synchronous: the editor runs
 * it on every change, the server again before saving and before publishing.
 */
export function validateCalibration(doc: CalibrationDocument, options: ValidationOptions = {}): ValidationReport {
  const findings: Finding[] = [];
  if (doc.slots.length === 0) findings.push({ code: 'no_slots', severity: 'warning', path: '/slots' });
  const simpleSlots = new Set<number>();
  const simpleMasks = new Set<number>();
  doc.slots.forEach((slot, index) => {
    const r = checkOutline(slot.polygon, { kind: 'slot', index });
    findings.push(...r.findings);
    if (r.simple) simpleSlots.add(index);
  });
  doc.privacy_masks.forEach((mask, index) => {
    const r = checkOutline(mask.polygon, { kind: 'mask', index });
    findings.push(...r.findings);
    if (r.simple) simpleMasks.add(index);
  });
  findings.push(...checkIdsAndLabels(doc));
  findings.push(...checkOverlaps(doc, simpleSlots, options.overlap ?? DEFAULT_OVERLAP));
  if (options.model)
    findings.push(...checkModelSize(doc, simpleSlots, options.model, options.upsample ?? DEFAULT_UPSAMPLE));
  findings.push(...checkMaskCover(doc, simpleSlots, simpleMasks, options.maskCover ?? DEFAULT_MASK_COVER));

  const table = CALIBRATION_MESSAGES[options.locale ?? 'en'];
  const issues = findings.map((f) => toIssue(doc, f, table));
  issues.sort((a, b) => rank(a) - rank(b));
  const errors = issues.filter((i) => i.severity === 'error').length;
  return { issues, errors, warnings: issues.length - errors, canSave: errors === 0 };
}

const rank = (i: CalibrationIssue): number =>
  (i.severity === 'error' ? 0 : 1e7) + (i.slotIndexes[0] ?? 1e6 + (i.maskIndexes[0] ?? 0));

function toIssue(doc: CalibrationDocument, f: Finding, table: MessageTable): CalibrationIssue {
  const slots = f.slots ?? [];
  const masks = f.masks ?? [];
  const slotName = (i: number) => {
    const s = doc.slots[i]!;
    return fillTemplate(table.slot, { name: s.label.trim() || s.id });
  };
  const maskName = (i: number) => {
    const m = doc.privacy_masks[i]!;
    return fillTemplate(table.mask, { name: m.label?.trim() || m.id });
  };
  const params: Record<string, string | number> = { ...f.params };
  if (slots[0] !== undefined) params['what'] = slotName(slots[0]);
  else if (masks[0] !== undefined) params['what'] = maskName(masks[0]);
  if (slots[1] !== undefined) params['other'] = slotName(slots[1]);
  if (masks[0] !== undefined) params['mask'] = maskName(masks[0]);
  return {
    code: f.code,
    severity: f.severity,
    slotIds: slots.map((i) => doc.slots[i]!.id),
    slotIndexes: slots,
    maskIds: masks.map((i) => doc.privacy_masks[i]!.id),
    maskIndexes: masks,
    path: f.path,
    ...(f.points ? { points: f.points } : {}),
    params,
    message: formatMessage(table[f.code], params),
  };
}
