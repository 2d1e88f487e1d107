import { describe, expect, it } from 'vitest';
import { CsrMatrix, MlshipError } from '../../core/index.js';
import { CountVectorizer } from '../feature-extraction/index.js';
import { MultinomialNB } from '../naive-bayes/index.js';
import { assertEstimator, checkEstimator, ESTIMATOR_CHECKS } from './index.js';

const docs = ['free money now', 'meeting at noon', 'win money free', 'lunch at noon', 'free prize', 'notes from the meeting'];
const labels = ['spam', 'ham', 'spam', 'ham', 'spam', 'ham'];

describe('checkEstimator', () => {
  it('reports every check by name, honours skips with their reason, and marks not-applicable checks skipped', () => {
    const X = new CountVectorizer().fitTransform(docs) as CsrMatrix;
    const r = checkEstimator(new MultinomialNB(), { X, y: labels, skip: { emptyInput: 'reason given by the test' } });
    expect(r.results.map((x) => x.check)).toEqual([...ESTIMATOR_CHECKS]);
    expect(r.results.find((x) => x.check === 'emptyInput')).toEqual({ check: 'emptyInput', status: 'skipped', message: 'reason given by the test' });
    expect(r.results.find((x) => x.check === 'deterministicRandomState')!.status).toBe('skipped');
    const t = checkEstimator(new CountVectorizer(), { X: docs });
    expect(t.results.find((x) => x.check === 'nanInput')).toMatchObject({ status: 'skipped', message: 'input is not numeric' });
  });
  it('detects a violation: y that does not match X makes fit fail and the checks report it; assertEstimator throws listing them', () => {
    const X = new CountVectorizer().fitTransform(docs) as CsrMatrix;
    const r = checkEstimator(new MultinomialNB(), { X, y: labels.slice(0, 3) });
    expect(r.passed).toBe(false);
    expect(r.failures.map((f) => f.check)).toContain('fitReturnsThis');
    expect(() => assertEstimator(new MultinomialNB(), { X, y: labels.slice(0, 3) })).toThrow(MlshipError);
    expect(() => assertEstimator(new MultinomialNB(), { X, y: labels.slice(0, 3) })).toThrow(/fitReturnsThis/);
  });
});
