// The README's tour, run as written (through the built package), so the front page stays true.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TfidfVectorizer, MultinomialNB, Pipeline, trainTestSplit, classificationReport } from 'mlship/learn';
import { loadDataset } from 'mlship/data';
import { saveModel, loadModel } from 'mlship/model';

describe('README tour', () => {
  it('trains, reports, sets nested params, saves and loads', async () => {
    const { texts, labels } = await loadDataset('spam-assassin');
    const [xTrain, xTest, yTrain, yTest] = trainTestSplit(texts, labels, { testSize: 0.2, stratify: labels, randomState: 42 }) as [string[], string[], string[], string[]];
    const model = new Pipeline([
      ['tfidf', new TfidfVectorizer({ ngramRange: [1, 2], minDf: 2 })],
      ['clf', new MultinomialNB({ alpha: 0.1 })],
    ]).fit(xTrain, yTrain);
    const report = classificationReport(yTest, model.predict(xTest)) as string;
    expect(report).toMatch(/spam\s+0\.\d\d\s+0\.\d\d\s+0\.\d\d\s+\d+/);
    model.setParams({ 'tfidf.minDf': 5 });
    expect(model.getParams()['tfidf.minDf']).toBe(5);

    const dir = mkdtempSync(join(tmpdir(), 'mlship-readme-'));
    try {
      const path = join(dir, 'models', 'spam.mlship');
      await saveModel(path, model, { metrics: { accuracy: 0.98 } });
      const { estimator, metadata } = await loadModel(path);
      expect(metadata.metrics).toEqual({ accuracy: 0.98 });
      expect((estimator as Pipeline).predict(xTest.slice(0, 50))).toEqual(model.predict(xTest.slice(0, 50)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
