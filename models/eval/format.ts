import type { AdaptReport } from './adapt.ts';
import type { EvalReport } from './run-eval.ts';

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** The human-readable report of `volno eval`. */
export function formatReport(r: EvalReport): string {
  const lines: string[] = [];
  lines.push(`model ${r.model_id} (${r.model_kind}, threshold ${r.threshold}) on ${r.folder}`);
  lines.push(`${r.frames} frames, ${r.slots} slots`);
  lines.push('');
  lines.push(`accuracy            ${pct(r.accuracy)}`);
  lines.push(`occupied precision  ${pct(r.precision_occupied)}`);
  lines.push(`occupied recall     ${pct(r.recall_occupied)}`);
  lines.push(`occupied F1         ${pct(r.f1_occupied)}`);
  lines.push('');
  const c = r.confusion;
  const w = Math.max(8, String(Math.max(c.tn, c.fp, c.fn, c.tp)).length + 2);
  const cell = (v: number | string) => String(v).padStart(w);
  lines.push(`confusion            ${cell('pred free')} ${cell('pred occ')}`);
  lines.push(`  actual free        ${cell(c.tn)} ${cell(c.fp)}`);
  lines.push(`  actual occupied    ${cell(c.fn)} ${cell(c.tp)}`);
  lines.push('');
  const name = Math.max(6, ...r.per_folder.map((f) => f.folder.length));
  lines.push(`${'folder'.padEnd(name)}  frames  slots  accuracy  F1(occ)`);
  for (const f of r.per_folder) {
    lines.push(
      `${f.folder.padEnd(name)}  ${String(f.frames).padStart(6)}  ${String(f.slots).padStart(5)}  ${pct(f.accuracy).padStart(8)}  ${pct(f.f1_occupied).padStart(7)}`,
    );
  }
  lines.push('');
  lines.push(
    `time: ${r.ms_per_frame.toFixed(2)} ms per frame, ${r.ms_per_slot.toFixed(3)} ms per slot (model); ` +
      `${r.decode_ms_per_frame.toFixed(1)} ms per frame decoding image files`,
  );
  if (r.rejected.length > 0) {
    lines.push('');
    lines.push(`${r.rejected.length} file(s) skipped:`);
    for (const x of r.rejected) lines.push(`  ${x.path}: ${x.reason}`);
  }
  return lines.join('\n');
}

/** A one-line progress bar for a terminal; the caller only uses it when stderr is a TTY. */
export function progressLine(done: number, total: number, width = 30): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} frames`;
}

/**
 * The `--adapt` part of the report: generic head, head in force alone, and head with per-slot
 * exemplars (what the product shows) on the frames staff did not label.
 */
export function formatAdapt(r: AdaptReport): string {
  const lines = [
    `--adapt ${r.adapt_frames} (seed ${r.seed}): on the ${r.frames} frames (${r.slots} slots) not labelled`,
    `accuracy generic    ${pct(r.accuracy_generic)}`,
    `accuracy head only  ${pct(r.accuracy_head_only)}`,
    `accuracy adapted    ${pct(r.accuracy_adapted)}  (head + ${r.exemplars} exemplars)`,
    '',
  ];
  const name = Math.max(6, ...r.per_folder.map((f) => f.folder.length));
  lines.push(`${'folder'.padEnd(name)}  labels  tuned head    generic  head only  exemplars  adapted`);
  for (const f of r.per_folder) {
    const head = (f.tuned_head_shipped ? 'shipped' : 'kept generic').padStart(12);
    lines.push(
      `${f.folder.padEnd(name)}  ${String(f.labels).padStart(6)}  ${head}  ${pct(f.accuracy_generic).padStart(7)}  ${pct(f.accuracy_head_only).padStart(9)}  ${String(f.exemplars).padStart(9)}  ${pct(f.accuracy_adapted).padStart(7)}`,
    );
  }
  return lines.join('\n');
}
