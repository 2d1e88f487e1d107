// End to end through the public exports (the built package: run `npm run build` first; `npm test`
// does): the reference text workload on the full built-in corpus gives scikit-learn's numbers.
// Reference values: scripts/sklearn-fixtures/pipelines.py (scikit-learn 1.2.1).
import { describe, expect, it } from 'vitest';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDataset } from 'mlship/data';
import { LogisticRegression, MultinomialNB, Pipeline, TfidfVectorizer, accuracyScore, rocAucScore } from 'mlship/learn';
import { loadModel, saveModel } from 'mlship/model';

interface PipelineRef {
  classes: string[];
  vocabularySize: number;
  predictions: string[];
  probaSpam: number[];
  accuracy: number;
  rocAuc: number;
  nIter: number | null;
}
const ref = JSON.parse(readFileSync(new URL('../fixtures/sklearn/pipelines-spam-assassin.json', import.meta.url), 'utf8')) as {
  nTrain: number;
  nTest: number;
  pipelines: Record<'tfidf-mnb' | 'tfidf12-logreg', PipelineRef>;
};

const { texts, labels } = await loadDataset('spam-assassin');
// The fixture's split: every 5th document is a test document.
const train = texts.flatMap((_, i) => (i % 5 === 4 ? [] : [i]));
const test = texts.flatMap((_, i) => (i % 5 === 4 ? [i] : []));
const xTrain = train.map((i) => texts[i]!);
const yTrain = train.map((i) => labels[i]!);
const xTest = test.map((i) => texts[i]!);
const yTest = test.map((i) => labels[i]!);

function spamColumn(proba: { rows: number; cols: number; data: Float64Array }, classes: readonly unknown[]): number[] {
  const c = classes.indexOf('spam');
  return Array.from({ length: proba.rows }, (_, i) => proba.data[i * proba.cols + c]!);
}

describe('text reference workload, full corpus, against scikit-learn', () => {
  it('uses the same split as the fixture', () => {
    expect(xTrain.length).toBe(ref.nTrain);
    expect(xTest.length).toBe(ref.nTest);
  });

  it('TF-IDF + MultinomialNB: same vocabulary size, probabilities within 1e-9, same accuracy; survives a save/load round trip', async () => {
    const expected = ref.pipelines['tfidf-mnb'];
    const pipe = new Pipeline([
      ['tfidf', new TfidfVectorizer()],
      ['clf', new MultinomialNB()],
    ]).fit(xTrain, yTrain);
    expect((pipe.namedSteps.tfidf as TfidfVectorizer).vocabulary_!.size).toBe(expected.vocabularySize);
    expect(pipe.classes_).toEqual(expected.classes);
    const proba = spamColumn(pipe.predictProba(xTest), pipe.classes_!);
    let worst = 0;
    for (let i = 0; i < proba.length; i++) worst = Math.max(worst, Math.abs(proba[i]! - expected.probaSpam[i]!));
    expect(worst).toBeLessThan(1e-9);
    const pred = pipe.predict(xTest);
    expect(pred).toEqual(expected.predictions);
    expect(Math.abs(accuracyScore(yTest, pred) - expected.accuracy)).toBeLessThan(1e-12);

    const dir = mkdtempSync(join(tmpdir(), 'mlship-e2e-'));
    try {
      await saveModel(join(dir, 'nb.mlship'), pipe, { metrics: { accuracy: expected.accuracy } });
      const { estimator, metadata } = await loadModel(join(dir, 'nb.mlship'));
      expect(metadata.metrics).toEqual({ accuracy: expected.accuracy });
      const again = spamColumn((estimator as Pipeline).predictProba(xTest), pipe.classes_!);
      expect(again).toEqual(proba);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('TF-IDF(1,2) + LogisticRegression: >= 99.9% of predictions agree at default tolerance, same iterations, ROC-AUC within 1e-4', () => {
    const expected = ref.pipelines['tfidf12-logreg'];
    const pipe = new Pipeline([
      ['tfidf', new TfidfVectorizer({ ngramRange: [1, 2] })],
      ['clf', new LogisticRegression()],
    ]).fit(xTrain, yTrain);
    expect((pipe.namedSteps.tfidf as TfidfVectorizer).vocabulary_!.size).toBe(expected.vocabularySize);
    const pred = pipe.predict(xTest) as string[];
    const agree = pred.filter((p: string, i: number) => p === expected.predictions[i]).length / pred.length;
    expect(agree).toBeGreaterThanOrEqual(0.999);
    expect((pipe.namedSteps.clf as LogisticRegression).nIter_![0]).toBe(expected.nIter);
    const proba = spamColumn(pipe.predictProba(xTest), pipe.classes_!);
    const auc = rocAucScore(yTest.map((y) => (y === 'spam' ? 1 : 0)), proba);
    expect(Math.abs(auc - expected.rocAuc)).toBeLessThan(1e-4);
  });
});
