import { CsrMatrix, MlshipError, murmurhash3_32 } from '../../core/index.js';
import { BaseEstimator, registerEstimator, type EstimatorState, type EstimatorType } from '../base.js';
import { normalizeRowsL1, normalizeRowsL2 } from './kernels.js';
import { ANALYZER_DEFAULTS, buildAnalyzer, checkDocuments, checkNgramRange, type AnalyzerParams, type Tokenizer } from './text-analysis.js';
import type { TfidfNorm } from './tfidf.js';

/** Parameters of {@link HashingVectorizer}, named as scikit-learn's (camelCase). */
export interface HashingVectorizerParams extends AnalyzerParams {
  /** Number of output columns. @default 1048576 (2^20) */
  nFeatures: number;
  /** Record 1 for any stored value (after signs and collisions, as scikit-learn). @default false */
  binary: boolean;
  /** Row normalisation: 'l2', 'l1' or null. @default 'l2' */
  norm: TfidfNorm;
  /** Give each feature the sign of its hash, so that collisions tend to cancel. @default true */
  alternateSign: boolean;
}

const encoder = new TextEncoder();

const HASHING_DEFAULTS: HashingVectorizerParams = {
  ...ANALYZER_DEFAULTS,
  nFeatures: 2 ** 20,
  binary: false,
  norm: 'l2',
  alternateSign: true,
};

/**
 * Hashes each document's features into `nFeatures` columns, exactly as scikit-learn's
 * `HashingVectorizer` (MurmurHash3 of the UTF-8 feature, column `abs(h) % nFeatures`, sign of `h`).
 * Stateless: `fit` only validates, and `transform` works without it. Like scikit-learn's, it has no
 * feature names.
 *
 * @example
 * ```ts
 * const hv = new HashingVectorizer({ nFeatures: 2 ** 18, ngramRange: [1, 2] });
 * const X = hv.transform(['free money now', 'meeting at noon']);
 * X.cols; // 262144
 * ```
 */
export class HashingVectorizer extends BaseEstimator<HashingVectorizerParams> {
  static override readonly estimatorName: string = 'HashingVectorizer';
  readonly estimatorType: EstimatorType = 'transformer';

  constructor(options?: Partial<HashingVectorizerParams>) {
    super(HASHING_DEFAULTS, options);
  }

  /** Always true: there is nothing to learn. */
  get isFitted(): boolean {
    return true;
  }

  /** scikit-learn's `build_analyzer()`. */
  buildAnalyzer(): Tokenizer {
    return buildAnalyzer(this.params, this.estimatorName);
  }

  /** Validates the parameters (and the documents). Returns `this`. */
  fit(docs: readonly string[], _y?: unknown): this {
    checkDocuments(docs, this.estimatorName, 'fit');
    this.checkParams();
    return this;
  }

  /** Fit, then transform. */
  fitTransform(docs: readonly string[], y?: unknown): CsrMatrix {
    return this.fit(docs, y).transform(docs);
  }

  /** The hashed document-term matrix (rows sorted by column; colliding features summed). */
  transform(docs: readonly string[]): CsrMatrix {
    const owner = this.estimatorName;
    checkDocuments(docs, owner, 'transform');
    this.checkParams();
    if (docs.length === 0) {
      throw new MlshipError('INVALID_ARGUMENT', `${owner}.transform: Cannot vectorize empty sequence; pass at least one document`, { field: 'docs' });
    }
    const p = this.params;
    const nFeatures = p.nFeatures;
    const analyze = this.buildAnalyzer();
    const nDocs = docs.length;
    const indptr = new Int32Array(nDocs + 1);
    let cap = Math.max(1024, nDocs * 16);
    let data = new Float64Array(cap);
    let indices = new Int32Array(cap);
    const scratch = new Float64Array(nFeatures);
    const seen = new Uint8Array(nFeatures);
    let touched = new Int32Array(1024);
    let buf = new Uint8Array(1024);
    let nnz = 0;
    for (let i = 0; i < nDocs; i++) {
      const feats = analyze(docs[i]!);
      let nt = 0;
      for (let k = 0; k < feats.length; k++) {
        const f = feats[k]!;
        if (typeof f !== 'string') {
          throw new MlshipError('INVALID_ARGUMENT', `${owner}: the analyzer returned a ${typeof f} feature for document ${i}; features must be strings`, { line: i });
        }
        // UTF-8 into a reused buffer (no allocation per feature), then the same hash as core's.
        if (f.length * 3 > buf.length) buf = new Uint8Array(f.length * 3);
        const written = encoder.encodeInto(f, buf).written;
        const h = murmurhash3_32(buf.subarray(0, written), 0);
        const col = h === -2147483648 ? (2147483647 - (nFeatures - 1)) % nFeatures : Math.abs(h) % nFeatures;
        const v = p.alternateSign && h < 0 ? -1 : 1;
        if (seen[col] === 0) {
          seen[col] = 1;
          if (nt === touched.length) {
            const t = new Int32Array(touched.length * 2);
            t.set(touched);
            touched = t;
          }
          touched[nt++] = col;
        }
        scratch[col] = scratch[col]! + v;
      }
      if (nnz + nt > cap) {
        while (nnz + nt > cap) cap *= 2;
        const d = new Float64Array(cap);
        d.set(data.subarray(0, nnz));
        data = d;
        const x = new Int32Array(cap);
        x.set(indices.subarray(0, nnz));
        indices = x;
      }
      const row = touched.subarray(0, nt);
      row.sort();
      for (let k = 0; k < nt; k++) {
        const col = row[k]!;
        indices[nnz] = col;
        data[nnz] = scratch[col]!;
        scratch[col] = 0;
        seen[col] = 0;
        nnz++;
      }
      indptr[i + 1] = nnz;
    }
    const outData = data.slice(0, nnz);
    if (p.binary) outData.fill(1);
    if (p.norm === 'l2') normalizeRowsL2(outData, indptr);
    else if (p.norm === 'l1') normalizeRowsL1(outData, indptr);
    return new CsrMatrix(nDocs, nFeatures, outData, indices.slice(0, nnz), indptr);
  }

  private checkParams(): void {
    const p = this.params;
    const owner = this.estimatorName;
    if (!Number.isInteger(p.nFeatures) || p.nFeatures < 1 || p.nFeatures > 2147483647) {
      throw new MlshipError('INVALID_ARGUMENT', `${owner}.nFeatures must be an integer in [1, 2^31 - 1], got ${JSON.stringify(p.nFeatures)}`, { field: 'nFeatures', value: p.nFeatures });
    }
    if (p.norm !== 'l1' && p.norm !== 'l2' && p.norm !== null) {
      throw new MlshipError('INVALID_ARGUMENT', `${owner}.norm must be 'l2', 'l1' or null, got ${JSON.stringify(p.norm)}`, { field: 'norm', value: p.norm });
    }
    for (const k of ['binary', 'alternateSign'] as const) {
      if (typeof p[k] !== 'boolean') {
        throw new MlshipError('INVALID_ARGUMENT', `${owner}.${k} must be true or false, got ${JSON.stringify(p[k])}`, { field: k, value: p[k] });
      }
    }
    checkNgramRange(p.ngramRange, owner);
  }

  protected getState(): EstimatorState {
    return {};
  }

  protected setState(_state: EstimatorState): void {}
}

registerEstimator(HashingVectorizer);
