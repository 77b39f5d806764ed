/**
 * Writes CNRPark's per-slot patches as labelled frames (one slot = the whole patch), so that
 * `volno eval` can score a model on them per camera, like any other camera.
 *
 *   npx tsx models/eval/cnrpark-frames.ts [--out DIR]      # default $VOLNO_CACHE/cnrpark-frames
 *   volno eval DIR/B
 *
 * The JSON files point at the images where they are (absolute paths); nothing is copied. Each frame
 * is one patch, so `--adapt K` on these folders labels K patches (K slots at one capture each), not
 * K whole camera frames.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { cacheRoot, datasetsRoot } from '../paths.ts';
import { cnrparkJobs } from '../prepare/sources.ts';

const { values } = parseArgs({ options: { out: { type: 'string' } } });
const out = values.out ?? join(cacheRoot(), 'cnrpark-frames');
let written = 0;
for (const job of await cnrparkJobs(datasetsRoot())) {
  const { width = 0, height = 0 } = await sharp(job.image).metadata();
  const dir = join(out, job.group.split('/')[1]!); // camera A or B
  await mkdir(dir, { recursive: true });
  const slot = job.slots[0]!;
  // The patch's file name ends in its slot number (…_0805_14.jpg), the same slot from capture to
  // capture, so per-slot exemplars (`volno eval --adapt`) match the slot's own other patches.
  const id = /_(\d+)\.jpg$/i.exec(job.image)?.[1];
  if (id === undefined) throw new Error(`no slot number in ${job.image}`);
  const polygon = [
    [0, 0],
    [width, 0],
    [width, height],
    [0, height],
  ];
  await writeFile(
    join(dir, `${basename(job.image, '.jpg')}-${slot.occupied ? 'busy' : 'free'}.json`),
    JSON.stringify({ image: job.image, width, height, slots: [{ id, polygon, occupied: slot.occupied }] }),
  );
  written++;
}
console.log(JSON.stringify({ out, frames: written }));
