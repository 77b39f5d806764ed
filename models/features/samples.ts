import { basename, join } from 'node:path';
import type { PixelPolygon } from '../../edge/vision/index.ts';
import { findLabelledFrames } from '../dataset/labelled-frames.ts';
import { cnrparkJobs } from '../prepare/sources.ts';

/**
 * Camera groups for leave-one-camera-out: each is one physical camera (or one lot filmed by one
 * camera), so a model scored on a group it never saw is scored as on a new installation.
 */
export const LOCO_GROUPS = ['cnrpark-A', 'cnrpark-B', 'ufpr05', 'roboflow'] as const;
export type LocoGroup = (typeof LOCO_GROUPS)[number];

/** One labelled slot. `frame` groups the slots seen at one moment by one camera (the unit staff label). */
export interface Sample {
  readonly group: LocoGroup;
  readonly frame: string;
  readonly image: string;
  /** `full`: the whole image is the slot (CNRPark patches, cut by their authors with some context). */
  readonly polygon: PixelPolygon | 'full';
  readonly occupied: boolean;
}

/** Images with their slots, in a fixed order (sorted paths), so feature rows are reproducible. */
export interface ImageJob {
  readonly image: string;
  readonly group: LocoGroup;
  readonly samples: readonly Sample[];
}

/**
 * Every labelled slot of `datasets`, all of it: leave-one-camera-out decides per fold what is
 * trained on. CNRPark patches are named `<date>_<hhmm>_<slot>.jpg`; patches with the same date and
 * time are one frame of that camera.
 */
export async function allImageJobs(datasets: string): Promise<ImageJob[]> {
  const jobs: ImageJob[] = [];
  for (const job of await cnrparkJobs(datasets)) {
    const group = job.group === 'cnrpark/A' ? 'cnrpark-A' : 'cnrpark-B';
    const stem = basename(job.image, '.jpg');
    const frame = `${group}/${stem.split('_').slice(0, 2).join('_')}`;
    const slot = job.slots[0]!;
    jobs.push({
      image: job.image,
      group,
      samples: [{ group, frame, image: job.image, polygon: 'full', occupied: slot.occupied }],
    });
  }
  for (const [folder, group] of [
    ['pklot-ufpr05', 'ufpr05'],
    ['roboflow-lot1', 'roboflow'],
  ] as const) {
    const { frames, rejected } = await findLabelledFrames(join(datasets, folder));
    if (rejected.length > 0) throw new Error(`malformed labelled frames: ${rejected.map((r) => r.path).join(', ')}`);
    for (const f of frames) {
      const frame = `${group}/${f.folder}/${f.image}`;
      jobs.push({
        image: f.imagePath,
        group,
        samples: f.slots.map((s) => ({ group, frame, image: f.imagePath, polygon: s.polygon, occupied: s.occupied })),
      });
    }
  }
  return jobs;
}
