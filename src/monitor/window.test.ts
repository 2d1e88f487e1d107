import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../core/index.js';
import { accuracyScore, f1Score, meanAbsoluteError, rootMeanSquaredError } from '../learn/index.js';
import { openPredictionStore, type PredictionRecord, type PredictionStore } from '../tracking/index.js';
import { buildProfile, type ReferenceProfile } from './profile/index.js';
import { WindowAccumulator, defaultBucketMs, itemPrediction, itemText, monitorWindow } from './window.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 1);
const CITIES = ['north', 'south', 'east'];

function tabularRows(rng: Rng, n: number, shift: number): { x: number[]; z: number[]; city: string[]; y: number[] } {
  const x: number[] = [];
  const z: number[] = [];
  const city: string[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    x.push(rng.normal() + shift);
    z.push(5 + 2 * rng.normal());
    city.push(shift > 0 ? (rng.random() < 0.8 ? 'east' : 'north') : CITIES[rng.int(3)]!);
    y.push(2 * x[i]! + z[i]! + 0.1 * rng.normal());
  }
  return { x, z, city, y };
}

const predict = (x: number, z: number): number => 2 * x + z;

describe('monitorWindow on a tabular regressor (SQLite prediction log)', () => {
  let dir: string;
  let store: PredictionStore;
  let profile: ReferenceProfile;
  const labelled: { y: number; p: number; t: number }[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mlship-window-'));
    store = await openPredictionStore(`sqlite://${join(dir, 'mlship.db')}`);
    const rng = new Rng(7);
    const ref = tabularRows(rng, 3000, 0);
    profile = buildProfile({ task: 'regression', columns: { x: ref.x, z: ref.z, city: ref.city }, predictions: ref.x.map((x, i) => predict(x, ref.z[i]!)), target: ref.y, metrics: { rmse: 0.1, mae: 0.08, r2: 0.99 } });
    // day 1: like the reference; day 2: x shifted by 3 and mostly 'east'. 1200 items a day, some as batches of 3.
    const records: PredictionRecord[] = [];
    for (const [day, shift] of [[0, 0], [1, 3]] as const) {
      const rows = tabularRows(rng, 1200, shift);
      for (let i = 0; i < 1200; i += 3) {
        const t = T0 + day * 24 * HOUR + Math.floor((i / 1200) * 24 * HOUR);
        const items = [i, i + 1, i + 2];
        records.push({
          requestId: `d${day}-${i}`,
          modelName: 'houses',
          modelVersion: '1',
          modelUri: 'models:/houses/1',
          timestamp: t,
          latencyMs: 1,
          inputs: items.map((j) => ({ x: rows.x[j], z: rows.z[j], city: rows.city[j] })),
          outputs: items.map((j) => ({ prediction: predict(rows.x[j]!, rows.z[j]!) })),
        });
        if (day === 1 && i < 300) for (const j of items) labelled.push({ y: rows.y[j]!, p: predict(rows.x[j]!, rows.z[j]!), t });
      }
    }
    await store.logPredictions(records);
    await store.logLabels(labelled.map((l, k) => ({ requestId: `d1-${Math.floor(k / 3) * 3}`, index: k % 3, label: l.y })));
  });

  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds no drift in a window like the reference', async () => {
    const r = await monitorWindow({ predictions: store, profile, model: 'houses', from: T0, to: T0 + 24 * HOUR, pageSize: 500 });
    expect(r.rows).toBe(1200);
    expect(r.labelled).toBe(0);
    expect(r.versions).toEqual(['1']);
    expect(r.drift.drift).toBe(false);
    expect(r.drift.numberOfColumns).toBe(3);
    expect(r.drift.prediction?.drift).toBe(false);
    expect(r.quality).toBeNull();
    expect(r.bucketMs).toBe(HOUR);
    expect(r.series).toHaveLength(24);
    expect(r.series.reduce((s, p) => s + p.rows, 0)).toBe(1200);
    expect(r.series.every((p) => p.rows >= 45 && p.rows <= 54)).toBe(true); // 50 an hour, by requests of 3 items
  });

  it('detects drift of the inputs and predictions in a shifted window, with quality from the labels', async () => {
    const progress: number[] = [];
    const r = await monitorWindow({ predictions: store, profile, model: 'houses', from: T0 + 24 * HOUR, to: T0 + 48 * HOUR, bucketMs: 6 * HOUR, onProgress: (read) => progress.push(read) });
    expect(r.rows).toBe(1200);
    expect(progress.at(-1)).toBe(1200);
    expect(r.drift.drift).toBe(true);
    expect(r.drift.columns.x!.drift).toBe(true);
    expect(r.drift.columns.city!.drift).toBe(true);
    expect(r.drift.columns.z!.drift).toBe(false);
    expect(r.drift.prediction?.drift).toBe(true);
    // quality equals mlship/learn's metrics on the labelled items
    expect(r.labelled).toBe(300);
    const y = labelled.map((l) => l.y);
    const p = labelled.map((l) => l.p);
    expect(r.quality!.labelled).toBe(300);
    expect(r.quality!.metrics.rmse).toBeCloseTo(rootMeanSquaredError(y, p), 12);
    expect(r.quality!.metrics.mae).toBeCloseTo(meanAbsoluteError(y, p), 12);
    expect(r.quality!.reference).toEqual({ rmse: 0.1, mae: 0.08 });
    // 4 buckets of 6h; the labels are all in the first 6 hours
    expect(r.series.map((s) => s.rows)).toEqual([300, 300, 300, 300]);
    expect(r.series.map((s) => s.labelled)).toEqual([300, 0, 0, 0]);
    expect(Object.keys(r.series[1]!.metrics)).toEqual([]);
    expect(r.series[0]!.metrics.rmse).toBeCloseTo(r.quality!.metrics.rmse!, 12);
    expect(r.series.every((s) => s.shareDrifted >= 2 / 3)).toBe(true);
    // overlays: shares sum to 1 on both sides, and the current mass of x sits to the right
    const dx = r.distributions.x!;
    expect(dx.kind).toBe('numeric');
    expect(dx.reference.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 9);
    expect(dx.current.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 9);
    const mean = (shares: number[]): number => shares.reduce((s, v, i) => s + v * (dx.edges![i]! + dx.edges![i + 1]!) / 2, 0);
    expect(mean(dx.current) - mean(dx.reference)).toBeGreaterThan(2.5);
    const dc = r.distributions.city!;
    expect(dc.kind).toBe('categorical');
    expect(dc.current[dc.categories!.indexOf('east')]!).toBeGreaterThan(0.7);
    expect(r.predictionDistribution?.kind).toBe('numeric');
  });

  it('reads one version only, and an empty window', async () => {
    const none = await monitorWindow({ predictions: store, profile, model: 'houses', version: '2', from: T0, to: T0 + 48 * HOUR });
    expect(none.rows).toBe(0);
    expect(none.drift.drift).toBe(false);
    expect(none.notes.join(' ')).toMatch(/no predictions of "houses" version 2/);
    expect(none.series.every((s) => s.rows === 0 && s.shareDrifted === 0)).toBe(true);
  });

  it('rejects bad options with INVALID_ARGUMENT naming the field', async () => {
    await expect(monitorWindow({ predictions: store, profile, model: 'houses', from: T0, to: T0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', details: { field: 'to' } });
    await expect(monitorWindow({ predictions: store, profile, model: '', from: T0, to: T0 + 1 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', details: { field: 'model' } });
    await expect(monitorWindow({ predictions: store, profile, model: 'houses', from: T0, to: T0 + 48 * HOUR, bucketMs: 1000 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', details: { field: 'bucketMs' } });
    await expect(monitorWindow({ predictions: store, model: 'houses', from: T0, to: T0 + HOUR })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', details: { field: 'client' } });
  });
});

function sentence(rng: Rng, words: readonly string[], n: number): string {
  return Array.from({ length: n }, () => words[rng.int(words.length)]!).join(' ');
}

const HAM = ['meeting', 'lunch', 'project', 'report', 'tomorrow', 'team', 'notes', 'schedule', 'review', 'draft'];
const SPAM = ['offer', 'winner', 'prize', 'claim', 'free', 'cash', 'bonus', 'deal', 'urgent', 'click'];
const SHIFTED = ['crypto', 'wallet', 'token', 'airdrop', 'mint', 'blockchain', 'nft', 'stake'];

describe('monitorWindow on a text classifier', () => {
  const rng = new Rng(11);
  const refTexts: string[] = [];
  const refLabels: string[] = [];
  for (let i = 0; i < 1500; i++) {
    const spam = rng.random() < 0.4;
    refTexts.push(sentence(rng, spam ? SPAM : HAM, 6 + rng.int(6)));
    refLabels.push(spam ? 'spam' : 'ham');
  }
  const profile = buildProfile({
    task: 'classification',
    texts: refTexts,
    predictions: refLabels,
    target: refLabels,
    classes: ['ham', 'spam'],
    metrics: { accuracy: 0.98, f1: 0.97 },
    vocabulary: [...HAM, ...SPAM],
  });
  const items = (n: number, shifted: boolean, from: number): { timestamp: number; inputs: unknown; outputs: unknown; label: unknown; modelVersion: string }[] =>
    Array.from({ length: n }, (_, i) => {
      const spam = rng.random() < 0.4;
      const text = shifted ? `${sentence(rng, SHIFTED, 8 + rng.int(8))} 100% $$$ !!!` : sentence(rng, spam ? SPAM : HAM, 6 + rng.int(6));
      const label = shifted ? 'ham' : spam ? 'spam' : 'ham';
      return { timestamp: from + i * 1000, inputs: { text }, outputs: { label: shifted ? 'spam' : label, probabilities: { ham: 0.5, spam: 0.5 } }, label: i % 2 === 0 ? label : null, modelVersion: '4' };
    });

  it('finds no drift for texts like the reference and full quality', () => {
    const acc = new WindowAccumulator(profile, { model: 'spam', from: T0, to: T0 + HOUR, profileVersion: '4' });
    const chunk = items(800, false, T0);
    acc.add(chunk.slice(0, 333));
    acc.add(chunk.slice(333));
    const r = acc.result();
    expect(r.input).toBe('text');
    expect(r.rows).toBe(800);
    expect(Object.keys(r.drift.columns).sort()).toEqual(['text.length', 'text.non_letter_share', 'text.oov_share']);
    expect(r.drift.drift).toBe(false);
    expect(r.drift.text?.domainClassifier?.drift).toBe(false);
    expect(r.quality!.metrics).toEqual({ accuracy: 1, f1: 1 });
    expect(r.quality!.reference).toEqual({ accuracy: 0.98, f1: 0.97 });
    expect(r.labelled).toBe(400);
  });

  it('detects shifted texts through the descriptors and the domain classifier, and the quality drop', () => {
    const acc = new WindowAccumulator(profile, { model: 'spam', from: T0, to: T0 + HOUR });
    const chunk = items(600, false, T0).concat(items(600, true, T0 + 600_000 + 1000));
    for (let i = 0; i < chunk.length; i += 250) acc.add(chunk.slice(i, i + 250));
    const r = acc.result();
    expect(r.drift.drift).toBe(true);
    expect(r.drift.columns['text.oov_share']!.drift).toBe(true);
    const dc = r.drift.text!.domainClassifier!;
    expect(dc.drift).toBe(true);
    expect(dc.rocAuc).toBeGreaterThan(0.7); // half of the window is shifted: the ideal AUC is 0.75
    expect(dc.typicalCurrentWords.some((w) => SHIFTED.includes(w))).toBe(true);
    expect(r.drift.prediction!.drift).toBe(true);
    // quality from learn's metrics on the same pairs
    const labelled = chunk.filter((c) => c.label !== null);
    const yTrue = labelled.map((c) => c.label as string);
    const yPred = labelled.map((c) => (c.outputs as { label: string }).label);
    expect(r.quality!.metrics.accuracy).toBeCloseTo(accuracyScore(yTrue, yPred), 12);
    expect(r.quality!.metrics.f1).toBeCloseTo(f1Score(yTrue, yPred, { average: 'macro' }), 12);
    // the quality over time drops when the shift starts (bucket of 2.5 min: the shifted half starts at 10 min)
    const withLabels = r.series.filter((s) => s.labelled > 0);
    expect(withLabels[0]!.metrics.accuracy).toBe(1);
    expect(withLabels.at(-1)!.metrics.accuracy).toBe(0);
    expect(withLabels.at(-1)!.shareDrifted).toBeGreaterThan(0.5);
  });

  it('refuses items out of time order', () => {
    const acc = new WindowAccumulator(profile, { model: 'spam', from: T0, to: T0 + HOUR });
    acc.add(items(10, false, T0 + 30 * 60_000));
    expect(() => acc.add(items(10, false, T0))).toThrow(/oldest first/);
  });
});

describe('reading logged items', () => {
  it('takes the text of an item and the prediction of an output', () => {
    expect(itemText('hi')).toBe('hi');
    expect(itemText({ text: 'hi' })).toBe('hi');
    expect(itemText({ review: 'hi' })).toBe('hi');
    expect(itemText({ a: 'x', b: 'y' })).toBeNull();
    expect(itemText(3)).toBeNull();
    expect(itemPrediction({ label: 'spam', probabilities: { spam: 0.9 } })).toBe('spam');
    expect(itemPrediction({ prediction: 2.5 })).toBe(2.5);
    expect(itemPrediction({ price: 2.5 })).toBe(2.5);
    expect(itemPrediction(7)).toBe(7);
    expect(itemPrediction({ prediction: Number.NaN })).toBeNull();
    expect(itemPrediction([1, 2])).toBeNull();
  });

  it('splits a window into about 24 buckets', () => {
    expect(defaultBucketMs(0, 24 * HOUR)).toBe(HOUR);
    expect(defaultBucketMs(0, 7 * 24 * HOUR)).toBe(7 * HOUR);
    expect(defaultBucketMs(0, 10 * 60_000)).toBe(25_000);
    expect(defaultBucketMs(0, 100)).toBe(5);
  });
});

describe('bucket limits', () => {
  it('refuses buckets whose sketches would not fit in memory, and a bad profile', () => {
    const wide: Record<string, number[]> = {};
    const rng = new Rng(1);
    for (let c = 0; c < 40; c++) wide[`c${c}`] = Array.from({ length: 3000 }, () => rng.normal());
    const profile = buildProfile({ task: 'regression', columns: wide, predictions: wide.c0! });
    expect(() => new WindowAccumulator(profile, { model: 'm', from: 0, to: 9000 * HOUR, bucketMs: HOUR })).toThrow(/would take about \d+ MB/);
    expect(() => new WindowAccumulator(profile, { model: 'm', from: 0, to: 24 * HOUR })).not.toThrow();
    expect(() => new WindowAccumulator({} as ReferenceProfile, { model: 'm', from: 0, to: 1 })).toThrow(/profile|CurrentSketch/);
  });
});
