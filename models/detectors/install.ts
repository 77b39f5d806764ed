/**
 * Writes a model directory for a detector downloaded from its publisher.
 *
 *   npx tsx models/detectors/install.ts <yolox-nano|nanodet-m> <file.onnx> [--out DIR] [--size 320|416] [--link]
 *
 * Computes the file's sha256, writes DIR/model.json (default models/<id>/), copies the ONNX file
 * next to it (or, with --link, points the manifest at the file where it is), then loads the model
 * once: a file that does not match the manifest's input/output contract is refused here, not on a camera.
 */
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadOccupancyModel, sha256 } from '../../edge/vision/index.ts';
import { MODELS_DIR } from '../paths.ts';
import { DETECTORS } from './manifests.ts';

export async function installDetector(
  kind: keyof typeof DETECTORS,
  file: string,
  opts: { out?: string; size?: 320 | 416; link?: boolean } = {},
): Promise<string> {
  const bytes = await readFile(file);
  const digest = sha256(bytes);
  const probe = kind === 'yolox-nano' ? DETECTORS[kind]('x', digest) : DETECTORS[kind]('x', digest, opts.size);
  const dir = resolve(opts.out ?? join(MODELS_DIR, probe.id));
  await mkdir(dir, { recursive: true });
  let target = resolve(file);
  if (!opts.link) {
    target = join(dir, basename(file));
    await copyFile(file, target);
  }
  const manifest =
    kind === 'yolox-nano'
      ? DETECTORS[kind](opts.link ? target : basename(target), digest)
      : DETECTORS[kind](opts.link ? target : basename(target), digest, opts.size);
  await writeFile(join(dir, 'model.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const model = await loadOccupancyModel(dir);
  await model.close();
  return dir;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { out: { type: 'string' }, size: { type: 'string', default: '416' }, link: { type: 'boolean' } },
  });
  const [kind, file] = positionals;
  if ((kind !== 'yolox-nano' && kind !== 'nanodet-m') || !file) {
    console.error('usage: install.ts <yolox-nano|nanodet-m> <file.onnx> [--out DIR] [--size 320|416] [--link]');
    process.exit(2);
  }
  const size = Number(values.size) === 320 ? 320 : 416;
  const dir = await installDetector(kind, file, { out: values.out, size, link: values.link });
  console.log(`installed ${kind} in ${dir}`);
}
