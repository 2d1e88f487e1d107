// Writes the search data set of bench/tracking: one experiment `search` with N runs, each with M
// metrics (m0..m{M-1}, seeded uniform values in [0, 1)), a `model` param (rf, lr, hgb or svm), an
// `alpha` param and a `team` tag, through the embedded store (the fastest way in). Prints JSON.
//
//   node bench/tracking/populate.mjs --db /tmp/search.db [--runs 10000] [--metrics 20]
import { openTrackingStore } from '../../dist/tracking/index.js';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const db = arg('--db');
if (!db) throw new Error('populate.mjs: --db <file> is required');
const runs = Number(arg('--runs', 10000));
const metrics = Number(arg('--metrics', 20));

// mulberry32: a small seeded generator, so every populate writes the same values.
let seed = 42;
const rand = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const MODELS = ['rf', 'lr', 'hgb', 'svm'];

const t0 = performance.now();
const store = await openTrackingStore(`sqlite://${db}`);
const experimentId = await store.createExperiment('search');
for (let r = 0; r < runs; r++) {
  const run = await store.createRun({ experimentId, runName: `run-${r}`, startTime: 1_700_000_000_000 + r, tags: { team: r % 3 ? 'pricing' : 'risk' } });
  await store.logBatch(run.info.runId, {
    metrics: Array.from({ length: metrics }, (_, k) => ({ key: `m${k}`, value: rand(), step: 0, timestamp: 1_700_000_000_000 + r })),
    params: [
      { key: 'model', value: MODELS[r % MODELS.length] },
      { key: 'alpha', value: String(Math.round(rand() * 1000) / 1000) },
    ],
  });
  await store.updateRun(run.info.runId, { status: 'FINISHED', endTime: 1_700_000_000_500 + r });
}
await store.close();
console.log(JSON.stringify({ experimentId, runs, metrics, seconds: (performance.now() - t0) / 1000 }));
