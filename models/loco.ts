/**
 * `npm run models:loco`: leave-one-camera-out for every candidate, choose by the worst left-out camera.
 *
 *   npx tsx models/loco.ts [--configs square-64-c0.25,…] [--backbones yolox,nanodet,yolox+nanodet]
 *                          [--l2 0.01,…] [--columns all,…] [--adapt-l2 …]
 *
 * Prints one JSON object (every fold of every candidate, and the choice). Deterministic: fixed seeds,
 * one onnxruntime thread, cached feature tables that the same seed rebuilds bit for bit.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  BACKBONES,
  configKey,
  ensureExtractor,
  extractFeatures,
  joinTables,
  parseCropConfig,
  type Backbone,
  type FeatureTable,
} from './features/extract.ts';
import { runLoco, type FoldResult, type HeadConfig } from './features/loco.ts';
import { allImageJobs } from './features/samples.ts';
import { cacheRoot, datasetsRoot } from './paths.ts';

const { values } = parseArgs({
  options: {
    configs: { type: 'string', default: 'letterbox-64-c0.1,quad-64-c0.1' },
    backbones: { type: 'string', default: 'yolox' },
    l2: { type: 'string', default: '0.01,0.1' },
    columns: { type: 'string', default: 'all' },
    norm: { type: 'string', default: 'global' },
    'adapt-l2': { type: 'string', default: '0.3' },
    picks: { type: 'string', default: '5' },
    'adapt-frames': { type: 'string', default: '1' },
    seed: { type: 'string', default: '1' },
  },
});

const datasets = datasetsRoot();
const cache = join(cacheRoot(), 'features');
const jobs = await allImageJobs(datasets);
const samples = jobs.flatMap((j) => j.samples);
const seed = Number(values.seed);
const candidates: { crop: string; head: HeadConfig; adaptL2: number; folds: FoldResult[] }[] = [];
/** Features of `spec` (`yolox`, `nanodet` or both joined, `yolox+nanodet`) for crop config `c`. */
async function tableOf(spec: string, c: ReturnType<typeof parseCropConfig>): Promise<FeatureTable> {
  const tables: FeatureTable[] = [];
  for (const backbone of spec.split('+')) {
    if (!(BACKBONES as readonly string[]).includes(backbone))
      throw new Error(`bad backbone ${backbone} in --backbones: want ${BACKBONES.join(', ')}, or several joined by +`);
    const extractor = await ensureExtractor(datasets, cache, backbone as Backbone, c.size);
    tables.push(await extractFeatures(jobs, c, extractor, cache, seed));
  }
  return tables.reduce(joinTables);
}

for (const spec of values.backbones!.split(','))
  for (const c of values.configs!.split(',').map(parseCropConfig)) {
    const t0 = performance.now();
    const table = await tableOf(spec, c);
    const crop = spec === 'yolox' ? configKey(c) : `${spec}:${configKey(c)}`;
    console.error(`${crop}: ${table.sample.length} rows in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    for (const columns of values.columns!.split(',') as HeadConfig['columns'][]) {
      for (const norm of values.norm!.split(',') as ('global' | 'camera')[]) {
        for (const l2 of values.l2!.split(',').map(Number)) {
          for (const adaptL2 of values['adapt-l2']!.split(',').map(Number)) {
            const t1 = performance.now();
            const folds = runLoco(
              table,
              samples,
              { columns, l2, norm },
              { l2: adaptL2, picks: Number(values.picks), seed, frames: Number(values['adapt-frames']) },
            );
            candidates.push({ crop, head: { columns, l2, norm }, adaptL2, folds });
            const worst = Math.min(...folds.map((f) => f.generic.accuracy));
            const worstAdapted = Math.min(...folds.map((f) => f.adapted!.accuracy));
            console.error(
              `  ${columns} ${norm} l2=${l2} adapt-l2=${adaptL2}: worst ${worst.toFixed(4)} adapted ${worstAdapted.toFixed(4)} ` +
                folds
                  .map((f) => `${f.group} ${f.generic.accuracy.toFixed(3)}/${f.adapted!.accuracy.toFixed(3)}`)
                  .join(' ') +
                ` (${((performance.now() - t1) / 1000).toFixed(0)} s)`,
            );
          }
        }
      }
    }
  }
const worstOf = (c: (typeof candidates)[number]) => Math.min(...c.folds.map((f) => f.generic.accuracy));
const chosen = [...candidates].sort((a, b) => worstOf(b) - worstOf(a))[0];
console.log(
  JSON.stringify({
    seed,
    candidates,
    chosen: chosen && { crop: chosen.crop, head: chosen.head, adapt_l2: chosen.adaptL2 },
  }),
);
