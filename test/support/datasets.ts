// Locating the shared (large, not committed) datasets used by integration tests.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repo root, from this file's location (test/support/ -> ../..), not from cwd. */
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Where datasets live: $VOLNO_DATASETS, else `<repo root>/../shared/datasets`. */
export function datasetsDir(): string {
  return process.env.VOLNO_DATASETS || resolve(REPO_ROOT, '..', 'shared', 'datasets');
}

/** The part of vitest's TestContext we need; keeps this usable from any test. */
export interface SkippableContext {
  skip(note?: string): never;
}

/**
 * Absolute path of `relPath` inside the datasets dir. If it is missing the test
 * is skipped with the reason (locally), or fails (when CI=true) so that CI can
 * never go green by silently skipping data-driven tests.
 */
export function requireDataset(ctx: SkippableContext, relPath: string): string {
  const path = resolve(datasetsDir(), relPath);
  if (existsSync(path)) return path;
  const where = `looked for ${path} (set VOLNO_DATASETS to override)`;
  if (process.env.CI === 'true') throw new Error(`dataset ${relPath} is required in CI; ${where}`);
  const note = `dataset ${relPath} not found; ${where}`;
  // The default reporter hides skip notes (only --reporter=verbose shows them), so say it here too.
  console.warn(`[skip] ${note}`);
  return ctx.skip(note);
}
