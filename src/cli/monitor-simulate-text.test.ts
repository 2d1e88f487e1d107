// `mlship monitor simulate` on a text model: the text-classification reference flow (a small
// seeded subsample, with its reference profile) served with the in-process monitor; traffic
// shifted after a short unshifted phase (spam only, out-of-vocabulary words) is found by the text
// descriptors, the prediction drift and the domain classifier.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateTraffic } from '../monitor/index.js';
import { startModelServer, type RunningModelServer } from '../serve/index.js';
import { MlshipClient } from '../tracking/index.js';
import { runTextClassification } from './examples/text-classification.js';

let dir = '';
let client: MlshipClient;
let server: RunningModelServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mlship-simulate-text-'));
  const trackingUri = `sqlite://${dir}/mlship.db`;
  client = await MlshipClient.open({ trackingUri });
  const trained = await runTextClassification({ client, modelName: 'spam', limit: 400, cwd: dir, cacheStorage: join(dir, 'cache') });
  expect(trained.state).toBe('Completed');
  server = await startModelServer({ models: ['models:/spam@champion'], port: 0, trackingUri, onEvent: () => undefined, monitor: { window: '10m', every: '1h', runImmediately: false, alerts: { log: () => undefined } } });
}, 120_000);

afterAll(async () => {
  await server?.close();
  await client?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('mlship monitor simulate on a text model', () => {
  it('shifted documents drift in their descriptors, predictions and words', async () => {
    const r = await simulateTraffic({ url: server.url, rate: 100, durationMs: 3000, shift: 0.6, baseline: 0.2, labels: true });
    expect(r).toMatchObject({ model: 'spam', kind: 'text', dataset: 'spam-assassin', failed: 0 });
    expect(r.labelled).toBe(r.sent);
    await server.predictionLog!.flush();
    const check = await server.monitors[0]!.checkNow();
    expect(check.status).toBe('ok');
    const d = check.result!.drift;
    expect(d.columns['text.oov_share']!.drift).toBe(true);
    expect(d.drift).toBe(true);
    expect(d.prediction!.drift).toBe(true); // the class mix moved to spam
    expect(d.text!.domainClassifier!.drift).toBe(true);
    // the classifier names the injected out-of-vocabulary words (simulate's made-up words start with 'zq')
    expect(d.text!.domainClassifier!.typicalCurrentWords.slice(0, 10).some((w) => w.startsWith('zq'))).toBe(true);
    expect(check.conditions.map((c) => c.key)).toEqual(['dataset_drift', 'prediction_drift', 'text_drift']);
    expect(check.result!.quality!.labelled).toBe(r.sent);
  });
});
