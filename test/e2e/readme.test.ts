// The README's tour, run as written (through the built package), so the front page stays true.
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
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
  Ridge,
  GridSearchCV,
} from 'mlship/learn';
import { MlshipClient } from 'mlship/tracking';
import { autolog } from 'mlship/autolog';
import { readTable, writeTableCsv, addData } from 'mlship/data';
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

  it('tracks a grid search with autologging, records the versioned data, registers, gates and rolls back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlship-readme-track-'));
    const cwd = process.cwd();
    process.chdir(dir);
    let disable: (() => void) | undefined;
    try {
      mkdirSync('data');
      await writeTableCsv(await loadTableDataset('boston-housing'), 'data/houses.csv');
      const added = await addData('data/houses.csv');

      // As in the README, from here on.
      const client = await MlshipClient.open();
      disable = autolog();
      await client.withRun({ experimentName: 'housing', runName: 'ridge-grid' }, async () => {
        const houses = await readTable('data/houses.csv');
        const search = new GridSearchCV(new Pipeline([['scale', new StandardScaler()], ['ridge', new Ridge()]]), { 'ridge.alpha': [0.1, 1, 10] }, { cv: 5, scoring: 'neg_root_mean_squared_error' });
        search.fit(houses.drop(['medv']), houses.numeric('medv'));
      });
      const [best] = await client.tracking.searchAllRuns({
        experimentIds: [(await client.tracking.getExperimentByName('housing'))!.experimentId],
        filter: "metrics.best_cv_score > -6 AND tags.estimator_name = 'GridSearchCV'",
        orderBy: ['metrics.best_cv_score DESC'],
      });
      const v = await client.registerModel(`runs:/${best!.info.runId}/model`, 'housing');
      const promoted = await client.promote('housing', v.version, { metric: 'best_cv_score', margin: 0.01 });

      expect(best!.info.runName).toBe('ridge-grid');
      expect(best!.data.params).toHaveProperty(['best_ridge.alpha']);
      expect(best!.inputs.map((d) => d.digest)).toContain(added.pointer.sha256);
      expect(promoted).toMatchObject({ promoted: true, alias: 'champion', version: 1 });
      expect((await client.resolveModelUri('models:/housing@champion')).version).toBe(1);
      const lineage = await client.datasetLineage(added.pointer.sha256);
      expect(lineage.modelVersions.map((m) => m.version)).toEqual([1]);
      await client.close();
    } finally {
      disable?.();
      process.chdir(cwd);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
