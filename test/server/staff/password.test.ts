import { describe, expect, it } from 'vitest';
import {
  hashPassword,
  needsRehash,
  parseHash,
  passwordProblem,
  scryptParams,
  verifyPassword,
} from '../../../server/staff/password.ts';

const cheap = scryptParams(10);

describe('password hashing', () => {
  it('stores scrypt with its parameters and a fresh salt, and verifies only the right password', async () => {
    const a = await hashPassword('correct-horse-battery', cheap);
    const b = await hashPassword('correct-horse-battery', cheap);
    expect(a).toMatch(/^scrypt\$10\$8\$1\$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('correct-horse');
    expect(await verifyPassword('correct-horse-battery', a)).toBe(true);
    expect(await verifyPassword('correct-horse-batterz', a)).toBe(false);
    expect(await verifyPassword('correct-horse-battery', 'plain-text')).toBe(false);
  });

  it('verifies with the parameters stored in the hash, so raising the cost keeps old hashes working', async () => {
    const old = await hashPassword('correct-horse-battery', scryptParams(11));
    expect(parseHash(old)).toMatchObject({ log2N: 11, r: 8, p: 1 });
    expect(await verifyPassword('correct-horse-battery', old)).toBe(true);
    expect(needsRehash(old, scryptParams(12))).toBe(true);
    expect(needsRehash(old, scryptParams(11))).toBe(false);
  });

  it('treats the same password typed as composed or decomposed Unicode as equal (NFKC)', async () => {
    const h = await hashPassword('heslo-žluťoučký-kůň', cheap);
    expect(await verifyPassword('heslo-žluťoučký-kůň'.normalize('NFD'), h)).toBe(true);
  });

  it('refuses hashes with absurd parameters instead of burning memory on them', async () => {
    expect(parseHash('scrypt$30$8$1$AAAA$BBBB')).toBeUndefined();
    expect(await verifyPassword('x', 'scrypt$30$8$1$AAAAAAAAAAAAAAAAAAAAAA$BBBB')).toBe(false);
  });
});

describe('password rules', () => {
  it('need 12 to 128 characters, not one repeated character and not the username', () => {
    expect(passwordProblem('short')).toMatch(/at least 12/);
    expect(passwordProblem('x'.repeat(129))).toMatch(/at most 128/);
    expect(passwordProblem('aaaaaaaaaaaaaaaa')).toMatch(/repeated/);
    expect(passwordProblem('my-name-is-alice-ok', 'alice')).toMatch(/username/);
    expect(passwordProblem('correct horse battery staple', 'alice')).toBeUndefined();
    // Characters, not bytes: 12 Czech letters are enough.
    expect(passwordProblem('žžžžžžžžžžžř')).toBeUndefined();
  });
});
