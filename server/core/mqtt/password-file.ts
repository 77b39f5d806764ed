import { pbkdf2, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ServerError } from '../errors.ts';

/**
 * Mosquitto 2.0's `$7$` hash (PBKDF2-SHA512, 101 iterations, 12-byte salt), what `mosquitto_passwd`
 * writes; test/deploy/ checks it against mosquitto_passwd and a real broker. The embedded broker reads
 * the same file format, so deploy/mosquitto/broker-accounts.ts serves both brokers.
 */
export function hashPassword(password: string, salt: Buffer = randomBytes(12), iterations = 101): string {
  const hash = pbkdf2Sync(password, salt, iterations, 64, 'sha512');
  return `$7$${iterations}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

interface Hash {
  iterations: number;
  salt: Buffer;
  hash: Buffer;
}

const parseHash = (text: string): Hash | undefined => {
  const m = /^\$7\$(\d{1,7})\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(text.trim());
  if (m === null) return undefined;
  const iterations = Number(m[1]);
  return iterations < 1
    ? undefined
    : { iterations, salt: Buffer.from(m[2]!, 'base64'), hash: Buffer.from(m[3]!, 'base64') };
};

// Compared against when the username is unknown, so a wrong name costs as long as a wrong password.
const DUMMY: Hash = { iterations: 101, salt: randomBytes(12), hash: randomBytes(64) };

/** A Mosquitto password file (`user:$7$…` lines), read once at start. */
export class PasswordFile {
  private constructor(private readonly hashes: Map<string, Hash>) {}

  /** Reads `file`; a line in another format than `$7$` is refused with its line number. */
  static read(file: string): PasswordFile {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (cause) {
      throw new ServerError(
        'VOLNO_CONFIG_INVALID',
        'configuration is not valid',
        [`/mqtt/embedded/password_file: cannot read ${file}`],
        { cause },
      );
    }
    const hashes = new Map<string, Hash>();
    const bad: string[] = [];
    text.split('\n').forEach((line, i) => {
      if (line.trim() === '' || line.startsWith('#')) return;
      const at = line.indexOf(':');
      const hash = at > 0 ? parseHash(line.slice(at + 1)) : undefined;
      if (hash === undefined) bad.push(`/mqtt/embedded/password_file: ${file}:${i + 1} is not a user:$7$… line`);
      else hashes.set(line.slice(0, at), hash);
    });
    if (bad.length > 0) throw new ServerError('VOLNO_CONFIG_INVALID', 'configuration is not valid', bad);
    return new PasswordFile(hashes);
  }

  get usernames(): string[] {
    return [...this.hashes.keys()];
  }

  has(username: string): boolean {
    return this.hashes.has(username);
  }

  /** True when `password` is the user's. Asynchronous, so a burst of logins never blocks the loop. */
  verify(username: string, password: Buffer | undefined): Promise<boolean> {
    const known = this.hashes.get(username);
    const h = known ?? DUMMY;
    return new Promise((resolve) =>
      pbkdf2(password ?? Buffer.alloc(0), h.salt, h.iterations, h.hash.length || 64, 'sha512', (err, derived) =>
        resolve(
          err === null &&
            known !== undefined &&
            password !== undefined &&
            derived.length === h.hash.length &&
            timingSafeEqual(derived, h.hash),
        ),
      ),
    );
  }
}
