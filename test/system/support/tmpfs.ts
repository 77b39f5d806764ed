// A size-limited tmpfs: the one way to make a real disk fill up (ENOSPC, which SQLite reports as
// SQLITE_FULL) without touching a disk others use. A file size limit (RLIMIT_FSIZE) is no substitute:
// SQLite retries the short write, gets EFBIG and reports SQLITE_IOERR_WRITE instead (measured).
import { execFileSync } from 'node:child_process';
import { statfsSync } from 'node:fs';

export interface Tmpfs {
  dir: string;
  /** Bytes in use. */
  used(): number;
  /** Changes the size limit (bytes, rounded up to pages by the kernel); shrinking below `used()` fails. */
  resize(bytes: number): void;
  unmount(): void;
}

/** Mounts a tmpfs of `bytes` on `dir`, or returns the reason it cannot (needs CAP_SYS_ADMIN, e.g. root). */
export function mountTmpfs(dir: string, bytes: number): Tmpfs | { error: string } {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes},mode=0700`, 'volno-test-tmpfs', dir], {
      stdio: 'pipe',
    });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    return { error: `cannot mount a tmpfs on ${dir}: ${stderr || (err as Error).message}` };
  }
  let mounted = true;
  return {
    dir,
    used: () => {
      const s = statfsSync(dir);
      return (s.blocks - s.bfree) * s.bsize;
    },
    resize: (size) => {
      execFileSync('mount', ['-o', `remount,size=${size}`, dir], { stdio: 'pipe' });
    },
    unmount: () => {
      if (!mounted) return;
      mounted = false;
      try {
        execFileSync('umount', [dir], { stdio: 'pipe' });
      } catch {
        execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      }
    },
  };
}
