import { describe, it, expect } from 'vitest';
import { CsrMatrix, Matrix, MlshipError } from '../../core/index.js';
import { BaseEstimator } from '../base.js';
import {
  CountVectorizer,
  ENGLISH_STOP_WORDS,
  HashingVectorizer,
  TfidfTransformer,
  TfidfVectorizer,
  compilePythonPattern,
  pythonFindall,
  stripAccentsAscii,
  stripAccentsUnicode,
  stripHtml,
  stripTags,
} from './index.js';
import { mapIndices, numpyArgsort, pythonOrder, selectColumns, sortPython, sortRowIndices } from './kernels.js';

function errorOf(fn: () => unknown): MlshipError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MlshipError);
    return err as MlshipError;
  }
  throw new Error('expected an MlshipError');
}

const findall = (pattern: string, text: string): string[] => pythonFindall(compilePythonPattern(pattern), text);

describe('Python regex translation', () => {
  it('\\w is Unicode letters, numbers and underscore, not combining marks (checked against Python re)', () => {
    // Python: re.findall(r'\w+', 'cafe\u0301 naïve x_1 ١٢ 東京') == ['cafe', 'naïve', 'x_1', '١٢', '東京']
    expect(findall('\\w+', 'cafe\u0301 naïve x_1 ١٢ 東京')).toEqual(['cafe', 'naïve', 'x_1', '١٢', '東京']);
  });
  it('\\b is a Unicode word boundary; one capturing group returns the group', () => {
    expect(findall('(?u)\\b\\w\\w+\\b', 'Привет, мир! a bc')).toEqual(['Привет', 'мир', 'bc']);
    expect(findall("(\\w+)'s", "Bob's cat's toy")).toEqual(['Bob', 'cat']);
    expect(findall('(a)|b', 'ab')).toEqual(['a', '']);
  });
  it('\\s, \\d, negated shorthands inside classes, {,n} and escapes', () => {
    expect(findall('\\S+', 'a\u3000b\x1cc\u200bd')).toEqual(['a', 'b', 'c\u200bd']);
    expect(findall('\\d+', '12 ٣٤ ²')).toEqual(['12', '٣٤']);
    expect(findall('[^\\W\\d_]+', 'ab1_cd')).toEqual(['ab', 'cd']);
    expect(findall('[\\w\\-]+', 'a-b c')).toEqual(['a-b', 'c']);
    expect(findall('x{,2}', 'xxx')).toEqual(['xx', 'x', '']);
    expect(findall('\\#\\w', '#a #b')).toEqual(['#a', '#b']);
    expect(findall('{x}', 'a{x}')).toEqual(['{x}']);
  });
  it('^, $, . and the (?i) (?m) (?s) (?a) flags behave as in Python', () => {
    expect(findall('.$', 'ab\n')).toEqual(['b']);
    expect(findall('(?m)^\\w', 'ab\ncd')).toEqual(['a', 'c']);
    expect(findall('(?s)a.b', 'a\nb')).toEqual(['a\nb']);
    expect(findall('(?i)abc', 'ABC abc')).toEqual(['ABC', 'abc']);
    expect(findall('(?a)\\w+', 'naïve')).toEqual(['na', 've']);
  });
  it('the default pattern takes the fast path', () => {
    expect(compilePythonPattern('(?u)\\b\\w\\w+\\b').wordRunMinLength).toBe(2);
    expect(compilePythonPattern('\\b\\w+\\b').wordRunMinLength).toBe(1);
    expect(compilePythonPattern('(?i)\\b\\w\\w+\\b').wordRunMinLength).toBe(0);
  });
  it('rejects syntax it cannot translate with INVALID_ARGUMENT naming the construct', () => {
    for (const bad of ['(?x)a b', 'a(?i)b', '(?>a)', 'a*+', '\\N{DASH}', '\\q', '(?(1)a|b)', '[a-']) {
      const err = errorOf(() => compilePythonPattern(bad));
      expect(err.code).toBe('INVALID_ARGUMENT');
      expect(err.message).toContain('tokenPattern');
    }
  });
});

describe('preprocessing helpers', () => {
  it('strip accents as scikit-learn (unicode keeps non-combining letters, ascii drops them)', () => {
    expect(stripAccentsUnicode('Crème brûlée Ærø ﬁ')).toBe('Creme brulee Ærø fi');
    expect(stripAccentsAscii('Crème brûlée Ærø ﬁ')).toBe('Creme brulee r fi');
    expect(stripAccentsUnicode('plain ascii')).toBe('plain ascii');
  });
  it('strip_tags replaces tags by a space; strip_html also decodes entities', () => {
    expect(stripTags('Great<br /><br />film')).toBe('Great  film');
    expect(stripHtml('A &amp; B&#39;s<br />&lt;3 &#x263A; &bogus;')).toBe("A & B's <3 ☺ &bogus;");
  });
  it('the English stop list is scikit-learn\'s 318 words', () => {
    expect(ENGLISH_STOP_WORDS.size).toBe(318);
    expect(ENGLISH_STOP_WORDS.has('amoungst')).toBe(true);
  });
});

describe('kernels', () => {
  it('sortPython orders by code point, unlike UTF-16 order, for astral characters', () => {
    expect(sortPython(['\uffff', '😀', 'b', 'a'])).toEqual(['a', 'b', '\uffff', '😀']);
  });
  it('pythonOrder is the permutation of sortPython (prefix runs, short terms, astral characters)', () => {
    expect(Array.from(pythonOrder(['\uffff', '😀', 'b', 'a']))).toEqual([3, 2, 0, 1]);
    const alphabet = ['a', 'b', 'ab', 'é', '\uffff', '😀', '😁', 'z', '0', '_'];
    let x = 12345;
    const rand = (): number => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32;
    for (const withAstral of [false, true]) {
      const terms = new Set<string>(['', 'a']);
      while (terms.size < 3000) {
        let t = '';
        const len = 1 + Math.floor(rand() * 6);
        for (let q = 0; q < len; q++) t += alphabet[Math.floor(rand() * (withAstral ? alphabet.length : alphabet.length - 2))]!;
        terms.add(t);
      }
      const list = [...terms];
      expect(Array.from(pythonOrder(list), (k) => list[k])).toEqual(sortPython(list.slice()));
    }
  });
  it('sortRowIndices sorts each row by column with its values (bitmap rows, native-sort rows, sorted and short rows)', () => {
    let x = 777;
    const rand = (n: number): number => Math.floor(((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32) * n);
    for (const cols of [40, 5000, 300000]) {
      const indptr = [0];
      const indices: number[] = [];
      for (let i = 0; i < 60; i++) {
        // Distinct columns, in random order (some rows short or already sorted).
        const m = i % 7 === 0 ? rand(2) : 1 + rand(Math.min(cols, 200));
        const row = [...new Set(Array.from({ length: m }, () => rand(cols)))];
        if (i % 5 === 0) row.sort((a, b) => a - b);
        indices.push(...row);
        indptr.push(indices.length);
      }
      const ind = Int32Array.from(indices);
      const data = Float64Array.from(indices, (c) => c * 0.5 + 1);
      sortRowIndices(data, ind, Int32Array.from(indptr), cols);
      for (let i = 0; i < 60; i++) {
        const want = indices.slice(indptr[i], indptr[i + 1]).sort((a, b) => a - b);
        expect(Array.from(ind.subarray(indptr[i], indptr[i + 1]))).toEqual(want);
        expect(Array.from(data.subarray(indptr[i]!, indptr[i + 1]!))).toEqual(want.map((c) => c * 0.5 + 1));
      }
    }
  });
  it('mapIndices renumbers columns; selectColumns keeps and renumbers the mapped ones', () => {
    const indices = Int32Array.of(2, 0, 1, 2);
    mapIndices(indices, Int32Array.of(1, 2, 0));
    expect(Array.from(indices)).toEqual([0, 1, 2, 0]);
    const data = Float64Array.of(1, 2, 3, 4);
    const indptr = selectColumns(data, indices, Int32Array.of(0, 3, 4), Int32Array.of(0, -1, 1));
    expect(Array.from(indptr)).toEqual([0, 2, 3]);
    expect(Array.from(indices.subarray(0, 3))).toEqual([0, 1, 0]);
    expect(Array.from(data.subarray(0, 3))).toEqual([1, 3, 4]);
  });
  it('numpyArgsort matches numpy 1.24 quicksort on ties (np.argsort([3,1,2,1,3,0,...]))', () => {
    // Small arrays use insertion sort: stable.
    expect(Array.from(numpyArgsort(Float64Array.from([3, 1, 2, 1, 3, 0])))).toEqual([5, 1, 3, 2, 0, 4]);
    // Larger arrays are sorted ascending (ties in numpy's own order are covered by the parity fixtures).
    const v = Float64Array.from({ length: 1000 }, (_, i) => (i * 7919) % 13);
    const order = numpyArgsort(v);
    for (let k = 1; k < order.length; k++) expect(v[order[k]!]! >= v[order[k - 1]!]!).toBe(true);
  });
});

describe('CountVectorizer / TfidfVectorizer behaviour', () => {
  const docs = ['The cat sat on the mat.', 'The dog ate my homework!', 'Cats and dogs.'];

  it('fit + transform equals fitTransform, unseen tokens are ignored, rows are sorted', () => {
    const a = new TfidfVectorizer({ ngramRange: [1, 2] });
    const X1 = a.fitTransform(docs);
    const X2 = a.transform(docs);
    expect(Array.from(X2.indices)).toEqual(Array.from(X1.indices));
    for (let k = 0; k < X1.nnz; k++) expect(X2.data[k]).toBeCloseTo(X1.data[k]!, 14);
    const U = a.transform(['zebra unicorn', 'the cat']);
    expect(U.indptr[1]).toBe(0);
    expect(U.nnz).toBe(3); // 'the', 'cat', 'the cat'
    for (let i = 0; i < X1.rows; i++) {
      for (let p = X1.indptr[i]! + 1; p < X1.indptr[i + 1]!; p++) expect(X1.indices[p]!).toBeGreaterThan(X1.indices[p - 1]!);
    }
  });

  it('maxDf: 1 means 100% but { count: 1 } means one document', () => {
    expect(new CountVectorizer({ maxDf: 1 }).fit(docs).vocabulary_!.has('the')).toBe(true);
    const cv = new CountVectorizer({ maxDf: { count: 1 } }).fit(docs);
    expect(cv.vocabulary_!.has('the')).toBe(false);
    expect(cv.stopWords_!.has('the')).toBe(true);
  });

  it('saves and restores through a snapshot (vocabulary, stop words, idf) with identical output', () => {
    const tv = new TfidfVectorizer({ minDf: 1, sublinearTf: true, stopWords: 'english' }).fit(docs);
    const snap = JSON.parse(JSON.stringify(tv.toSnapshot(), (_k, v) => (v instanceof Float64Array ? { f64: Array.from(v) } : v)), (_k, v) =>
      v && typeof v === 'object' && 'f64' in v ? Float64Array.from(v.f64) : v,
    );
    const back = BaseEstimator.fromSnapshot(snap) as TfidfVectorizer;
    expect(back).toBeInstanceOf(TfidfVectorizer);
    expect(back.getFeatureNamesOut()).toEqual(tv.getFeatureNamesOut());
    expect(Array.from(back.idf_!)).toEqual(Array.from(tv.idf_!));
    const a = tv.transform(['a cat and a dog']);
    const b = back.transform(['a cat and a dog']);
    expect(Array.from(b.data)).toEqual(Array.from(a.data));
  });

  it('clone is unfitted with the same params; setParams changes the analysis', () => {
    const cv = new CountVectorizer({ lowercase: false }).fit(docs);
    const c2 = cv.clone();
    expect(c2.isFitted).toBe(false);
    expect(c2.getParams().lowercase).toBe(false);
    cv.setParams({ lowercase: true });
    expect(cv.transform(['THE']).nnz).toBe(1);
  });

  it('a fixed vocabulary keeps its order; n-gram vocabulary terms match', () => {
    const cv = new CountVectorizer({ vocabulary: ['mat', 'the cat', 'dog'], ngramRange: [1, 2] });
    const X = cv.fitTransform(docs);
    expect(cv.getFeatureNamesOut()).toEqual(['mat', 'the cat', 'dog']);
    expect(X.toDense().toArray()).toEqual([
      [1, 1, 0],
      [0, 0, 1],
      [0, 0, 0],
    ]);
  });

  it('TfidfTransformer accepts dense counts and checks the number of columns', () => {
    const tt = new TfidfTransformer().fit(Matrix.fromRows([[1, 0], [2, 1]]));
    expect(tt.idf_![1]).toBeCloseTo(Math.log(3 / 2) + 1, 15);
    expect(errorOf(() => tt.transform(CsrMatrix.empty(1, 3))).code).toBe('SHAPE_MISMATCH');
    expect(tt.getFeatureNamesOut()).toEqual(['x0', 'x1']);
  });

  it('HashingVectorizer is stateless and puts colliding features in one column', () => {
    const hv = new HashingVectorizer({ nFeatures: 1, norm: null, alternateSign: false });
    const X = hv.transform(['a bb cc dd']);
    expect(X.nnz).toBe(1);
    expect(X.data[0]).toBe(3);
  });
});

describe('errors', () => {
  it('empty vocabulary (only stop words), with scikit-learn\'s wording', () => {
    const err = errorOf(() => new CountVectorizer({ stopWords: 'english' }).fit(['the and of', 'a an']));
    expect(err.code).toBe('INVALID_DATA');
    expect(err.message).toContain('empty vocabulary; perhaps the documents only contain stop words');
  });
  it('maxDf below minDf', () => {
    const err = errorOf(() => new CountVectorizer({ minDf: 3, maxDf: 2 }).fit(['a b c', 'bb cc', 'dd ee']));
    expect(err.message).toContain('maxDf corresponds to < documents than minDf');
  });
  it('pruning that leaves nothing', () => {
    expect(errorOf(() => new CountVectorizer({ minDf: 2 }).fit(['aa bb', 'cc dd'])).message).toContain('After pruning, no terms remain');
  });
  it('a non-string document names its index', () => {
    const err = errorOf(() => new TfidfVectorizer().fit(['ok', 'fine', null as unknown as string]));
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toContain('document 2 is null');
    expect(err.details.line).toBe(2);
    expect(errorOf(() => new CountVectorizer().fit('just one string' as unknown as string[])).message).toContain('string object received');
  });
  it('not fitted', () => {
    const err = errorOf(() => new TfidfVectorizer().transform(['x']));
    expect(err.code).toBe('NOT_FITTED');
    expect(err.message).toContain('transform()');
    expect(errorOf(() => new CountVectorizer().getFeatureNamesOut()).code).toBe('NOT_FITTED');
  });
  it('bad parameters', () => {
    expect(errorOf(() => new CountVectorizer({ ngramRange: [2, 1] }).fit(['aa'])).message).toContain('lower boundary larger than the upper boundary');
    expect(errorOf(() => new CountVectorizer({ minDf: 1.5 }).fit(['aa'])).message).toContain('minDf');
    expect(errorOf(() => new CountVectorizer({ tokenPattern: '(a)(b)' }).fit(['ab'])).message).toContain('More than 1 capturing group');
    expect(errorOf(() => new CountVectorizer({ stopWords: 'french' as 'english' }).fit(['aa'])).message).toContain('not a built-in stop list');
    expect(errorOf(() => new CountVectorizer({ vocabulary: ['a', 'a'] }).fit(['aa'])).message).toContain('Duplicate term');
    expect(errorOf(() => new TfidfVectorizer({ norm: 'l3' as 'l2' }).fit(['aa'])).message).toContain('norm');
    expect(errorOf(() => new CountVectorizer({ preprocessor: 'no_such_fn' }).fit(['aa'])).code).toBe('NOT_FOUND');
    expect(errorOf(() => new HashingVectorizer().transform([])).message).toContain('Cannot vectorize empty sequence');
  });
});
