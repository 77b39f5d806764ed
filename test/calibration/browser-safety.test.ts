import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function files(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const rel = join(dir, name);
    return statSync(join(root, rel)).isDirectory() ? files(rel) : rel.endsWith('.ts') ? [rel] : [];
  });
}

/** Every file `start` imports, directly or not, within the repository. */
function closure(start: string): Map<string, string> {
  const seen = new Map<string, string>();
  const visit = (rel: string) => {
    if (seen.has(rel)) return;
    const text = readFileSync(join(root, rel), 'utf8');
    seen.set(rel, text);
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g))
      visit(relative(root, resolve(dirname(join(root, rel)), m[1]!)));
  };
  visit(start);
  return seen;
}

describe('calibration/ stays loadable in the browser editor', () => {
  it.each(['calibration/index.ts', 'ui/calibration-editor/main.ts'])(
    '%s imports nothing from Node, edge/ or server/, and no package but typebox, in any file it pulls in',
    (entry) => {
      const problems: string[] = [];
      for (const [file, text] of closure(entry)) {
        const top = file.split('/')[0]!;
        if (!['calibration', 'protocol', 'ui', 'kit'].includes(top))
          problems.push(`${file}: outside calibration/, protocol/, kit/ and ui/`);
        for (const m of text.matchAll(/from\s+['"]([^.'"][^'"]*)['"]/g))
          if (!m[1]!.startsWith('typebox')) problems.push(`${file}: imports ${m[1]}`);
      }
      expect(problems).toEqual([]);
    },
  );

  it('uses no Node globals in its own files, nor does the editor in ui/', () => {
    // ui/tsconfig.json keeps Node's types visible for protocol/'s signatures, so the compiler would not object.
    const offenders = [...files('calibration'), ...files('ui')].filter((f) =>
      /\b(Buffer|process|require|__dirname)\b/.test(readFileSync(join(root, f), 'utf8')),
    );
    expect(offenders).toEqual([]);
  });

  it('index.ts exports every core module, so the editor has one entry point into the core', () => {
    // The editor's own browser code (ui/calibration-editor/) sits on top of the core, not in it.
    const reached = new Set(closure('calibration/index.ts').keys());
    const core = files('calibration');
    expect(core.filter((f) => !reached.has(f))).toEqual([]);
  });
});
