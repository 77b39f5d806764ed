import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function sources(dir: string): string[] {
  const abs = join(root, dir);
  let entries: string[];
  try {
    entries = readdirSync(abs);
  } catch {
    return []; // a folder that does not exist yet has nothing to check
  }
  return entries.flatMap((name) => {
    const path = join(abs, name);
    if (name === 'node_modules') return [];
    if (statSync(path).isDirectory()) return sources(relative(root, path));
    return /\.(ts|mts|js|mjs)$/.test(name) ? [path] : [];
  });
}

/** Top-level folder each relative import of `file` lands in. */
function importedFolders(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]!);
  return specs.map((s) => relative(root, resolve(dirname(file), s)).split('/')[0]!);
}

describe('architecture', () => {
  it.each([
    ['edge', ['server']],
    ['server', ['edge']],
    ['protocol', ['edge', 'server', 'calibration', 'models', 'test', 'bin', 'cli']],
  ])('%s/ never imports from %j', (folder, forbidden) => {
    const offenders = sources(folder as string).flatMap((file) =>
      importedFolders(file)
        .filter((f) => (forbidden as string[]).includes(f))
        .map((f) => `${relative(root, file)} → ${f}/`),
    );
    expect(offenders).toEqual([]);
  });

  it('protocol/ depends on nothing but typebox and node built-ins', () => {
    const bare = sources('protocol').flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/from\s+['"]([^.'"][^'"]*)['"]/g)].map((m) => m[1]!),
    );
    expect(bare.filter((s) => !s.startsWith('typebox') && !s.startsWith('node:'))).toEqual([]);
  });
});
