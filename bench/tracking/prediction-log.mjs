#!/usr/bin/env node
// bench/tracking/prediction-log.mjs: what the prediction log writer (openPredictionLogWriter, the
// path `mlship serve` logs every request through) costs the server's event loop, and how many
// records per second its worker thread sustains into SQLite. Not part of `npm test`.
//
//   npm run build && node bench/tracking/prediction-log.mjs [--records 200000] [--rate 50000]
//
// 1. burst: append --records records as fast as a busy server could (1,000 per event-loop turn),
//    then flush: records/s written, event-loop time per append, and event-loop delay
//    (perf_hooks.monitorEventLoopDelay) while the worker writes;
// 2. paced: append at --rate records/s for 4 s (a loaded server): event-loop delay and drops;
// 3. for contrast, the same batches written synchronously on the main thread (what the worker
//    thread avoids): how long one batch of 1,000 blocks the loop.
// Records look like a text classifier's: a ~60-word review in, a label and two probabilities out.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../common.mjs';

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const RECORDS = arg('records', 200_000);
const RATE = arg('rate', 50_000);

const { openPredictionLogWriter, openPredictionStore } = await import(pathToFileURL(join(ROOT, 'dist/tracking/index.js')).href);

const WORDS = 'the movie was a wonderful surprise with great acting and a story that kept me on the edge of my seat although the ending felt a little rushed and some of the dialogue was flat overall i would still recommend it to anyone who enjoys a good thriller with heart'.split(' ');
const review = (i) => Array.from({ length: 60 }, (_, k) => WORDS[(i * 7 + k * 13) % WORDS.length]).join(' ');
const record = (i) => ({
  requestId: `b-${i}`,
  modelName: 'imdb',
  modelVersion: '3',
  modelUri: 'models:/imdb@champion',
  timestamp: Date.now(),
  latencyMs: 0.42,
  inputs: { text: review(i) },
  outputs: { label: i % 2 ? 'positive' : 'negative', probabilities: { negative: 0.31, positive: 0.69 } },
});
const turn = () => new Promise((r) => setImmediate(r));
const ms = (ns) => (ns / 1e6).toFixed(2);

const dir = mkdtempSync(join(tmpdir(), 'mlship-bench-predlog-'));
const uri = `sqlite://${join(dir, 'mlship.db')}`;
try {
  // Prebuild the records so the figures are the writer's, not the object construction's.
  const records = Array.from({ length: RECORDS }, (_, i) => record(i));

  // ---- 1. burst
  const log = await openPredictionLogWriter(uri);
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const elu0 = performance.eventLoopUtilization();
  const t0 = performance.now();
  let appendMs = 0;
  for (let i = 0; i < RECORDS; i += 1000) {
    const a = performance.now();
    for (let j = i; j < Math.min(RECORDS, i + 1000); j++) log.append(records[j]);
    appendMs += performance.now() - a;
    await turn();
  }
  const appended = performance.now() - t0;
  await log.flush();
  const total = performance.now() - t0;
  const elu = performance.eventLoopUtilization(elu0);
  delay.disable();
  const s = log.stats;
  await log.close();
  console.log(`burst: ${RECORDS} records appended in ${appended.toFixed(0)} ms, all written after ${total.toFixed(0)} ms`);
  console.log(`  written ${s.written}, dropped ${s.dropped}, failed ${s.failed}: ${Math.round(s.written / (total / 1000))} records/s sustained into SQLite`);
  console.log(`  append: ${((appendMs * 1000) / RECORDS).toFixed(2)} µs per record in the append calls; main-thread busy time (append + batch hand-off) ${((elu.active * 1000) / RECORDS).toFixed(2)} µs per record`);
  console.log(`  event-loop delay while the worker wrote: p50 ${ms(delay.percentile(50))} ms, p99 ${ms(delay.percentile(99))} ms, max ${ms(delay.max)} ms`);

  // ---- 2. paced, against the same loop appending nowhere (the machine's own noise)
  const seconds = 4;
  const perTick = Math.max(1, Math.round(RATE / 100));
  const pacedRun = async (sink) => {
    const d = monitorEventLoopDelay({ resolution: 1 });
    d.enable();
    const start = performance.now();
    let n = 0;
    for (let tick = 0; tick < seconds * 100; tick++) {
      for (let j = 0; j < perTick; j++) sink({ ...records[n % RECORDS], requestId: `p-${n++}` });
      const next = start + (tick + 1) * 10;
      await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
    }
    d.disable();
    return `event-loop delay p50 ${ms(d.percentile(50))} ms, p99 ${ms(d.percentile(99))} ms, max ${ms(d.max)} ms`;
  };
  let kept = 0;
  const control = await pacedRun(() => void kept++);
  const paced = await openPredictionLogWriter(uri);
  const withWriter = await pacedRun((r) => paced.append(r));
  await paced.flush();
  const ps = paced.stats;
  await paced.close();
  console.log(`paced: ${RATE} records/s for ${seconds} s: written ${ps.written}, dropped ${ps.dropped}, failed ${ps.failed}`);
  console.log(`  with the writer:      ${withWriter}`);
  console.log(`  control (no writer):  ${control}`);

  // ---- 3. contrast: synchronous writes on the main thread
  const store = await openPredictionStore(uri);
  const blocks = [];
  for (let b = 0; b < 20; b++) {
    const batch = records.slice(b * 1000, (b + 1) * 1000).map((r, k) => ({ ...r, requestId: `s-${b}-${k}` }));
    const a = performance.now();
    await store.logPredictions(batch);
    blocks.push(performance.now() - a);
  }
  await store.close();
  blocks.sort((x, y) => x - y);
  console.log(`contrast: writing a batch of 1,000 on the main thread blocks it for ${blocks[10].toFixed(1)} ms (median of 20) = ${((blocks[10] * 1000) / 1000).toFixed(1)} µs per record`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
