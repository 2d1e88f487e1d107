// The housing regression workload as a user runs it: a California-housing-layout CSV the test writes
// itself (with the missing total_bedrooms values and the ocean_proximity categories the real file
// has), trained with the built CLI, then predict, model info and clean errors; and the same
// workload through the public exports, saved and loaded as a model package.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Table } from 'mlship/core';
import { loadCaliforniaHousing, loadTableDataset } from 'mlship/data';
import {
  ColumnTransformer,
  HistGradientBoostingRegressor,
  OneHotEncoder,
  Pipeline,
  RandomForestRegressor,
  SimpleImputer,
  StandardScaler,
  rootMeanSquaredError,
  trainTestSplit,
} from 'mlship/learn';
import { loadModel, recordsToTable, saveModel, tableSignature } from 'mlship/model';

const bin = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
let dir = '';

function mlship(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, MLSHIP_DEBUG: '' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const OCEAN = ['<1H OCEAN', 'INLAND', 'ISLAND', 'NEAR BAY', 'NEAR OCEAN'];
const HEADER = 'longitude,latitude,housing_median_age,total_rooms,total_bedrooms,population,households,median_income,median_house_value,ocean_proximity';

/** A seeded California-layout file: the value rises with income and falls inland; 1% of total_bedrooms missing. */
function housingCsv(n: number, seed: number): string {
  let s = seed >>> 0;
  const rnd = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const lines = [HEADER];
  for (let i = 0; i < n; i++) {
    const income = 0.5 + 9 * rnd();
    const ocean = OCEAN[Math.floor(rnd() * (i % 50 === 0 ? 5 : 4)) === 2 ? 4 : Math.floor(rnd() * 4) === 2 ? 3 : Math.floor(rnd() * 4)]!;
    const rooms = Math.round(500 + 5000 * rnd());
    const households = Math.round(rooms / (4 + 2 * rnd()));
    const bedrooms = i % 100 === 7 ? '' : String(Math.round(rooms / (4.5 + rnd())));
    const value = Math.round(30000 + 40000 * income - (ocean === 'INLAND' ? 60000 : 0) + 15000 * rnd());
    lines.push([(-124 + 10 * rnd()).toFixed(2), (32 + 10 * rnd()).toFixed(2), Math.round(1 + 51 * rnd()), rooms, bedrooms, Math.round(households * (2 + rnd())), households, income.toFixed(4), value, `"${ocean}"`].join(','));
  }
  return lines.join('\n') + '\n';
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mlship-tabular-e2e-'));
  writeFileSync(join(dir, 'housing.csv'), housingCsv(600, 7));
  writeFileSync(join(dir, 'new-houses.csv'), housingCsv(5, 99));
  writeFileSync(join(dir, 'bad-header.csv'), housingCsv(50, 1).replace('median_house_value', 'median_house_valu'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('mlship train tabular / predict (built CLI)', () => {
  it('trains on a California-layout CSV, saves the models, and predicts new rows from a file', () => {
    const train = mlship('train', 'tabular', '--data', 'housing.csv', '--model', 'ridge,hgb', '--out-dir', 'models', '--json');
    expect(train.stderr).not.toContain('error [');
    expect(train.status).toBe(0);
    const r = JSON.parse(train.stdout);
    expect(r.dataset).toMatchObject({ rows: 600, target: 'median_house_value' });
    expect(r.features.categorical).toEqual(['ocean_proximity']);
    expect(r.split).toMatchObject({ train: 480, test: 120 });
    for (const m of r.models) expect(m.evaluation.r2).toBeGreaterThan(0.8);
    expect(r.importance.features[0].name).toBe('median_income');

    const pred = mlship('predict', '--model', 'models/housing-hgb.mlship', '--input', 'new-houses.csv', '--json');
    expect(pred.stderr).not.toContain('error [');
    const out = JSON.parse(pred.stdout);
    expect(out.predictions).toHaveLength(5);
    for (const p of out.predictions) expect(Number.isFinite(p.prediction)).toBe(true);

    const info = JSON.parse(mlship('model', 'info', 'models/housing-ridge.mlship', '--json').stdout);
    const ocean = info.signature.inputs.find((f: { name: string }) => f.name === 'ocean_proximity');
    expect(ocean.values).toEqual(OCEAN);
    expect(info.signature.inputs.find((f: { name: string }) => f.name === 'total_bedrooms').optional).toBe(true);
    expect(info.metrics.rmse).toBe(r.models[0].evaluation.rmse);
  });

  it('rejects a row outside the signature, a missing or non-numeric target and an unknown model with clear errors', () => {
    const row = mlship('predict', '--model', 'models/housing-ridge.mlship', '--row', '{"longitude":-122,"latitude":37,"housing_median_age":20,"total_rooms":900,"population":800,"households":300,"median_income":3.1,"ocean_proximity":"ON THE MOON"}');
    expect(row.status).toBe(1);
    expect(row.stderr).toMatch(/error \[SCHEMA_MISMATCH\]: row\[0\]\.ocean_proximity is "ON THE MOON"; allowed values: <1H OCEAN, INLAND/);
    // Not the California layout any more (a header is misspelt), so the target must be named.
    const header = mlship('train', 'tabular', '--data', 'bad-header.csv');
    expect(header.status).toBe(1);
    expect(header.stderr).toMatch(/error \[INVALID_ARGUMENT\]: bad-header\.csv: say which column to predict with --target \(columns: longitude, .*median_house_valu,/);
    const target = mlship('train', 'tabular', '--data', 'bad-header.csv', '--target', 'ocean_proximity');
    expect(target.status).toBe(1);
    expect(target.stderr).toMatch(/error \[INVALID_DATA\]: .*'ocean_proximity' is a string column; a regression target must be numeric/);
    const model = mlship('train', 'tabular', '--data', 'housing.csv', '--model', 'svm');
    expect(model.status).toBe(2);
    expect(model.stderr).toMatch(/svm/);
  });
});

describe('the housing workload through the public exports', () => {
  it('ColumnTransformer + HistGradientBoosting / RandomForest fit a Table, save, load and predict identically', async () => {
    const housing = await loadCaliforniaHousing(join(dir, 'housing.csv'));
    const y = (housing.column('median_house_value') as unknown as { values: Float64Array }).values;
    const X = housing.drop(['median_house_value']);
    const [xTrain, xTest, yTrain, yTest] = trainTestSplit(X, y, { testSize: 0.2, randomState: 42 }) as [Table, Table, Float64Array, Float64Array];
    const numeric = X.columnNames.filter((c) => c !== 'ocean_proximity');
    for (const model of [new HistGradientBoostingRegressor({ randomState: 0 }), new RandomForestRegressor({ nEstimators: 30, randomState: 0, nJobs: 2 })]) {
      const pipe = new Pipeline([
        [
          'prep',
          new ColumnTransformer([
            ['num', new Pipeline([['impute', new SimpleImputer({ strategy: 'median' })], ['scale', new StandardScaler()]]), numeric],
            ['cat', new OneHotEncoder({ handleUnknown: 'ignore' }), ['ocean_proximity']],
          ]),
        ],
        ['model', model],
      ]).fit(xTrain, yTrain);
      const pred = pipe.predict(xTest) as Float64Array;
      expect(rootMeanSquaredError(yTest, pred)).toBeLessThan(0.3 * rootMeanSquaredError(yTest, new Float64Array(yTest.length).fill(yTrain.reduce((a, b) => a + b, 0) / yTrain.length)));
      const path = join(dir, `${model.estimatorName}.mlship`);
      await saveModel(path, pipe, { signature: tableSignature(xTrain, { task: 'regression' }) });
      const back = await loadModel(path);
      expect(Array.from((back.estimator as unknown as Pipeline).predict(xTest) as Float64Array)).toEqual(Array.from(pred));
      // Rows as a server receives them: JSON records, rebuilt into the training kinds by the signature.
      const records = xTest.head(3).toRecords();
      const again = (back.estimator as unknown as Pipeline).predict(recordsToTable(back.metadata.signature!, records)) as Float64Array;
      expect(Array.from(again)).toEqual(Array.from(pred.subarray(0, 3)));
    }
  });

  it('the built-in boston-housing table trains a forest on worker threads', async () => {
    const boston = await loadTableDataset('boston-housing');
    const y = (boston.column('medv') as unknown as { values: Float64Array }).values;
    const rf = new RandomForestRegressor({ nEstimators: 20, randomState: 1, nJobs: 2 }).fit(boston.drop(['medv']), y);
    expect(rf.score(boston.drop(['medv']), y)).toBeGreaterThan(0.9);
  });
});
