import { EventEmitter } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MlshipClient } from '../tracking/index.js';
import type { ExampleResult } from './examples/common.js';
import { confusionMatrixSvg, escapeXml, residualPlotSvg, rocCurveSvg } from './examples/common.js';
import { exampleRun } from './example-commands.js';
import type { CliIo } from './io.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, run } from './main.js';

// Both reference projects end to end through the CLI, in process, on small data, against a real
// SQLite tracking store in a temp folder.

let dir: string;
let uri: string;

interface Captured {
  code: number;
  out: string;
  err: string;
}

async function cli(argv: string[]): Promise<Captured> {
  let out = '';
  let err = '';
  const io: CliIo = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, cwd: dir, env: {} };
  const code = await run(argv, io);
  return { code, out, err };
}

async function runJson(argv: string[]): Promise<ExampleResult> {
  const r = await cli([...argv, '--tracking-uri', uri, '--json']);
  expect(r.err).toBe('');
  expect(r.code).toBe(EXIT_OK);
  return JSON.parse(r.out) as ExampleResult;
}

async function withStore<T>(fn: (client: MlshipClient) => Promise<T>): Promise<T> {
  const client = await MlshipClient.open({ trackingUri: uri });
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

const TASKS = ['ingest', 'validate', 'split', 'tune', 'train', 'evaluate', 'register', 'promote'];

/** Checks a text artifact is an SVG document: starts with `<svg`, balanced, ends with `</svg>`. */
function expectSvg(text: string): void {
  expect(text.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  expect(text.trimEnd().endsWith('</svg>')).toBe(true);
  expect(text.match(/<svg\b/g)).toHaveLength(1);
  expect(text).not.toMatch(/NaN|undefined/);
  // every element is closed: self-closing, or opened and closed the same number of times
  for (const tag of ['text', 'title']) expect((text.match(new RegExp(`<${tag}\\b`, 'g')) ?? []).length).toBe((text.match(new RegExp(`</${tag}>`, 'g')) ?? []).length);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlship-example-cli-'));
  uri = `sqlite://${join(dir, 'mlship.db')}`;
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('mlship example', () => {
  it('lists the projects and has --help with examples', async () => {
    const list = await cli(['example', 'list']);
    expect(list.code).toBe(EXIT_OK);
    expect(list.out).toMatch(/text-classification\s+spam-assassin/);
    expect(list.out).toMatch(/housing-regression\s+boston-housing/);
    const json = JSON.parse((await cli(['example', 'list', '--json'])).out) as { name: string; metric: string }[];
    expect(json.map((p) => [p.name, p.metric])).toEqual([
      ['text-classification', 'f1'],
      ['housing-regression', 'rmse'],
    ]);
    const help = await cli(['example', 'run', '--help']);
    expect(help.code).toBe(EXIT_OK);
    expect(help.out).toContain('$ mlship example run text-classification');
    const bad = await cli(['example', 'run', 'nope']);
    expect(bad.code).toBe(EXIT_USAGE);
    expect(bad.err).toMatch(/expected one of text-classification, housing-regression/);
  });

  it('runs text-classification end to end: tasks, artifacts, registered version, promotion', async () => {
    const first = await runJson(['example', 'run', 'text-classification', '--limit', '600']);
    expect(first.state).toBe('Completed');
    expect(first.tasks.map((t) => [t.name, t.state])).toEqual(TASKS.map((t) => [t, 'Completed']));
    expect(first.dataset).toMatchObject({ name: 'spam-assassin', rows: 600 });
    expect(first.tuning?.params['clf.alpha']).toBeTypeOf('number');
    expect(first.metrics.f1).toBeGreaterThan(0.5);
    expect(first.metrics.roc_auc).toBeGreaterThan(0.8);
    expect(first.model).toEqual({ name: 'text-classification', version: 1, uri: 'models:/text-classification/1' });
    expect(first.promotion).toMatchObject({ promoted: true, alias: 'champion', version: 1, previousVersion: null, metric: 'f1' });

    await withStore(async (client) => {
      const runInfo = await client.tracking.getRun(first.runId!);
      expect(runInfo.info.status).toBe('FINISHED');
      expect(runInfo.inputs.map((i) => i.digest)).toContain(first.dataset!.digest);
      expect(runInfo.data.metrics.f1?.value).toBeCloseTo(first.metrics.f1!, 12);
      const store = await client.artifacts(first.runId!);
      const listed = (await store.list('evaluation')).map((a) => a.path).sort();
      expect(listed).toEqual(['evaluation/classification_report.txt', 'evaluation/confusion_matrix.svg', 'evaluation/roc_curve.svg']);
      const cm = new TextDecoder().decode(await store.readBytes('evaluation/confusion_matrix.svg'));
      expectSvg(cm);
      expect(cm).toContain('>ham</text>');
      expect(cm).toContain('>spam</text>');
      expectSvg(new TextDecoder().decode(await store.readBytes('evaluation/roc_curve.svg')));
      expect(new TextDecoder().decode(await store.readBytes('evaluation/classification_report.txt'))).toMatch(/precision\s+recall\s+f1-score/);
      const champion = await client.resolveModelUri('models:/text-classification@champion');
      expect(champion.version).toBe(1);
      expect(champion.runId).toBe(first.runId);
    });

    // the same data and seed give the same F1: version 2 is registered but does not beat v1
    const second = await cli(['example', 'run', 'text-classification', '--limit', '600', '--tracking-uri', uri]);
    expect(second.code).toBe(EXIT_OK);
    expect(second.out).toMatch(/register\s+Completed.*models:\/text-classification\/2/);
    expect(second.out).toMatch(/^not promoted: /m);
    // the grid search was cached by data digest, grid and version: reused, and still logged on the run
    expect(second.out).toMatch(/^\s*tune\s+Cached\s.*best alpha [\d.]+ \(cached result\)$/m);
    const secondId = /^run ([0-9a-f]{32}) /m.exec(second.out)![1]!;
    await withStore(async (client) => {
      const run = await client.tracking.getRun(secondId);
      expect(run.data.params['clf.alpha']).toBeDefined();
      expect(run.data.metrics.cv_f1_macro?.value).toBeCloseTo(first.tuning!.cvScore, 12);
    });
    const refreshed = await cli(['example', 'run', 'text-classification', '--limit', '600', '--tracking-uri', uri, '--refresh']);
    expect(refreshed.code).toBe(EXIT_OK);
    expect(refreshed.out).toMatch(/^\s*tune\s+Completed\s/m);
    expect(second.out).toContain('mlship runs show ');
    // every task logged what it did; `mlship runs logs` merges the task runs' lines by time
    const logs = await cli(['runs', 'logs', first.runId!, '--tracking-uri', uri]);
    expect(logs.code).toBe(EXIT_OK);
    const logLines = logs.out.trimEnd().split('\n');
    expect(logLines.map((l) => l.split(/\s+/)[0])).toEqual(TASKS.map((t) => `${t}-1`));
    expect(logs.out).toMatch(/^evaluate-1\s+\d\d:\d\d:\d\d\.\d{3} \| INFO    \| accuracy 0\.\d+, F1/m);
    await withStore(async (client) => {
      expect((await client.resolveModelUri('models:/text-classification@champion')).version).toBe(1);
    });
  });

  it('runs housing-regression end to end on boston: residual plot, RMSE, champion', async () => {
    const r = await runJson(['example', 'run', 'housing-regression', '--experiment', 'houses']);
    expect(r.state).toBe('Completed');
    expect(r.experiment).toBe('houses');
    expect(r.tasks.map((t) => [t.name, t.state])).toEqual(TASKS.map((t) => [t, 'Completed']));
    expect(r.dataset).toMatchObject({ name: 'boston-housing', rows: 506 });
    expect(r.metrics.rmse).toBeGreaterThan(2);
    expect(r.metrics.rmse).toBeLessThan(8);
    expect(r.metrics.r2).toBeGreaterThan(0.5);
    expect(r.artifacts).toContain('evaluation/residuals.svg');
    expect(r.promotion).toMatchObject({ promoted: true, version: 1, metric: 'rmse', mode: 'min' });
    await withStore(async (client) => {
      const store = await client.artifacts(r.runId!);
      const svg = new TextDecoder().decode(await store.readBytes('evaluation/residuals.svg'));
      expectSvg(svg);
      expect(svg.match(/<circle /g)).toHaveLength(102); // one point per test row
      const exp = await client.tracking.getExperimentByName('houses');
      expect(exp).not.toBeNull();
      const champion = await client.resolveModelUri('models:/housing-regression@champion');
      expect(champion.runId).toBe(r.runId);
    });
  });

  it('fails the flow at the validate gate on a bad file, with a clear error', async () => {
    // 30 spam and 2 ham messages: loads, but too few ham for the split and 3-fold CV
    const rows = ['text,label', ...Array.from({ length: 30 }, (_, i) => `"cheap pills offer ${i}",spam`), '"lunch at noon?",ham', '"see you tomorrow",ham'];
    await writeFile(join(dir, 'tiny-ham.csv'), `${rows.join('\n')}\n`);
    const r = await cli(['example', 'run', 'text-classification', '--data', 'tiny-ham.csv', '--tracking-uri', uri, '--experiment', 'bad']);
    expect(r.code).toBe(EXIT_FAILURE);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^error \[INVALID_DATA\]: validate: the dataset .*tiny-ham\.csv.* failed the quality gate: class "ham" has 2 document\(s\); the 80\/20 split and 3-fold cross-validation need at least 5 per class$/m);
    expect(r.err).toMatch(/^hint: give a labelled dataset/m);
    expect(r.err).toMatch(/ingest\s+Completed/);
    expect(r.err).toMatch(/validate\s+Failed/);
    expect(r.err).toMatch(/split\s+Failed\s+skipped: an earlier task failed/);
    expect(r.err).not.toMatch(/^\s+at /m);
    await withStore(async (client) => {
      const exp = await client.tracking.getExperimentByName('bad');
      const runs = await client.tracking.searchRuns({ experimentIds: [exp!.experimentId] });
      const flowRun = runs.items.find((x) => x.data.tags['mlship.type'] === 'flow')!;
      expect(flowRun.info.status).toBe('FAILED');
      expect(flowRun.data.tags['mlship.state']).toBe('Failed');
      // nothing was registered from the failed run
      const versions = await client.registry.searchModelVersions({ runIds: [flowRun.info.runId] });
      expect(versions.items).toEqual([]);
    });

    // a California housing file with most total_bedrooms missing fails the quality report
    const header = 'longitude,latitude,housing_median_age,total_rooms,total_bedrooms,population,households,median_income,median_house_value,ocean_proximity';
    const lines = Array.from({ length: 40 }, (_, i) => `${-122 + i / 100},${37 + i / 100},${10 + (i % 30)},${1000 + 37 * i},${i % 3 === 0 ? 200 + i : ''},${500 + 11 * i},${150 + i},${2 + (i % 7) / 2},${100000 + 5000 * (i % 11)},${i % 2 ? 'NEAR BAY' : 'INLAND'}`);
    await writeFile(join(dir, 'housing.csv'), `${[header, ...lines].join('\n')}\n`);
    const h = await cli(['example', 'run', 'housing-regression', '--data', 'housing.csv', '--tracking-uri', uri, '--experiment', 'bad-houses']);
    expect(h.code).toBe(EXIT_FAILURE);
    expect(h.err).toMatch(/^error \[INVALID_DATA\]: validate: the dataset "housing.csv" failed the quality gate: .*total_bedrooms/m);
    expect(h.err).toMatch(/ingest\s+Completed\s+\d+ ms\s+40 rows x 10 columns from housing.csv, target median_house_value/);
  });

  it('trains housing-regression on a California housing CSV into its own registered model', async () => {
    const header = 'longitude,latitude,housing_median_age,total_rooms,total_bedrooms,population,households,median_income,median_house_value,ocean_proximity';
    const near = ['NEAR BAY', 'INLAND', '<1H OCEAN', 'NEAR OCEAN'];
    const lines = Array.from({ length: 120 }, (_, i) => `${-122 + (i % 13) / 10},${37 + (i % 7) / 10},${1 + (i % 50)},${800 + 37 * i},${i % 25 === 0 ? '' : 150 + ((7 * i) % 300)},${400 + ((11 * i) % 900)},${120 + ((5 * i) % 400)},${(1 + (i % 17) / 2).toFixed(2)},${40000 * (1 + (i % 17) / 2) + 9000 * ((i * 7919) % 5)},${near[i % 4]}`);
    await writeFile(join(dir, 'cal.csv'), `${[header, ...lines].join('\n')}\n`);
    const r = await runJson(['example', 'run', 'housing-regression', '--data', 'cal.csv', '--experiment', 'california']);
    expect(r.tasks.every((t) => t.state === 'Completed')).toBe(true);
    expect(r.dataset).toMatchObject({ name: 'cal', rows: 120 });
    expect(r.metrics.r2).toBeGreaterThan(0.8);
    // a different dataset never competes with the Boston champion
    expect(r.model).toEqual({ name: 'housing-regression-cal', version: 1, uri: 'models:/housing-regression-cal/1' });
    expect(r.promotion).toMatchObject({ promoted: true, previousVersion: null });
  });

  it('--serve serves the champion after the flow, on a free port when the one asked for is taken, until SIGTERM', async () => {
    const blocker = createServer(() => undefined);
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const taken = (blocker.address() as AddressInfo).port;
    const signals = new EventEmitter();
    let out = '';
    let err = '';
    let listening: (url: string) => void = () => undefined;
    const url = new Promise<string>((r) => (listening = r));
    const io: CliIo = {
      stdout: {
        write: (s: string) => {
          out += s;
          const m = /listening on (http:\/\/\S+)/.exec(s);
          if (m) listening(m[1]!);
        },
      },
      stderr: { write: (s: string) => (err += s) },
      cwd: dir,
      env: {},
    };
    const done = exampleRun('housing-regression', { trackingUri: uri, experiment: 'served', modelName: 'served-housing', serve: true, port: taken }, io, signals);
    try {
      const base = await url;
      expect(base).not.toContain(`:${taken}`);
      expect(err).toContain(`port ${taken} is taken`);
      const res = await fetch(`${base}/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ instances: [{ crim: 0.03, zn: 0, indus: 7.07, chas: 0, nox: 0.469, rm: 6.4, age: 79, dis: 4.97, rad: 2, tax: 242, ptratio: 17.8, b: 396.9, lstat: 9.1 }] }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-model-version')).toBe('1');
      const body = (await res.json()) as { model_name: string; predictions: { prediction: number }[] };
      expect(body.model_name).toBe('served-housing');
      expect(body.predictions[0]!.prediction).toBeGreaterThan(5);
    } finally {
      signals.emit('SIGTERM');
      await done;
      await new Promise<void>((r) => blocker.close(() => r()));
    }
    expect(out).toMatch(/promote\s+Completed/);
    expect(err).toMatch(/stopped/);
  });

  it('renders SVG plots that escape labels and survive degenerate input', () => {
    expect(escapeXml(`<a & "b">`)).toBe('&lt;a &amp; &quot;b&quot;&gt;');
    const cm = confusionMatrixSvg(['<neg>', 'pos'], [
      [0, 0],
      [0, 0],
    ]);
    expectSvg(cm);
    expect(cm).toContain('&lt;neg&gt;');
    const roc = rocCurveSvg([0, 0.5, 1], [0, 1, 1], 0.75, 'a<b');
    expectSvg(roc);
    expect(roc).toContain('<title>ROC curve (a&lt;b), AUC 0.750</title>');
    expect(roc).toContain('points="60.0,380.0 230.0,40.0 400.0,40.0"');
    expectSvg(rocCurveSvg([0, 1], [0, 1], Number.NaN));
    expectSvg(residualPlotSvg([3, 3], [3, 3]));
  });
});
