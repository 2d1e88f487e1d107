/**
 * A small Prometheus metrics registry: counters, gauges and histograms with fixed buckets, each
 * with labels, rendered in the Prometheus text exposition format (0.0.4). Series are found by a
 * precomputed label key, so recording on the hot path is one Map lookup and an addition. A
 * registry can be snapshotted as plain JSON and snapshots summed, which is how `--workers N`
 * reports totals across processes.
 */

/** How the values of one metric from several processes combine: counters and histograms add up; a gauge takes the largest. */
type Kind = 'counter' | 'gauge' | 'histogram';

/** One metric's family: name, help, kind, label names, and its series by label key. */
interface Family {
  name: string;
  help: string;
  kind: Kind;
  labelNames: readonly string[];
  buckets?: readonly number[];
  /** Label key (values joined by \u0001) → value (counter/gauge) or [count per bucket..., +Inf count, sum]. */
  series: Map<string, number | number[]>;
}

/** A registry as plain data (sent between processes over IPC). */
export interface MetricsSnapshot {
  families: { name: string; help: string; kind: Kind; labelNames: string[]; buckets?: number[]; series: [string, number | number[]][] }[];
}

const SEP = '\u0001';

/** A counter: a value that only goes up. */
export interface Counter {
  /** Adds `by` (default 1) to the series with these label values (in the order of the label names). */
  inc(labels?: readonly string[], by?: number): void;
  /** The current value of one series (0 when never incremented). */
  get(labels?: readonly string[]): number;
}

/** A gauge: a value that goes up and down. */
export interface Gauge {
  set(labels: readonly string[], value: number): void;
  /** Removes one series (e.g. the version an alias no longer points to). */
  remove(labels: readonly string[]): void;
  get(labels?: readonly string[]): number | undefined;
}

/** A histogram with fixed bucket upper bounds. */
export interface Histogram {
  observe(labels: readonly string[], value: number): void;
  /** Observations so far in one series. */
  count(labels?: readonly string[]): number;
}

/**
 * The latency buckets of {@link MetricsRegistry.histogram} when none are given, in seconds: fine
 * below 10 ms, where a model server should answer.
 */
export const LATENCY_BUCKETS: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/**
 * A set of metrics rendered together at `/metrics`.
 *
 * @example
 * ```ts
 * const metrics = new MetricsRegistry();
 * const requests = metrics.counter('http_requests_total', 'HTTP requests', ['route', 'status']);
 * requests.inc(['/predict', '200']);
 * metrics.render(); // '# HELP http_requests_total HTTP requests\n# TYPE http_requests_total counter\nhttp_requests_total{route="/predict",status="200"} 1\n'
 * ```
 */
export class MetricsRegistry {
  private readonly families = new Map<string, Family>();
  private readonly collectors: (() => void)[] = [];

  /** Adds a function run before every snapshot, to refresh metrics read from state (versions, queue sizes). */
  addCollector(fn: () => void): void {
    this.collectors.push(fn);
  }

  /** Declares (or returns the existing) counter `name`. */
  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    const f = this.family(name, help, 'counter', labelNames);
    return {
      inc: (labels = [], by = 1) => {
        const key = labels.join(SEP);
        f.series.set(key, ((f.series.get(key) as number | undefined) ?? 0) + by);
      },
      get: (labels = []) => (f.series.get(labels.join(SEP)) as number | undefined) ?? 0,
    };
  }

  /** Declares (or returns the existing) gauge `name`. */
  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    const f = this.family(name, help, 'gauge', labelNames);
    return {
      set: (labels, value) => void f.series.set(labels.join(SEP), value),
      remove: (labels) => void f.series.delete(labels.join(SEP)),
      get: (labels = []) => f.series.get(labels.join(SEP)) as number | undefined,
    };
  }

  /**
   * Declares (or returns the existing) histogram `name` with these bucket upper bounds.
   * @param buckets increasing upper bounds; `+Inf` is implied. @default {@link LATENCY_BUCKETS}
   */
  histogram(name: string, help: string, labelNames: readonly string[] = [], buckets: readonly number[] = LATENCY_BUCKETS): Histogram {
    const f = this.family(name, help, 'histogram', labelNames, buckets);
    const bounds = f.buckets!;
    const n = bounds.length;
    return {
      observe: (labels, value) => {
        const key = labels.join(SEP);
        let s = f.series.get(key) as number[] | undefined;
        if (s === undefined) {
          s = new Array<number>(n + 2).fill(0);
          f.series.set(key, s);
        }
        // Counts are per bucket here (not cumulative); render() accumulates them.
        let i = 0;
        while (i < n && value > bounds[i]!) i++;
        s[i]!++;
        s[n + 1]! += value;
      },
      count: (labels = []) => {
        const s = f.series.get(labels.join(SEP)) as number[] | undefined;
        return s === undefined ? 0 : s.slice(0, n + 1).reduce((a, b) => a + b, 0);
      },
    };
  }

  private family(name: string, help: string, kind: Kind, labelNames: readonly string[], buckets?: readonly number[]): Family {
    const existing = this.families.get(name);
    if (existing) {
      if (existing.kind !== kind) throw new Error(`metric ${name} is already a ${existing.kind}`);
      return existing;
    }
    if (!NAME.test(name) || labelNames.some((l) => !NAME.test(l))) throw new Error(`invalid metric or label name in ${name}{${labelNames.join(',')}}`);
    if (buckets && buckets.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= buckets[i - 1]!))) throw new Error(`buckets of ${name} must be finite and increasing`);
    const f: Family = { name, help, kind, labelNames: [...labelNames], series: new Map(), ...(buckets ? { buckets: [...buckets] } : {}) };
    this.families.set(name, f);
    return f;
  }

  /** The registry as plain JSON-able data. */
  snapshot(): MetricsSnapshot {
    for (const fn of this.collectors) fn();
    return {
      families: [...this.families.values()].map((f) => ({
        name: f.name,
        help: f.help,
        kind: f.kind,
        labelNames: [...f.labelNames],
        ...(f.buckets ? { buckets: [...f.buckets] } : {}),
        series: [...f.series].map(([k, v]) => [k, Array.isArray(v) ? [...v] : v] as [string, number | number[]]),
      })),
    };
  }

  /** The registry in the Prometheus text format. */
  render(): string {
    return renderSnapshot(this.snapshot());
  }
}

/**
 * Sums snapshots (one per worker process): counters and histograms add up, a gauge takes the
 * largest value of its series.
 *
 * @example
 * ```ts
 * renderSnapshot(mergeSnapshots([a.snapshot(), b.snapshot()]));
 * ```
 */
export function mergeSnapshots(snapshots: readonly MetricsSnapshot[]): MetricsSnapshot {
  const out = new Map<string, MetricsSnapshot['families'][number] & { index: Map<string, number | number[]> }>();
  for (const snap of snapshots) {
    for (const f of snap.families) {
      let m = out.get(f.name);
      if (!m) {
        m = { ...f, series: [], index: new Map() };
        out.set(f.name, m);
      }
      for (const [key, v] of f.series) {
        const prev = m.index.get(key);
        if (prev === undefined) m.index.set(key, Array.isArray(v) ? [...v] : v);
        else if (Array.isArray(prev) && Array.isArray(v)) v.forEach((x, i) => (prev[i] = (prev[i] ?? 0) + x));
        else if (typeof prev === 'number' && typeof v === 'number') m.index.set(key, f.kind === 'gauge' ? Math.max(prev, v) : prev + v);
      }
    }
  }
  return { families: [...out.values()].map(({ index, ...f }) => ({ ...f, series: [...index] })) };
}

/**
 * Renders a snapshot in the Prometheus text exposition format.
 *
 * @example
 * ```ts
 * renderSnapshot(registry.snapshot());
 * ```
 */
export function renderSnapshot(snap: MetricsSnapshot): string {
  let text = '';
  for (const f of snap.families) {
    text += `# HELP ${f.name} ${escapeHelp(f.help)}\n# TYPE ${f.name} ${f.kind}\n`;
    for (const [key, v] of f.series) {
      const values = f.labelNames.length === 0 ? [] : key.split(SEP);
      const pairs = f.labelNames.map((l, i) => `${l}="${escapeLabel(values[i] ?? '')}"`);
      if (f.kind !== 'histogram' || !Array.isArray(v)) {
        text += `${f.name}${pairs.length ? `{${pairs.join(',')}}` : ''} ${num(v as number)}\n`;
        continue;
      }
      const bounds = f.buckets ?? [];
      let cumulative = 0;
      for (let i = 0; i <= bounds.length; i++) {
        cumulative += v[i] ?? 0;
        const le = i < bounds.length ? num(bounds[i]!) : '+Inf';
        text += `${f.name}_bucket{${[...pairs, `le="${le}"`].join(',')}} ${cumulative}\n`;
      }
      const labels = pairs.length ? `{${pairs.join(',')}}` : '';
      text += `${f.name}_sum${labels} ${num(v[bounds.length + 1] ?? 0)}\n${f.name}_count${labels} ${cumulative}\n`;
    }
  }
  return text;
}

function num(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function escapeLabel(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}
