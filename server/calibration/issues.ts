import {
  CALIBRATION_MESSAGES,
  fillTemplate,
  formatMessage,
  validateCalibration,
  type CalibrationDocument,
  type CalibrationIssue,
  type MessageTable,
  type ValidationOptions,
} from '../../calibration/index.ts';

export const LANGS = ['en', 'cs'] as const;
export type Lang = (typeof LANGS)[number];

/**
 * Czech for staff (the office works in Czech). Kept on the server rather than in calibration/
 * (another part's folder); the keys are the core's, so the type flags a missing sentence.
 */
const cs: MessageTable = {
  slot: 'místo {name}',
  mask: 'maska soukromí {name}',
  no_slots: 'Zatím tu není žádné parkovací místo, kamera tedy nebude nic hlásit. Nakreslete alespoň jedno místo.',
  too_few_points: '{what} má jen {count} bod(y). Obrys potřebuje aspoň 3; přidejte body, nebo ho smažte.',
  too_many_points: '{what} má {count} bodů; kamera jich přijme nejvýše {max}. Některé body odeberte.',
  self_intersection:
    '{what} kříží sám sebe (kříží se hrany {edge_a} a {edge_b}). Přetáhněte body tak, aby se obrys nekřížil.',
  out_of_frame: '{what} má {count} bod(y) mimo obraz (body {points}). Přetáhněte je zpět do obrazu.',
  no_area: '{what} nemá skoro žádnou plochu. Roztáhněte jeho body, nebo ho smažte.',
  invalid_id:
    'Identifikátor místa „{id}“ nelze použít: smí obsahovat jen písmena, číslice, „_“ a „-“, začínat písmenem nebo číslicí a mít nejvýše 64 znaků.',
  duplicate_id: 'Identifikátor „{id}“ používá {count} obrysů. Každé místo i každá maska potřebuje vlastní.',
  missing_label: '{what} nemá označení; návštěvníci a obsluha uvidí místo něj identifikátor „{id}“.',
  duplicate_label: 'Označení „{label}“ má {count} míst ({ids}). Dejte každému místu vlastní označení.',
  overlap:
    '{what} a {other} se překrývají o {percent} % menšího z nich. Sousední místa se mají jen dotýkat; posuňte společnou hranu.',
  too_small_for_model:
    '{what} má v obraze jen {width_px} × {height_px} pixelů; model potřebuje {input_width} × {input_height}, místo by se zvětšilo {factor}× a rozpoznávalo by se nespolehlivě. Použijte bližší kameru nebo vyšší rozlišení.',
  mask_covers_slot: '{mask} zakrývá {percent} % z {what}. Obsluha pak toto místo na snímcích nezkontroluje.',
};

const TABLES: Record<Lang, MessageTable> = { en: CALIBRATION_MESSAGES.en, cs };

/** One issue as the HTTP API sends it (snake_case). */
export interface IssueJson {
  code: string;
  severity: 'error' | 'warning';
  message: string;
  slot_id?: string;
  path?: string;
  slot_ids: string[];
  slot_indexes: number[];
  mask_ids: string[];
  mask_indexes: number[];
  points?: number[];
  params: Record<string, string | number>;
}

/** `validateCalibration` with messages in `lang`, as the API's JSON. */
export function validateDocument(
  doc: CalibrationDocument,
  options: ValidationOptions,
  lang: Lang = 'en',
): { issues: IssueJson[]; canSave: boolean } {
  const report = validateCalibration(doc, options);
  return { issues: report.issues.map((i) => issueJson(doc, i, lang)), canSave: report.canSave };
}

function issueJson(doc: CalibrationDocument, i: CalibrationIssue, lang: Lang): IssueJson {
  const params = { ...i.params };
  let message = i.message;
  if (lang !== 'en') {
    // The core filled `what`/`other`/`mask` with English subjects; name them again in `lang`.
    const table = TABLES[lang];
    const slot = (n: number | undefined) => {
      const s = n === undefined ? undefined : doc.slots[n];
      return s && fillTemplate(table.slot, { name: s.label.trim() || s.id });
    };
    const mask = (n: number | undefined) => {
      const m = n === undefined ? undefined : doc.privacy_masks[n];
      return m && fillTemplate(table.mask, { name: m.label?.trim() || m.id });
    };
    const what = slot(i.slotIndexes[0]) ?? mask(i.maskIndexes[0]);
    if (what !== undefined) params['what'] = what;
    const other = slot(i.slotIndexes[1]);
    if (other !== undefined) params['other'] = other;
    const m = mask(i.maskIndexes[0]);
    if (m !== undefined) params['mask'] = m;
    message = formatMessage(table[i.code], params);
  }
  return {
    code: i.code,
    severity: i.severity,
    message,
    ...(i.slotIds[0] === undefined ? {} : { slot_id: i.slotIds[0] }),
    path: i.path,
    slot_ids: i.slotIds,
    slot_indexes: i.slotIndexes,
    mask_ids: i.maskIds,
    mask_indexes: i.maskIndexes,
    ...(i.points === undefined ? {} : { points: i.points }),
    params,
  };
}
