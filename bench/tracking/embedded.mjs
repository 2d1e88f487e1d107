// Embedded logBatch throughput for bench/tracking (no HTTP): a fresh SQLite store, N batches of
// --batch-size metrics (10 keys) into one run after a warm-up batch, then single logMetric calls.
// Prints one JSON object.
//
//   node bench/tracking/embedded.mjs [--batches 200] [--batch-size 1000] [--singles 5000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTrackingStore } from '../../dist/tracking/index.js';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const batches = Number(arg('--batches', 200));
const size = Number(arg('--batch-size', 1000));
const singles = Number(arg('--singles', 5000));
const dir = mkdtempSync(join(tmpdir(), 'mlship-bench-embedded-'));
try {
  const store = await openTrackingStore(`sqlite://${dir}/mlship.db`);
  const run = await store.createRun();
  const makeBatch = (b) => Array.from({ length: size }, (_, i) => ({ key: `metric_${i % 10}`, value: Math.sin(b * size + i), step: b * (size / 10) + Math.floor(i / 10), timestamp: 1_700_000_000_000 + b }));
  await store.logBatch(run.info.runId, { metrics: makeBatch(0) });
  const prepared = Array.from({ length: batches }, (_, b) => makeBatch(b + 1));
  const t0 = performance.now();
  for (const metrics of prepared) await store.logBatch(run.info.runId, { metrics });
  const seconds = (performance.now() - t0) / 1000;
  const s0 = performance.now();
  for (let i = 0; i < singles; i++) await store.logMetric(run.info.runId, 'single', i, { step: i });
  const singleSeconds = (performance.now() - s0) / 1000;
  const check = await store.getMetricHistory(run.info.runId, 'metric_0');
  if (check.length !== ((batches + 1) * size) / 10) throw new Error(`expected ${((batches + 1) * size) / 10} values of metric_0, found ${check.length}`);
  await store.close();
  console.log(
    JSON.stringify({
      batch: { batches, batchSize: size, seconds: Number(seconds.toFixed(3)), metricsPerSecond: Math.round((batches * size) / seconds) },
      single: { calls: singles, seconds: Number(singleSeconds.toFixed(3)), callsPerSecond: Math.round(singles / singleSeconds) },
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
