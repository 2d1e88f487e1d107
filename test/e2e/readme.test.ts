// The README's tour, run as written (through the built package), so the front page stays true.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  TfidfVectorizer,
  MultinomialNB,
  Pipeline,
  trainTestSplit,
  classificationReport,
  ColumnTransformer,
  SimpleImputer,
  StandardScaler,
  HistGradientBoostingRegressor,
  rootMeanSquaredError,
  permutationImportance,
} from 'mlship/learn';
import { loadDataset, loadTableDataset, inferSchema, assertValid, qualityReport, formatQualityReport } from 'mlship/data';
import type { Table } from 'mlship/core';
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

  it('loads a table, checks its quality and schema, fits a regression pipeline and ranks features', async () => {
    const boston = await loadTableDataset('boston-housing');
    const report = formatQualityReport(qualityReport(boston, { target: 'medv' }));
    expect(report).toMatch(/PASS/);
    const schema = inferSchema(boston);
    expect(assertValid(boston, schema)).toBe(boston);

    const X = boston.drop(['medv']);
    const y = boston.numeric('medv');
    const [xTrain, xTest, yTrain, yTest] = trainTestSplit(X, y, { testSize: 0.2, randomState: 42 }) as [Table, Table, Float64Array, Float64Array];
    const model = new Pipeline([
      ['prep', new ColumnTransformer([['num', new Pipeline([['impute', new SimpleImputer({ strategy: 'median' })], ['scale', new StandardScaler()]]), X.columnNames]])],
      ['hgb', new HistGradientBoostingRegressor({ randomState: 0 })],
    ]).fit(xTrain, yTrain);
    const rmse = rootMeanSquaredError(yTest, model.predict(xTest) as Float64Array);
    expect(rmse).toBeGreaterThan(1);
    expect(rmse).toBeLessThan(6);
    const imp = permutationImportance(model, xTest, yTest, { nRepeats: 5, randomState: 0 }).importancesMean;
    const top = X.columnNames[imp.indexOf(Math.max(...imp))];
    expect(['lstat', 'rm']).toContain(top);
  });
});
