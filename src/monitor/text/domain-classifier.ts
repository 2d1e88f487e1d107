import { MlshipError, Rng } from '../../core/index.js';
import { LogisticRegression, TfidfVectorizer, rocAucScore, trainTestIndices } from '../../learn/index.js';
import type { MaybeText } from './descriptors.js';

/** Options of {@link domainClassifierDrift}. */
export interface DomainClassifierOptions {
  /** Seed of the train/test split and of the permutation baseline. @default 42 */
  seed?: number;
  /** Drift when the test ROC-AUC is above this (used for references larger than `smallSample`). @default 0.55 */
  threshold?: number;
  /**
   * References with at most this many documents use the permutation baseline instead of
   * `threshold` (Evidently: `perc_text_content_drift` up to 1,000 rows, `abs_text_content_drift` above).
   * @default 1000
   */
  smallSample?: number;
  /** Label permutations of the baseline (Evidently draws 1,000 random classifiers). @default 1000 */
  permutations?: number;
  /** Percentile of the permutation baseline that the ROC-AUC must exceed. @default 95 */
  percentile?: number;
  /** How many characteristic words to return for each side. @default 10 */
  topWords?: number;
  /** Inverse regularisation strength of the logistic regression. @default 1 */
  C?: number;
}

/** Result of {@link domainClassifierDrift}. */
export interface DomainClassifierResult {
  /** ROC-AUC of the reference-vs-current classifier on the held-out half (0.5 = indistinguishable). */
  rocAuc: number;
  /** The threshold the ROC-AUC was compared with: `threshold`, or the baseline percentile for small samples. */
  threshold: number;
  /** `rocAuc > threshold`. */
  drift: boolean;
  method: 'domain-classifier';
  /** Terms with the largest positive weights (they point to the current data), strongest first. */
  typicalCurrentWords: string[];
  /** Terms with the largest negative weights (they point to the reference data), strongest first. */
  typicalReferenceWords: string[];
  /**
   * The permutation baseline, when the reference had at most `smallSample` documents:
   * `percentile95` is the cut at the `percentile` option (95 unless changed).
   */
  baseline?: { percentile95: number; permutations: number };
  /** Documents used after dropping missing ones (`null`/`undefined`). */
  sizes: { reference: number; current: number; train: number; test: number };
  /** How many missing documents were dropped from each side. */
  dropped: { reference: number; current: number };
}

function checkNumber(name: string, v: unknown, ok: (x: number) => boolean, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) {
    throw new MlshipError('INVALID_ARGUMENT', `domainClassifierDrift: ${name} must be ${what} (got ${JSON.stringify(v)})`, { field: name, value: v });
  }
  return v;
}

function present(docs: readonly MaybeText[], side: 'reference' | 'current'): string[] {
  if (!Array.isArray(docs)) {
    throw new MlshipError('INVALID_ARGUMENT', `domainClassifierDrift: ${side} must be an array of strings (got ${typeof docs})`, { field: side });
  }
  const out: string[] = [];
  for (let i = 0; i < docs.length; i++) {
    const d = docs[i];
    if (d === null || d === undefined) continue;
    if (typeof d !== 'string') {
      throw new MlshipError('INVALID_ARGUMENT', `domainClassifierDrift: ${side}[${i}] is a ${typeof d}, not a string`, { field: `${side}[${i}]` });
    }
    out.push(d);
  }
  if (out.length < 2) {
    throw new MlshipError(
      'INVALID_ARGUMENT',
      `domainClassifierDrift: ${side} has ${out.length} document(s) after dropping ${docs.length - out.length} missing; at least 2 are needed (one for each half of the split)`,
      { field: side, value: out.length },
    );
  }
  return out;
}

/** Average ranks (1-based) of `scores`, ties sharing their mean rank (as scipy's `rankdata`). */
function averageRanks(scores: Float64Array): Float64Array {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  const ranks = new Float64Array(n);
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]!] = r;
    i = j + 1;
  }
  return ranks;
}

/** numpy's default (`linear`) percentile of `values` (sorted in place), q in 0..100. */
function percentileLinear(values: Float64Array, q: number): number {
  values.sort();
  const h = ((values.length - 1) * q) / 100;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, values.length - 1);
  return values[lo]! + (h - lo) * (values[hi]! - values[lo]!);
}

/**
 * ROC-AUCs of the classifier's held-out scores against `permutations` random relabellings that
 * keep the number of current documents: the null distribution of the AUC when reference and
 * current cannot be told apart. Uses the Mann-Whitney form `(R1 - n1(n1+1)/2) / (n1 n0)` on
 * average ranks, O(n) per permutation.
 */
function permutationAucs(scores: Float64Array, positives: number, permutations: number, rng: Rng): Float64Array {
  const n = scores.length;
  const ranks = averageRanks(scores);
  const idx = new Int32Array(n);
  const out = new Float64Array(permutations);
  const denom = positives * (n - positives);
  for (let p = 0; p < permutations; p++) {
    for (let i = 0; i < n; i++) idx[i] = i;
    let sum = 0;
    for (let i = 0; i < positives; i++) {
      const j = i + rng.int(n - i);
      const t = idx[i]!;
      idx[i] = idx[j]!;
      idx[j] = t;
      sum += ranks[idx[i]!]!;
    }
    out[p] = (sum - (positives * (positives + 1)) / 2) / denom;
  }
  return out;
}

function topTerms(coef: Float64Array, terms: string[], k: number, sign: 1 | -1): string[] {
  const picked: number[] = [];
  for (let j = 0; j < coef.length; j++) if (sign * coef[j]! > 0) picked.push(j);
  picked.sort((a, b) => sign * (coef[b]! - coef[a]!) || a - b);
  return picked.slice(0, k).map((j) => terms[j]!);
}

/**
 * Text drift by a domain classifier, as Evidently's `text_content_drift`: label reference
 * documents 0 and current documents 1, split them 50/50 (seeded), fit TF-IDF
 * (`sublinearTf: true, maxDf: 0.5, stopWords: 'english'`) and a linear model on one half, and
 * score the other half. The classifier's ROC-AUC says how well the two sets can be told apart:
 * drift when it is above `threshold` (0.55), or, when the reference has at most `smallSample`
 * documents, above the 95th percentile of the AUCs obtained by permuting the labels of the
 * held-out half (Evidently's random-classifier baseline). The words with the largest positive
 * and negative weights explain the shift.
 *
 * Differences from Evidently, on purpose: the split is stratified (both halves keep the
 * reference/current ratio, so small samples always have both classes in the test half; Evidently's
 * is not stratified); the linear model is L2 logistic regression (lbfgs) because mlship has no
 * `SGDClassifier(loss='modified_huber', penalty='l1')`; the baseline permutes labels against the
 * classifier's real scores, which has the same distribution as Evidently's uniform random scores
 * when there are no ties, and stays correct with ties.
 *
 * @example
 * ```ts
 * import { domainClassifierDrift } from 'mlship/monitor';
 * const r = domainClassifierDrift(trainingEmails, lastWeekEmails, { seed: 42 });
 * if (r.drift) console.log(`AUC ${r.rocAuc.toFixed(3)} > ${r.threshold}; new words: ${r.typicalCurrentWords.join(', ')}`);
 * ```
 */
export function domainClassifierDrift(reference: readonly MaybeText[], current: readonly MaybeText[], options: DomainClassifierOptions = {}): DomainClassifierResult {
  const seed = checkNumber('seed', options.seed ?? 42, Number.isInteger, 'an integer');
  const threshold = checkNumber('threshold', options.threshold ?? 0.55, (x) => x >= 0 && x <= 1, 'a number in [0, 1]');
  const smallSample = checkNumber('smallSample', options.smallSample ?? 1000, (x) => Number.isInteger(x) && x >= 0, 'a non-negative integer');
  const permutations = checkNumber('permutations', options.permutations ?? 1000, (x) => Number.isInteger(x) && x >= 1, 'a positive integer');
  const percentile = checkNumber('percentile', options.percentile ?? 95, (x) => x >= 0 && x <= 100, 'a number in [0, 100]');
  const topWords = checkNumber('topWords', options.topWords ?? 10, (x) => Number.isInteger(x) && x >= 0, 'a non-negative integer');
  const C = checkNumber('C', options.C ?? 1, (x) => x > 0, 'a positive number');

  const ref = present(reference, 'reference');
  const cur = present(current, 'current');
  const docs = ref.concat(cur);
  const y = new Int32Array(docs.length);
  y.fill(1, ref.length);
  const labels = Array.from(y);
  const { train, test } = trainTestIndices(docs.length, { testSize: 0.5, randomState: seed, stratify: labels });
  const pick = (rows: Int32Array) => Array.from(rows, (i) => docs[i]!);
  const yTrain = Array.from(train, (i) => y[i]!);
  const yTest = Array.from(test, (i) => y[i]!);

  const tfidf = new TfidfVectorizer({ sublinearTf: true, maxDf: 0.5, stopWords: 'english' });
  let Xtrain;
  try {
    Xtrain = tfidf.fitTransform(pick(train));
  } catch (e) {
    if (e instanceof MlshipError && /no terms remain|empty vocabulary/i.test(e.message)) {
      throw new MlshipError('INVALID_ARGUMENT', `domainClassifierDrift: the documents have no usable words (only stop words, or words in more than half of the documents): ${e.message}`, { field: 'reference' });
    }
    throw e;
  }
  const model = new LogisticRegression({ C }).fit(Xtrain, yTrain);
  const scores = model.decisionFunction(tfidf.transform(pick(test))).data;
  const rocAuc = rocAucScore(yTest, scores);

  const terms: string[] = new Array(tfidf.vocabulary_!.size);
  for (const [term, j] of tfidf.vocabulary_!) terms[j] = term;
  const coef = model.coef_!.data;
  const result: DomainClassifierResult = {
    rocAuc,
    threshold,
    drift: rocAuc > threshold,
    method: 'domain-classifier',
    typicalCurrentWords: topTerms(coef, terms, topWords, 1),
    typicalReferenceWords: topTerms(coef, terms, topWords, -1),
    sizes: { reference: ref.length, current: cur.length, train: train.length, test: test.length },
    dropped: { reference: reference.length - ref.length, current: current.length - cur.length },
  };
  if (ref.length <= smallSample) {
    const positives = yTest.reduce((s, v) => s + v, 0);
    const aucs = permutationAucs(scores, positives, permutations, new Rng(seed));
    const cut = percentileLinear(aucs, percentile);
    result.baseline = { percentile95: cut, permutations };
    result.threshold = cut;
    result.drift = rocAuc > cut;
  }
  return result;
}
