import { readFileSync } from 'node:fs';
import { staticAsset, type StaticAsset } from '../../kit/static-assets.ts';
import { browserScript } from '../core/web/browser-script.ts';
import { govCssAsset } from '../core/web/gov-css.ts';

const CSS_TYPE = 'text/css; charset=utf-8';
// The pages' scripts are browser code in ui/public/ (their own program, typed against the DOM by
// ui/tsconfig.json); each is one file without imports, so stripping the types is all the build it needs.
const SCRIPTS: Record<string, string> = { 'app.js': 'app.ts', 'overview.js': 'overview.ts' };

/** Grid placement classes for the schematic map (`r3 c7`), so the CSP needs no inline styles. */
function placementCss(): string {
  let css = '\n/* generated: map placement */\n';
  for (let i = 1; i <= 50; i++)
    css += `.map--placed .r${i} { grid-row: ${i}; }\n.map--placed .c${i} { grid-column: ${i}; }\n`;
  return css;
}

/**
 * The page's static files, read once at start and served from memory with an ETag. URLs carry a
 * content hash (`?v=…`), so browsers may cache them for a long time.
 */
export function loadAssets(): Map<string, StaticAsset> {
  const assets = new Map<string, StaticAsset>();
  for (const [name, file] of Object.entries(SCRIPTS))
    assets.set(name, browserScript(new URL(`../../ui/public/${file}`, import.meta.url)));
  const css = readFileSync(new URL('./assets/style.css', import.meta.url));
  assets.set('style.css', staticAsset(Buffer.concat([css, Buffer.from(placementCss())]), CSS_TYPE));
  const gov = govCssAsset();
  assets.set('gov.css', { body: gov.body, type: CSS_TYPE, etag: gov.etag });
  return assets;
}

export function assetUrl(assets: ReadonlyMap<string, StaticAsset>, name: string): string {
  return `/assets/${name}?v=${assets.get(name)!.etag.slice(1, 9)}`;
}
