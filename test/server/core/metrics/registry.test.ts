import { describe, expect, it } from 'vitest';
import { Registry } from '../../../../server/core/metrics/registry.ts';

describe('the Prometheus registry', () => {
  it('renders counters and gauges in the text format, labels sorted and escaped', () => {
    const r = new Registry();
    const c = r.counter('volno_test_total', 'A test counter.');
    c.inc();
    c.inc({ reason: 'a"b\\c\nd' }, 2);
    c.inc({ z: '1', a: '2' });
    r.gauge('volno_test_gauge', 'A gauge.', () => [[{ lot: 'north' }, 3]]);
    r.gauge('volno_broken', 'Throws.', () => {
      throw new Error('boom');
    });
    expect(r.render()).toBe(
      [
        '# HELP volno_test_total A test counter.',
        '# TYPE volno_test_total counter',
        'volno_test_total 1',
        'volno_test_total{reason="a\\"b\\\\c\\nd"} 2',
        'volno_test_total{a="2",z="1"} 1',
        '# HELP volno_test_gauge A gauge.',
        '# TYPE volno_test_gauge gauge',
        'volno_test_gauge{lot="north"} 3',
        '',
      ].join('\n'),
    );
    expect(c.get({ a: '2', z: '1' })).toBe(1);
  });
});
