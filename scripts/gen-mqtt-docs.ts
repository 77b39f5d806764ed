import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderMqttDocs } from './mqtt-docs.ts';

const target = fileURLToPath(new URL('../docs/mqtt.md', import.meta.url));
const rendered = renderMqttDocs();

if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // a missing file is drift like any other
  }
  if (current !== rendered) {
    console.error('docs/mqtt.md is out of date with protocol/. Run `npm run docs:mqtt` and commit the result.');
    process.exit(1);
  }
  console.log('docs/mqtt.md matches protocol/.');
} else {
  writeFileSync(target, rendered);
  console.log(`wrote ${target}`);
}
