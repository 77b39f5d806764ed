import { readFileSync } from 'node:fs';
import { transformSync } from 'esbuild';
import { staticAsset, type StaticAsset } from '../../../kit/static-assets.ts';

/**
 * A browser script from ui/ as served: the TypeScript file read once and its types stripped. For
 * single files without imports (their own program in ui/tsconfig.json, typed against the DOM), so a
 * transform at load is all the build they need; bundles go through esbuild's build instead
 * (server/calibration/editor/bundle.ts).
 */
export function browserScript(file: URL): StaticAsset {
  const code = transformSync(readFileSync(file, 'utf8'), { loader: 'ts', format: 'esm', target: 'es2022' }).code;
  return staticAsset(code, 'text/javascript; charset=utf-8');
}
