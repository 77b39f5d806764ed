import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { StaticAsset } from '../../../kit/static-assets.ts';

/** One file the editor page loads, served from memory under a content-hashed URL. */
export interface EditorAsset extends StaticAsset {
  body: string;
  /** e.g. `/staff/calibration/assets/editor-3f2a….js`: a new build gets a new URL, so browsers may cache forever. */
  url: string;
}

export interface EditorAssets {
  js: EditorAsset;
  css: EditorAsset;
}

const ENTRY = fileURLToPath(new URL('../../../ui/calibration-editor/main.ts', import.meta.url));
const CSS = fileURLToPath(new URL('../../../ui/calibration-editor/editor.css', import.meta.url));

const asset = (name: string, ext: string, body: string, type: string): EditorAsset => {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 16);
  return { body, type, etag: `"${hash}"`, url: `/staff/calibration/assets/${name}-${hash}.${ext}` };
};

/**
 * Bundles the browser editor (ui/calibration-editor/main.ts and the calibration core it imports) with
 * esbuild in memory: no build step and nothing written to disk, the same TypeScript the tests run.
 * Built once per process and shared by every app instance (tests build many apps).
 */
async function buildEditorAssets(): Promise<EditorAssets> {
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const js = result.outputFiles[0]?.text;
  if (js === undefined) throw new Error('esbuild produced no output for the calibration editor');
  const css = await readFile(CSS, 'utf8');
  return {
    js: asset('editor', 'js', js, 'text/javascript; charset=utf-8'),
    css: asset('editor', 'css', css, 'text/css; charset=utf-8'),
  };
}

let cached: Promise<EditorAssets> | undefined;

/** The editor's script and stylesheet; a failed build is retried on the next call. */
export function editorAssets(): Promise<EditorAssets> {
  cached ??= buildEditorAssets().catch((err: unknown) => {
    cached = undefined;
    throw new Error('could not bundle the calibration editor', { cause: err });
  });
  return cached;
}
