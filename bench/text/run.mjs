#!/usr/bin/env node
// bench/text: mlship vs scikit-learn on the same machine, in the same run, on the same documents
// and the same 80/20 split. Writes docs/benchmarks.md. Not part of `npm test`.
//
//   npm run bench:text                      # full: spam-assassin (5 runs), synth 50k and 200k (3 runs)
//   npm run bench:text -- --quick           # 3 runs, skips the 200k corpus
//   node bench/text/run.mjs --runs 5 --side sklearn
//
// Every measurement is one fresh process (bench/text/sklearn_bench.py with /usr/bin/python3, or
// bench/text/mlship-bench.mjs with node); both sides alternate run by run so background load
// spreads evenly. Each figure is the median over the runs.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureCorpus } from './synth-corpus.mjs';
import { PYTHON, ROOT, failer, fmt, loadavg, machine as machineInfo, median, readArgs, runMeasurement, writeSection } from '../common.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const CACHE = join(ROOT, '.bench-cache');
const SEED = 42;
const NODE_FLAGS = ['--max-old-space-size=12288', '--expose-gc'];

const PIPELINES = {
  nb: 'TF-IDF + MultinomialNB',
  lr: 'TF-IDF(1,2) + LogisticRegression',
};

const HELP = `usage: node bench/text/run.mjs [--quick] [--runs N] [--side both|sklearn|mlship]
                             [--corpora spam-assassin,synth-50000,synth-200000]
                             [--latency-calls 2000] [--out docs/benchmarks.md]

  --quick          3 runs per figure and no 200k corpus
  --runs N         runs per figure for every corpus (default: 5 on spam-assassin, 3 on synthetic)
  --side S         measure only one side (the other is reported as not measured)
  --corpora LIST   comma-separated subset of the corpora
  --latency-calls  single-document predict calls per run (default 2000)
  --out FILE       where to write the report (default docs/benchmarks.md)

example: npm run bench:text -- --quick`;

const list = (v) => v.split(',').filter(Boolean);

function parseArgs(argv) {
  const a = readArgs(
    argv,
    { quick: false, runs: undefined, side: 'both', corpora: undefined, latencyCalls: 2000, out: join(ROOT, 'docs', 'benchmarks.md') },
    {
      '--quick': { key: 'quick', flag: true },
      '--runs': { key: 'runs', parse: Number },
      '--side': { key: 'side' },
      '--corpora': { key: 'corpora', parse: list },
      '--latency-calls': { key: 'latencyCalls', parse: Number },
      '--out': { key: 'out', parse: (v) => resolve(v) },
    },
    { help: HELP, fail },
  );
  if (a.runs !== undefined && (!Number.isInteger(a.runs) || a.runs < 1)) fail(`--runs must be an integer >= 1, got ${a.runs}`);
  if (!['both', 'sklearn', 'mlship'].includes(a.side)) fail(`--side must be both, sklearn or mlship, got ${a.side}`);
  if (!Number.isInteger(a.latencyCalls) || a.latencyCalls < 1) fail(`--latency-calls must be an integer >= 1, got ${a.latencyCalls}`);
  const all = ['spam-assassin', 'synth-50000', 'synth-200000'];
  a.corpora ??= a.quick ? all.slice(0, 2) : all;
  for (const c of a.corpora) if (!all.includes(c)) fail(`--corpora: unknown corpus ${c}; choose from ${all.join(', ')}`);
  return a;
}

const fail = failer('bench:text');

function measure(side, corpusPath, pipeline, latencyCalls) {
  const args = ['--corpus', corpusPath, '--pipeline', pipeline, '--latency-calls', String(latencyCalls)];
  return side === 'sklearn' ? runMeasurement(PYTHON, [join(HERE, 'sklearn_bench.py'), ...args]) : runMeasurement(process.execPath, [...NODE_FLAGS, join(HERE, 'mlship-bench.mjs'), ...args]);
}

async function prepareCorpus(name) {
  mkdirSync(CACHE, { recursive: true });
  if (name === 'spam-assassin') {
    const out = join(CACHE, 'spam-assassin.jsonl');
    if (!existsSync(out)) {
      const r = spawnSync(PYTHON, [join(HERE, 'sklearn_bench.py'), '--export-spam-assassin', out], { cwd: ROOT, encoding: 'utf8' });
      if (r.status !== 0) fail(`could not export spam-assassin: ${r.stderr}`);
    }
    return out;
  }
  const n = Number(name.slice('synth-'.length));
  let shown = false;
  const path = await ensureCorpus(n, {
    seed: SEED,
    cacheDir: CACHE,
    onProgress: (d) => {
      shown = true;
      process.stdout.write(`\r  generating ${name}: ${d}/${n} documents`);
    },
  });
  if (shown) process.stdout.write('\n');
  return path;
}

/** Checks that the exported spam-assassin JSONL is what mlship's own loader returns. */
async function checkSpamAssassin(path) {
  let data;
  try {
    data = await import('mlship/data');
  } catch (e) {
    return `mlship/data not importable (${e.message.split('\n')[0]})`;
  }
  if (typeof data.loadDataset !== 'function') return 'mlship/data does not export loadDataset yet; the corpus came from scripts/sklearn-fixtures/_common.py';
  const ds = await data.loadDataset('spam-assassin');
  const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const digest = (texts, labels) => createHash('sha256').update(JSON.stringify([texts, labels])).digest('hex');
  const mine = digest(Array.from(ds.texts), Array.from(ds.labels));
  const theirs = digest(lines.map((r) => r.text), lines.map((r) => r.label));
  return mine === theirs ? 'identical to mlship `loadDataset(\'spam-assassin\')` (sha256 of texts and labels)' : `DIFFERS from mlship loadDataset('spam-assassin') (${ds.texts.length} vs ${lines.length} documents)`;
}

const FIGURES = ['fit_s', 'predict_s', 'e2e_s', 'e2e_cpu_s', 'latency_median_us', 'latency_p99_us', 'accuracy', 'peak_rss_kb', 'n_features', 'n_iter'];

function aggregate(runs) {
  const ok = runs.filter((r) => !r.error);
  if (ok.length === 0) return { error: runs[0]?.error ?? 'not measured', runs: 0 };
  const agg = { runs: ok.length, n_train: ok[0].n_train, n_test: ok[0].n_test };
  for (const r of ok) r.e2e_s = r.fit_s + r.predict_s;
  for (const f of FIGURES) agg[f] = median(ok.map((r) => r[f]));
  agg.spread = { e2e_s: [Math.min(...ok.map((r) => r.e2e_s)), Math.max(...ok.map((r) => r.e2e_s))] };
  if (ok.length < runs.length) agg.failedRuns = runs.length - ok.length;
  return agg;
}

function verdicts(corpus, res) {
  const out = [];
  const nb = res.nb ?? {};
  const lr = res.lr ?? {};
  const have = (x) => x && !x.error;
  const push = (target, ok, measured) => out.push({ corpus, target, verdict: ok == null ? 'NOT MEASURED' : ok ? 'PASS' : 'MISS', measured });
  if (have(nb.sklearn) && have(nb.mlship)) {
    const r = nb.sklearn.e2e_s / nb.mlship.e2e_s;
    push('TF-IDF + MultinomialNB end to end >= 3x faster', r >= 3, `${r.toFixed(2)}x (${fmt.s(nb.sklearn.e2e_s)} s vs ${fmt.s(nb.mlship.e2e_s)} s)`);
  } else push('TF-IDF + MultinomialNB end to end >= 3x faster', null, nb.mlship?.error ?? nb.sklearn?.error ?? '');
  if (have(lr.sklearn) && have(lr.mlship)) {
    const r = lr.sklearn.e2e_s / lr.mlship.e2e_s;
    const d = 100 * (lr.mlship.accuracy - lr.sklearn.accuracy);
    push('TF-IDF(1,2) + LogisticRegression >= 1.5x faster', r >= 1.5, `${r.toFixed(2)}x (${fmt.s(lr.sklearn.e2e_s)} s vs ${fmt.s(lr.mlship.e2e_s)} s)`);
    push('... at the same accuracy (within 0.2 points)', Math.abs(d) <= 0.2, `${d >= 0 ? '+' : ''}${d.toFixed(2)} points (${fmt.pct(lr.mlship.accuracy)}% vs ${fmt.pct(lr.sklearn.accuracy)}%)`);
  } else {
    push('TF-IDF(1,2) + LogisticRegression >= 1.5x faster', null, lr.mlship?.error ?? lr.sklearn?.error ?? '');
    push('... at the same accuracy (within 0.2 points)', null, '');
  }
  for (const [p, x] of [['nb', nb], ['lr', lr]]) {
    if (have(x.sklearn) && have(x.mlship)) {
      push(`peak RSS <= scikit-learn's (${p})`, x.mlship.peak_rss_kb <= x.sklearn.peak_rss_kb, `${fmt.mb(x.mlship.peak_rss_kb)} MB vs ${fmt.mb(x.sklearn.peak_rss_kb)} MB`);
    } else push(`peak RSS <= scikit-learn's (${p})`, null, '');
  }
  for (const [p, x] of [['nb', nb], ['lr', lr]]) {
    if (have(x.mlship)) push(`single-document predict < 20 µs median (${p})`, x.mlship.latency_median_us < 20, `${fmt.us(x.mlship.latency_median_us)} µs (p99 ${fmt.us(x.mlship.latency_p99_us)} µs)`);
    else push(`single-document predict < 20 µs median (${p})`, null, '');
  }
  return out;
}

function corpusTable(name, info, res) {
  const lines = [];
  const any = res.nb?.sklearn ?? res.nb?.mlship ?? res.lr?.sklearn ?? res.lr?.mlship ?? {};
  lines.push(`#### ${name}`, '');
  lines.push(`${info} — ${fmt.int(any.n_train)} training / ${fmt.int(any.n_test)} test documents.`, '');
  lines.push('| Pipeline | Measure | scikit-learn | mlship | sklearn ÷ mlship |', '|---|---|---:|---:|---:|');
  for (const p of ['nb', 'lr']) {
    const sk = res[p]?.sklearn ?? {};
    const ml = res[p]?.mlship ?? {};
    const row = (label, f, key, better = 'lower') => {
      const a = sk[key];
      const b = ml[key];
      const ratio = better === 'lower' ? fmt.ratio(a, b) : '';
      return `| ${label === 'vectorize + fit (s)' ? PIPELINES[p] : ''} | ${label} | ${sk.error ? 'error' : f(a)} | ${ml.error ? 'not measured' : f(b)} | ${ratio} |`;
    };
    lines.push(row('vectorize + fit (s)', fmt.s, 'fit_s'));
    lines.push(row('batch predict, test set (s)', fmt.s, 'predict_s'));
    lines.push(row('**end to end (s)**', fmt.s, 'e2e_s'));
    lines.push(row('end to end, CPU time (s)', fmt.s, 'e2e_cpu_s'));
    lines.push(row('single-doc predict, median (µs)', fmt.us, 'latency_median_us'));
    lines.push(row('single-doc predict, p99 (µs)', fmt.us, 'latency_p99_us'));
    lines.push(row('peak RSS (MB)', fmt.mb, 'peak_rss_kb'));
    lines.push(row('test accuracy (%)', fmt.pct, 'accuracy', 'higher'));
    lines.push(row('features', fmt.int, 'n_features', 'none'));
    if (p === 'lr') lines.push(row('solver iterations', fmt.int, 'n_iter', 'none'));
  }
  const errs = ['nb', 'lr'].flatMap((p) => ['sklearn', 'mlship'].map((s) => [p, s, res[p]?.[s]?.error]).filter((e) => e[2]));
  if (errs.length) lines.push('', ...errs.map(([p, s, e]) => `- ${s} ${PIPELINES[p]}: ${e}`));
  const runs = ['nb', 'lr'].flatMap((p) => ['sklearn', 'mlship'].map((s) => res[p]?.[s]?.runs ?? 0));
  lines.push('', `Median of ${Math.max(...runs)} runs per figure (each run a fresh process).`);
  return lines.join('\n');
}

function report({ args, mach, started, corpusInfo, results, checks, seconds }) {
  const argText = process.argv.slice(2).join(' ');
  const cmd = `npm run bench:text${argText ? ` -- ${argText}` : ''}`;
  const all = Object.entries(results).flatMap(([c, r]) => verdicts(c, r));
  const L = [];
  L.push('## Text classification: mlship vs scikit-learn', '');
  L.push('Generated by `bench/text/run.mjs`. Both libraries run in the same invocation, on the same');
  L.push('machine, on the same documents and the same 80/20 split (document *i* is a test document when *i* mod 5 = 4).', '');
  L.push('### How it was measured', '');
  L.push('```sh', cmd, '```', '');
  L.push(`- Date: ${started.toISOString()} (took ${(seconds / 60).toFixed(1)} min)${args.quick ? '; **quick run** (fewer runs, no 200k corpus)' : ''}`);
  L.push(`- Machine: ${mach.cores} cores, ${mach.cpu}, ${mach.memGb} GB RAM, ${mach.os}; load average at start ${mach.loadavg}, at end ${mach.loadavgEnd}`);
  L.push(`- mlship ${mach.commit}: Node ${mach.node} (\`node ${NODE_FLAGS.join(' ')}\`), built \`dist/\``);
  L.push(`- scikit-learn ${mach.sklearn}, numpy ${mach.numpy}, scipy ${mach.scipy}, Python ${mach.python} (\`${PYTHON}\`)`);
  L.push('- Pipelines, default parameters on both sides: `TfidfVectorizer()` + `MultinomialNB()`, and');
  L.push('  `TfidfVectorizer(ngram_range=(1, 2))` + `LogisticRegression()` (lbfgs, C=1, max_iter=100).');
  L.push('- Per run, in a fresh process: `Pipeline.fit(train)` (vectorize + fit), `Pipeline.predict(test)` (batch),');
  L.push(`  then ${args.latencyCalls} calls of \`Pipeline.predict([doc])\` on one test document each after 200 warm-up calls`);
  L.push('  (median and nearest-rank p99; a full garbage collection runs first on both sides, `gc.collect()` and');
  L.push('  `--expose-gc` + `gc()`, as a serving process holds no fit garbage), and peak RSS = `VmHWM` from `/proc/self/status` at the end of the run');
  L.push('  (it includes the interpreter and the corpus held in memory, the same corpus on both sides).');
  L.push('- End to end = vectorize + fit + batch predict. Ratios are scikit-learn ÷ mlship: above 1 means mlship is faster');
  L.push('  (or smaller). Loading the JSONL corpus is not timed. CPU time (user + system, all threads, of fit + predict)');
  L.push('  is shown because it is less sensitive than wall time to other load on the machine; the verdicts use wall time.');
  L.push(`- spam-assassin: ${checks.spam ?? 'not checked'}.`);
  L.push('- Synthetic corpora: `bench/text/synth-corpus.mjs` (seed 42): Zipfian pseudo-words over a 50,000-word');
  L.push('  vocabulary, lognormal lengths around 230 words, label-dependent word distributions and 6% label noise.');
  L.push('');
  L.push('### Targets', '');
  L.push('| Corpus | Target | Measured (mlship vs scikit-learn) | Verdict |', '|---|---|---|---|');
  for (const v of all) L.push(`| ${v.corpus} | ${v.target} | ${v.measured.replace(/\|/g, '\\|')} | **${v.verdict}** |`);
  L.push('');
  L.push('### Results per corpus', '');
  for (const [c, r] of Object.entries(results)) L.push(corpusTable(c, corpusInfo[c], r), '');
  return L.join('\n');
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const started = new Date();
  const t0 = performance.now();
  const mach = machineInfo(join(HERE, 'sklearn_bench.py'));
  console.log(`bench:text — ${mach.cores} cores ${mach.cpu}, Node ${mach.node}, scikit-learn ${mach.sklearn}; load ${mach.loadavg}`);
  const sides = args.side === 'both' ? ['sklearn', 'mlship'] : [args.side];
  const corpusInfo = {
    'spam-assassin': 'Built-in SpamAssassin corpus, 6,046 real emails (spam / ham)',
    'synth-50000': 'Synthetic, 50,000 documents (seed 42)',
    'synth-200000': 'Synthetic, 200,000 documents (seed 42)',
  };
  const paths = {};
  for (const c of args.corpora) {
    paths[c] = await prepareCorpus(c);
    console.log(`corpus ${c}: ${relative(ROOT, paths[c])}`);
  }
  const checks = {};
  if (paths['spam-assassin'] && sides.includes('mlship')) {
    checks.spam = await checkSpamAssassin(paths['spam-assassin']);
    console.log(`spam-assassin: ${checks.spam}`);
  }
  const raw = [];
  const results = {};
  for (const c of args.corpora) {
    const runs = args.runs ?? (args.quick ? 3 : c === 'spam-assassin' ? 5 : 3);
    results[c] = {};
    for (const p of ['nb', 'lr']) {
      const perSide = Object.fromEntries(sides.map((s) => [s, []]));
      const broken = new Set();
      for (let r = 0; r < runs; r++) {
        for (const s of sides) {
          if (broken.has(s)) continue;
          process.stdout.write(`  ${c} ${p} ${s} run ${r + 1}/${runs} ... `);
          const m = measure(s, paths[c], p, args.latencyCalls);
          raw.push({ corpus: c, pipeline: p, side: s, run: r + 1, ...m });
          perSide[s].push(m);
          console.log(
            m.error
              ? `error: ${m.error}`
              : `fit ${fmt.s(m.fit_s)} s, predict ${fmt.s(m.predict_s)} s, 1-doc ${fmt.us(m.latency_median_us)} µs, acc ${fmt.pct(m.accuracy)}%, RSS ${fmt.mb(m.peak_rss_kb)} MB`,
          );
          // A side that fails its first run (library not built yet, missing export) fails every run.
          if (m.error && r === 0) broken.add(s);
        }
      }
      results[c][p] = Object.fromEntries(sides.map((s) => [s, aggregate(perSide[s])]));
    }
    for (const v of verdicts(c, results[c])) console.log(`  ${v.verdict.padEnd(12)} ${c}: ${v.target}: ${v.measured}`);
  }
  const seconds = (performance.now() - t0) / 1000;
  mach.loadavgEnd = loadavg();
  writeFileSync(join(CACHE, `results-${started.toISOString().replace(/[:.]/g, '-')}.json`), JSON.stringify({ args, mach, raw, results }, null, 1));
  writeSection(args.out, 'text', report({ args, mach, started, corpusInfo, results, checks, seconds }));
  console.log(`wrote the text section of ${relative(ROOT, args.out)} (${(seconds / 60).toFixed(1)} min)`);
}

await main();
