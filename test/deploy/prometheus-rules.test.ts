// deploy/prometheus/volno-alerts.yml is checked without promtool (not packaged here): it parses as
// Prometheus rule groups, every rule has what Alertmanager routes on, and every metric an expression
// names is one a running server exports on /metrics (so a renamed metric cannot silently disarm a rule).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ALERT_KINDS } from '../../server/alerts/types.ts';
import { startTestServer, type TestServer } from '../server/support/server.ts';

const RULES = new URL('../../deploy/prometheus/volno-alerts.yml', import.meta.url);

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** PromQL words that are not metric names: functions, aggregations, modifiers and keywords. */
const PROMQL_WORDS = new Set(
  (
    'sum avg min max count stddev stdvar topk bottomk quantile count_values group by without on ignoring ' +
    'group_left group_right and or unless offset bool rate irate increase delta idelta deriv absent ' +
    'absent_over_time changes resets time vector scalar histogram_quantile clamp_min clamp_max abs ceil floor ' +
    'round sort sort_desc label_replace label_join avg_over_time max_over_time min_over_time sum_over_time ' +
    'count_over_time last_over_time predict_linear timestamp'
  ).split(' '),
);

/** The metric names an expression selects: label matchers, ranges, strings and grouping lists removed. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const words = bare.match(/[a-zA-Z_:][a-zA-Z0-9_:]*/g) ?? [];
  return [...new Set(words.filter((w) => !PROMQL_WORDS.has(w)))];
}

let server: TestServer;
let exported: Set<string>;
beforeAll(async () => {
  server = await startTestServer({}, { listen: false });
  const res = await server.app.inject({ url: '/metrics' });
  expect(res.statusCode).toBe(200);
  exported = new Set([...res.body.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
});
afterAll(async () => server?.stop());

const groups = (parse(readFileSync(RULES, 'utf8')) as { groups: { name: string; rules: Rule[] }[] }).groups;
const rules = groups.flatMap((g) => g.rules);

describe('the Prometheus alert rules', () => {
  it('are rule groups of named alerts with an expression, a severity and a summary', () => {
    expect(groups.length).toBeGreaterThan(0);
    expect(rules.length).toBeGreaterThanOrEqual(10);
    expect(new Set(rules.map((r) => r.alert)).size).toBe(rules.length);
    for (const r of rules) {
      expect(r.alert).toMatch(/^Volno[A-Z][A-Za-z]+$/);
      expect(typeof r.expr).toBe('string');
      expect(['critical', 'warning', 'info']).toContain(r.labels.severity);
      expect(r.annotations.summary?.length).toBeGreaterThan(10);
      if (r.for !== undefined) expect(r.for).toMatch(/^\d+[smh]$/);
      // Balanced brackets: a cheap stand-in for promtool's parser.
      for (const [open, close] of ['()', '{}', '[]'])
        expect(r.expr.split(open!).length, `${r.alert}: ${open}${close}`).toBe(r.expr.split(close!).length);
    }
  });

  it('name only metrics the server exports (Prometheus’s own `up` aside)', () => {
    expect(exported.has('volno_alerts_open')).toBe(true);
    for (const r of rules) {
      const names = metricNames(r.expr);
      expect(names.length, r.alert).toBeGreaterThan(0);
      for (const n of names) expect(n === 'up' || exported.has(n), `${r.alert} uses ${n}`).toBe(true);
    }
  });

  it('filter the open alerts only by kinds the server raises', () => {
    for (const r of rules)
      for (const m of r.expr.matchAll(/volno_alerts_open\{kind="([^"]+)"\}/g))
        expect(ALERT_KINDS as readonly string[], r.alert).toContain(m[1]);
  });

  it('would catch a misspelt metric', () => {
    expect(metricNames('sum by (lot) (volno_lot_slot{state="unknown"}) / sum(rate(volno_x_total[5m])) > 0.5')).toEqual([
      'volno_lot_slot',
      'volno_x_total',
    ]);
    expect(exported.has('volno_lot_slot')).toBe(false);
  });
});
