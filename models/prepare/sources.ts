import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { PixelPolygon } from '../../edge/vision/index.ts';
import { findLabelledFrames } from '../dataset/labelled-frames.ts';

/**
 * Held out of training, always: whole UFPR05 sequences 4–5 (other days than 0–3) and all of the
 * Roboflow `valid` frames. `volno eval` reports on these; the trainer never reads them.
 */
export const HOLDOUT = ['pklot-ufpr05/sequence4', 'pklot-ufpr05/sequence5', 'roboflow-lot1/valid'] as const;

/** One image and the slots to cut from it. `quad: 'full'` means the whole image (CNRPark patches). */
export interface CutJob {
  readonly image: string;
  /** Source dataset and camera or sequence: `cnrpark/A`, `ufpr05/sequence2`, `roboflow/train`. */
  readonly group: string;
  readonly slots: ReadonlyArray<{ ref: string; polygon: PixelPolygon | 'full'; occupied: boolean }>;
  /** Car segmentation mask of the frame (UFPR05), used to keep background cuts off cars. */
  readonly mask?: string;
}

/** CNRPark A/B patches: each file is one slot, labelled by folder (labels.csv). */
export async function cnrparkJobs(datasets: string): Promise<CutJob[]> {
  const root = join(datasets, 'cnrpark-patches');
  const csv = await readFile(join(root, 'labels.csv'), 'utf8');
  return csv
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [path, camera, occupied] = line.split(',');
      return {
        image: join(root, path!),
        group: `cnrpark/${camera}`,
        slots: [{ ref: path!, polygon: 'full' as const, occupied: occupied?.trim() === '1' }],
      };
    });
}

/** Labelled full frames under `datasets/<folder>`, one job per frame, hold-outs excluded. */
export async function frameJobs(datasets: string, folder: string, group: (f: string) => string): Promise<CutJob[]> {
  const { frames, rejected } = await findLabelledFrames(join(datasets, folder));
  if (rejected.length > 0) throw new Error(`malformed labelled frames: ${rejected.map((r) => r.path).join(', ')}`);
  return frames
    .filter((f) => !HOLDOUT.some((h) => f.jsonPath.includes(`/${h}/`)))
    .map((f) => {
      const mask = join(dirname(f.jsonPath), '..', 'masks', `${basename(f.image, extname(f.image))}.png`);
      return {
        image: f.imagePath,
        group: group(f.folder),
        slots: f.slots.map((s) => ({ ref: `${f.image}#${s.id}`, polygon: s.polygon, occupied: s.occupied })),
        ...(existsSync(mask) ? { mask } : {}),
      };
    });
}

/** Every training job: CNRPark A and B, UFPR05 sequences 0–3, Roboflow train. */
export async function trainingJobs(datasets: string): Promise<CutJob[]> {
  return [
    ...(await cnrparkJobs(datasets)),
    ...(await frameJobs(datasets, 'pklot-ufpr05', (f) => `ufpr05/${f.split('/')[0]}`)),
    ...(await frameJobs(datasets, 'roboflow-lot1/train', () => 'roboflow/train')),
  ];
}
