#!/usr/bin/env node
// Seeded synthetic text-classification corpus with IMDB-like statistics, written as JSONL
// ({"text","label"} per line) into .bench-cache/. Same (n, seed) → same bytes, so the mlship and
// scikit-learn sides of bench/text read the very same documents.
//
//   node bench/text/synth-corpus.mjs --n 50000 [--seed 42] [--out .bench-cache/synth-50000-s42.jsonl]
//
// Model of the text:
// - a vocabulary of 50,000 generated pseudo-words (syllable strings; frequent ranks get shorter
//   words, as in natural language), drawn with Zipfian rank frequencies (exponent 1.07);
// - local phrase structure: with probability 0.35 the next word is one of the previous word's
//   8 preferred successors (Zipfian among them), which gives realistic repeated bigrams instead
//   of a uniform cloud of distinct pairs;
// - document lengths ~ lognormal with median 174 and mean ~230 words (IMDB reviews), clamped to
//   [8, 2500]; sentences of ~4-30 words, capitalised, ended with '.', '!' or '?', commas inside;
// - two labels ('pos', 'neg', balanced). Each label re-weights 3,000 "opinion" words picked among
//   ranks 150-20,000 by exp(±b), b ~ N(0, 1.5); a document draws each word (that is not a
//   successor) from its label's distribution with a per-document probability s ~ U(0.1, 0.7) and
//   otherwise from the neutral background, and 6% of labels are flipped. Weak or neutral documents and label noise put a linear model at
//   roughly 85-90% accuracy rather than 100%.
import { createWriteStream, existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const VOCAB_SIZE = 50_000;
const ZIPF_EXPONENT = 1.07;
const SUCCESSORS = 8;
const P_SUCCESSOR = 0.35;
const OPINION_WORDS = 3_000;
const OPINION_FIRST_RANK = 150;
const OPINION_LAST_RANK = 20_000;
const OPINION_SIGMA = 1.5;
const STRENGTH_MIN = 0.1;
const STRENGTH_SPAN = 0.6;
const LABEL_NOISE = 0.06;
const LEN_MU = Math.log(174);
const LEN_SIGMA = 0.747;

/** sfc32 seeded from splitmix32: small, fast, and identical on every platform. */
function makeRng(seed) {
  let s = seed >>> 0;
  const split = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = split();
  let b = split();
  let c = split();
  let d = split();
  const next = () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 15; i++) next();
  const uniform = () => (next() + 0.5) / 4294967296;
  let spare = NaN;
  const normal = () => {
    if (!Number.isNaN(spare)) {
      const v = spare;
      spare = NaN;
      return v;
    }
    const u = uniform();
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  return { next, uniform, normal, int: (n) => Math.floor(uniform() * n) };
}

/** Walker's alias table over weights: O(1) sampling. */
function aliasTable(weights) {
  const n = weights.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += weights[i];
  const prob = new Float64Array(n);
  const alias = new Int32Array(n);
  const scaled = new Float64Array(n);
  const small = new Int32Array(n);
  const large = new Int32Array(n);
  let ns = 0;
  let nl = 0;
  for (let i = 0; i < n; i++) {
    scaled[i] = (weights[i] * n) / sum;
    if (scaled[i] < 1) small[ns++] = i;
    else large[nl++] = i;
  }
  while (ns > 0 && nl > 0) {
    const s = small[--ns];
    const l = large[nl - 1];
    prob[s] = scaled[s];
    alias[s] = l;
    scaled[l] = scaled[l] + scaled[s] - 1;
    if (scaled[l] < 1) {
      nl--;
      small[ns++] = l;
    }
  }
  while (nl > 0) prob[large[--nl]] = 1;
  while (ns > 0) prob[small[--ns]] = 1;
  return (rng) => {
    const u = rng.uniform() * n;
    const i = Math.min(n - 1, Math.floor(u));
    return u - i < prob[i] ? i : alias[i];
  };
}

const ONSETS = ['', 'b', 'c', 'd', 'f', 'g', 'h', 'j', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'w', 'z', 'br', 'ch', 'cl', 'cr', 'dr', 'fl', 'gr', 'pl', 'pr', 'sh', 'sl', 'st', 'th', 'tr'];
const NUCLEI = ['a', 'e', 'i', 'o', 'u', 'ai', 'ea', 'ee', 'ie', 'oo', 'ou', 'y'];
const CODAS = ['', '', '', 'n', 'r', 's', 't', 'l', 'm', 'ng', 'st', 'nd', 'rk', 'x'];

/** 50,000 distinct pseudo-words; rank r gets about 1 + log10(r + 2) / 2.2 syllables. */
function makeVocabulary(rng) {
  const seen = new Set();
  const words = [];
  while (words.length < VOCAB_SIZE) {
    const r = words.length;
    const target = 1 + Math.floor(Math.log10(r + 2) / 2.2 + rng.uniform() * 0.9);
    let w = '';
    for (let k = 0; k < target; k++) {
      w += ONSETS[rng.int(ONSETS.length)] + NUCLEI[rng.int(NUCLEI.length)] + (k === target - 1 ? CODAS[rng.int(CODAS.length)] : '');
    }
    if (w.length < 2 || seen.has(w)) continue;
    seen.add(w);
    words.push(w);
  }
  return words;
}

/**
 * Generates the corpus and writes it to `out` (atomically, via a temporary file).
 * @param {{ n: number, seed?: number, out: string, onProgress?: (done: number) => void }} opts
 */
export async function generateCorpus({ n, seed = 42, out, onProgress }) {
  if (!Number.isInteger(n) || n < 2) throw new Error(`synth-corpus: --n must be an integer >= 2, got ${n}`);
  const rng = makeRng(seed);
  const words = makeVocabulary(rng);
  const zipf = new Float64Array(VOCAB_SIZE);
  for (let r = 0; r < VOCAB_SIZE; r++) zipf[r] = 1 / Math.pow(r + 1, ZIPF_EXPONENT);
  const background = aliasTable(zipf);
  // Opinion words: 3,000 mid-frequency ranks (shuffled choice), weight exp(+b) for 'pos', exp(-b) for 'neg'.
  const pos = Float64Array.from(zipf);
  const neg = Float64Array.from(zipf);
  const pool = Int32Array.from({ length: OPINION_LAST_RANK - OPINION_FIRST_RANK }, (_, i) => i + OPINION_FIRST_RANK);
  for (let k = 0; k < OPINION_WORDS; k++) {
    const j = k + rng.int(pool.length - k);
    const w = pool[j];
    pool[j] = pool[k];
    pool[k] = w;
    const b = rng.normal() * OPINION_SIGMA;
    pos[w] *= Math.exp(b);
    neg[w] *= Math.exp(-b);
  }
  const byLabel = [aliasTable(pos), aliasTable(neg)];
  // Preferred successors of every word, Zipfian among the 8.
  const succ = new Int32Array(VOCAB_SIZE * SUCCESSORS);
  for (let i = 0; i < succ.length; i++) succ[i] = background(rng);
  const succWeights = Float64Array.from({ length: SUCCESSORS }, (_, k) => 1 / (k + 1));
  const pickSucc = aliasTable(succWeights);

  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.tmp-${process.pid}`;
  const stream = createWriteStream(tmp);
  const labels = ['pos', 'neg'];
  let chunk = '';
  for (let d = 0; d < n; d++) {
    const y = rng.int(2);
    // Strength: from nearly neutral to clearly opinionated documents.
    const u = rng.uniform();
    const strength = STRENGTH_MIN + STRENGTH_SPAN * u;
    const len = Math.max(8, Math.min(2500, Math.round(Math.exp(LEN_MU + LEN_SIGMA * rng.normal()))));
    const parts = [];
    let sentenceLeft = 0;
    let prev = -1;
    for (let k = 0; k < len; k++) {
      let w;
      if (prev >= 0 && rng.uniform() < P_SUCCESSOR) w = succ[prev * SUCCESSORS + pickSucc(rng)];
      else if (rng.uniform() < strength) w = byLabel[y](rng);
      else w = background(rng);
      let token = words[w];
      if (sentenceLeft === 0) {
        sentenceLeft = 4 + rng.int(27);
        token = token[0].toUpperCase() + token.slice(1);
      }
      sentenceLeft--;
      if (sentenceLeft === 0 || k === len - 1) {
        const p = rng.uniform();
        token += p < 0.8 ? '.' : p < 0.9 ? '!' : '?';
        sentenceLeft = 0;
      } else if (rng.uniform() < 0.06) {
        token += ',';
      }
      parts.push(token);
      prev = w;
    }
    const shown = rng.uniform() < LABEL_NOISE ? 1 - y : y;
    chunk += JSON.stringify({ text: parts.join(' '), label: labels[shown] }) + '\n';
    if (chunk.length > 1 << 20) {
      if (!stream.write(chunk)) await new Promise((r) => stream.once('drain', r));
      chunk = '';
    }
    if (onProgress && (d + 1) % 10_000 === 0) onProgress(d + 1);
  }
  stream.write(chunk);
  await new Promise((res, rej) => stream.end((err) => (err ? rej(err) : res())));
  renameSync(tmp, out);
  return out;
}

/** Path of the cached corpus for (n, seed), generating it first when absent. */
export async function ensureCorpus(n, { seed = 42, cacheDir, onProgress } = {}) {
  const dir = cacheDir ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..', '.bench-cache');
  const out = resolve(dir, `synth-${n}-s${seed}.jsonl`);
  if (!existsSync(out)) await generateCorpus({ n, seed, out, onProgress });
  return out;
}

function parseArgs(argv) {
  const args = { n: 50_000, seed: 42, out: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') {
      console.log('usage: node bench/text/synth-corpus.mjs --n 50000 [--seed 42] [--out file.jsonl]\n' + 'example: node bench/text/synth-corpus.mjs --n 200000 --seed 42');
      process.exit(0);
    } else if (a === '--n') args.n = Number(argv[++i]);
    else if (a === '--seed') args.seed = Number(argv[++i]);
    else if (a === '--out') args.out = argv[++i];
    else throw new Error(`synth-corpus: unknown argument ${a}; see --help`);
  }
  return args;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = parseArgs(process.argv.slice(2));
  const t0 = performance.now();
  const progress = (d) => process.stderr.write(`\r  synth corpus: ${d}/${args.n} documents`);
  const out = args.out
    ? await generateCorpus({ n: args.n, seed: args.seed, out: resolve(args.out), onProgress: progress })
    : await ensureCorpus(args.n, { seed: args.seed, onProgress: progress });
  process.stderr.write('\n');
  console.log(`${out} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
