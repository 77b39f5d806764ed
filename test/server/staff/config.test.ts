import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../server/main/config/load.ts';

const parse = (raw: object) => parseConfig(raw, { baseDir: '/tmp', env: {} });

describe('the auth config section', () => {
  it('defaults to 30 min idle, 12 h sessions, 5 and 20 failed logins per 15 min, and scrypt 2^17', () => {
    expect(parse({}).auth).toEqual({
      session_idle_s: 1800,
      session_absolute_s: 43_200,
      cookie_secure: false,
      login_window_s: 900,
      login_max_per_user: 5,
      login_max_per_ip: 20,
      scrypt_log2_n: 17,
    });
  });

  it('refuses values that would weaken it, and unknown keys, with path: message lines', () => {
    let issues: readonly string[] = [];
    try {
      parse({ auth: { scrypt_log2_n: 8, session_idle_s: 5, remember_me: true } });
    } catch (err) {
      issues = (err as { issues: readonly string[] }).issues;
    }
    expect(issues.join('\n')).toMatch(/auth\/scrypt_log2_n/);
    expect(issues.join('\n')).toMatch(/auth\/session_idle_s/);
    expect(issues.join('\n')).toMatch(/remember_me|additional/);
  });
});
