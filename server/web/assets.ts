import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { staticAsset, type StaticAsset } from '../../kit/static-assets.ts';
import { govCssAsset } from '../core/web/gov-css.ts';

const DIR = fileURLToPath(new URL('./assets/', import.meta.url));
const TYPES: Record<string, string> = {
  'app.js': 'text/javascript; charset=utf-8',
  'overview.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
};

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
  for (const [name, type] of Object.entries(TYPES)) {
    let body = readFileSync(DIR + name);
    if (name === 'style.css') body = Buffer.concat([body, Buffer.from(placementCss())]);
    assets.set(name, staticAsset(body, type));
  }
  const gov = govCssAsset();
  assets.set('gov.css', { body: gov.body, type: 'text/css; charset=utf-8', etag: gov.etag });
  return assets;
}

export function assetUrl(assets: ReadonlyMap<string, StaticAsset>, name: string): string {
  return `/assets/${name}?v=${assets.get(name)!.etag.slice(1, 9)}`;
}
