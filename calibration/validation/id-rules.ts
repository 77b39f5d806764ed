import { isValidId } from '../../protocol/ids.ts';
import type { CalibrationDocument } from '../document/schema.ts';
import type { Finding } from './types.ts';

/** Ids must be usable as MQTT topic levels and unique; labels must be present and unique. */
export function checkIdsAndLabels(doc: CalibrationDocument): Finding[] {
  const findings: Finding[] = [];
  doc.slots.forEach((slot, i) => {
    if (!isValidId(slot.id))
      findings.push({
        code: 'invalid_id',
        severity: 'error',
        slots: [i],
        path: `/slots/${i}/id`,
        params: { id: slot.id },
      });
    if (slot.label.trim() === '')
      findings.push({
        code: 'missing_label',
        severity: 'warning',
        slots: [i],
        path: `/slots/${i}/label`,
        params: { id: slot.id },
      });
  });
  for (const [id, slots] of groups(doc.slots.map((s) => s.id)))
    findings.push({
      code: 'duplicate_id',
      severity: 'error',
      slots,
      path: `/slots/${slots[1]}/id`,
      params: { id, count: slots.length },
    });
  for (const [id, masks] of groups(doc.privacy_masks.map((m) => m.id)))
    findings.push({
      code: 'duplicate_id',
      severity: 'error',
      masks,
      path: `/privacy_masks/${masks[1]}/id`,
      params: { id, count: masks.length },
    });
  // "A07" and "a07 " are the same label to a person reading a sign.
  const labels = doc.slots.map((s) => s.label.trim().toLocaleLowerCase());
  for (const [, slots] of groups(labels)) {
    if (labels[slots[0]!] === '') continue;
    findings.push({
      code: 'duplicate_label',
      severity: 'error',
      slots,
      path: `/slots/${slots[1]}/label`,
      params: {
        label: doc.slots[slots[0]!]!.label.trim(),
        count: slots.length,
        ids: slots.map((i) => doc.slots[i]!.id).join(', '),
      },
    });
  }
  return findings;
}

/** Values that occur more than once, with every index where they occur. */
function groups(values: readonly string[]): [string, number[]][] {
  const seen = new Map<string, number[]>();
  values.forEach((v, i) => seen.set(v, [...(seen.get(v) ?? []), i]));
  return [...seen].filter(([, idx]) => idx.length > 1);
}
