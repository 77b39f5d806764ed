import { describe, expect, it } from 'vitest';
import { evaluateRules, type Observations } from '../../../server/alerts/rules.ts';
import type { AgentRow } from '../../../server/core/storage/agents-store.ts';
import type { CameraRow } from '../../../server/core/storage/cameras-store.ts';
import type { SlotStateRow } from '../../../server/core/storage/state-store.ts';

const NOW = Date.parse('2026-12-04T08:00:00Z');
const MIN = 60_000;

const agent = (agentId: string, status: AgentRow['status']) => ({ agentId, status }) as AgentRow;
const camera = (cameraId: string, streamStatus: string | null, agentId = 'agent-1') =>
  ({ cameraId, agentId, streamStatus, streamDetail: null }) as CameraRow;
const slot = (
  cameraId: string,
  slotId: string,
  state: SlotStateRow['state'],
  sinceMinAgo = 0,
  reason: string | null = null,
) => ({ cameraId, slotId, state, reason, since: NOW - sinceMinAgo * MIN }) as SlotStateRow;

const rules = (o: Partial<Observations>) =>
  evaluateRules(
    {
      now: NOW,
      cameras: [],
      agents: [agent('agent-1', 'online')],
      states: [],
      held: new Set(),
      storageErrors: 0,
      ...o,
    },
    15 * MIN,
  )
    .map((c) => c.key)
    .sort();

describe('alert rules', () => {
  it('see a camera down or stalled, and a moved camera, while its agent is alive', () => {
    expect(
      rules({ cameras: [camera('a', 'down'), camera('b', 'stalled'), camera('c', 'camera_moved'), camera('d', 'ok')] }),
    ).toEqual(['camera_down:a', 'camera_down:b', 'camera_moved:c']);
  });

  it('blame an offline agent once instead of each of its cameras, and ignore a deliberate stop', () => {
    expect(
      rules({
        agents: [agent('agent-1', 'offline'), agent('agent-2', 'stopped'), agent('agent-3', 'silent')],
        cameras: [camera('a', 'down'), camera('b', 'stalled')],
        states: [slot('a', '1', 'unknown', 60, 'agent_offline')],
      }),
    ).toEqual(['agent_offline:agent-1', 'agent_offline:agent-3']);
  });

  it('see a car in a held space, and only there', () => {
    expect(
      rules({
        held: new Set(['a/1', 'a/2']),
        states: [slot('a', '1', 'occupied'), slot('a', '2', 'free'), slot('a', '3', 'occupied')],
      }),
    ).toEqual(['held_space_taken:a/1']);
  });

  it('raise unknown slots once per camera after unknown_after_min, with their reasons', () => {
    const found = evaluateRules(
      {
        now: NOW,
        cameras: [camera('a', 'ok')],
        agents: [agent('agent-1', 'online')],
        states: [
          slot('a', '1', 'unknown', 20, 'too_dark'),
          slot('a', '2', 'unknown', 16, 'occluded'),
          slot('a', '3', 'unknown', 14, 'too_dark'),
        ],
        held: new Set(),
        storageErrors: 0,
      },
      15 * MIN,
    );
    expect(found).toEqual([
      { key: 'unknown_too_long:a', kind: 'unknown_too_long', subject: 'a', detail: '2 slots: occluded, too_dark' },
    ]);
  });

  it('count storage errors only when new ones were seen', () => {
    expect(rules({ storageErrors: 0 })).toEqual([]);
    expect(rules({ storageErrors: 2 })).toEqual(['storage_errors:server']);
  });
});
