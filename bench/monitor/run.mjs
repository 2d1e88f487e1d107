// Drift monitoring at scale (issue 7): 1,000,000 current rows x 20 numeric columns against a
// 100,000-row reference. mlship builds the reference profile, streams the current rows from the file
// into sketches (65,536 rows at a time) and computes the normalised Wasserstein distance (Evidently's
// default test for this reference size) and the KS statistic and p-value of every column; scipy
// computes `ks_2samp` and `wasserstein_distance` / `np.std(reference)` on the same columns of the
// same file. Each side runs in fresh processes, alternating; the report gives medians, the ratio,
// mlship's peak RSS with 1M and 2M current rows, and how far the two sides' numbers are apart, and
// writes the `monitor` section of docs/benchmarks.md. Not part of `npm test`.
//
//   npm run bench:monitor            (builds first)
//   node bench/monitor/run.mjs [--runs 5] [--quick] [--out docs/benchmarks.md]
import { join, relative } from 'node:path';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { PYTHON, failer, loadavg, machine, median, readRunsArgs, ROOT, runMeasurement, writeSection } from '../common.mjs';
import { COLUMNS, ensureData } from './data.mjs';

const HELP = `usage: node bench/monitor/run.mjs [--runs N] [--quick] [--out FILE]
  --runs N     measurement processes per side, medians reported (default 5)
  --quick      1 run, 200,000 current rows against 20,000 (for development; does not write the docs)
  --out FILE   the benchmarks file whose monitor section is rewritten (default docs/benchmarks.md)

example: npm run bench:monitor`;
const fail = failer('bench:monitor');
const args = readRunsArgs(process.argv.slice(2), { help: HELP, fail });
if (!existsSync(join(ROOT, 'dist', 'monitor', 'index.js'))) fail('dist/monitor is missing: run `npm run build` first (npm run bench:monitor does)');
if (spawnSync(PYTHON, ['-c', 'import scipy, numpy'], { encoding: 'utf8' }).status !== 0) fail(`${PYTHON} cannot import scipy and numpy (install python3-scipy)`);

const refRows = args.quick ? 20_000 : 100_000;
const curRows = args.quick ? 200_000 : 1_000_000;
const runs = args.quick ? 1 : args.runs;
const started = new Date().toISOString();
const load0 = loadavg();
console.error(`bench:monitor: writing the data files (once; ${COLUMNS} columns, float64)`);
const file = ensureData(refRows, curRows);
const file2 = ensureData(refRows, 2 * curRows);

const mlship = (path, n) => {
  const r = runMeasurement(process.execPath, [join(ROOT, 'bench', 'monitor', 'measure.mjs'), path, String(refRows), String(n)]);
  if (r.error) fail(`mlship measurement failed: ${r.error}`);
  return r;
};
const scipy = () => {
  const r = runMeasurement(PYTHON, [join(ROOT, 'bench', 'monitor', 'scipy_bench.py'), file, String(refRows), String(curRows), String(COLUMNS)]);
  if (r.error) fail(`scipy measurement failed: ${r.error}`);
  return r;
};

const ours = [];
const theirs = [];
for (let i = 0; i < runs; i++) {
  // Alternate which side goes first, so neither always runs on a warmer page cache.
  if (i % 2 === 0) {
    ours.push(mlship(file, curRows));
    theirs.push(scipy());
  } else {
    theirs.push(scipy());
    ours.push(mlship(file, curRows));
  }
  console.error(`bench:monitor: run ${i + 1}/${runs}: mlship ${(ours[i].totalMs / 1000).toFixed(2)} s, scipy ${(theirs[i].testsMs / 1000).toFixed(2)} s`);
}
const double = [];
for (let i = 0; i < Math.min(runs, 3); i++) double.push(mlship(file2, 2 * curRows));

const med = (xs, f) => median(xs.map(f));
const s = (ms) => (ms == null ? '–' : `${(ms / 1000).toFixed(2)} s`);
const mb = (kb) => (kb == null ? '–' : `${(kb / 1024).toFixed(0)} MB`);
const each = (xs, f) => xs.map((r) => (f(r) / 1000).toFixed(2)).join(' / ');

const oursTotal = med(ours, (r) => r.totalMs);
const oursDrift = med(ours, (r) => r.driftMs);
const scipyTests = med(theirs, (r) => r.testsMs);
const scipyTotal = med(theirs, (r) => r.totalMs);
const hwm1 = med(ours, (r) => r.vmHwmKb);
const hwm2 = med(double, (r) => r.vmHwmKb);
const base1 = med(ours, (r) => r.rssBeforeCurrentKb);
const base2 = med(double, (r) => r.rssBeforeCurrentKb);

// Agreement with scipy, from the last run of each side (the numbers do not change between runs).
const a = ours[ours.length - 1];
const b = theirs[theirs.length - 1];
let wMax = 0;
let ksMax = 0;
let sameW = 0;
let sameKs = 0;
for (let j = 0; j < COLUMNS; j++) {
  wMax = Math.max(wMax, Math.abs(a.wasserstein[j] - b.wasserstein[j]));
  ksMax = Math.max(ksMax, Math.abs(a.ks[j] - b.ks[j]));
  if (a.wasserstein[j] >= 0.1 === b.wasserstein[j] >= 0.1) sameW++;
  if (a.ksP[j] < 0.05 === b.ksP[j] < 0.05) sameKs++;
}
const ratio = scipyTests / oursTotal;
const verdict = (ok) => (ok ? 'met' : '**missed**');
const m = machine(join(ROOT, 'bench', 'monitor', 'scipy_bench.py'));
const rows = (n) => n.toLocaleString('en-US');

const markdown = `## Monitoring: drift of ${rows(curRows)} rows x ${COLUMNS} columns against a ${rows(refRows)}-row reference

Command: \`npm run bench:monitor\` (\`node bench/monitor/run.mjs --runs ${runs}\` after \`npm run build\`), ${started.slice(0, 16).replace('T', ' ')} UTC,
commit ${m.commit}, ${m.cores} cores (${m.cpu}), Node ${m.node}, Python ${m.python}, numpy ${m.numpy}, scipy ${m.scipy}.
Load average ${load0} at the start, ${loadavg()} at the end. ${runs} fresh processes per side, alternating: medians, with every run's value.

Data: seeded synthetic float64 columns (normal, log-normal, uniform, exponential and integer-valued), written once
to one binary file that both sides read; 10 of the 20 current columns are shifted. mlship builds the reference
profile (sorting each reference column once), streams the current rows from the file into sketches on the
profile's bins, 65,536 rows at a time, then computes every column's normalised Wasserstein distance (Evidently's
default test for a reference of more than 1,000 rows) and, from the same sketches, the KS statistic and p-value.
scipy loads the file with \`np.fromfile\`, then runs \`ks_2samp\` and \`wasserstein_distance(ref, cur) / np.std(ref)\` per column.

| Side | Median | Each run |
| --- | --- | --- |
| mlship: profile + stream + both tests (reading the file included) | ${s(oursTotal)} | ${each(ours, (r) => r.totalMs)} |
| mlship: reference profile (${rows(refRows)} x ${COLUMNS}) | ${s(med(ours, (r) => r.profileMs))} | ${each(ours, (r) => r.profileMs)} |
| mlship: stream the current rows into sketches | ${s(med(ours, (r) => r.streamMs))} | ${each(ours, (r) => r.streamMs)} |
| mlship: the tests on the sketches | ${s(med(ours, (r) => r.testsMs))} | ${each(ours, (r) => r.testsMs)} |
| scipy: \`ks_2samp\` + \`wasserstein_distance\` (file already in memory) | ${s(scipyTests)} | ${each(theirs, (r) => r.testsMs)} |
| scipy: the same plus \`np.fromfile\` | ${s(scipyTotal)} | ${each(theirs, (r) => r.totalMs)} |

| Memory (VmHWM, peak RSS) | ${rows(curRows)} current rows | ${rows(2 * curRows)} current rows |
| --- | --- | --- |
| mlship, whole process | ${mb(hwm1)} | ${mb(hwm2)} |
| mlship, RSS before the current rows are read | ${mb(base1)} | ${mb(base2)} |
| scipy, whole process | ${mb(med(theirs, (r) => r.vmHwmKb))} | – |

Agreement with scipy on these columns: normalised Wasserstein within ${wMax.toExponential(1)} (same drift verdict at 0.1 on ${sameW} of ${COLUMNS} columns),
KS statistic within ${ksMax.toExponential(1)} (same verdict at p < 0.05 on ${sameKs} of ${COLUMNS}); ${a.drifted} of ${COLUMNS} columns drift (the 10 shifted ones).
The reference profile is ${(a.profileBytes / 1024).toFixed(0)} KB as JSON.

Targets (issue 7):
- under 5 s: ${verdict(oursTotal < 5000)}, ${s(oursTotal)} for everything, of which ${s(oursDrift)} for the current window (stream + tests);
- at least 3x scipy: ${verdict(ratio >= 3)}, ${ratio.toFixed(1)}x (scipy's compute only, against mlship's total with its file reading and profile build);
- memory bounded by the sketches: ${verdict(hwm2 - hwm1 < 0.1 * hwm1)}, doubling the current rows changes peak RSS from ${mb(hwm1)} to ${mb(hwm2)} (scipy holds every row: ${mb(med(theirs, (r) => r.vmHwmKb))}).
`;
console.log(markdown);
if (!args.quick) {
  writeSection(args.out, 'monitor', markdown);
  console.error(`bench:monitor: wrote the monitor section of ${relative(ROOT, args.out)}`);
}
