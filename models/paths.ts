import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repo root, from this file's location (models/ → ..), not from the working directory. */
export const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));

/** Folder holding `models/<id>/model.json`. */
export const MODELS_DIR = resolve(REPO_ROOT, 'models');

/** Where the shared datasets are: $VOLNO_DATASETS, else `<repo>/../shared/datasets`. */
export function datasetsRoot(): string {
  return process.env.VOLNO_DATASETS || resolve(REPO_ROOT, '..', 'shared', 'datasets');
}

/** Scratch space for derived data (training patches): $VOLNO_CACHE, else `<repo>/.volno/cache` (git-ignored). */
export function cacheRoot(): string {
  return process.env.VOLNO_CACHE || resolve(REPO_ROOT, '.volno', 'cache');
}
