#!/usr/bin/env node
// What a LinearRegression predict on the benchmark's test rows (40,000 x 20 float64, 6.4 MB) can
// cost at the least in Node, next to what scikit-learn's costs and where its time goes. It backs the
// verdict on the "LinearRegression predict at least 2x faster" line of bench/tabular, and writes the
// `tabular-linear-floor` section of docs/benchmarks.md. Not part of `npm test`.
//
// Node side (fresh processes, each figure the median of 41 calls after 50 warm-up calls):
//   - mlship `LinearRegression.predict(xTest)`, the benchmark's call;
//   - the parts any predict must pay: a new Float64Array for the 40,000 results, and a scalar
//     JavaScript read of X (a sum with four accumulators);
//   - the best kernel WebAssembly can run: a SIMD (f64x2) product with X already in WebAssembly
//     memory (no copy), and the copy of X into WebAssembly memory that a matrix held in an ordinary
//     Float64Array needs first.
// Python side: scikit-learn `predict`, numpy's `X @ coef_` alone (BLAS) and `check_array(X)`, the
// validation scikit-learn runs first.
//
//   npm run bench:linear-floor -- [--runs 5] [--out docs/benchmarks.md]   (builds first)
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { uleb } from '../../dist/learn/kernels/wasm.js';
import { PYTHON, failer, fmt, lastJsonLine, loadavg, machine, median, readRunsArgs, writeSection } from '../common.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const N = 200_000;
const D = 20;
const SEED = 42;
const WARM = 50;
const CALLS = 41;

const HELP = `usage: node bench/tabular/linear-floor.mjs [--runs N] [--out FILE]
  --runs N     fresh processes per side, medians reported (default 5)
  --out FILE   the benchmarks file whose tabular-linear-floor section is rewritten (default docs/benchmarks.md)

example: npm run bench:linear-floor -- --runs 5`;

/** Median milliseconds of CALLS calls of f after WARM warm-up calls. */
function timeMs(f) {
  for (let k = 0; k < WARM; k++) f();
  const ts = [];
  for (let k = 0; k < CALLS; k++) {
    const t = process.hrtime.bigint();
    f();
    ts.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return median(ts);
}

/**
 * A WebAssembly module exporting gemv(x, w, out, rows) for rows of `d` float64 values (d even):
 * out[i] = sum_j x[i*d + j] * w[j], two lanes at a time (v128 f64x2), the row unrolled.
 */
function simdGemvModule(d) {
  const get = (i) => [0x20, ...uleb(i)];
  const set = (i) => [0x21, ...uleb(i)];
  const load = (off) => [0xfd, 0x00, 4, ...uleb(off)];
  const mul = [0xfd, 0xf2, 0x01];
  const add = [0xfd, 0xf0, 0x01];
  const code = [0x02, 0x40, 0x03, 0x40, ...get(4), ...get(3), 0x4e, 0x0d, 1];
  code.push(...get(0), ...load(0), ...get(1), ...load(0), ...mul);
  for (let j = 2; j < d; j += 2) code.push(...get(0), ...load(8 * j), ...get(1), ...load(8 * j), ...mul, ...add);
  code.push(...set(5), ...get(2), ...get(5), 0xfd, 0x21, 0, ...get(5), 0xfd, 0x21, 1, 0xa0, 0x39, 3, 0);
  code.push(...get(0), 0x41, ...uleb(8 * d), 0x6a, ...set(0), ...get(2), 0x41, 8, 0x6a, ...set(2));
  code.push(...get(4), 0x41, 1, 0x6a, ...set(4), 0x0c, 0, 0x0b, 0x0b);
  const body = [2, 1, 0x7f, 1, 0x7b, ...code, 0x0b];
  const sec = (id, b) => [id, ...uleb(b.length), ...b];
  const str = (s) => [s.length, ...Buffer.from(s)];
  return new WebAssembly.Module(
    new Uint8Array([
      0, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
      ...sec(1, [1, 0x60, 4, 0x7f, 0x7f, 0x7f, 0x7f, 0]),
      ...sec(2, [1, ...str('env'), ...str('mem'), 2, 0, 1]),
      ...sec(3, [1, 0]),
      ...sec(7, [1, ...str('gemv'), 0, 0]),
      ...sec(10, [1, ...uleb(body.length), ...body]),
    ]),
  );
}

async function measureNode() {
  const learn = await import('mlship/learn');
  const { X, y } = learn.makeSyntheticRegression({ nSamples: N, nFeatures: D, noise: 1, seed: SEED });
  const trainIdx = [];
  const testIdx = [];
  for (let i = 0; i < N; i++) (i % 5 === 4 ? testIdx : trainIdx).push(i);
  const xTest = X.takeRows(testIdx);
  const lr = new learn.LinearRegression().fit(X.takeRows(trainIdx), Float64Array.from(trainIdx, (i) => y[i]));
  const rows = xTest.rows;
  const x = xTest.data;

  const bytes = 8 * (x.length + D + rows);
  const mem = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) });
  const wx = new Float64Array(mem.buffer, 0, x.length);
  const ww = new Float64Array(mem.buffer, 8 * x.length, D);
  const outOff = 8 * (x.length + D);
  wx.set(x);
  ww.set(lr.coef_);
  const { gemv } = new WebAssembly.Instance(simdGemvModule(D), { env: { mem } }).exports;
  gemv(0, 8 * x.length, outOff, rows);
  const simdOut = new Float64Array(mem.buffer, outOff, rows);
  const ref = lr.predict(xTest);
  let maxDiff = 0;
  for (let i = 0; i < rows; i++) maxDiff = Math.max(maxDiff, Math.abs(simdOut[i] + lr.intercept_ - ref[i]));
  if (!(maxDiff < 1e-9)) throw new Error(`SIMD kernel disagrees with predict by ${maxDiff}`);

  let sink = 0;
  const sum = (a) => {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let i = 0; i < a.length; i += 4) {
      s0 += a[i];
      s1 += a[i + 1];
      s2 += a[i + 2];
      s3 += a[i + 3];
    }
    return s0 + s1 + s2 + s3;
  };
  const out = {
    side: 'node',
    rows,
    cols: D,
    predict_ms: timeMs(() => (sink += lr.predict(xTest)[0])),
    alloc_out_ms: timeMs(() => (sink += new Float64Array(rows).length)),
    js_read_ms: timeMs(() => (sink += sum(x))),
    wasm_simd_in_place_ms: timeMs(() => gemv(0, 8 * x.length, outOff, rows)),
    copy_to_wasm_ms: timeMs(() => wx.set(x)),
    wasm_simd_ideal_predict_ms: timeMs(() => {
      gemv(0, 8 * x.length, outOff, rows);
      const r = new Float64Array(rows);
      r.set(simdOut);
      sink += r[0];
    }),
  };
  if (Number.isNaN(sink)) throw new Error('unexpected NaN');
  return out;
}

function main() {
  if (process.argv[2] === '--measure-node') {
    measureNode().then((r) => console.log(JSON.stringify(r)));
    return;
  }
  const fail = failer('linear-floor');
  const args = readRunsArgs(process.argv.slice(2), { help: HELP, fail });
  const started = new Date();
  const mach = machine(join(HERE, 'sklearn_bench.py'));
  const node = [];
  const py = [];
  for (let r = 0; r < args.runs; r++) {
    process.stdout.write(`  run ${r + 1}/${args.runs} ... `);
    const a = spawnSync(process.execPath, [join(HERE, 'linear-floor.mjs'), '--measure-node'], { encoding: 'utf8' });
    if (a.status !== 0) fail(`node side failed: ${a.stderr.trim().split('\n').pop()}`);
    node.push(lastJsonLine(a.stdout));
    const b = spawnSync(PYTHON, [join(HERE, 'linear_floor.py'), '--n', String(N), '--d', String(D), '--seed', String(SEED)], { encoding: 'utf8' });
    if (b.status !== 0) fail(`python side failed: ${b.stderr.trim().split('\n').pop()}`);
    py.push(lastJsonLine(b.stdout));
    console.log(`mlship predict ${fmt.num(node.at(-1).predict_ms, 3)} ms, scikit-learn ${fmt.num(py.at(-1).predict_ms, 3)} ms`);
  }
  const m = (rows, k) => median(rows.map((x) => x[k]));
  const sk = m(py, 'predict_ms');
  const budget = sk / 2;
  const row = (what, ms) => `| ${what} | ${fmt.num(ms, 3)} | ${ms <= budget ? 'within' : 'over'} |`;
  const md = [
    '## LinearRegression predict: the floor in Node',
    '',
    'Generated by `bench/tabular/linear-floor.mjs`: what a predict on the tabular benchmark\'s test rows (40,000 × 20',
    'float64, 6.4 MB) costs at the least in Node, next to scikit-learn\'s predict and its parts, in the same run.',
    '',
    '```sh',
    'npm run bench:linear-floor -- --runs ' + args.runs,
    '```',
    '',
    `- Date: ${started.toISOString()}; ${args.runs} fresh process(es) per side, alternating; each figure is the median over`,
    `  the processes of the median of ${CALLS} calls after ${WARM} warm-up calls`,
    `- Machine: ${mach.cores} cores, ${mach.cpu}, ${mach.memGb} GB RAM; load average at start ${mach.loadavg}, at end ${loadavg()}`,
    `- mlship ${mach.commit}: Node ${mach.node}; scikit-learn ${mach.sklearn}, numpy ${mach.numpy}, Python ${mach.python}`,
    '',
    `The target, predict at least 2x faster than scikit-learn, leaves **${fmt.num(budget, 3)} ms** per call.`,
    '',
    '| Cost | ms | vs the 2x budget |',
    '|---|---:|---|',
    row('mlship `LinearRegression.predict` (the benchmark\'s call)', m(node, 'predict_ms')),
    row('allocating the 40,000-value result (`new Float64Array`)', m(node, 'alloc_out_ms')),
    row('reading X once in JavaScript (scalar sum, 4 accumulators)', m(node, 'js_read_ms')),
    row('copying X into WebAssembly memory (`set`)', m(node, 'copy_to_wasm_ms')),
    row('WebAssembly SIMD product, X already in WebAssembly memory, no copy', m(node, 'wasm_simd_in_place_ms')),
    row('... the same product returned in a new Float64Array (the least a predict can cost)', m(node, 'wasm_simd_ideal_predict_ms')),
    row('scikit-learn `predict`', sk),
    row('... of which `check_array(X)` (validation)', m(py, 'check_array_ms')),
    row('... numpy `X @ coef_` alone (OpenBLAS, both cores)', m(py, 'matmul_ms')),
    '',
    'JavaScript has no SIMD and cannot share an ordinary Float64Array with another thread, so a predict on a',
    'matrix held in one pays at least a scalar read of X, or a copy of X before a WebAssembly kernel can read it.',
    'Even a matrix kept in WebAssembly memory from the start pays the SIMD product and a new result array.',
  ].join('\n');
  writeSection(args.out, 'tabular-linear-floor', md);
  console.log(`wrote the tabular-linear-floor section of ${args.out}`);
}

main();
