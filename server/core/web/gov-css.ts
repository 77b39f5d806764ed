import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { etagOf } from '../../../kit/static-assets.ts';

/**
 * The GOV.CZ design system's CSS (`@gov-design-system-ce/styles`, the `html/` build that styles
 * plain HTML through `data-*` attributes), read from node_modules and served from this origin:
 * nothing is fetched from a CDN, and the package declares no web fonts (Roboto falls back to the
 * system sans-serif).
 *
 * The package's all-in-one `components.css` is ~1 MB, most of it colour × variant × size
 * combinations and the web components' own tag selectors. The pages use a handful of components
 * in one size, so the bundle takes only those files and drops the selectors no page can match;
 * that keeps it under ~120 kB, which matters for the widget that portals embed.
 */

/** Component files the public pages use (see gov-markup.ts for the markup they expect). */
const COMPONENTS = [
  'gov-button',
  'gov-form-control',
  'gov-form-label',
  'gov-form-input',
  'gov-form-select',
  'gov-form-checkbox',
  'gov-message',
  'gov-card',
];

/** Variants the pages use; every other `data-*` value can never match and is dropped. */
const KEEP = {
  color: new Set(['primary', 'error', 'success', 'warning']),
  type: new Set(['solid', 'outlined', 'base', 'link', 'subtle']),
  size: new Set(['m']),
};

function libDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('@gov-design-system-ce/styles/html/tokens.css'));
}

/** Whether one selector (no commas) can match the pages' plain HTML. */
function useful(selector: string): boolean {
  // `gov-button`, `gov-icon`…: custom-element tags of the web-component build, never in our HTML.
  if (/(^|[\s>+~(,])gov-[a-z]/.test(selector.trim())) return false;
  if (selector.includes('data-theme=dark')) return false;
  for (const m of selector.matchAll(/\[data-(color|type|size)=([a-z0-9-]+)\]/g)) {
    const set = KEEP[m[1] as keyof typeof KEEP];
    if (!set.has(m[2]!)) return false;
  }
  return true;
}

/** Splits at top-level commas (not those inside `:not(a, b)`). */
function splitSelectors(list: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < list.length; i++) {
    const c = list[i];
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === ',' && depth === 0) {
      out.push(list.slice(start, i));
      start = i + 1;
    }
  }
  out.push(list.slice(start));
  return out;
}

/** Drops the selectors {@link useful} rejects, recursing into @media; other at-rules stay whole. */
export function pruneCss(css: string): string {
  let out = '';
  let i = 0;
  while (i < css.length) {
    const open = css.indexOf('{', i);
    if (open < 0) break;
    const prelude = css.slice(i, open).trim();
    let depth = 1;
    let j = open + 1;
    for (; j < css.length && depth > 0; j++) {
      if (css[j] === '{') depth++;
      else if (css[j] === '}') depth--;
    }
    const body = css.slice(open + 1, j - 1);
    if (prelude.startsWith('@media') || prelude.startsWith('@supports')) {
      const inner = pruneCss(body);
      if (inner !== '') out += `${prelude}{${inner}}`;
    } else if (prelude.startsWith('@')) {
      out += `${prelude}{${body}}`;
    } else {
      const kept = splitSelectors(prelude).filter(useful);
      if (kept.length > 0) out += `${kept.join(',')}{${body}}`;
    }
    i = j;
  }
  return out;
}

/** Tokens, base styles, layout and the used components, pruned, as one stylesheet. */
export function govCss(): string {
  const dir = libDir();
  const read = (f: string) => readFileSync(join(dir, f), 'utf8').replace(/^\uFEFF/, '');
  const files = ['tokens.css', 'styles.css', 'layout.css', ...COMPONENTS.map((c) => `components/${c}.css`)];
  return (
    '/* GOV.CZ design system (@gov-design-system-ce/styles, EUPL 1.2), pruned to what Volno uses. */\n' +
    files.map((f) => pruneCss(read(f))).join('\n') +
    '\n' +
    readFileSync(new URL('./gov-layout.css', import.meta.url), 'utf8')
  );
}

let bundle: { body: Buffer; etag: string; url: string } | undefined;

/**
 * The bundle, its ETag and its URL, built once per process. The public pages' asset route
 * (server/web) serves it at `/assets/gov.css`; the booking pages link the same URL, so a visitor's
 * browser caches one copy for both.
 */
export function govCssAsset(): { body: Buffer; etag: string; url: string } {
  if (bundle === undefined) {
    const body = Buffer.from(govCss());
    const etag = etagOf(body, 16);
    bundle = { body, etag, url: `/assets/gov.css?v=${etag.slice(1, 9)}` };
  }
  return bundle;
}
