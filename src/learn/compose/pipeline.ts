import { MlshipError, type Label, type Matrix } from '../../core/index.js';
import { BaseEstimator, isEstimator, registerEstimator, type EstimatorState, type EstimatorType } from '../base.js';
import type { DocVectorizer } from '../feature-extraction/index.js';

/** A step's estimator, or `'passthrough'`/`null` to skip the step. */
export type StepEstimator = BaseEstimator<any> | 'passthrough' | null;

/** A named pipeline step. */
export type Step = [name: string, estimator: StepEstimator];

/** Hyperparameters of a {@link Pipeline}. */
export interface PipelineParams {
  /** The named steps: transformers, then a final estimator. @default [] */
  steps: Step[];
  /** Log each step's fit time to stderr. @default false */
  verbose: boolean;
}

const RESERVED = new Set(['steps', 'verbose']);

/**
 * A fitted classifier seen as linear scores `X @ weights^T + bias`, with the maps from such scores
 * to what its `predict` and `predictProba` return. A final step that offers one through
 * `linearHead()` (MultinomialNB, LogisticRegression) can be fused with a text vectorizer that
 * offers `docVectorizer()` (CountVectorizer, TfidfVectorizer): see {@link Pipeline}.
 */
export interface LinearHead {
  /** `rows x nFeatures`, row-major. */
  readonly weights: Float64Array;
  /** One value per row of `weights`. */
  readonly bias: Float64Array;
  readonly rows: number;
  readonly nFeatures: number;
  /** The predicted labels of `n` rows of scores (`n x rows`, row-major). */
  labels(scores: Float64Array, n: number): Label[];
  /** Class probabilities of `n` rows of scores (`scores` may be modified). */
  proba(scores: Float64Array, n: number): Matrix;
}

/** A vectorizer fused with a linear head: per column, its idf (or 1) then its weight in each row of the head. */
interface FusedText {
  doc: DocVectorizer;
  weights: Float64Array;
  bias: Float64Array;
  rows: number;
  /**
   * `nFeatures x (rows + 1)`: for column j, `[idf_j, weights[0][j], ..., weights[rows-1][j]]`, so
   * that a column is one cache line. Made when first needed: with a scorer, only for a document
   * the scorer leaves to JavaScript.
   */
  table: Float64Array | null;
  acc: Float64Array;
  /** The same scores in WebAssembly (null: not available, or sublinear tf, which it does not compute). */
  scorer: ReturnType<DocVectorizer['reader']['scorer']>;
}


function compileFused(doc: DocVectorizer, head: LinearHead): FusedText {
  const d = doc.nFeatures;
  const r = head.rows;
  const scorer = doc.sublinearTf ? null : doc.reader.scorer({ rows: r, weights: head.weights, bias: head.bias, nFeatures: d, idf: doc.idf, binary: doc.binary, norm: doc.norm });
  return { doc, weights: head.weights, bias: head.bias, rows: r, table: null, acc: new Float64Array(r), scorer };
}

/** The fused table of `f` (see {@link FusedText.table}), made on first use. */
function fusedTable(f: FusedText): Float64Array {
  if (f.table) return f.table;
  const d = f.doc.nFeatures;
  // The reader numbers its hot columns first, then every column j as nHot + j.
  const hot = f.doc.reader.hotCols;
  const table = new Float64Array((hot.length + d) * (f.rows + 1));
  f.doc.reader.fillWeightRows(table, f.rows + 1, d, f.doc.idf, f.weights, f.rows);
  f.table = table;
  return table;
}

/**
 * The scores of each document (`docs.length x rows`): counts from the reader, tf weighting, idf,
 * row norm and the linear head, in two passes over each document's distinct columns. The values are
 * those of `head(vectorizer.transform(docs))` up to the order of the floating-point sums.
 */
function fusedScores(f: FusedText, docs: readonly string[]): Float64Array {
  const { reader, binary, sublinearTf, norm, owner } = f.doc;
  const stride = f.rows + 1;
  const out = new Float64Array(docs.length * f.rows);
  const scorer = f.scorer;
  for (let i = 0; i < docs.length; i++) {
    const doc = docs[i]!;
    // WebAssembly first; a document it leaves (one with a surrogate) is read here.
    if (scorer && scorer.score(scorer.lowercase ? doc : reader.prepare(doc, owner, i), out, i * f.rows)) continue;
    // The reader loads the table's rows of rare columns along with their counts.
    const table = fusedTable(f);
    const n = reader.readText(reader.prepare(doc, owner, i), table, stride);
    // The tf-idf values replace the counts (the reader's scratch) as transform computes them.
    scoreDoc(table, f.bias, f.rows, f.acc, reader.cols, reader.counts, n, binary, sublinearTf, norm, out, i * f.rows);
  }
  return out;
}

/**
 * Writes the scores of one document, read as `n` distinct columns `cols` with counts `vals`
 * (overwritten with its tf-idf values), to `out[base, base + rows)`. A kernel per document, so
 * that a batch does not run it as the long loop of a once-called function.
 */
function scoreDoc(table: Float64Array, bias: Float64Array, r: number, acc: Float64Array, cols: Int32Array, vals: Float64Array, n: number, binary: boolean, sublinearTf: boolean, norm: 'l1' | 'l2' | null, out: Float64Array, base: number): void {
  const stride = r + 1;
  const l1 = norm === 'l1';
  let sum = 0;
  for (let q = 0; q < n; q++) {
    let tf = binary ? 1 : vals[q]!;
    if (sublinearTf) tf = Math.log(tf) + 1;
    const v = tf * table[cols[q]! * stride]!;
    vals[q] = v;
    sum += l1 ? v : v * v;
  }
  const scale = norm === null || sum === 0 ? 1 : l1 ? sum : Math.sqrt(sum);
  if (r <= 2) {
    let a0 = 0;
    let a1 = 0;
    for (let q = 0; q < n; q++) {
      const o = cols[q]! * stride;
      const x = vals[q]! / scale;
      a0 += x * table[o + 1]!;
      if (r === 2) a1 += x * table[o + 2]!;
    }
    out[base] = a0 + bias[0]!;
    if (r === 2) out[base + 1] = a1 + bias[1]!;
  } else {
    acc.fill(0);
    for (let q = 0; q < n; q++) {
      const o = cols[q]! * stride;
      const x = vals[q]! / scale;
      for (let c = 0; c < r; c++) acc[c] = acc[c]! + x * table[o + 1 + c]!;
    }
    for (let c = 0; c < r; c++) out[base + c] = acc[c]! + bias[c]!;
  }
}

function isSkipped(e: StepEstimator): e is 'passthrough' | null {
  return e === 'passthrough' || e === null;
}

type Any = any;

/**
 * A sequence of transformers ending in an estimator, fitted and applied as one estimator, as
 * scikit-learn's `Pipeline`. Nested parameters are addressed as `'step.param'`; a step can be
 * `'passthrough'`. The pipeline is itself an estimator (its type is its last step's), so it can
 * be cross-validated, searched, saved and loaded.
 *
 * @example
 * ```ts
 * const pipe = new Pipeline([['tfidf', new TfidfVectorizer()], ['clf', new MultinomialNB()]]);
 * pipe.setParams({ 'tfidf.minDf': 2, 'clf.alpha': 0.1 });
 * pipe.fit(docs, labels).predict(['win money now']);
 * ```
 */
export class Pipeline extends BaseEstimator<PipelineParams> {
  static override readonly estimatorName: string = 'Pipeline';

  private fitted = false;
  /** The fused text predictor, rebuilt when the steps' fitted state changes. */
  private fused: FusedText | undefined;

  constructor(steps: Step[] | Partial<PipelineParams> = []) {
    super({ steps: [], verbose: false }, Array.isArray(steps) ? { steps } : steps);
  }

  /** The steps as given (the same estimator objects; fitted in place by `fit`). */
  get steps(): Step[] {
    return this.params.steps;
  }

  /** Steps by name. */
  get namedSteps(): Record<string, StepEstimator> {
    const out: Record<string, StepEstimator> = {};
    for (const [name, est] of this.params.steps) out[name] = est;
    return out;
  }

  /** The last step's estimator. */
  get finalEstimator(): StepEstimator {
    const last = this.params.steps[this.params.steps.length - 1];
    return last ? last[1] : 'passthrough';
  }

  /** The last step's type: a pipeline ending in a classifier is a classifier. */
  get estimatorType(): EstimatorType {
    const last = this.finalEstimator;
    return isSkipped(last) ? 'transformer' : last.estimatorType;
  }

  /** The classes of the final classifier. */
  get classes_(): Label[] | undefined {
    const last = this.finalEstimator;
    return isSkipped(last) ? undefined : (last as Any).classes_;
  }

  get isFitted(): boolean {
    const last = this.finalEstimator;
    if (!isSkipped(last) && !last.isFitted) return false;
    return this.fitted || (!isSkipped(last) && last.isFitted);
  }

  override getParams(deep = true): Record<string, unknown> {
    const out: Record<string, unknown> = { steps: this.params.steps, verbose: this.params.verbose };
    if (!deep) return out;
    // As scikit-learn: steps by name and their params only with deep=true.
    for (const [name, est] of this.params.steps) {
      out[name] = est;
      if (isEstimator(est)) for (const [k, v] of Object.entries(est.getParams(true))) out[`${name}.${k}`] = v;
    }
    return out;
  }

  override setParams(params: Record<string, unknown>): this {
    const rest: Record<string, unknown> = {};
    if ('steps' in params) rest.steps = params.steps;
    for (const [key, value] of Object.entries(params)) {
      if (key === 'steps') continue;
      const at = this.params.steps.findIndex(([n]) => n === key);
      if (at >= 0) {
        if (!(isEstimator(value) || value === 'passthrough' || value === null)) {
          throw new MlshipError('INVALID_ARGUMENT', `Pipeline.setParams: step '${key}' must be set to an estimator, 'passthrough' or null`, { field: key });
        }
        const steps = [...this.params.steps];
        steps[at] = [key, value as StepEstimator];
        this.params.steps = steps;
        this.fitted = false;
        this.fused = undefined;
      } else {
        rest[key] = value;
      }
    }
    if ('steps' in rest) this.fitted = false;
    return super.setParams(rest);
  }

  protected override nestedEstimator(name: string): BaseEstimator<any> | undefined {
    const step = this.params.steps.find(([n]) => n === name);
    return step && isEstimator(step[1]) ? step[1] : undefined;
  }

  protected override nestedNames(): string[] {
    return this.params.steps.filter(([, e]) => isEstimator(e)).map(([n]) => n);
  }

  /** Checks names and step kinds, as scikit-learn's `_validate_steps`. */
  private validateSteps(): void {
    const steps = this.params.steps;
    if (!Array.isArray(steps) || steps.length === 0) {
      throw new MlshipError('INVALID_ARGUMENT', 'Pipeline: steps must be a non-empty array of [name, estimator] pairs', { field: 'steps' });
    }
    const seen = new Set<string>();
    steps.forEach((step, i) => {
      if (!Array.isArray(step) || step.length !== 2 || typeof step[0] !== 'string') {
        throw new MlshipError('INVALID_ARGUMENT', `Pipeline: step ${i} must be a [name, estimator] pair, got ${JSON.stringify(step)}`, { field: 'steps' });
      }
      const [name, est] = step;
      if (seen.has(name)) throw new MlshipError('INVALID_ARGUMENT', `Pipeline: names provided are not unique: '${name}' appears twice`, { field: 'steps', value: name });
      seen.add(name);
      if (name.includes('.')) throw new MlshipError('INVALID_ARGUMENT', `Pipeline: step names must not contain '.', got '${name}'`, { field: 'steps', value: name });
      if (RESERVED.has(name)) throw new MlshipError('INVALID_ARGUMENT', `Pipeline: step name '${name}' conflicts with a Pipeline parameter; rename it`, { field: 'steps', value: name });
      const last = i === steps.length - 1;
      if (isSkipped(est)) return;
      if (!isEstimator(est)) throw new MlshipError('INVALID_ARGUMENT', `Pipeline: step '${name}' is not an estimator nor 'passthrough'`, { field: 'steps', value: name });
      if (!last && typeof (est as Any).transform !== 'function') {
        throw new MlshipError(
          'INVALID_ARGUMENT',
          `Pipeline: all intermediate steps should be transformers (implement fit and transform) or be 'passthrough'; '${name}' (${est.estimatorName}) does not implement transform`,
          { field: 'steps', value: name },
        );
      }
      if (typeof (est as Any).fit !== 'function') {
        throw new MlshipError('INVALID_ARGUMENT', `Pipeline: last step '${name}' (${est.estimatorName}) should implement fit or be 'passthrough'`, { field: 'steps', value: name });
      }
    });
  }

  private log(name: string, start: number): void {
    if (this.params.verbose) process.stderr.write(`[Pipeline] ${name}: fitted in ${((performance.now() - start) / 1000).toFixed(3)}s\n`);
  }

  /** Fits every transformer on the output of the previous one; returns the last step's input. */
  private fitTransformers(X: unknown, y: unknown): unknown {
    this.validateSteps();
    let Xt = X;
    const steps = this.params.steps;
    for (let i = 0; i < steps.length - 1; i++) {
      const [name, est] = steps[i]!;
      if (isSkipped(est)) continue;
      const t0 = performance.now();
      const e = est as Any;
      Xt = typeof e.fitTransform === 'function' ? e.fitTransform(Xt, y) : e.fit(Xt, y).transform(Xt);
      this.log(name, t0);
    }
    return Xt;
  }

  /** Applies the fitted transformers (all steps but the last). */
  private transformUpToLast(X: unknown): unknown {
    let Xt = X;
    const steps = this.params.steps;
    for (let i = 0; i < steps.length - 1; i++) {
      const est = steps[i]![1];
      if (!isSkipped(est)) Xt = (est as Any).transform(Xt);
    }
    return Xt;
  }

  /** Fits all steps in order on `X` and `y`; returns `this`. */
  fit(X: Any, y?: Any): this {
    this.fitted = false;
    this.fused = undefined;
    const Xt = this.fitTransformers(X, y);
    const last = this.finalEstimator;
    if (!isSkipped(last)) {
      const t0 = performance.now();
      (last as Any).fit(Xt, y);
      this.log(this.params.steps[this.params.steps.length - 1]![0], t0);
    }
    this.fitted = true;
    return this;
  }

  /** Fits all steps and returns the last step's transform of the training data. */
  fitTransform(X: Any, y?: Any): Any {
    this.fitted = false;
    const Xt = this.fitTransformers(X, y);
    const last = this.finalEstimator as Any;
    let out: unknown = Xt;
    if (!isSkipped(last)) {
      if (typeof last.fitTransform === 'function') out = last.fitTransform(Xt, y);
      else if (typeof last.transform === 'function') out = last.fit(Xt, y).transform(Xt);
      else throw new MlshipError('INVALID_ARGUMENT', `Pipeline.fitTransform: the last step (${last.estimatorName}) has no transform()`, { field: 'steps' });
    }
    this.fitted = true;
    return out;
  }

  /** Whether `method` is available: the last step implements it (scikit-learn's `available_if`). */
  canCall(method: string): boolean {
    const last = this.finalEstimator as Any;
    if (isSkipped(last)) return method === 'transform' || method === 'fitTransform';
    return typeof last[method] === 'function' && (typeof last.canCall !== 'function' || last.canCall(method));
  }

  private callLast(method: string, X: unknown, y?: unknown): Any {
    this.requireFitted(method);
    const last = this.finalEstimator as Any;
    if (isSkipped(last) || typeof last[method] !== 'function') {
      throw new MlshipError('INVALID_ARGUMENT', `Pipeline.${method}: the last step (${isSkipped(last) ? 'passthrough' : last.estimatorName}) has no ${method}()`, { field: method });
    }
    const Xt = this.transformUpToLast(X);
    return y === undefined ? last[method](Xt) : last[method](Xt, y);
  }

  /**
   * The fused text path: for a pipeline of exactly a vectorizer with `docVectorizer()` and a
   * classifier with `linearHead()`, both fitted, and X a non-empty array of strings, the
   * vectorizer's reader and the head's weights (compiled once per fitted state); else null.
   */
  private fusedFor(X: unknown, method: string): { f: FusedText; head: LinearHead } | null {
    if (!Array.isArray(X) || X.length === 0) return null;
    const steps = this.params.steps;
    if (steps.length !== 2) return null;
    const vec = steps[0]![1] as Any;
    const clf = steps[1]![1] as Any;
    if (isSkipped(vec) || isSkipped(clf) || typeof vec.docVectorizer !== 'function' || typeof clf.linearHead !== 'function') return null;
    if (typeof clf[method] !== 'function' || (typeof clf.canCall === 'function' && !clf.canCall(method))) return null;
    for (let i = 0; i < X.length; i++) if (typeof X[i] !== 'string') return null;
    this.requireFitted(method);
    const doc = vec.docVectorizer() as DocVectorizer | null;
    if (!doc) return null;
    const head = clf.linearHead() as LinearHead | undefined;
    if (!head || head.nFeatures !== doc.nFeatures) return null;
    let f = this.fused;
    if (!f || f.doc !== doc || f.weights !== head.weights || f.bias !== head.bias) f = this.fused = compileFused(doc, head);
    return { f, head };
  }

  /**
   * Transforms `X` through the transformers and predicts with the last step.
   *
   * A pipeline of a word-level `CountVectorizer`/`TfidfVectorizer` (n-grams up to 2) and a
   * `MultinomialNB` or `LogisticRegression` predicts lists of documents on a fused path: each
   * document is tokenized, looked up and scored in one pass, without building matrices (in a
   * WebAssembly kernel generated for the fitted tables; in JavaScript for sublinear tf and for a
   * document with characters outside the Basic Multilingual Plane). The
   * predictions are those of the step-by-step path; scores and probabilities agree with it to
   * the last few bits (the sums run in another order). The fused tables are compiled on the first
   * call after each fit or load (in-place edits of a step's learned arrays are not seen: refit
   * or reload instead).
   */
  predict(X: Any): Any {
    const fused = this.fusedFor(X, 'predict');
    if (fused) return fused.head.labels(fusedScores(fused.f, X), X.length);
    return this.callLast('predict', X);
  }

  /** Class probabilities from the last step (one column per entry of `classes_`); fused as {@link predict}. */
  predictProba(X: Any): Matrix {
    const fused = this.fusedFor(X, 'predictProba');
    if (fused) return fused.head.proba(fusedScores(fused.f, X), X.length);
    return this.callLast('predictProba', X) as Matrix;
  }

  /** Log class probabilities from the last step. */
  predictLogProba(X: Any): Matrix {
    return this.callLast('predictLogProba', X) as Matrix;
  }

  /** Decision function of the last step. */
  decisionFunction(X: Any): Any {
    return this.callLast('decisionFunction', X);
  }

  /** The last step's score on the transformed `X`. */
  score(X: Any, y: Any): number {
    return this.callLast('score', X, y) as number;
  }

  /** Applies every step's transform (a `'passthrough'` last step returns its input). */
  transform(X: Any): Any {
    this.requireFitted('transform');
    const Xt = this.transformUpToLast(X);
    const last = this.finalEstimator as Any;
    if (isSkipped(last)) return Xt;
    if (typeof last.transform !== 'function') {
      throw new MlshipError('INVALID_ARGUMENT', `Pipeline.transform: the last step (${last.estimatorName}) has no transform()`, { field: 'transform' });
    }
    return last.transform(Xt);
  }

  protected getState(): EstimatorState {
    // The steps' learned state travels inside the params snapshot (each step is snapshotted with its state).
    return { fitted: true };
  }

  protected setState(state: EstimatorState): void {
    this.fitted = state.fitted === true;
    this.fused = undefined;
  }
}

registerEstimator(Pipeline);

/**
 * Builds a {@link Pipeline} naming each step by its lower-cased class name (duplicates get
 * `-1`, `-2`, ...), as scikit-learn's `make_pipeline`.
 *
 * @example
 * ```ts
 * const pipe = makePipeline(new TfidfVectorizer(), new MultinomialNB());
 * Object.keys(pipe.namedSteps); // ['tfidfvectorizer', 'multinomialnb']
 * ```
 */
export function makePipeline(...estimators: StepEstimator[]): Pipeline {
  const names = estimators.map((e) => (isEstimator(e) ? e.estimatorName.toLowerCase() : 'passthrough'));
  const counts = new Map<string, number>();
  for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
  const used = new Map<string, number>();
  const steps: Step[] = estimators.map((e, i) => {
    const n = names[i]!;
    if (counts.get(n)! > 1) {
      const k = (used.get(n) ?? 0) + 1;
      used.set(n, k);
      return [`${n}-${k}`, e];
    }
    return [n, e];
  });
  return new Pipeline(steps);
}
