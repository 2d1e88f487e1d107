/**
 * Small real models for the model server's tests: TF-IDF + MultinomialNB on a few hundred
 * SpamAssassin emails, LinearRegression and a HistGradientBoosting classifier on Boston housing,
 * saved as packages with their signatures and registered in a temporary SQLite store.
 * Not part of the public API (not exported from mlship/serve).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Table } from '../../core/index.js';
import { loadDataset, loadTableDataset } from '../../data/index.js';
import { HistGradientBoostingClassifier, LinearRegression, MultinomialNB, Pipeline, TfidfVectorizer } from '../../learn/index.js';
import { saveModel, tableSignature, textClassifierSignature } from '../../model/index.js';
import { MlshipClient } from '../../tracking/index.js';

/** A temporary store with registered models. */
export interface TestStore {
  dir: string;
  trackingUri: string;
  client: MlshipClient;
  /** Two text models (different alpha and vocabulary), registered as `spam` versions 1 and 2; `spam@champion` → 1. */
  nbFiles: [string, string];
  /** LinearRegression on Boston housing (without medv), registered as `housing` version 1. */
  lrFile: string;
  /** HGB classifier (medv > 25 → 'high', else 'low'), registered as `housing-class` version 1. */
  hgbFile: string;
  docs: string[];
  labels: string[];
  X: Table;
  close(): Promise<void>;
}

/**
 * Trains and registers the test models in a fresh temporary store.
 *
 * @example
 * ```ts
 * const store = await createTestStore();
 * // ... serve models:/spam@champion ...
 * await store.close();
 * ```
 */
export async function createTestStore(): Promise<TestStore> {
  const dir = mkdtempSync(join(tmpdir(), 'mlship-serve-'));
  const trackingUri = `sqlite://${dir}/mlship.db`;
  const client = await MlshipClient.open({ trackingUri });
  let i = 0;
  const spam = await loadDataset('spam-assassin', { filter: () => i++ % 20 === 0 }); // ~300 real emails, ham and spam
  const nbFiles: [string, string] = [join(dir, 'nb1.mlship'), join(dir, 'nb2.mlship')];
  for (const [k, alpha] of [[0, 1], [1, 0.05]] as const) {
    const model = new Pipeline([
      ['tfidf', new TfidfVectorizer({ minDf: k === 0 ? 1 : 2 })],
      ['clf', new MultinomialNB({ alpha })],
    ]).fit(spam.texts, spam.labels);
    await saveModel(nbFiles[k], model, { signature: textClassifierSignature(model.classes_ as string[]) });
    await client.registerModel(nbFiles[k], 'spam');
  }
  await client.registry.setAlias('spam', 'champion', 1);

  const boston = await loadTableDataset('boston-housing');
  const X = boston.drop(['medv']);
  const medv = (boston.column('medv') as unknown as { values: Float64Array }).values;
  const lr = new LinearRegression().fit(X, medv);
  const lrFile = join(dir, 'housing.mlship');
  await saveModel(lrFile, lr, { signature: tableSignature(X, { task: 'regression' }) });
  await client.registerModel(lrFile, 'housing');
  const labels = Array.from(medv, (v) => (v > 25 ? 'high' : 'low'));
  const hgb = new HistGradientBoostingClassifier({ maxIter: 10 }).fit(X, labels);
  const hgbFile = join(dir, 'housing-class.mlship');
  await saveModel(hgbFile, hgb, { signature: tableSignature(X, { task: 'classification', classes: hgb.classes_ as string[] }) });
  await client.registerModel(hgbFile, 'housing-class');
  return {
    dir,
    trackingUri,
    client,
    nbFiles,
    lrFile,
    hgbFile,
    docs: spam.texts,
    labels: spam.labels,
    X,
    close: async () => {
      await client.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Parses Prometheus text format strictly (every line a comment or `name{labels} value`, samples after
 * their TYPE line) into a map from `name{labels}` to value.
 *
 * @example
 * ```ts
 * parsePrometheus('# TYPE x counter\nx 1\n').get('x'); // 1
 * ```
 */
export function parsePrometheus(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const t = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (t) {
      types.set(t[1]!, t[2]!);
      continue;
    }
    if (/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*$/.test(line)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf)$/.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
    const base = m[1]!.replace(/_(bucket|sum|count)$/, '');
    if (!types.has(m[1]!) && !types.has(base)) throw new Error(`sample before its TYPE line: ${line}`);
    out.set(m[1]! + (m[2] ?? ''), Number(m[3]!.replace('+Inf', 'Infinity')));
  }
  return out;
}
