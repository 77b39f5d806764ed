import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

/**
 * Where `volno user add/passwd` get a password: never from argv (it would land in shell history and
 * in `ps` for every local user). From `--password-file <file>` (`-` is stdin), from piped stdin, or
 * from a prompt that does not echo, asked twice.
 */
export async function readPassword(o: { file?: string; confirm: boolean }): Promise<string> {
  if (o.file !== undefined && o.file !== '-') return firstLine(readFileSync(o.file, 'utf8'));
  if (o.file === '-' || !process.stdin.isTTY) return firstLine(await readStdin());
  const first = await promptHidden('Password: ');
  if (o.confirm && (await promptHidden('Repeat password: ')) !== first) throw new Error('the passwords differ');
  return first;
}

function firstLine(text: string): string {
  const line = text.split(/\r?\n/)[0] ?? '';
  if (line === '') throw new Error('no password given (empty first line)');
  return line;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function promptHidden(question: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
    // readline echoes what is typed through _writeToOutput; after the question, print nothing.
    const writable = rl as unknown as { _writeToOutput: (s: string) => void };
    let asked = false;
    writable._writeToOutput = (s: string) => {
      if (!asked) process.stdout.write(s);
    };
    rl.question(question, (answer) => {
      process.stdout.write('\n');
      rl.close();
      resolve(answer);
    });
    asked = true;
  });
}
