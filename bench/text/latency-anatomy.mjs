#!/usr/bin/env node
// Where the time of a single-document predict goes on this machine: it backs the reading of the
// "single-document predict under 20 µs median" line of bench/text, and writes the
// `text-latency-anatomy` section of docs/benchmarks.md. Not part of `npm test`.
//
// In each fresh process (mlship's built output), one per pipeline as in bench/text:
//   - the machine's memory latency: dependent random loads (a pointer chase, one load per cache
//     line) over working sets from 256 KB to 64 MB;
//   - the pipeline, fitted on the corpus's 80% as in bench/text: the median latency of
//     `Pipeline.predict([doc])` over the test documents in three states:
//       a new document each call (the figure bench/text reports),
//       the same document again right after reading it (its table entries and model rows in the
//       caches, its branches seen),
//       the same document again after a sweep of 32 MB of other memory (caches cold, branches seen).
//
//   npm run bench:text-latency -- [--runs 3] [--corpora spam-assassin,synth-50000] [--out docs/benchmarks.md]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT, failer, fmt, lastJsonLine, loadavg, machine, median, readArgs, writeSection } from '../common.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const CACHE = join(ROOT, '.bench-cache');
const CORPORA = { 'spam-assassin': 'spam-assassin.jsonl', 'synth-50000': 'synth-50000-s42.jsonl', 'synth-200000': 'synth-200000-s42.jsonl' };
const PIPELINES = { nb: 'TF-IDF + MultinomialNB', lr: 'TF-IDF(1,2) + LogisticRegression' };
const LADDER_MB = [0.25, 1, 2, 4, 8, 16, 64];
const SWEEP_MB = 32;
const WARM = 200;
const CALLS = 600;

const HELP = `usage: node bench/text/latency-anatomy.mjs [--runs N] [--corpora a,b] [--out FILE]
  --runs N       fresh processes per corpus and pipeline, medians reported (default 3)
  --corpora a,b  of ${Object.keys(CORPORA).join(', ')} (default spam-assassin); made by \`npm run bench:text\`
  --out FILE     the benchmarks file whose text-latency-anatomy section is rewritten (default docs/benchmarks.md)

example: npm run bench:text-latency -- --runs 3 --corpora spam-assassin,synth-50000`;

const fail = failer('bench:text-latency');

/** The next state of the seeded generator both ladders draw random lines from. */
const nextSeed = (seed) => (Math.imul(seed, 1103515245) + 12345) >>> 0;

/** Nanoseconds per dependent load over `mb` MB, one load per 64-byte line, in a random cycle. */
function chaseNs(mb) {
  const lines = Math.floor((mb * 1024 * 1024) / 64);
  const next = new Int32Array(lines * 16);
  const order = new Int32Array(lines);
  for (let i = 0; i < lines; i++) order[i] = i;
  let seed = 12345;
  for (let i = lines - 1; i > 0; i--) {
    seed = nextSeed(seed);
    const j = seed % (i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  for (let i = 0; i < lines; i++) next[order[i] * 16] = order[(i + 1) % lines] * 16;
  let p = 0;
  for (let i = 0; i < 200_000; i++) p = next[p];
  const steps = 2_000_000;
  const t = process.hrtime.bigint();
  for (let i = 0; i < steps; i++) p = next[p];
  const ns = Number(process.hrtime.bigint() - t) / steps;
  if (p < 0) console.log(p); // keeps the chase observable
  return ns;
}

/**
 * Nanoseconds per load over `mb` MB when the loads do not depend on each other (random lines, the
 * addresses known in advance): what the memory system gives when the misses overlap.
 */
function independentNs(mb) {
  const lines = Math.floor((mb * 1024 * 1024) / 64);
  const data = new Int32Array(lines * 16).fill(1);
  const steps = 1 << 21;
  const at = new Int32Array(steps);
  let seed = 54321;
  for (let i = 0; i < steps; i++) {
    seed = nextSeed(seed);
    at[i] = (seed % lines) * 16;
  }
  let sum = 0;
  for (let i = 0; i < 1 << 18; i++) sum += data[at[i]];
  const t = process.hrtime.bigint();
  for (let i = 0; i < steps; i++) sum += data[at[i]];
  const ns = Number(process.hrtime.bigint() - t) / steps;
  if (sum < 0) console.log(sum); // keeps the loads observable
  return ns;
}

/** One process: the ladder and the three latencies of pipeline `kind` on `corpus`. */
async function measure(corpus, kind) {
  const { makePipeline, readJsonl, split } = await import('./mlship-bench.mjs');
  const ladder = Object.fromEntries(LADDER_MB.map((mb) => [mb, chaseNs(mb)]));
  const overlapped = Object.fromEntries(LADDER_MB.map((mb) => [mb, independentNs(mb)]));
  const { texts, labels } = readJsonl(corpus);
  const { xTrain, yTrain, xTest } = split(texts, labels);
  texts.length = 0;
  labels.length = 0;
  const pipe = await makePipeline(kind);
  pipe.fit(xTrain, yTrain);
  globalThis.gc?.();
  const sweep = new Int32Array((SWEEP_MB << 20) >> 2);
  let sink = 0;
  const n = xTest.length;
  for (let k = 0; k < WARM; k++) pipe.predict([xTest[k % n]]);
  const timed = (doc) => {
    const t = process.hrtime.bigint();
    pipe.predict(doc);
    return Number(process.hrtime.bigint() - t) / 1000;
  };
  const fresh = [];
  const again = [];
  const swept = [];
  for (let k = 0; k < CALLS; k++) fresh.push(timed([xTest[k % n]]));
  for (let k = 0; k < CALLS; k++) {
    const doc = [xTest[k % n]];
    pipe.predict(doc);
    again.push(timed(doc));
  }
  for (let k = 0; k < CALLS; k++) {
    const doc = [xTest[k % n]];
    pipe.predict(doc);
    for (let i = 0; i < sweep.length; i += 16) sink += sweep[i]++;
    swept.push(timed(doc));
  }
  console.log(JSON.stringify({ ladder, overlapped, fresh_us: median(fresh), again_us: median(again), swept_us: median(swept), sink: sink & 1 }));
}

async function main() {
  const argv = process.argv.slice(2);
  if (argv[0] === '--measure') return measure(argv[1], argv[2]);
  const args = readArgs(
    argv,
    { runs: 3, corpora: ['spam-assassin'], out: join(ROOT, 'docs', 'benchmarks.md') },
    {
      '--runs': { key: 'runs', parse: (v) => (Number.isInteger(Number(v)) && Number(v) > 0 ? Number(v) : fail('--runs needs a whole number > 0')) },
      '--corpora': { key: 'corpora', parse: (v) => v.split(',').map((c) => (c in CORPORA ? c : fail(`--corpora: unknown corpus ${c}; choose from ${Object.keys(CORPORA).join(', ')}`))) },
      '--out': { key: 'out' },
    },
    { help: HELP, fail },
  );
  const started = new Date();
  const mach = machine(join(HERE, 'sklearn_bench.py'));
  const results = {};
  for (const c of args.corpora) {
    const path = join(CACHE, CORPORA[c]);
    if (!existsSync(path)) fail(`${path} is missing: \`npm run bench:text\` prepares the corpora (or \`npm run bench:text -- --corpora ${c} --side mlship --runs 1\`)`);
    const runs = { nb: [], lr: [] };
    for (let r = 0; r < args.runs; r++) {
      for (const kind of Object.keys(PIPELINES)) {
        const p = spawnSync(process.execPath, ['--max-old-space-size=12288', '--expose-gc', fileURLToPath(import.meta.url), '--measure', path, kind], { encoding: 'utf8', maxBuffer: 1 << 24 });
        if (p.status !== 0) fail(`measurement of ${kind} on ${c} failed: ${p.stderr.trim().split('\n').pop()}`);
        const last = lastJsonLine(p.stdout);
        runs[kind].push(last);
        console.log(`${c} ${kind} run ${r + 1}/${args.runs}: new document ${fmt.num(last.fresh_us, 1)} µs, same document ${fmt.num(last.again_us, 1)}, after a sweep ${fmt.num(last.swept_us, 1)}`);
      }
    }
    results[c] = runs;
  }
  const allRuns = Object.values(results).flatMap((r) => [...r.nb, ...r.lr]);
  const L = [
    '## Single-document predict: where the time goes',
    '',
    'Generated by `bench/text/latency-anatomy.mjs`, in the same processes: the memory latency of this machine, and',
    'the median latency of `Pipeline.predict([doc])` over the test documents of bench/text\'s split in three states.',
    '',
    '```sh',
    `npm run bench:text-latency -- --runs ${args.runs} --corpora ${args.corpora.join(',')}`,
    '```',
    '',
    `- Date: ${started.toISOString()}; ${args.runs} fresh process(es) per corpus and pipeline, medians over them (the range in`,
    `  brackets); ${CALLS} calls per figure after ${WARM} warm-up calls`,
    `- Machine: ${mach.cores} cores, ${mach.cpu}, ${mach.memGb} GB RAM; load average at start ${mach.loadavg}, at end ${loadavg()}`,
    `- mlship ${mach.commit}: Node ${mach.node} (\`node --expose-gc\`, garbage collected after the fit)`,
    '',
    '### Memory latency: random loads, one per cache line',
    '',
    'Dependent: each load\'s address is the value of the one before (a pointer chase), so the misses are taken',
    'one at a time. Independent: the addresses are known in advance, so the misses overlap; this is the least a',
    'cache miss of that working set costs here.',
    '',
    '| Working set | ns per dependent load | ns per independent load |',
    '|---:|---:|---:|',
    ...LADDER_MB.map((mb) => `| ${mb < 1 ? `${mb * 1024} KB` : `${mb} MB`} | ${fmt.num(median(allRuns.map((r) => r.ladder[mb])), 1)} | ${fmt.num(median(allRuns.map((r) => r.overlapped[mb])), 1)} |`),
    '',
    '### Single-document predict, median µs',
    '',
    '| Corpus | Pipeline | new document each call (bench/text\'s figure) | same document again | same document after a 32 MB sweep |',
    '|---|---|---:|---:|---:|',
  ];
  for (const [c, runs] of Object.entries(results)) {
    for (const [k, name] of Object.entries(PIPELINES)) {
      const m = (f) => {
        const xs = runs[k].map((r) => r[f]);
        return `${fmt.num(median(xs), 1)} (${fmt.num(Math.min(...xs), 1)}-${fmt.num(Math.max(...xs), 1)})`;
      };
      L.push(`| ${c} | ${name} | ${m('fresh_us')} | ${m('again_us')} | ${m('swept_us')} |`);
    }
  }
  L.push(
    '',
    'Reading a document again, with its tables\' entries and model rows in the caches, costs what the',
    'computation costs; the gap to a new document is the cache misses and mispredicted branches that a new',
    'document brings, and the sweep shows what the lookups cost when the caches hold none of the model.',
  );
  writeSection(args.out, 'text-latency-anatomy', L.join('\n'));
  console.log(`wrote the text-latency-anatomy section of ${args.out}`);
}

main();
