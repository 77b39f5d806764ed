/**
 * A small Prometheus registry: counters and gauges with labels, rendered in the text exposition
 * format (version 0.0.4). Hand-written because the server needs a dozen series, not a client library.
 */
type Labels = Record<string, string>;

interface Metric {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge';
  samples(): [Labels, number][];
}

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
function labelKey(labels: Labels): string {
  const keys = Object.keys(labels);
  // Most series have no label or one: skip the sort for them, this runs for every MQTT message.
  if (keys.length === 0) return '';
  if (keys.length === 1) return `${keys[0]}="${escapeLabel(labels[keys[0]!]!)}"`;
  return keys
    .sort()
    .map((k) => `${k}="${escapeLabel(labels[k]!)}"`)
    .join(',');
}

export class Counter implements Metric {
  readonly type = 'counter';
  private readonly values = new Map<string, [Labels, number]>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    const k = labelKey(labels);
    const entry = this.values.get(k);
    if (entry) entry[1] += by;
    else this.values.set(k, [labels, by]);
  }

  get(labels: Labels = {}): number {
    return this.values.get(labelKey(labels))?.[1] ?? 0;
  }

  /** Every label set with its value, for tests and JSON views. */
  entries(): [Labels, number][] {
    return [...this.values.values()];
  }

  samples(): [Labels, number][] {
    return this.entries();
  }
}

/** A gauge whose samples are computed when scraped. */
export class Gauge implements Metric {
  readonly type = 'gauge';
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly collect: () => [Labels, number][],
  ) {}

  samples(): [Labels, number][] {
    return this.collect();
  }
}

/**
 * A gauge read from the database, which is async: `Registry.collect()` reads it before a scrape
 * and `render()` writes what was read last (nothing before the first read, or after a failed one).
 */
export class AsyncGauge implements Metric {
  readonly type = 'gauge';
  private last: [Labels, number][] | undefined;
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly read: () => Promise<[Labels, number][]>,
  ) {}

  async collect(): Promise<void> {
    this.last = undefined;
    this.last = await this.read();
  }

  samples(): [Labels, number][] {
    if (this.last === undefined) throw new Error(`${this.name} was not collected`);
    return this.last;
  }
}

export class Registry {
  private readonly metrics: Metric[] = [];

  counter(name: string, help: string): Counter {
    const c = new Counter(name, help);
    this.metrics.push(c);
    return c;
  }

  gauge(name: string, help: string, collect: () => [Labels, number][]): Gauge {
    const g = new Gauge(name, help, collect);
    this.metrics.push(g);
    return g;
  }

  asyncGauge(name: string, help: string, read: () => Promise<[Labels, number][]>): AsyncGauge {
    const g = new AsyncGauge(name, help, read);
    this.metrics.push(g);
    return g;
  }

  /** Reads every async gauge, side by side; one that fails is left out of the next render. */
  async collect(): Promise<void> {
    await Promise.allSettled(this.metrics.map((m) => (m instanceof AsyncGauge ? m.collect() : undefined)));
  }

  /** The text format. A gauge whose collector throws is skipped, never fails the scrape. */
  render(): string {
    const out: string[] = [];
    for (const m of this.metrics) {
      let samples: [Labels, number][];
      try {
        samples = m.samples();
      } catch {
        continue;
      }
      out.push(`# HELP ${m.name} ${m.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${m.name} ${m.type}`);
      for (const [labels, value] of samples) {
        const l = labelKey(labels);
        out.push(`${m.name}${l === '' ? '' : `{${l}}`} ${Number.isFinite(value) ? value : 'NaN'}`);
      }
    }
    return out.join('\n') + '\n';
  }
}
