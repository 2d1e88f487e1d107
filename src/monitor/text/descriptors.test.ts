import { describe, expect, it } from 'vitest';
import { MlshipError } from '../../core/index.js';
import { CountVectorizer } from '../../learn/index.js';
import { nonLetterShare, textDescriptors } from './descriptors.js';

// Expected values are worked out by hand from the definitions (Python's len / str.isalpha /
// scikit-learn's default analyzer, which python3 confirms for each string).
describe('textDescriptors', () => {
  it('computes length, words and nonLetterShare of known strings, including Unicode and empty', () => {
    const docs = ['', 'ab c1', 'Héllo wörld!\n', '😀 ok', 'e\u0301t\u00e9', '数据漂移', 'a\tb', '2024', 'I am x'];
    const d = textDescriptors(docs);
    // code points, not UTF-16 units: the emoji counts once, the combining accent counts once
    expect(Array.from(d.length)).toEqual([0, 5, 13, 4, 4, 4, 3, 4, 6]);
    // token pattern (?u)\b\w\w+\b after lowercasing: 'c1' is a token, 'I' and 'x' are too short,
    // U+0301 is not a word character so 'e\u0301té' yields only 'té'; CJK runs are one token
    expect(Array.from(d.words)).toEqual([0, 2, 2, 1, 1, 1, 0, 1, 1]);
    // non-letters / code points; the space U+0020 is neither, but tab and newline are non-letters
    expect(Array.from(d.nonLetterShare)).toEqual([0, 1 / 5, 2 / 13, 1 / 4, 1 / 4, 0, 1 / 3, 1, 0]);
    expect(d.oovShare).toBeUndefined();
    expect(d.missing).toBe(0);
  });

  it('measures the OOV share against a Set vocabulary; a document without tokens has share 0', () => {
    const d = textDescriptors(['Héllo wörld', 'hello HELLO world', '', '!!'], { vocabulary: new Set(['héllo', 'hello']) });
    expect(Array.from(d.oovShare!)).toEqual([1 / 2, 1 / 3, 0, 0]);
  });

  it('accepts the vocabulary_ Map and analyzer of a fitted vectorizer', () => {
    const cv = new CountVectorizer({ stopWords: 'english' }).fit(['the cat sat on the mat', 'a dog ran']);
    const d = textDescriptors(['The cat ran away', 'the the the'], { vocabulary: cv.vocabulary_!, analyzer: cv.buildAnalyzer() });
    // stop words removed: [cat, ran, away] -> away is out of vocabulary; 'the the the' has no tokens
    expect(Array.from(d.words)).toEqual([3, 0]);
    expect(Array.from(d.oovShare!)).toEqual([1 / 3, 0]);
  });

  it('gives NaN for missing documents and counts them', () => {
    const d = textDescriptors(['ok fine', null, undefined], { vocabulary: new Set(['ok']) });
    expect(d.missing).toBe(2);
    expect(d.length[0]).toBe(7);
    for (const a of [d.length, d.words, d.nonLetterShare, d.oovShare!]) {
      expect(Number.isNaN(a[1]!)).toBe(true);
      expect(Number.isNaN(a[2]!)).toBe(true);
    }
    expect(d.oovShare![0]).toBe(0.5);
  });

  it('rejects bad input with INVALID_ARGUMENT naming the field', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof MlshipError ? `${e.code}:${e.details?.field}` : 'other';
      }
      return 'none';
    };
    expect(code(() => textDescriptors('abc' as unknown as string[]))).toBe('INVALID_ARGUMENT:texts');
    expect(code(() => textDescriptors(['a', 3 as unknown as string]))).toBe('INVALID_ARGUMENT:texts[1]');
    expect(code(() => textDescriptors(['a'], { vocabulary: ['a'] as unknown as Set<string> }))).toBe('INVALID_ARGUMENT:vocabulary');
    expect(code(() => textDescriptors(['a'], { analyzer: 'word' as unknown as (s: string) => string[] }))).toBe('INVALID_ARGUMENT:analyzer');
  });
});

describe('nonLetterShare', () => {
  it('matches Evidently: letters of any script and U+0020 are not counted', () => {
    expect(nonLetterShare('Ωμέγα Δ')).toBe(0);
    expect(nonLetterShare('a\u00a0b')).toBe(1 / 3); // no-break space is not U+0020
    expect(nonLetterShare('')).toBe(0);
  });
});
