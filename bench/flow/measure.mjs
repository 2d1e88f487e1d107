// One measurement of the flow engine's overhead, printed as one JSON line (run by bench/flow/run.mjs
// in a fresh process each time). Needs `npm run build`.
//   node --expose-gc bench/flow/measure.mjs [tasks=2000] [fan-out=10000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flow, task, setThreadPoolSize } from '../../dist/flow/index.js';
import { MlshipClient } from '../../dist/tracking/index.js';
import { threadNoop } from './tasks.mjs';

const N = Number(process.argv[2] ?? 2000);
const BIG = Number(process.argv[3] ?? 10_000);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[(s.length >> 1) - 1] + s[s.length >> 1]) / 2;
};
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

const dir = mkdtempSync(join(tmpdir(), 'mlship-flow-bench-'));
const client = await MlshipClient.open({ trackingUri: `sqlite://${dir}/mlship.db` });
const noop = task((i) => i, { name: 'noop' });
const out = { n: N, big: BIG };

/** Sequential no-op tasks: the latency a task adds, and the whole flow with its store writes. */
async function sequential(recorded) {
  const lat = [];
  const f = flow(
    async () => {
      for (let i = 0; i < N; i++) {
        const t0 = performance.now();
        await noop(i);
        lat.push(performance.now() - t0);
      }
    },
    { name: 'seq', client: recorded ? client : undefined, record: recorded },
  );
  await f(); // warm-up
  lat.length = 0;
  const t0 = performance.now();
  await f();
  return { latencyMedianMs: median(lat), latencyP99Ms: pct(lat, 0.99), perTaskMs: (performance.now() - t0) / N };
}

/** n no-op tasks started at once; the flow ends when every one is recorded. Samples RSS every 20 ms. */
async function fanOut(recorded, n) {
  const f = flow(async () => (await Promise.all(Array.from({ length: n }, (_, i) => noop(i)))).length, { name: 'fan', client: recorded ? client : undefined, record: recorded });
  global.gc?.();
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const t0 = performance.now();
  await f();
  const ms = performance.now() - t0;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  return { ms, perTaskMs: ms / n, rssGrowthMb: (peak - rss0) / 2 ** 20 };
}

out.recordedSequential = await sequential(true);
out.unrecordedSequential = await sequential(false);
out.recordedFanOut = await fanOut(true, N);
out.unrecordedFanOut = await fanOut(false, N);
// memory stays flat: the same recorded fan-out three times in one process; the third run's growth
const bigRuns = [];
for (let i = 0; i < 3; i++) bigRuns.push(await fanOut(true, BIG));
out.recordedBig = { ms: bigRuns[0].ms, rssGrowthFirstMb: bigRuns[0].rssGrowthMb, rssGrowthThirdMb: bigRuns[2].rssGrowthMb };
out.unrecordedBig = await fanOut(false, BIG);

// thread tasks: the round trip of a no-op on a worker thread (the pool warmed up first)
setThreadPoolSize(2);
const tl = [];
const tf = flow(
  async () => {
    for (let i = 0; i < 500; i++) {
      const t0 = performance.now();
      await threadNoop(i);
      tl.push(performance.now() - t0);
    }
  },
  { record: false },
);
await tf();
tl.length = 0;
await tf();
out.threadTask = { latencyMedianMs: median(tl), latencyP99Ms: pct(tl, 0.99) };

await client.close();
rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify(out));
process.exit(0);
