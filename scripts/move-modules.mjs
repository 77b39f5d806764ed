#!/usr/bin/env node
// One-off refactoring aid: `node scripts/move-modules.mjs old=new ...` moves files or folders with
// `git mv` and rewrites every relative import (and `new URL('./x', import.meta.url)`) in the repository
// so that it still points at the same file. Paths are relative to the repository root.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const moves = process.argv.slice(2).map((a) => {
  const [from, to] = a.split('=');
  return { from: resolve(root, from), to: resolve(root, to) };
});

const tracked = execFileSync('git', ['ls-files', '-co', '--exclude-standard'], { cwd: root, encoding: 'utf8' })
  .split('\n')
  .filter((f) => /\.(ts|mts|js|mjs)$/.test(f) && !f.startsWith('node_modules/'))
  .map((f) => resolve(root, f));

/** Where an absolute path lives after the moves. */
function mapped(abs) {
  for (const { from, to } of moves) {
    if (abs === from) return to;
    if (abs.startsWith(from + sep)) return to + abs.slice(from.length);
  }
  return abs;
}

const SPEC = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|vi\.mock\(\s*|new URL\(\s*)(['"])(\.{1,2}\/[^'"]*)\2/g;
const edits = new Map();
for (const file of tracked) {
  if (!existsSync(file)) continue;
  const text = readFileSync(file, 'utf8');
  const newFile = mapped(file);
  let changed = false;
  const out = text.replace(SPEC, (whole, pre, q, spec) => {
    const target = resolve(dirname(file), spec);
    const newTarget = mapped(target);
    if (newTarget === target && newFile === file) return whole;
    let rel = relative(dirname(newFile), newTarget).split(sep).join('/');
    if (spec.endsWith('/') && !rel.endsWith('/')) rel += '/';
    if (!rel.startsWith('.')) rel = './' + rel;
    if (rel === spec) return whole;
    changed = true;
    return `${pre}${q}${rel}${q}`;
  });
  if (changed) edits.set(file, out);
}
for (const [file, text] of edits) writeFileSync(file, text);
for (const { from, to } of moves) {
  mkdirSync(dirname(to), { recursive: true });
  if (existsSync(to) && statSync(to).isDirectory() && statSync(from).isDirectory()) {
    for (const f of execFileSync('git', ['ls-files', from], { cwd: root, encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)) {
      const abs = resolve(root, f);
      const dst = join(to, relative(from, abs));
      mkdirSync(dirname(dst), { recursive: true });
      execFileSync('git', ['mv', abs, dst], { cwd: root });
    }
  } else {
    execFileSync('git', ['mv', from, to], { cwd: root });
  }
}
console.log(`moved ${moves.length}, rewrote imports in ${edits.size} files`);
