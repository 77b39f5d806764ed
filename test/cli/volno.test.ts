import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EXAMPLES } from '../../protocol/examples.ts';

const bin = fileURLToPath(new URL('../../bin/volno.mjs', import.meta.url));
const volno = (args: string[], input?: string) =>
  spawnSync(process.execPath, [bin, ...args], { input, encoding: 'utf8', timeout: 30_000 });

describe('the volno command', () => {
  it('lists its subcommands in --help', () => {
    const r = volno(['--help']);
    expect(r.status).toBe(0);
    for (const sub of ['edge', 'server', 'eval', 'validate-payload']) expect(r.stdout).toContain(sub);
  });

  it('accepts a valid payload on standard input', () => {
    const r = volno(['validate-payload', 'slot_state', '-'], JSON.stringify(EXAMPLES.slot_state.payload));
    expect(r.stdout.trim()).toBe('valid slot_state');
    expect(r.status).toBe(0);
  });

  it('prints path: message lines and exits 1 for an invalid payload', () => {
    const r = volno(
      ['validate-payload', 'slot_state'],
      JSON.stringify({ ...EXAMPLES.slot_state.payload, confidence: 2 }),
    );
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe('/confidence: must be <= 1');
  });

  it('refuses an unknown message kind with the list of kinds', () => {
    const r = volno(['validate-payload', 'nope'], '{}');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('slot_state');
  });
});
