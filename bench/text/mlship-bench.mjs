#!/usr/bin/env node
// mlship side of bench/text: one measurement run in this (fresh) process, mirroring
// sklearn_bench.py exactly. Imports mlship's BUILT output (run `npm run build` first).
//
//   node bench/text/mlship-bench.mjs --corpus .bench-cache/synth-50000-s42.jsonl --pipeline nb
//
// Prints one JSON object on stdout. Document i is a test document when i % 5 === 4; "fit" is
// Pipeline.fit on the training texts (vectorize + fit), "predict" is Pipeline.predict on all test
// texts, "latency" is Pipeline.predict([doc]) on one test document per call (after warm-up
// calls), and peak RSS is VmHWM from /proc/self/status at the end of the run. e2e_cpu_s is the
// process CPU time (user + system, all threads) of fit + predict.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TEST_EVERY = 5;

/** Reads a {"text","label"} JSONL file line by line from one Buffer (no giant string). */
export function readJsonl(path) {
  const buf = readFileSync(path);
  const texts = [];
  const labels = [];
  let start = 0;
  let lineno = 0;
  while (start < buf.length) {
    let end = buf.indexOf(10, start);
    if (end < 0) end = buf.length;
    lineno++;
    if (end > start) {
      const rec = JSON.parse(buf.toString('utf8', start, end));
      if (typeof rec.text !== 'string' || typeof rec.label !== 'string') {
        throw new Error(`${path}:${lineno}: expected {"text": string, "label": string}`);
      }
      texts.push(rec.text);
      labels.push(rec.label);
    }
    start = end + 1;
  }
  return { texts, labels };
}

export function split(texts, labels) {
  const xTrain = [];
  const yTrain = [];
  const xTest = [];
  const yTest = [];
  for (let i = 0; i < texts.length; i++) {
    if (i % TEST_EVERY === TEST_EVERY - 1) {
      xTest.push(texts[i]);
      yTest.push(labels[i]);
    } else {
      xTrain.push(texts[i]);
      yTrain.push(labels[i]);
    }
  }
  return { xTrain, yTrain, xTest, yTest };
}

/** Nearest-rank percentile of an ascending array (same definition as sklearn_bench.py). */
export function percentile(sorted, q) {
  const k = Math.max(0, Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1));
  return sorted[k];
}

export function peakRssKb() {
  const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) : null;
}

/** The benchmark's pipeline `kind` (nb or lr), unfitted, from mlship's built output. */
export async function makePipeline(kind) {
  const learn = await import('mlship/learn');
  const missing = ['Pipeline', 'TfidfVectorizer', 'MultinomialNB', 'LogisticRegression'].filter((k) => typeof learn[k] !== 'function');
  if (missing.length > 0) throw new Error(`mlship/learn (dist/) does not export ${missing.join(', ')} yet; run \`npm run build\` once they exist`);
  const { Pipeline, TfidfVectorizer, MultinomialNB, LogisticRegression } = learn;
  if (kind === 'nb') return new Pipeline([['tfidf', new TfidfVectorizer()], ['clf', new MultinomialNB()]]);
  if (kind === 'lr') return new Pipeline([['tfidf', new TfidfVectorizer({ ngramRange: [1, 2] })], ['clf', new LogisticRegression()]]);
  throw new Error(`--pipeline must be nb or lr, got ${kind}`);
}

/** The fitted step `name` of a pipeline, whatever accessor the Pipeline offers. */
function step(pipe, name) {
  if (pipe.namedSteps && typeof pipe.namedSteps === 'object') {
    const s = pipe.namedSteps instanceof Map ? pipe.namedSteps.get(name) : pipe.namedSteps[name];
    if (s) return s;
  }
  if (typeof pipe.getStep === 'function') return pipe.getStep(name);
  const found = (pipe.steps ?? pipe.params?.steps ?? []).find((s) => s[0] === name);
  return found?.[1];
}

function featureCount(vec) {
  const v = vec?.vocabulary_;
  if (!v) return null;
  if (v instanceof Map) return v.size;
  if (typeof v.size === 'number') return v.size;
  return Object.keys(v).length;
}

export async function run({ corpus, pipeline, latencyCalls }) {
  const { texts, labels } = readJsonl(corpus);
  const { xTrain, yTrain, xTest, yTest } = split(texts, labels);
  texts.length = 0;
  labels.length = 0;
  const pipe = await makePipeline(pipeline);
  if (globalThis.gc) globalThis.gc();

  const c0 = process.cpuUsage();
  let t0 = performance.now();
  pipe.fit(xTrain, yTrain);
  const fitS = (performance.now() - t0) / 1000;

  t0 = performance.now();
  const pred = pipe.predict(xTest);
  const predictS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  const e2eCpuS = (cpu.user + cpu.system) / 1e6;
  let correct = 0;
  for (let i = 0; i < yTest.length; i++) if (pred[i] === yTest[i]) correct++;

  const nTest = xTest.length;
  // A serving process does not hold a fit's garbage: collect it first (as sklearn_bench.py does),
  // so that no collection of it runs during the latency calls.
  if (globalThis.gc) globalThis.gc();
  const warm = Math.min(200, latencyCalls);
  for (let k = 0; k < warm; k++) pipe.predict([xTest[k % nTest]]);
  const lat = new Float64Array(latencyCalls);
  for (let k = 0; k < latencyCalls; k++) {
    const doc = [xTest[k % nTest]];
    const s = process.hrtime.bigint();
    pipe.predict(doc);
    lat[k] = Number(process.hrtime.bigint() - s) / 1000;
  }
  lat.sort();

  const clf = step(pipe, 'clf');
  const nIter = clf?.nIter_;
  return {
    side: 'mlship',
    corpus,
    pipeline,
    n_train: xTrain.length,
    n_test: nTest,
    n_features: featureCount(step(pipe, 'tfidf')),
    n_iter: nIter === undefined ? null : typeof nIter === 'number' ? nIter : Number(nIter[0]),
    fit_s: fitS,
    predict_s: predictS,
    e2e_cpu_s: e2eCpuS,
    accuracy: correct / nTest,
    latency_calls: latencyCalls,
    latency_median_us: percentile(lat, 0.5),
    latency_p99_us: percentile(lat, 0.99),
    peak_rss_kb: peakRssKb(),
  };
}

function parseArgs(argv) {
  const args = { corpus: undefined, pipeline: undefined, latencyCalls: 2000 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') {
      console.log(
        'usage: node bench/text/mlship-bench.mjs --corpus FILE.jsonl --pipeline nb|lr [--latency-calls 2000]\n' +
          'example: node bench/text/mlship-bench.mjs --corpus .bench-cache/spam-assassin.jsonl --pipeline lr',
      );
      process.exit(0);
    } else if (a === '--corpus') args.corpus = argv[++i];
    else if (a === '--pipeline') args.pipeline = argv[++i];
    else if (a === '--latency-calls') args.latencyCalls = Number(argv[++i]);
    else throw new Error(`mlship-bench: unknown argument ${a}; see --help`);
  }
  if (!args.corpus || !args.pipeline) throw new Error('mlship-bench: --corpus and --pipeline are required; see --help');
  if (!Number.isInteger(args.latencyCalls) || args.latencyCalls < 1) throw new Error(`mlship-bench: --latency-calls must be an integer >= 1, got ${args.latencyCalls}`);
  return args;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const result = await run(parseArgs(process.argv.slice(2)));
    console.log(JSON.stringify(result));
  } catch (e) {
    // One line for run.mjs to report; the stack only when asked for.
    if (process.env.BENCH_DEBUG) console.error(e);
    console.error(`mlship-bench: ${e?.code ? `[${e.code}] ` : ''}${String(e?.message ?? e).split('\n')[0]}`);
    process.exit(1);
  }
}
