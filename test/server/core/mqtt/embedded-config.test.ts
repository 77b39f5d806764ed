// What the config refuses for the embedded broker (issue 13, finding 3): `mqtt.embedded.host: 0.0.0.0`
// without credentials used to validate silently.
import { describe, expect, it } from 'vitest';
import { ServerError } from '../../../../server/core/errors.ts';
import { LOTS, tempDir, testConfig } from '../../support/config.ts';
import { LOTS_WITH_AGENTS, writePasswordFile } from './support.ts';

const issues = (raw: Record<string, unknown>): string[] => {
  const tmp = tempDir();
  try {
    testConfig(tmp.dir, raw);
    return [];
  } catch (err) {
    if (!(err instanceof ServerError)) throw err;
    return [...err.issues];
  } finally {
    tmp.cleanup();
  }
};

describe('embedded broker config', () => {
  it('refuses a listener other machines can reach without credentials, naming the path', () => {
    expect(issues({ mqtt: { embedded: { host: '0.0.0.0' } } })).toEqual([
      expect.stringMatching(/^\/mqtt\/embedded\/host: 0\.0\.0\.0 lets other machines connect.*password_file/),
    ]);
    expect(issues({ mqtt: { embedded: { tls: { cert_file: '/etc/hosts', key_file: '/etc/hosts' } } } })).toEqual([
      expect.stringMatching(/^\/mqtt\/embedded\/tls\/host: 0\.0\.0\.0 lets other machines connect/),
    ]);
  });

  it('accepts loopback without credentials, and any address with accounts or a shared secret', () => {
    for (const host of ['127.0.0.1', '::1', 'localhost', '127.0.0.2'])
      expect(issues({ mqtt: { embedded: { host } } })).toEqual([]);
    expect(issues({ mqtt: { embedded: { host: '0.0.0.0', username: 'agents', password: 'a-long-secret' } } })).toEqual(
      [],
    );
    const tmp = tempDir();
    try {
      const password_file = writePasswordFile(tmp.dir);
      expect(issues({ lots: LOTS_WITH_AGENTS, mqtt: { embedded: { host: '0.0.0.0', password_file } } })).toEqual([]);
    } finally {
      tmp.cleanup();
    }
  });

  it('needs the agent of every camera with per-agent accounts, and a readable password file', () => {
    expect(issues({ lots: LOTS, mqtt: { embedded: { password_file: '/nonexistent/passwd' } } })).toEqual([
      expect.stringMatching(/^\/lots\/0\/cameras\/0\/agent_id: camera north-1 needs the agent/),
      expect.stringMatching(/^\/lots\/1\/cameras\/0\/agent_id: camera south-1 needs the agent/),
    ]);
    expect(issues({ lots: LOTS_WITH_AGENTS, mqtt: { embedded: { password_file: '/nonexistent/passwd' } } })).toEqual([
      '/mqtt/embedded/password_file: cannot read /nonexistent/passwd (ENOENT)',
    ]);
  });

  it('is not checked when a real broker is used', () => {
    expect(issues({ mqtt: { broker_url: 'mqtt://broker:1883', embedded: { host: '0.0.0.0' } } })).toEqual([]);
  });
});
