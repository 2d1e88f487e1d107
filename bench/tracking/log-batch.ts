/**
 * Embedded logBatch throughput of the SQLite tracking store: N batches of 1,000 metrics (10 keys,
 * 100 steps each) into one run, timed after a warm-up batch; then 2,000 single logMetric calls.
 * A quick check, not the full tracking bench.
 *
 * Usage: npx tsx bench/tracking/log-batch.ts [batches=200] [batchSize=1000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTrackingStore } from '../../src/tracking/index.js';

const batches = Number(process.argv[2] ?? 200);
const size = Number(process.argv[3] ?? 1000);
const dir = mkdtempSync(join(tmpdir(), 'mlship-bench-'));
try {
  const store = await openTrackingStore(`sqlite://${dir}/mlship.db`);
  const run = await store.createRun();
  const makeBatch = (b: number) =>
    Array.from({ length: size }, (_, i) => ({ key: `metric_${i % 10}`, value: Math.sin(b * size + i), step: b * (size / 10) + Math.floor(i / 10), timestamp: 1_700_000_000_000 + b }));
  await store.logBatch(run.info.runId, { metrics: makeBatch(0) });
  const prepared = Array.from({ length: batches }, (_, b) => makeBatch(b + 1));
  const times: number[] = [];
  const t0 = process.hrtime.bigint();
  for (const metrics of prepared) {
    const s = process.hrtime.bigint();
    await store.logBatch(run.info.runId, { metrics });
    times.push(Number(process.hrtime.bigint() - s) / 1e6);
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  times.sort((a, b) => a - b);
  const total = batches * size;
  console.log(
    JSON.stringify({
      batches,
      batchSize: size,
      metrics: total,
      seconds: Number(seconds.toFixed(3)),
      metricsPerSecond: Math.round(total / seconds),
      batchMsMedian: Number(times[Math.floor(times.length / 2)]!.toFixed(2)),
      batchMsP95: Number(times[Math.floor(times.length * 0.95)]!.toFixed(2)),
      rssMB: Math.round(process.memoryUsage().rss / 2 ** 20),
    }),
  );
  // Single-metric calls (one transaction each), for comparison.
  const singles = 2000;
  const s0 = process.hrtime.bigint();
  for (let i = 0; i < singles; i++) await store.logMetric(run.info.runId, 'single', i, { step: i });
  const singleSeconds = Number(process.hrtime.bigint() - s0) / 1e9;
  console.log(JSON.stringify({ singleLogMetricCalls: singles, seconds: Number(singleSeconds.toFixed(3)), callsPerSecond: Math.round(singles / singleSeconds) }));
  const check = await store.getMetricHistory(run.info.runId, 'metric_0');
  if (check.length !== ((batches + 1) * size) / 10) throw new Error(`expected ${((batches + 1) * size) / 10} values of metric_0, found ${check.length}`);
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
