// End to end, in process: the text-classification reference flow trains and registers a model with
// its reference profile (saved by the flow), the prediction log gets a day of normal traffic and a day of shifted traffic
// (predicted by the registered model itself), and `mlship monitor report` reads them back.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../core/index.js';
import { loadModel } from '../model/index.js';
import { loadProfile, type MonitorResult } from '../monitor/index.js';
import { MlshipClient, openPredictionStore, type PredictionRecord } from '../tracking/index.js';
import { runTextClassification } from './examples/text-classification.js';
import type { CliIo } from './io.js';
import { EXIT_OK, run } from './main.js';
import { loadTextData } from './workloads/text.js';

const HOUR = 3_600_000;
const NOW = Date.now();
let dir: string;
let uri: string;
let modelName: string;
const normalLabels: { requestId: string; label: string }[] = [];

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, cwd: dir, env: {} };
  const code = await run([...argv, ...(argv.includes('--help') ? [] : ['--tracking-uri', uri])], io);
  return { code, out, err };
}

const SHIFT_WORDS = ['crypto', 'wallet', 'airdrop', 'token', 'blockchain', 'staking', 'yield', 'defi', 'mint', 'nft', 'ledger', 'swap'];

function shiftedText(rng: Rng): string {
  const words = Array.from({ length: 15 + rng.int(20) }, () => SHIFT_WORDS[rng.int(SHIFT_WORDS.length)]!);
  return `${words.join(' ')} 100% $$$ !!!`;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlship-monitor-report-'));
  uri = `sqlite://${join(dir, 'mlship.db')}`;
  const client = await MlshipClient.open({ trackingUri: uri });
  try {
    const trained = await runTextClassification({ client, limit: 600, cwd: dir, cacheStorage: join(dir, 'cache') });
    expect(trained.state).toBe('Completed');
    modelName = trained.model!.name;
    const resolved = await client.resolveModelUri(trained.model!.uri);
    const { estimator } = await loadModel(resolved.path);
    const model = estimator as unknown as { predict(x: string[]): ArrayLike<string | number> };
    // the reference profile the flow saved with the version (held-out split, training vocabulary)
    const profile = await loadProfile(client, trained.model!.uri);
    expect(Object.keys(profile.columns).sort()).toEqual(['text.length', 'text.non_letter_share', 'text.oov_share']);
    // traffic: day 1 like the training data, day 2 shifted; requests of 5 texts, predicted by the model
    const normal = await loadTextData('spam-assassin', { seed: 99, limit: 600 });
    const rng = new Rng(3);
    const shifted = Array.from({ length: 600 }, () => shiftedText(rng));
    const records: PredictionRecord[] = [];
    for (const [day, texts] of [[2, normal.texts], [1, shifted]] as const) {
      const labels = Array.from(model.predict(texts), String);
      for (let i = 0; i < texts.length; i += 5) {
        const requestId = `day${day}-${i}`;
        records.push({
          requestId,
          modelName,
          modelVersion: String(trained.model!.version),
          modelUri: trained.model!.uri,
          timestamp: NOW - day * 24 * HOUR + HOUR / 2 + Math.floor((i / texts.length) * 23 * HOUR), // inside [day start + 30 min, day end - 30 min)
          latencyMs: 1,
          inputs: texts.slice(i, i + 5).map((text) => ({ text })),
          outputs: labels.slice(i, i + 5).map((label) => ({ label })),
        });
        if (day === 2) for (let k = 0; k < 5; k++) normalLabels.push({ requestId, label: String(normal.labels[i + k]) });
      }
    }
    const store = await openPredictionStore(uri);
    await store.logPredictions(records);
    await store.close();
  } finally {
    await client.close();
  }
}, 240_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('mlship monitor report', () => {
  it('has --help with examples', async () => {
    const r = await cli('monitor', 'report', '--help');
    expect(r.code).toBe(EXIT_OK);
    expect(r.out).toContain('--model <uri>');
    expect(r.out).toContain('Examples:');
    expect(r.out).toContain('mlship monitor report --model spam --from 24h');
  });

  it('finds no drift in a day of traffic like the training data', async () => {
    const r = await cli('monitor', 'report', '--model', modelName, '--from', '48h', '--to', '24h', '--output', 'normal.html', '--json', 'normal.json');
    expect(r.err).not.toContain('error');
    expect(r.code).toBe(EXIT_OK);
    expect(r.out).toContain('dataset drift: not detected');
    expect(r.out).toContain(`HTML report: ${join(dir, 'normal.html')}`);
    const json = JSON.parse(await readFile(join(dir, 'normal.json'), 'utf8')) as MonitorResult;
    expect(json.rows).toBe(600);
    expect(json.input).toBe('text');
    expect(json.drift.drift).toBe(false);
    expect(Object.keys(json.drift.columns).sort()).toEqual(['text.length', 'text.non_letter_share', 'text.oov_share']);
    expect(json.drift.text?.domainClassifier?.drift).toBe(false);
    expect(json.quality).toBeNull();
    const html = await readFile(join(dir, 'normal.html'), 'utf8');
    expect(html).toContain('<h2>Text drift: domain classifier</h2>');
    expect(html).not.toMatch(/<script/i);
  }, 60_000);

  it('detects the shifted day and names its words', async () => {
    const r = await cli('monitor', 'report', '--model', `models:/${modelName}/1`, '--from', '24h', '--json', '-');
    expect(r.code).toBe(EXIT_OK);
    const json = JSON.parse(r.out) as MonitorResult;
    expect(json.rows).toBe(600);
    expect(json.versions).toEqual(['1']);
    expect(json.drift.drift).toBe(true);
    const dc = json.drift.text!.domainClassifier!;
    expect(dc.drift).toBe(true);
    expect(dc.rocAuc).toBeGreaterThan(0.9);
    expect(dc.typicalCurrentWords.some((w) => SHIFT_WORDS.includes(w))).toBe(true);
  }, 60_000);

  it('shows quality once labels are posted', async () => {
    await writeFile(join(dir, 'labels.jsonl'), normalLabels.map((l, k) => JSON.stringify({ request_id: l.requestId, index: k % 5, label: l.label })).join('\n'));
    const posted = await cli('predictions', 'label', '--file', 'labels.jsonl');
    expect(posted.code).toBe(EXIT_OK);
    const r = await cli('monitor', 'report', '--model', modelName, '--from', '48h', '--to', '24h', '--json', 'labelled.json', '--bucket', '6h');
    expect(r.code).toBe(EXIT_OK);
    expect(r.out).toMatch(/quality on 600 labelled item\(s\): accuracy 0\.\d+ \(at training 0\.\d+\), f1/);
    const json = JSON.parse(await readFile(join(dir, 'labelled.json'), 'utf8')) as MonitorResult;
    expect(json.labelled).toBe(600);
    expect(json.quality!.metrics.accuracy).toBeGreaterThan(0.8);
    expect(json.quality!.reference.accuracy).toBeGreaterThan(0.8); // recorded at training (the flow's hook, or the profile built above)
    expect(json.bucketMs).toBe(6 * HOUR);
    expect(json.series).toHaveLength(4);
    expect(json.series.filter((p) => p.labelled > 0).every((p) => p.metrics.accuracy !== undefined)).toBe(true);
  }, 60_000);

  it('fails clearly for an unknown model and a plain file path', async () => {
    const unknown = await cli('monitor', 'report', '--model', 'no-such-model', '--from', '24h', '--json', '-');
    expect(unknown.code).not.toBe(EXIT_OK);
    expect(unknown.err).toMatch(/no-such-model/);
    const path = await cli('monitor', 'report', '--model', 'file:///tmp/x.mlship');
    expect(path.code).not.toBe(EXIT_OK);
    expect(path.err).toMatch(/registered model/);
  });
});
