import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StateStore } from '../../../edge/occupancy/state-store.ts';

describe('the state file', () => {
  it('round-trips every camera’s spells and leaves no temporary file behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'volno-state-'));
    const store = new StateStore(join(dir, 'sub', 'state.json'));
    expect(await store.load()).toBeNull();
    const spells = new Map([
      [
        'A1',
        {
          state: 'occupied' as const,
          since: Date.parse('2026-11-30T07:00:00Z'),
          lastConfirmedAt: Date.parse('2026-11-30T08:00:00Z'),
        },
      ],
    ]);
    await store.save(new Map([['cam-a', { calibrationVersion: 3, spells }]]));
    expect(await store.load()).toEqual(new Map([['cam-a', { calibrationVersion: 3, spells }]]));
    expect(readdirSync(join(dir, 'sub'))).toEqual(['state.json']);
  });

  it('refuses a damaged file with a reason instead of half-reading it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'volno-state-'));
    writeFileSync(join(dir, 'state.json'), JSON.stringify({ version: 1, saved_at: 'yesterday', cameras: {} }));
    await expect(new StateStore(join(dir, 'state.json')).load()).rejects.toThrow(/does not match its format/);
  });
});
