import { describe, expect, it } from 'vitest';
import { MESSAGE_KINDS, buildTopic, isValidId, parseTopic, topicFilter } from '../../protocol/index.ts';
import { EXAMPLES } from '../../protocol/examples.ts';

describe('topics', () => {
  it('builds the documented slot-state topic under the default prefix', () => {
    expect(buildTopic('slot_state', { site: 's1', camera: 'cam-1', slot: '17' })).toBe(
      'volno/v1/s1/camera/cam-1/slot/17/state',
    );
  });

  it('honours a configured prefix', () => {
    expect(buildTopic('availability', { site: 's1', agent: 'a1' }, 'city/parking')).toBe(
      'city/parking/s1/agent/a1/availability',
    );
  });

  it.each(MESSAGE_KINDS)('%s: a built topic parses back to the same kind and ids', (kind) => {
    const { params } = EXAMPLES[kind];
    const topic = buildTopic(kind, params, 'x/y');
    expect(parseTopic(topic, 'x/y')).toEqual({ kind, params });
  });

  it.each(['', 'a/b', 'a+b', '#', '$SYS', 'has space', 'dot.ted', 'x'.repeat(65)])(
    'refuses %j as an id in a topic',
    (bad) => {
      expect(isValidId(bad)).toBe(false);
      expect(() => buildTopic('slot_state', { site: 's1', camera: bad, slot: '1' })).toThrow(/camera id/);
    },
  );

  it.each(['', 'a/', '/a', 'a/+', 'a/#', 'a//b'])('refuses %j as a topic prefix', (bad) => {
    expect(() => buildTopic('camera_summary', { site: 's', camera: 'c' }, bad)).toThrow(/prefix/);
  });

  it('does not recognise topics outside the contract or the prefix', () => {
    expect(parseTopic('volno/v1/s1/camera/c1/slot/1/status')).toBeNull();
    expect(parseTopic('other/s1/camera/c1/summary')).toBeNull();
    expect(parseTopic('volno/v1/s+1/camera/c1/summary')).toBeNull();
  });

  it('builds wildcard and shared-subscription filters', () => {
    expect(topicFilter('slot_state')).toBe('volno/v1/+/camera/+/slot/+/state');
    expect(topicFilter('camera_summary', { site: 's1' }, undefined, 'volno-server')).toBe(
      '$share/volno-server/volno/v1/s1/camera/+/summary',
    );
  });
});
