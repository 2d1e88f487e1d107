#!/usr/bin/env node
// mlship side of bench/tabular: one measurement run in this (fresh) process, mirroring
// sklearn_bench.py exactly. Imports mlship's BUILT output (run `npm run build` first).
//
//   node bench/tabular/mlship-bench.mjs --model hgb --n 200000 --d 20 --seed 42
//
// Prints one JSON object on stdout. The data is makeSyntheticRegression (the twin of
// _common.synthetic_regression); row i is a test row when i % 5 === 4. "fit" is estimator.fit on
// the training rows, "predict" is the median of 5 calls of estimator.predict on the test rows (the
// first is reported as predict_first_s), peak RSS is VmHWM at the end, cpu_s is the process CPU time
// (user + system, all threads, workers included) of fit + the predict calls.
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { peakRssKb } from '../text/mlship-bench.mjs';

export const MODELS = ['linear', 'rf', 'hgb'];
/** predict is timed as the median of this many calls on the test rows; the first call is reported too. */
const PREDICT_CALLS = 5;

function make(learn, kind, trees, seed) {
  const need = { linear: 'LinearRegression', rf: 'RandomForestRegressor', hgb: 'HistGradientBoostingRegressor' }[kind];
  if (!need) throw new Error(`--model must be one of ${MODELS.join(', ')}, got ${kind}`);
  if (typeof learn[need] !== 'function') throw new Error(`mlship/learn (dist/) does not export ${need}; run \`npm run build\``);
  const Ctor = learn[need];
  const probe = new Ctor();
  const params = {};
  // Use every core, as scikit-learn does with n_jobs=-1 (forest) and OpenMP (histogram boosting).
  if ('nJobs' in probe.getParams(false)) params.nJobs = availableParallelism();
  if (kind === 'rf') Object.assign(params, { nEstimators: trees, randomState: seed });
  if (kind === 'hgb') params.randomState = seed;
  return new Ctor(params);
}

export async function run({ model, n, d, seed, trees }) {
  const learn = await import('mlship/learn');
  const { Matrix } = await import('mlship/core');
  const { makeSyntheticRegression } = learn;
  const { X, y } = makeSyntheticRegression({ nSamples: n, nFeatures: d, noise: 1, seed });
  const trainIdx = [];
  const testIdx = [];
  for (let i = 0; i < n; i++) (i % 5 === 4 ? testIdx : trainIdx).push(i);
  const xTrain = X.takeRows(trainIdx);
  const xTest = X.takeRows(testIdx);
  const yTrain = Float64Array.from(trainIdx, (i) => y[i]);
  const yTest = Float64Array.from(testIdx, (i) => y[i]);
  if (!(xTrain instanceof Matrix)) throw new Error('expected a Matrix');
  const est = make(learn, model, trees, seed);
  globalThis.gc?.();
  const c0 = process.cpuUsage();
  let t0 = performance.now();
  est.fit(xTrain, yTrain);
  const fitS = (performance.now() - t0) / 1000;
  const calls = [];
  let pred;
  for (let k = 0; k < PREDICT_CALLS; k++) {
    t0 = performance.now();
    pred = est.predict(xTest);
    calls.push((performance.now() - t0) / 1000);
  }
  const cpu = process.cpuUsage(c0);
  let se = 0;
  for (let i = 0; i < yTest.length; i++) se += (pred[i] - yTest[i]) ** 2;
  if (typeof est.close === 'function') await est.close();
  return {
    side: 'mlship',
    model,
    n_train: xTrain.rows,
    n_test: xTest.rows,
    n_features: d,
    n_iter: typeof est.nIter_ === 'number' ? est.nIter_ : null,
    fit_s: fitS,
    predict_s: [...calls].sort((a, b) => a - b)[PREDICT_CALLS >> 1],
    predict_first_s: calls[0],
    cpu_s: (cpu.user + cpu.system) / 1e6,
    rmse: Math.sqrt(se / yTest.length),
    peak_rss_kb: peakRssKb(),
  };
}

function parseArgs(argv) {
  const a = { model: undefined, n: 200000, d: 20, seed: 42, trees: 100 };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const val = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${k} needs a value`);
      return v;
    };
    if (k === '--help' || k === '-h') {
      process.stdout.write('usage: node bench/tabular/mlship-bench.mjs --model linear|rf|hgb [--n 200000] [--d 20] [--seed 42] [--trees 100]\n');
      process.exit(0);
    } else if (k === '--model') a.model = val();
    else if (k === '--n') a.n = Number(val());
    else if (k === '--d') a.d = Number(val());
    else if (k === '--seed') a.seed = Number(val());
    else if (k === '--trees') a.trees = Number(val());
    else throw new Error(`unknown option ${k}; see --help`);
  }
  if (!MODELS.includes(a.model)) throw new Error(`--model must be one of ${MODELS.join(', ')}`);
  for (const k of ['n', 'd', 'seed', 'trees']) if (!Number.isInteger(a[k]) || a[k] < 0) throw new Error(`--${k} must be a non-negative integer, got ${a[k]}`);
  return a;
}

if (resolve(process.argv[1] ?? '') === fileURLToPath(import.meta.url)) {
  try {
    const out = await run(parseArgs(process.argv.slice(2)));
    process.stdout.write(JSON.stringify(out) + '\n');
    process.exit(0);
  } catch (e) {
    process.stderr.write(`mlship-bench: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
}
