// Per-task overhead of mlship flows: a no-op task inside a recorded flow (SQLite store in a temp folder).
// Not a test. Run after `npm run build`:  node bench/flow/overhead.mjs
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flow, task } from '../../dist/flow/index.js';
import { MlshipClient } from '../../dist/tracking/index.js';

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const dir = mkdtempSync(join(tmpdir(), 'mlship-flow-bench-'));
const client = await MlshipClient.open({ trackingUri: `sqlite://${dir}/mlship.db` });
const noop = task((i) => i, { name: 'noop' });
const N = 2000;
for (const recorded of [true, false]) {
  const lat = [];
  const seq = flow(async () => {
    for (let i = 0; i < N; i++) { const t0 = performance.now(); await noop(i); lat.push(performance.now() - t0); }
  }, { name: 'seq', client: recorded ? client : undefined, record: recorded });
  await seq(); lat.length = 0; // warm-up
  const t0 = performance.now();
  await seq();
  const total = performance.now() - t0;
  console.log(`${recorded ? 'recorded  ' : 'unrecorded'} sequential ${N}: median task latency ${median(lat).toFixed(3)} ms, p95 ${[...lat].sort((a,b)=>a-b)[Math.floor(N*0.95)].toFixed(3)} ms; whole flow incl. store writes ${total.toFixed(0)} ms = ${(total / N).toFixed(3)} ms/task`);
  const fan = flow(async () => { await Promise.all(Array.from({ length: N }, (_, i) => noop(i))); }, { name: 'fan', client: recorded ? client : undefined, record: recorded });
  const t1 = performance.now();
  await fan();
  const t = performance.now() - t1;
  console.log(`${recorded ? 'recorded  ' : 'unrecorded'} fan-out ${N}: ${t.toFixed(0)} ms = ${(t / N).toFixed(3)} ms/task`);
}
const big = flow(async () => { const xs = Array.from({ length: 10_000 }, (_, i) => noop(i)); return (await Promise.all(xs)).length; }, { record: false });
const m0 = process.memoryUsage().heapUsed;
const t2 = performance.now();
await big();
console.log(`unrecorded fan-out 10,000: ${(performance.now() - t2).toFixed(0)} ms, heap +${((process.memoryUsage().heapUsed - m0) / 1e6).toFixed(1)} MB`);
await client.close();
rmSync(dir, { recursive: true, force: true });
