import type { Counter, Registry } from '../core/metrics/registry.ts';
import { ALERT_KINDS, type AlertKind } from './types.ts';

/** Alert counters for Prometheus; deploy/prometheus/volno-alerts.yml alerts on them. */
export class AlertMetrics {
  readonly raised: Counter;
  readonly resolved: Counter;
  readonly digests: Counter;

  constructor(r: Registry, openByKind: () => ReadonlyMap<AlertKind, number>) {
    this.raised = r.counter('volno_alerts_raised_total', 'Alerts raised, by kind.');
    this.resolved = r.counter('volno_alerts_resolved_total', 'Alerts resolved, by kind.');
    this.digests = r.counter('volno_alert_digests_total', 'Alert digest e-mails, by result (sent, failed).');
    r.gauge('volno_alerts_open', 'Open alerts, by kind.', () => {
      const open = openByKind();
      return ALERT_KINDS.map((kind) => [{ kind }, open.get(kind) ?? 0]);
    });
  }
}
