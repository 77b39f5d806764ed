// Polling helpers: tests wait for conditions, never for fixed times.
export { waitFor } from '../../fixtures/process.ts';

/** True while a process with this pid exists. */
export function isAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
