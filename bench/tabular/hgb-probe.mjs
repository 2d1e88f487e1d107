#!/usr/bin/env node
// A quick probe of HistGradientBoostingRegressor against scikit-learn in the same run, on the same
// rows: the seeded synthetic set (makeSyntheticRegression / _common.synthetic_regression), row i a
// test row when i % 5 === 4. Each side runs in a fresh process, alternating, and the median of the
// runs is printed. Not part of `npm test`; the full comparison is bench/tabular/run.mjs.
//
//   node bench/tabular/hgb-probe.mjs [--n 200000] [--d 20] [--runs 3] [--dist dist] [--jobs auto|1|2]
//
// --dist is a compiled mlship tree (npm run build writes dist/; for a private build:
// npx tsc -p tsconfig.build.json --outDir .bench-cache/hgb-dist). Figures are seconds.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { resolve, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
if (process.argv.includes('--help')) {
  console.log('usage: node bench/tabular/hgb-probe.mjs [--n 200000] [--d 20] [--runs 3] [--dist dist] [--jobs auto|1|2]\nexample: node bench/tabular/hgb-probe.mjs --n 200000 --runs 3');
  process.exit(0);
}
const n = Number(arg('n', '200000'));
const d = Number(arg('d', '20'));
const runs = Number(arg('runs', '3'));
const dist = resolve(ROOT, arg('dist', 'dist'));
const jobs = arg('jobs', 'auto');

const PY = `
import json, sys, time
sys.path.insert(0, ${JSON.stringify(join(ROOT, 'scripts', 'sklearn-fixtures'))})
import numpy as np
from _common import synthetic_regression
from sklearn.ensemble import HistGradientBoostingRegressor
X, y = synthetic_regression(${n}, ${d}, 1.0, 42)
test = np.arange(${n}) % 5 == 4
c0 = time.process_time(); t0 = time.perf_counter(); m = HistGradientBoostingRegressor(random_state=42).fit(X[~test], y[~test]); fit = time.perf_counter() - t0; cpu = time.process_time() - c0
t0 = time.perf_counter(); p = m.predict(X[test]); pred = time.perf_counter() - t0
print(json.dumps({'fit': fit, 'cpu': cpu, 'predict': pred, 'rmse': float(np.sqrt(np.mean((p - y[test]) ** 2))), 'nIter': int(m.n_iter_)}))
`;

const JS = `
const learn = await import(${JSON.stringify(pathToFileURL(join(dist, 'learn', 'index.js')).href)});
const { X, y } = learn.makeSyntheticRegression({ nSamples: ${n}, nFeatures: ${d}, noise: 1, seed: 42 });
const tr = [], te = [];
for (let i = 0; i < ${n}; i++) (i % 5 === 4 ? te : tr).push(i);
const Xtr = X.takeRows(tr), Xte = X.takeRows(te);
const ytr = Float64Array.from(tr, (i) => y[i]), yte = Float64Array.from(te, (i) => y[i]);
const params = { randomState: 42 };
${jobs === 'auto' ? '' : `params.nJobs = ${Number(jobs)};`}
let t0 = performance.now();
const c0 = process.cpuUsage();
const m = new learn.HistGradientBoostingRegressor(params).fit(Xtr, ytr);
const fit = (performance.now() - t0) / 1000;
const cu = process.cpuUsage(c0);
const cpu = (cu.user + cu.system) / 1e6;
t0 = performance.now();
const p = m.predict(Xte);
const pred = (performance.now() - t0) / 1000;
let s = 0; for (let i = 0; i < p.length; i++) s += (p[i] - yte[i]) ** 2;
console.log(JSON.stringify({ fit, cpu, predict: pred, rmse: Math.sqrt(s / p.length), nIter: m.nIter_ }));
`;

function once(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1));
}

const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const out = { sklearn: [], mlship: [] };
for (let r = 0; r < runs; r++) {
  out.sklearn.push(once('/usr/bin/python3', ['-c', PY]));
  out.mlship.push(once(process.execPath, ['--input-type=module', '-e', JS]));
  process.stderr.write(`run ${r + 1}/${runs} (load ${os.loadavg()[0].toFixed(1)}): sklearn fit ${out.sklearn.at(-1).fit.toFixed(2)} s, mlship fit ${out.mlship.at(-1).fit.toFixed(2)} s\n`);
}
for (const side of ['sklearn', 'mlship']) {
  const rs = out[side];
  console.log(
    `${side.padEnd(8)} fit ${median(rs.map((x) => x.fit)).toFixed(3)} s (cpu ${median(rs.map((x) => x.cpu)).toFixed(3)} s)  predict ${median(rs.map((x) => x.predict)).toFixed(3)} s  rmse ${rs[0].rmse.toFixed(4)}  nIter ${rs[0].nIter}`,
  );
}
