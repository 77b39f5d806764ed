import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { track } from '../../fixtures/process.ts';

export const VOLNO_BIN = fileURLToPath(new URL('../../../bin/volno.mjs', import.meta.url));

/** `volno …` as a separate process until it exits, with `stdin` piped in when given (else none). */
export function runVolno(
  args: string[],
  stdin?: string,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [VOLNO_BIN, ...args], {
      stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    track(p);
    let stdout = '';
    let stderr = '';
    p.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    p.once('close', (status) => resolve({ status, stdout, stderr }));
    if (stdin !== undefined) p.stdin!.end(stdin);
  });
}
