#!/usr/bin/env node
// bench/tabular: mlship vs scikit-learn on the same machine, in the same run, on the same rows
// (the seeded synthetic regression set, generated identically on both sides) and the same 80/20
// split. Writes its section of docs/benchmarks.md. Not part of `npm test`.
//
//   npm run bench:tabular                     # 200,000 x 20, 3 runs per figure, 100-tree forest
//   npm run bench:tabular -- --quick          # 1 run per figure, 20-tree forest
//   node bench/tabular/run.mjs --models hgb --runs 5
//
// Every measurement is one fresh process (bench/tabular/sklearn_bench.py with /usr/bin/python3, or
// bench/tabular/mlship-bench.mjs with node); the two sides alternate run by run so background load
// spreads evenly. Each figure is the median over the runs.
import { writeFileSync, mkdirSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PYTHON, ROOT, failer, fmt, loadavg, machine, median, readArgs, runMeasurement, writeSection } from '../common.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const CACHE = join(ROOT, '.bench-cache');
const NODE_FLAGS = ['--max-old-space-size=12288'];
const MODELS = {
  linear: { name: 'LinearRegression', sk: 'LinearRegression()', ml: 'new LinearRegression()' },
  rf: { name: 'RandomForestRegressor', sk: 'RandomForestRegressor(n_estimators=T, n_jobs=-1, random_state=42)', ml: 'new RandomForestRegressor({ nEstimators: T, nJobs: cores, randomState: 42 })' },
  hgb: { name: 'HistGradientBoostingRegressor', sk: 'HistGradientBoostingRegressor(random_state=42)', ml: 'new HistGradientBoostingRegressor({ nJobs: cores, randomState: 42 })' },
};

const HELP = `usage: node bench/tabular/run.mjs [--quick] [--runs N] [--models linear,rf,hgb] [--n 200000] [--d 20]
                               [--trees 100] [--rf-runs N] [--side both|sklearn|mlship] [--out docs/benchmarks.md]

  --quick        1 run per figure and a 20-tree forest
  --runs N       runs per figure (default 3)
  --models LIST  comma-separated subset of linear, rf, hgb
  --n, --d       rows and features of the synthetic set (default 200000 x 20)
  --trees T      random forest size (default 100; 20 with --quick)
  --rf-runs N    runs for the random forest, the slow one (default: --runs)
  --side S       measure only one side
  --out FILE     the benchmarks file whose tabular section is rewritten (default docs/benchmarks.md)

example: npm run bench:tabular -- --runs 3 --rf-runs 1`;

const fail = failer('bench:tabular');

function parseArgs(argv) {
  const a = readArgs(
    argv,
    { quick: false, runs: undefined, rfRuns: undefined, models: Object.keys(MODELS), n: 200000, d: 20, trees: undefined, side: 'both', out: join(ROOT, 'docs', 'benchmarks.md') },
    {
      '--quick': { key: 'quick', flag: true },
      '--runs': { key: 'runs', parse: Number },
      '--rf-runs': { key: 'rfRuns', parse: Number },
      '--models': { key: 'models', parse: (v) => v.split(',').filter(Boolean) },
      '--n': { key: 'n', parse: Number },
      '--d': { key: 'd', parse: Number },
      '--trees': { key: 'trees', parse: Number },
      '--side': { key: 'side' },
      '--out': { key: 'out', parse: (v) => resolve(v) },
    },
    { help: HELP, fail },
  );
  a.runs ??= a.quick ? 1 : 3;
  a.trees ??= a.quick ? 20 : 100;
  a.rfRuns ??= a.runs;
  for (const k of ['runs', 'rfRuns', 'n', 'd', 'trees']) if (!Number.isInteger(a[k]) || a[k] < 1) fail(`--${k} must be a positive integer, got ${a[k]}`);
  if (a.d < 10) fail(`--d must be at least 10 (the synthetic target uses 10 features), got ${a.d}`);
  if (!['both', 'sklearn', 'mlship'].includes(a.side)) fail(`--side must be both, sklearn or mlship, got ${a.side}`);
  for (const m of a.models) if (!MODELS[m]) fail(`--models: unknown model ${m}; choose from ${Object.keys(MODELS).join(', ')}`);
  return a;
}

function measure(side, model, args) {
  const argv = ['--model', model, '--n', String(args.n), '--d', String(args.d), '--seed', '42', '--trees', String(args.trees)];
  return side === 'sklearn'
    ? runMeasurement(PYTHON, [join(HERE, 'sklearn_bench.py'), ...argv])
    : runMeasurement(process.execPath, [...NODE_FLAGS, join(HERE, 'mlship-bench.mjs'), ...argv]);
}

const FIGURES = ['fit_s', 'predict_s', 'predict_first_s', 'cpu_s', 'rmse', 'peak_rss_kb', 'n_iter'];

function aggregate(runs) {
  const ok = runs.filter((r) => !r.error);
  if (ok.length === 0) return { error: runs[0]?.error ?? 'not measured', runs: 0 };
  const agg = { runs: ok.length, n_train: ok[0].n_train, n_test: ok[0].n_test };
  for (const f of FIGURES) agg[f] = median(ok.map((r) => r[f]));
  if (ok.length < runs.length) agg.failedRuns = runs.length - ok.length;
  return agg;
}

function verdicts(results) {
  const out = [];
  const have = (x) => x && !x.error;
  const push = (target, ok, measured) => out.push({ target, verdict: ok == null ? 'NOT MEASURED' : ok ? 'PASS' : 'MISS', measured });
  const fit = (m, target, min) => {
    const r = results[m];
    if (!r) return;
    if (have(r.sklearn) && have(r.mlship)) {
      const x = r.sklearn.fit_s / r.mlship.fit_s;
      push(target, x >= min, `${x.toFixed(2)}x (${fmt.s(r.sklearn.fit_s)} s vs ${fmt.s(r.mlship.fit_s)} s)`);
    } else push(target, null, r.mlship?.error ?? r.sklearn?.error ?? '');
  };
  fit('hgb', 'HistGradientBoosting fit no slower than scikit-learn (ratio >= 1)', 1);
  fit('rf', 'RandomForest fit within 1.5x of scikit-learn (ratio >= 0.67)', 1 / 1.5);
  for (const m of Object.keys(results)) {
    const r = results[m];
    const target = `${MODELS[m].name} predict at least 2x faster`;
    if (have(r.sklearn) && have(r.mlship)) {
      const x = r.sklearn.predict_s / r.mlship.predict_s;
      push(target, x >= 2, `${x.toFixed(2)}x (${fmt.s(r.sklearn.predict_s)} s vs ${fmt.s(r.mlship.predict_s)} s)`);
    } else push(target, null, r.mlship?.error ?? r.sklearn?.error ?? '');
  }
  for (const m of ['rf', 'hgb']) {
    const r = results[m];
    if (!r) continue;
    const target = `${MODELS[m].name} test RMSE within 3% of scikit-learn's`;
    if (have(r.sklearn) && have(r.mlship)) {
      const rel = r.mlship.rmse / r.sklearn.rmse - 1;
      push(target, Math.abs(rel) <= 0.03 || rel < 0, `${fmt.num(r.mlship.rmse)} vs ${fmt.num(r.sklearn.rmse)} (${rel >= 0 ? '+' : ''}${(100 * rel).toFixed(2)}%)`);
    } else push(target, null, '');
  }
  return out;
}

function report({ args, mach, started, results, seconds }) {
  const argText = process.argv.slice(2).join(' ');
  const cmd = `npm run bench:tabular${argText ? ` -- ${argText}` : ''}`;
  const any = Object.values(results).flatMap((r) => [r.sklearn, r.mlship]).find((x) => x && !x.error) ?? {};
  const L = [];
  L.push('## Tabular regression: mlship vs scikit-learn', '');
  L.push('Generated by `bench/tabular/run.mjs`. Both libraries run in the same invocation on the same machine, on the same');
  L.push(`synthetic ${fmt.int(args.n)} × ${args.d} regression set and the same 80/20 split (row *i* is a test row when *i* mod 5 = 4).`, '');
  L.push('### How it was measured', '');
  L.push('```sh', cmd, '```', '');
  L.push(`- Date: ${started.toISOString()} (took ${(seconds / 60).toFixed(1)} min); ${args.runs} run(s) per figure${args.rfRuns !== args.runs ? ` (${args.rfRuns} for the random forest)` : ''}, each a fresh process, sides alternating; figures are medians`);
  L.push(`- Machine: ${mach.cores} cores, ${mach.cpu}, ${mach.memGb} GB RAM, ${mach.os}; load average at start ${mach.loadavg}, at end ${mach.loadavgEnd}`);
  L.push(`- mlship ${mach.commit}: Node ${mach.node} (\`node ${NODE_FLAGS.join(' ')}\`), built \`dist/\``);
  L.push(`- scikit-learn ${mach.sklearn}, numpy ${mach.numpy}, scipy ${mach.scipy}, Python ${mach.python} (\`${PYTHON}\`)`);
  L.push('- Data: `makeSyntheticRegression({ nSamples, nFeatures, noise: 1, seed: 42 })` in mlship and its twin');
  L.push('  `synthetic_regression` in `scripts/sklearn-fixtures/_common.py` (the same X bit for bit): uniform features, Friedman #1');
  L.push('  on features 0–4, a linear term on 5–9, Gaussian noise; the other features carry no signal.');
  L.push(`- Models (T = ${args.trees}; "cores" = all ${mach.cores} cores, as scikit-learn's \`n_jobs=-1\` and OpenMP):`);
  for (const m of args.models) L.push(`  - scikit-learn \`${MODELS[m].sk.replace('T', args.trees)}\`; mlship \`${MODELS[m].ml.replace('T', args.trees)}\``);
  L.push('- fit = `fit(train)`; predict = `predict(test)`, the median of 5 calls (the first call, which includes JIT warm-up in');
  L.push('  Node, is shown too); peak RSS = `VmHWM` at the end of the run (interpreter and data included).');
  L.push('  CPU time is user + system of fit and the 5 predicts over all threads. Ratios are scikit-learn ÷ mlship: above 1 means mlship is faster.');
  L.push('');
  L.push('### Targets', '');
  L.push('| Target | Measured (scikit-learn vs mlship) | Verdict |', '|---|---|---|');
  for (const v of verdicts(results)) L.push(`| ${v.target} | ${v.measured.replace(/\|/g, '\\|')} | **${v.verdict}** |`);
  L.push('');
  L.push('### Results', '');
  L.push(`${fmt.int(any.n_train)} training / ${fmt.int(any.n_test)} test rows.`, '');
  L.push('| Model | Measure | scikit-learn | mlship | sklearn ÷ mlship |', '|---|---|---:|---:|---:|');
  for (const m of args.models) {
    const sk = results[m]?.sklearn ?? {};
    const ml = results[m]?.mlship ?? {};
    const row = (label, f, key, ratio = true) => `| ${label === 'fit (s)' ? MODELS[m].name : ''} | ${label} | ${sk.error ? 'error' : f(sk[key])} | ${ml.error ? 'error' : f(ml[key])} | ${ratio ? fmt.ratio(sk[key], ml[key]) : ''} |`;
    L.push(row('fit (s)', fmt.s, 'fit_s'), row('predict, median of 5 calls (s)', fmt.s, 'predict_s'), row('predict, first call (s)', fmt.s, 'predict_first_s'), row('CPU time, fit + 5 predicts (s)', fmt.s, 'cpu_s'), row('peak RSS (MB)', fmt.mb, 'peak_rss_kb'), row('test RMSE', (x) => fmt.num(x), 'rmse', false));
    if (m === 'hgb') L.push(row('boosting iterations (early stopping)', fmt.int, 'n_iter', false));
  }
  const errs = args.models.flatMap((m) => ['sklearn', 'mlship'].map((s) => [m, s, results[m]?.[s]?.error]).filter((e) => e[2]));
  if (errs.length) L.push('', ...errs.map(([m, s, e]) => `- ${s} ${MODELS[m].name}: ${e}`));
  return L.join('\n');
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const started = new Date();
  const t0 = performance.now();
  const mach = machine(join(HERE, 'sklearn_bench.py'));
  console.log(`bench:tabular — ${mach.cores} cores ${mach.cpu}, Node ${mach.node}, scikit-learn ${mach.sklearn}; load ${mach.loadavg}`);
  const sides = args.side === 'both' ? ['sklearn', 'mlship'] : [args.side];
  const raw = [];
  const results = {};
  for (const m of args.models) {
    const perSide = Object.fromEntries(sides.map((s) => [s, []]));
    const broken = new Set();
    const runs = m === 'rf' ? args.rfRuns : args.runs;
    for (let r = 0; r < runs; r++) {
      for (const s of sides) {
        if (broken.has(s)) continue;
        process.stdout.write(`  ${m} ${s} run ${r + 1}/${runs} ... `);
        const x = measure(s, m, args);
        raw.push({ model: m, side: s, run: r + 1, ...x });
        perSide[s].push(x);
        console.log(x.error ? `error: ${x.error}` : `fit ${fmt.s(x.fit_s)} s, predict ${fmt.s(x.predict_s)} s, RMSE ${fmt.num(x.rmse)}, RSS ${fmt.mb(x.peak_rss_kb)} MB`);
        if (x.error && r === 0) broken.add(s);
      }
    }
    results[m] = Object.fromEntries(sides.map((s) => [s, aggregate(perSide[s])]));
  }
  for (const v of verdicts(results)) console.log(`  ${v.verdict.padEnd(12)} ${v.target}: ${v.measured}`);
  const seconds = (performance.now() - t0) / 1000;
  mach.loadavgEnd = loadavg();
  mkdirSync(CACHE, { recursive: true });
  writeFileSync(join(CACHE, `tabular-results-${started.toISOString().replace(/[:.]/g, '-')}.json`), JSON.stringify({ args, mach, raw, results }, null, 1));
  writeSection(args.out, 'tabular', report({ args, mach, started, results, seconds }));
  console.log(`wrote the tabular section of ${relative(ROOT, args.out)} (${(seconds / 60).toFixed(1)} min)`);
}

await main();
