import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Writes a generated document, or with `--check` fails when the committed copy differs from what the
 * code renders now (the drift check CI runs). Every docs generator goes through here, so they agree.
 */
export function writeOrCheck(doc: {
  /** The document, relative to the repository root, e.g. `docs/mqtt.md`. */
  path: string;
  rendered: string;
  /** What the document is generated from, for the messages: "the config schemas", "protocol/". */
  source: string;
  /** The npm script that regenerates it. */
  script: string;
}): void {
  const target = fileURLToPath(new URL(`../${doc.path}`, import.meta.url));
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(target, 'utf8');
    } catch {
      // a missing file is drift like any other
    }
    if (current !== doc.rendered) {
      console.error(
        `${doc.path} is out of date with ${doc.source}. Run \`npm run ${doc.script}\` and commit the result.`,
      );
      process.exit(1);
    }
    console.log(`${doc.path} matches ${doc.source}.`);
  } else {
    writeFileSync(target, doc.rendered);
    console.log(`wrote ${target}`);
  }
}
