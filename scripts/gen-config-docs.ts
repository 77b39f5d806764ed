import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderConfigDocs } from './config-docs.ts';

const target = fileURLToPath(new URL('../docs/config.md', import.meta.url));
const rendered = renderConfigDocs();

if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // a missing file is drift like any other
  }
  if (current !== rendered) {
    console.error('docs/config.md is out of date with the config schemas. Run `npm run docs:config` and commit it.');
    process.exit(1);
  }
  console.log('docs/config.md matches the config schemas.');
} else {
  writeFileSync(target, rendered);
  console.log(`wrote ${target}`);
}
