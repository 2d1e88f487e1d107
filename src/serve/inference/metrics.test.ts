import { describe, expect, it } from 'vitest';
import { MetricsRegistry, mergeSnapshots, renderSnapshot } from './metrics.js';
import { parsePrometheus } from './test-models.js';

describe('MetricsRegistry', () => {
  it('renders counters, gauges and cumulative histogram buckets in the Prometheus text format', () => {
    const m = new MetricsRegistry();
    const c = m.counter('reqs_total', 'Requests', ['route', 'status']);
    c.inc(['/predict', '200']);
    c.inc(['/predict', '200'], 2);
    c.inc(['/p"x\\y\nz', '400']);
    m.gauge('up', 'Up').set([], 1);
    const h = m.histogram('lat_seconds', 'Latency', ['route'], [0.01, 0.1]);
    for (const v of [0.005, 0.01, 0.05, 2]) h.observe(['/predict'], v);
    const text = m.render();
    expect(text).toContain('# TYPE reqs_total counter\n');
    expect(text).toContain('reqs_total{route="/p\\"x\\\\y\\nz",status="400"} 1\n');
    const s = parsePrometheus(text);
    expect(s.get('reqs_total{route="/predict",status="200"}')).toBe(3);
    expect(s.get('up')).toBe(1);
    // le is inclusive: 0.01 falls in the 0.01 bucket.
    expect(s.get('lat_seconds_bucket{route="/predict",le="0.01"}')).toBe(2);
    expect(s.get('lat_seconds_bucket{route="/predict",le="0.1"}')).toBe(3);
    expect(s.get('lat_seconds_bucket{route="/predict",le="+Inf"}')).toBe(4);
    expect(s.get('lat_seconds_count{route="/predict"}')).toBe(4);
    expect(s.get('lat_seconds_sum{route="/predict"}')).toBeCloseTo(2.065, 12);
    expect(h.count(['/predict'])).toBe(4);
  });

  it('rejects bad names, kind clashes and unsorted buckets', () => {
    const m = new MetricsRegistry();
    expect(() => m.counter('bad-name', 'x')).toThrow(/invalid metric/);
    m.counter('x_total', 'x');
    expect(() => m.gauge('x_total', 'x')).toThrow(/already a counter/);
    expect(() => m.histogram('h', 'h', [], [1, 0.5])).toThrow(/increasing/);
  });

  it('merges snapshots of several processes: counters and histograms add up, gauges take the max', () => {
    const a = new MetricsRegistry();
    const b = new MetricsRegistry();
    for (const [reg, n, v] of [[a, 2, 5], [b, 3, 7]] as const) {
      reg.counter('reqs_total', 'r', ['s']).inc(['200'], n);
      reg.gauge('version_info', 'v', ['version']).set(['3'], 1);
      reg.gauge('queued', 'q').set([], v);
      reg.histogram('lat', 'l', [], [1]).observe([], n);
    }
    b.counter('reqs_total', 'r', ['s']).inc(['500']);
    const s = parsePrometheus(renderSnapshot(mergeSnapshots([a.snapshot(), b.snapshot()])));
    expect(s.get('reqs_total{s="200"}')).toBe(5);
    expect(s.get('reqs_total{s="500"}')).toBe(1);
    expect(s.get('version_info{version="3"}')).toBe(1);
    expect(s.get('queued')).toBe(7);
    expect(s.get('lat_count')).toBe(2);
    expect(s.get('lat_bucket{le="1"}')).toBe(0);
    expect(s.get('lat_sum')).toBe(5);
  });

  it('runs collectors before each snapshot', () => {
    const m = new MetricsRegistry();
    const g = m.gauge('queue', 'q');
    let n = 0;
    m.addCollector(() => g.set([], ++n));
    expect(parsePrometheus(m.render()).get('queue')).toBe(1);
    expect(parsePrometheus(m.render()).get('queue')).toBe(2);
  });
});
