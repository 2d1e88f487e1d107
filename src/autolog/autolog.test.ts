import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { isMlshipError, type Label, type Table } from '../core/index.js';
import { fingerprintTable, fingerprintTextDataset, loadDataset, loadTableDataset } from '../data/index.js';
import {
  GridSearchCV,
  LinearRegression,
  MultinomialNB,
  Pipeline,
  Ridge,
  StandardScaler,
  TfidfVectorizer,
  accuracyScore,
  f1Score,
  logLoss,
  meanAbsoluteError,
  r2Score,
  rootMeanSquaredError,
} from '../learn/index.js';
import { loadModel, tableSignature, textClassifierSignature } from '../model/index.js';
import { MlshipClient, type Run } from '../tracking/index.js';
import { autolog, loadModelUri, logModel } from './index.js';

let dir = '';
let client: MlshipClient;
let docs: string[] = [];
let labels: string[] = [];
let X: Table;
let y: Float64Array;
let disable: (() => void) | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mlship-autolog-'));
  client = await MlshipClient.open({ trackingUri: `sqlite://${dir}/mlship.db` });
  let i = 0;
  const spam = await loadDataset('spam-assassin', { filter: () => i++ % 25 === 0 }); // ~240 real emails
  docs = spam.texts;
  labels = spam.labels;
  const boston = await loadTableDataset('boston-housing');
  X = boston.drop(['medv']);
  y = (boston.column('medv') as { values: Float64Array }).values;
});

afterEach(async () => {
  disable?.();
  disable = undefined;
  for (let run = client.activeRun(); run; run = client.activeRun()) await run.end('KILLED');
});

afterAll(async () => {
  await client.close();
  rmSync(dir, { recursive: true, force: true });
});

function textPipeline(): Pipeline {
  return new Pipeline([
    ['tfidf', new TfidfVectorizer({ minDf: 2 })],
    ['clf', new MultinomialNB({ alpha: 0.1 })],
  ]);
}

async function runOf(runId: string): Promise<Run> {
  return client.tracking.getRun(runId);
}

function metricValues(run: Run): Record<string, number> {
  return Object.fromEntries(Object.entries(run.data.metrics).map(([k, m]) => [k, m.value]));
}

describe('autolog: text classification pipeline', () => {
  it('logs flattened params, training metrics equal to the metric functions, tags, data and the model', async () => {
    disable = autolog({ client });
    const pipe = textPipeline();
    const runId = await client.withRun({ experimentName: 'autolog-text' }, (run) => {
      expect(pipe.fit(docs, labels)).toBe(pipe);
      return run.runId;
    });
    const run = await runOf(runId);
    const p = run.data.params;
    expect(p['tfidf.minDf']).toBe('2');
    expect(p['clf.alpha']).toBe('0.1');
    expect(p['tfidf.ngramRange']).toBe('[1,1]');
    expect(p['steps']).toBe('[["tfidf","TfidfVectorizer"],["clf","MultinomialNB"]]');
    // the steps' own fits were not logged as separate estimators
    expect(p['alpha']).toBeUndefined();
    expect(run.data.tags['estimator_name']).toBe('Pipeline');
    expect(run.data.tags['estimator_class']).toBe('Pipeline');

    const pred = pipe.predict(docs);
    const classes = pipe.classes_ as Label[];
    expect(classes).toEqual(['ham', 'spam']);
    expect(metricValues(run)).toEqual({
      training_accuracy: accuracyScore(labels, pred),
      training_f1: f1Score(labels, pred, { average: 'macro' }),
      training_log_loss: logLoss(labels, pipe.predictProba(docs), { labels: classes }),
    });

    expect(run.inputs).toEqual([
      expect.objectContaining({ name: 'training_data', digest: fingerprintTextDataset({ texts: docs, labels }), source: 'memory', rowCount: docs.length, context: 'training' }),
    ]);

    // the model package round-trips and predicts as the in-memory model
    const resolved = await client.resolveModelUri(`runs:/${runId}/model`);
    const loaded = await loadModel(resolved.path);
    expect(loaded.metadata.signature).toEqual(textClassifierSignature(['ham', 'spam']));
    expect(loaded.metadata.dataFingerprint).toBe(fingerprintTextDataset({ texts: docs, labels }));
    const probe = [...docs.slice(0, 20), 'win a free prize now, click here', 'minutes of the meeting attached'];
    expect((loaded.estimator as Pipeline).predict(probe)).toEqual(pipe.predict(probe));
    expect((loaded.estimator as Pipeline).predictProba(probe).data).toEqual(pipe.predictProba(probe).data);
  });

  it('a grid search logs best params and score, cv_results.json and the top candidates as child runs', async () => {
    disable = autolog({ client, maxCvChildRuns: 2 });
    const search = new GridSearchCV(textPipeline(), { 'clf.alpha': [0.01, 0.1, 1], 'tfidf.sublinearTf': [false, true] }, { cv: 3, scoring: 'f1_macro' });
    const { runId, experimentId } = await client.withRun({ experimentName: 'autolog-search' }, (run) => {
      search.fit(docs, labels);
      return { runId: run.runId, experimentId: run.experimentId };
    });
    const run = await runOf(runId);
    const r = search.cvResults_!;
    expect(run.data.params['best_clf.alpha']).toBe(String(search.bestParams_!['clf.alpha']));
    expect(run.data.params['best_tfidf.sublinearTf']).toBe(String(search.bestParams_!['tfidf.sublinearTf']));
    expect(run.data.params['estimator.clf.alpha']).toBe('0.1');
    expect(run.data.params['cv']).toBe('3');
    expect(run.data.tags['estimator_name']).toBe('GridSearchCV');
    const m = metricValues(run);
    expect(m['best_cv_score']).toBe(search.bestScore_);
    const pred = search.predict(docs);
    expect(m['training_accuracy']).toBe(accuracyScore(labels, pred));
    expect(m['training_f1']).toBe(f1Score(labels, pred, { average: 'macro' }));

    const store = await client.artifacts(runId);
    const cv = JSON.parse(new TextDecoder().decode(await store.readBytes('cv_results.json'))) as Record<string, unknown>;
    expect(cv['mean_test_score']).toEqual(Array.from(r.meanTestScore!));
    expect(cv['rank_test_score']).toEqual(Array.from(r.rankTestScore!));
    expect(cv['split2_test_score']).toEqual(Array.from(r['split2TestScore'] as Float64Array));
    expect(cv['params']).toEqual(r.params);
    expect(cv['param_clf.alpha']).toEqual([0.01, 0.01, 0.1, 0.1, 1, 1]);

    const children = (await client.tracking.searchAllRuns({ experimentIds: [experimentId] })).filter((c) => c.info.parentRunId === runId);
    expect(children).toHaveLength(2);
    const order = Array.from(r.rankTestScore!.keys()).sort((a, b) => r.rankTestScore![a]! - r.rankTestScore![b]! || a - b);
    const byIndex = new Map(children.map((c) => [Number(c.data.tags['cv_candidate_index']), c]));
    expect([...byIndex.keys()].sort()).toEqual(order.slice(0, 2).sort());
    for (const [index, child] of byIndex) {
      expect(child.info.status).toBe('FINISHED');
      expect(child.data.params['clf.alpha']).toBe(String(r.params[index]!['clf.alpha']));
      expect(metricValues(child)['mean_test_score']).toBe(r.meanTestScore![index]);
      expect(metricValues(child)['std_test_score']).toBe(r.stdTestScore![index]);
      expect(metricValues(child)['rank_test_score']).toBe(r.rankTestScore![index]);
    }
    // the search's inner fits (CV clones, refit) produced no runs of their own
    expect((await client.tracking.searchAllRuns({ experimentIds: [experimentId] })).length).toBe(3);

    const loaded = await loadModel((await client.resolveModelUri(`runs:/${runId}/model`)).path);
    expect((loaded.estimator as Pipeline).predict(docs.slice(0, 30))).toEqual(search.predict(docs.slice(0, 30)));
  });
});

describe('autolog: Boston housing regression', () => {
  it('logs training_r2, training_rmse and training_mae equal to the metric functions, and a table signature', async () => {
    // no client given: the active run of any client receives the logging
    disable = autolog();
    const pipe = new Pipeline([
      ['scale', new StandardScaler()],
      ['ridge', new Ridge({ alpha: 2 })],
    ]);
    const runId = await client.withRun({ experimentName: 'autolog-boston' }, (run) => {
      pipe.fit(X, y);
      return run.runId;
    });
    const run = await runOf(runId);
    expect(run.data.params['ridge.alpha']).toBe('2');
    const pred = pipe.predict(X);
    expect(metricValues(run)).toEqual({
      training_r2: r2Score(y, pred),
      training_rmse: rootMeanSquaredError(y, pred),
      training_mae: meanAbsoluteError(y, pred),
    });
    expect(run.inputs[0]).toMatchObject({ name: 'training_data', digest: fingerprintTable(X), rowCount: 506, schema: X.columns.map((c) => ({ name: c.name, kind: c.kind })) });
    const loaded = await loadModel((await client.resolveModelUri(`runs:/${runId}/model`)).path);
    expect(loaded.metadata.signature).toEqual(tableSignature(X, { task: 'regression' }));
    expect(loaded.metadata.metrics['training_r2']).toBe(r2Score(y, pred));
    expect(Array.from((loaded.estimator as Pipeline).predict(X) as Float64Array)).toEqual(Array.from(pred));
  });

  it('without a client, child runs of a search go through a client on the default tracking URI', async () => {
    const saved = process.env.MLSHIP_TRACKING_URI;
    process.env.MLSHIP_TRACKING_URI = `sqlite://${dir}/mlship.db`;
    try {
      disable = autolog({ maxCvChildRuns: 1 });
      const search = new GridSearchCV(new Ridge(), { alpha: [0.1, 10] }, { cv: 2 });
      const run = await client.withRun({ experimentName: 'autolog-default-client' }, (r) => {
        search.fit(X, y);
        return r;
      });
      const all = await client.tracking.searchAllRuns({ experimentIds: [run.experimentId] });
      const children = all.filter((c) => c.info.parentRunId === run.runId);
      expect(children).toHaveLength(1);
      expect(children[0]!.data.params['alpha']).toBe(String(search.bestParams_!['alpha']));
    } finally {
      if (saved === undefined) delete process.env.MLSHIP_TRACKING_URI;
      else process.env.MLSHIP_TRACKING_URI = saved;
    }
  });

  it('logModel writes model/model.mlship and registers it under a name', async () => {
    const model = new LinearRegression().fit(X, y);
    const run = await client.startRun({ experimentName: 'autolog-boston' });
    const logged = await logModel(run, model, { registeredModelName: 'boston-lr', client, metadata: { tags: { dataset: 'boston' } } });
    await run.end();
    expect(logged.artifactPath).toBe('model');
    expect(logged.modelVersion).toMatchObject({ name: 'boston-lr', version: 1, runId: run.runId });
    const byName = await loadModel((await client.resolveModelUri('models:/boston-lr/1')).path);
    expect(byName.metadata.tags).toEqual({ dataset: 'boston' });
    expect(Array.from((byName.estimator as LinearRegression).predict(X) as Float64Array)).toEqual(Array.from(model.predict(X)));
    const files = (await (await client.artifacts(run.runId)).list('model')).map((f) => f.path);
    expect(files).toEqual(['model/model.mlship']);
    // loadModelUri takes every URI form and gives the same model.
    await client.registry.setAlias('boston-lr', 'champion', 1);
    for (const uri of ['models:/boston-lr@champion', 'models:/boston-lr/latest', `runs:/${run.runId}/model`]) {
      const loaded = await loadModelUri(uri, { client });
      expect(Array.from((loaded.estimator as LinearRegression).predict(X) as Float64Array), uri).toEqual(Array.from(model.predict(X)));
    }
    expect((await loadModelUri('models:/boston-lr@champion', { client })).resolved).toMatchObject({ name: 'boston-lr', version: 1 });
    await expect(loadModelUri('models:/boston-lr@nope', { client })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('logModel refuses an unfitted estimator with NOT_FITTED', async () => {
    const run = await client.startRun({ experimentName: 'autolog-boston' });
    try {
      await logModel(run, new LinearRegression());
      throw new Error('expected NOT_FITTED');
    } catch (err) {
      expect(isMlshipError(err, 'NOT_FITTED')).toBe(true);
    } finally {
      await run.end();
    }
  });
});

describe('autolog: when it logs nothing, and failures', () => {
  it('logs nothing without an active run, and nothing after disable()', async () => {
    const before = (await client.tracking.searchAllRuns({ experimentIds: ['0'] })).length;
    disable = autolog({ client });
    new LinearRegression().fit(X, y); // no active run
    expect((await client.tracking.searchAllRuns({ experimentIds: ['0'] })).length).toBe(before);
    disable();
    const runId = await client.withRun({}, (run) => {
      new LinearRegression().fit(X, y);
      return run.runId;
    });
    const run = await runOf(runId);
    expect(run.data.params).toEqual({});
    expect(run.data.metrics).toEqual({});
    expect(await (await client.artifacts(runId)).list()).toEqual([]);
    // autolog({ disable: true }) turns it off too, and autolog() twice subscribes once
    autolog({ client });
    disable = autolog({ client, logModels: false });
    const twice = await client.withRun({}, (run) => {
      new LinearRegression().fit(X, y);
      return run.runId;
    });
    expect((await runOf(twice)).data.params['fitIntercept']).toBe('true');
    expect(await (await client.artifacts(twice)).list()).toEqual([]); // logModels: false
    autolog({ disable: true });
    const off = await client.withRun({}, (run) => {
      new LinearRegression().fit(X, y);
      return run.runId;
    });
    expect((await runOf(off)).data.params).toEqual({});
  });

  it('a failing store never breaks fit: the error is reported once on stderr and the rest is logged', async () => {
    disable = autolog({ client });
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const run = await client.startRun({ experimentName: 'autolog-failing' });
      // the run's artifact folder is a file: every artifact write fails
      mkdirSync(join(run.artifactUri, '..'), { recursive: true });
      rmSync(run.artifactUri, { recursive: true, force: true });
      writeFileSync(run.artifactUri, 'not a folder');
      const a = new LinearRegression();
      expect(a.fit(X, y)).toBe(a);
      expect(new LinearRegression().fit(X, y).isFitted).toBe(true);
      await run.flush();
      await run.end();
      const lines = written.join('').split('\n').filter((l) => l.startsWith('mlship autolog:'));
      expect(lines).toHaveLength(1);
      const stored = await runOf(run.runId);
      expect(stored.data.params['fitIntercept']).toBe('true');
      expect(Object.keys(stored.data.metrics).sort()).toEqual(['training_mae', 'training_r2', 'training_rmse']);
    } finally {
      spy.mockRestore();
    }
  });
});
