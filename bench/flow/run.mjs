// The flow engine's overhead (issue 5): a no-op task inside a recorded flow, sequential and fanned
// out, a 10,000-task fan-out with its memory, and a thread task's round trip. Each run is a fresh
// process; the report gives the median of the runs and writes the `flow` section of
// docs/benchmarks.md. Prefect cannot be installed here (not in Debian, no PyPI), so its figure is
// the one quoted in issue 5 from Prefect's own benchmark, not measured. Not part of `npm test`.
//
//   npm run bench:flow            (builds first)
//   node bench/flow/run.mjs [--runs 5] [--quick] [--out docs/benchmarks.md]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { failer, loadavg, median, readRunsArgs, ROOT, writeSection } from '../common.mjs';

const HELP = `usage: node bench/flow/run.mjs [--runs N] [--quick] [--out FILE]
  --runs N     measurement processes, medians reported (default 5)
  --quick      1 run, 500 tasks, a 2,000-task fan-out (for development; does not write the docs)
  --out FILE   the benchmarks file whose flow section is rewritten (default docs/benchmarks.md)

example: npm run bench:flow`;
const fail = failer('bench:flow');
const args = readRunsArgs(process.argv.slice(2), { help: HELP, fail });
if (!existsSync(join(ROOT, 'dist', 'flow', 'index.js'))) fail('dist/flow is missing: run `npm run build` first (npm run bench:flow does)');

const n = args.quick ? 500 : 2000;
const big = args.quick ? 2000 : 10_000;
const runs = args.quick ? 1 : args.runs;
const started = new Date().toISOString();
const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim();
const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim() !== '';
const load0 = loadavg();
const results = [];
for (let i = 0; i < runs; i++) {
  const r = spawnSync(process.execPath, ['--expose-gc', join(ROOT, 'bench', 'flow', 'measure.mjs'), String(n), String(big)], { cwd: ROOT, encoding: 'utf8', maxBuffer: 16 << 20 });
  if (r.status !== 0) fail(`measurement ${i + 1} failed: ${(r.stderr || `exit ${r.status}`).trim().split('\n').pop()}`);
  const lines = r.stdout.trim().split('\n');
  results.push(JSON.parse(lines[lines.length - 1]));
  console.error(`bench:flow: run ${i + 1}/${runs} done`);
}
const med = (f) => median(results.map(f));
const ms = (x, d = 3) => (x == null ? 'n/a' : `${x.toFixed(d)} ms`);
const all = (f, d = 3) => results.map((r) => f(r).toFixed(d)).join(' / ');
const recordedPerTask = med((r) => r.recordedSequential.perTaskMs);
const bigMs = med((r) => r.recordedBig.ms);
const growth3 = med((r) => r.recordedBig.rssGrowthThirdMb);
const PREFECT_NOOP_MS = 14; // quoted in issue 5 from Prefect's own benchmark, not measured here
const verdict = (ok) => (ok ? 'met' : '**missed**');
const bigText = big.toLocaleString('en-US');

const markdown = `## Flows: per-task overhead

Command: \`npm run bench:flow\` (\`node bench/flow/run.mjs --runs ${runs}\` after \`npm run build\`), ${started.slice(0, 16).replace('T', ' ')} UTC,
commit ${commit}${dirty ? ' (with uncommitted changes)' : ''}, Node ${process.version}, ${runs} fresh processes: medians, with every run's value.
Load average ${load0} at the start, ${loadavg()} at the end. The store is SQLite in a temp folder; a recorded
task run costs three store writes (create, metrics + state, end), made off the task's path.

| Case | Median | Each run |
| --- | --- | --- |
| Recorded, sequential no-op tasks: latency a task adds | ${ms(med((r) => r.recordedSequential.latencyMedianMs))} | ${all((r) => r.recordedSequential.latencyMedianMs)} |
| Recorded, sequential: whole flow incl. every store write, per task | ${ms(recordedPerTask)} | ${all((r) => r.recordedSequential.perTaskMs)} |
| Recorded, ${n.toLocaleString('en-US')}-task fan-out, per task | ${ms(med((r) => r.recordedFanOut.perTaskMs))} | ${all((r) => r.recordedFanOut.perTaskMs)} |
| Unrecorded, sequential, per task | ${ms(med((r) => r.unrecordedSequential.perTaskMs), 4)} | ${all((r) => r.unrecordedSequential.perTaskMs, 4)} |
| Recorded ${bigText}-task fan-out: wall time | ${(bigMs / 1000).toFixed(2)} s | ${all((r) => r.recordedBig.ms / 1000, 2)} |
| Same, RSS growth of the third such flow in one process | ${growth3.toFixed(1)} MB | ${all((r) => r.recordedBig.rssGrowthThirdMb, 1)} |
| Unrecorded ${bigText}-task fan-out: wall time | ${ms(med((r) => r.unrecordedBig.ms), 0)} | ${all((r) => r.unrecordedBig.ms, 0)} |
| Thread task (a no-op on a worker thread): round trip | ${ms(med((r) => r.threadTask.latencyMedianMs))} | ${all((r) => r.threadTask.latencyMedianMs)} |

Targets (issue 5):
- a recorded no-op task under 1 ms median: ${verdict(recordedPerTask < 1)}, ${recordedPerTask.toFixed(2)} ms per task with every store write.
  Prefect's own benchmark puts its no-op task at about ${PREFECT_NOOP_MS} ms (quoted in the issue, not run here: Prefect is not packaged in Debian), ${(PREFECT_NOOP_MS / recordedPerTask).toFixed(0)}x more;
- a ${bigText}-task fan-out under 10 s with flat memory: ${verdict(bigMs < 10_000 && growth3 < 50)}, ${(bigMs / 1000).toFixed(2)} s recorded; running it a third time in the same process grows RSS by ${growth3.toFixed(1)} MB.
`;
console.log(markdown);
if (!args.quick) {
  writeSection(args.out, 'flow', markdown);
  console.error(`bench:flow: wrote the flow section of ${relative(ROOT, args.out)}`);
}
