import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** scrypt parameters; stored with every hash so they can change without invalidating old ones. */
export interface ScryptParams {
  log2N: number;
  r: number;
  p: number;
}

const KEY_LEN = 32;
const SALT_LEN = 16;
const PREFIX = 'scrypt';

/**
 * Password rules, after OWASP ASVS 4.0 §2.1: at least 12 characters (2.1.1), at most 128 (2.1.2),
 * any Unicode allowed and normalised (NFKC, NIST SP 800-63B §5.1.1.2) so the same password typed on
 * another keyboard still matches; no composition rules (2.1.9). Refused: the username inside it and
 * a single repeated character, the two guesses every attacker tries first.
 */
export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 128;

/** Why a password is refused, or undefined when it is acceptable. */
export function passwordProblem(password: string, username?: string): string | undefined {
  const p = password.normalize('NFKC');
  const length = [...p].length;
  if (length < PASSWORD_MIN) return `the password must have at least ${PASSWORD_MIN} characters`;
  if (length > PASSWORD_MAX) return `the password must have at most ${PASSWORD_MAX} characters`;
  if (/^(.)\1*$/su.test(p)) return 'the password must not be one repeated character';
  if (username !== undefined && username.length >= 3 && p.toLowerCase().includes(username.toLowerCase()))
    return 'the password must not contain the username';
  return undefined;
}

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const N = 2 ** params.log2N;
  // Node refuses scrypt above 32 MiB by default; the work needs 128·N·r bytes.
  const opts: ScryptOptions = { N, r: params.r, p: params.p, maxmem: 256 * N * params.r + 1024 * 1024 };
  return new Promise((resolve, reject) =>
    // Asynchronous: the hash runs in libuv's pool, so a login never stalls live updates.
    scrypt(password.normalize('NFKC'), salt, KEY_LEN, opts, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** Hashes with a fresh random salt: `scrypt$<log2N>$<r>$<p>$<salt>$<hash>` (base64url). */
export async function hashPassword(password: string, params: ScryptParams): Promise<string> {
  const salt = randomBytes(SALT_LEN);
  const key = await derive(password, salt, params);
  return [PREFIX, params.log2N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** The parameters a stored hash was made with; undefined when it is not a hash of ours. */
export function parseHash(stored: string): (ScryptParams & { salt: Buffer; key: Buffer }) | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== PREFIX) return undefined;
  const [log2N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![log2N, r, p].every((n) => Number.isInteger(n) && n > 0) || log2N > 24 || r > 32 || p > 16) return undefined;
  return { log2N, r, p, salt: Buffer.from(parts[4]!, 'base64url'), key: Buffer.from(parts[5]!, 'base64url') };
}

/** Checks a password against a stored hash in constant time (for equal-length keys, which ours are). */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const h = parseHash(stored);
  if (h === undefined || h.key.length !== KEY_LEN) return false;
  const key = await derive(password, h.salt, h);
  return timingSafeEqual(key, h.key);
}

/** True when a stored hash is weaker than `params` and should be replaced at the next login. */
export function needsRehash(stored: string, params: ScryptParams): boolean {
  const h = parseHash(stored);
  return h === undefined || h.log2N < params.log2N || h.r < params.r || h.p < params.p;
}

/** The default parameters for a configured cost: r=8, p=1 as OWASP's password storage cheat sheet gives. */
export function scryptParams(log2N: number): ScryptParams {
  return { log2N, r: 8, p: 1 };
}
