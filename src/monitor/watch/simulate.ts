import { MlshipError, Rng } from '../../core/index.js';
import { loadDataset, loadTableDataset } from '../../data/index.js';

// `mlship monitor simulate`: replays traffic from a built-in dataset against a running model
// server, first as it is, then shifted, optionally posting the true labels to /feedback, so that
// drift (and a quality drop) can be seen end to end.

/**
 * Options of {@link simulateTraffic}.
 *
 * @example
 * ```ts
 * const options: SimulateOptions = { url: 'http://127.0.0.1:8080', rate: 200, durationMs: 60_000, shift: 0.6, labels: true };
 * ```
 */
export interface SimulateOptions {
  /** The model server, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** The served model to send to. @default the server's first model */
  model?: string;
  /** Requests per second (one item each). @default 200 */
  rate?: number;
  /** How long to send, in ms. @default 60000 */
  durationMs?: number;
  /**
   * How strong the shift of the second phase is, 0 (none) to 1. Text: a share `shift` of the
   * documents is drawn from the `spam` class only (the class mix moves), and a share `shift` of
   * each document's words is replaced by made-up out-of-vocabulary words (from a pool of 40, so
   * they recur). Tabular (Boston housing):
   * each continuous column is offset by `shift` standard deviations and scaled by `1 + shift / 2`
   * (chas and rad, which are categories, are kept). Labels stay the rows' true values.
   * @default 0.5
   */
  shift?: number;
  /** Share of the duration sent unshifted before the shift starts. @default 0.5 */
  baseline?: number;
  /** Post each item's true label to `/feedback` (in batches), so quality can be monitored. @default false */
  labels?: boolean;
  /** Requests in flight at once. @default 16 */
  concurrency?: number;
  /** Seed of the sampling and the shift. @default 42 */
  seed?: number;
  /** Called about once a second and at the end. @default none */
  onProgress?: (p: SimulateProgress) => void;
  /** Stops the simulation early. @default none */
  signal?: AbortSignal;
}

/**
 * Progress of {@link simulateTraffic}.
 *
 * @example
 * ```ts
 * const onProgress = (p: SimulateProgress) => console.error(`${p.phase}: ${p.sent} sent, ${p.rate.toFixed(0)}/s`);
 * ```
 */
export interface SimulateProgress {
  elapsedMs: number;
  phase: 'baseline' | 'shifted';
  sent: number;
  failed: number;
  labelled: number;
  /** Requests per second achieved so far. */
  rate: number;
}

/**
 * What {@link simulateTraffic} did.
 *
 * @example
 * ```ts
 * const r: SimulateResult = await simulateTraffic({ url: 'http://127.0.0.1:8080', durationMs: 10_000 });
 * console.log(r.sent, r.failed, r.phases[1].from); // the shift started at phases[1].from
 * ```
 */
export interface SimulateResult {
  model: string;
  /** `text` (spam-assassin) or `tabular` (boston-housing). */
  kind: 'text' | 'tabular';
  dataset: string;
  shift: number;
  /** The two phases, with their times (ms since the epoch) and requests. */
  phases: Array<{ phase: 'baseline' | 'shifted'; from: number; to: number; sent: number; failed: number }>;
  sent: number;
  failed: number;
  labelled: number;
  durationMs: number;
  /** Requests per second achieved. */
  rate: number;
  /** The first few error messages, when requests failed. */
  errors: string[];
}

interface ServedInfo {
  name: string;
  kind: 'text' | 'tabular' | null;
  task: string | null;
  inputs: Array<{ name: string; type: string }> | null;
  classes: unknown[] | null;
}

/** One item to send: its JSON body and its true label. */
interface Item {
  body: string;
  label: string | number;
}

/** Draws one item of a phase. */
type Sampler = (shifted: boolean) => Item;

const BOSTON_CATEGORICAL = new Set(['chas', 'rad']);

/** A made-up lowercase word no vocabulary has (letters only, so the tokenizer keeps it whole). */
function oovWord(rng: Rng): string {
  const letters = 'bcdfghjklmnpqrstvwxz';
  let w = 'zq';
  const n = 5 + rng.int(5);
  for (let i = 0; i < n; i++) w += letters[rng.int(letters.length)];
  return w;
}

async function textSampler(field: string, shift: number, rng: Rng): Promise<{ sample: Sampler; dataset: string }> {
  const ds = await loadDataset('spam-assassin');
  const all = ds.texts.map((_, i) => i);
  const spam = all.filter((i) => ds.labels[i] === 'spam');
  // A fixed pool of made-up words, so they recur across documents (as new slang or a new product
  // name would) and the domain classifier can name them.
  const madeUp = Array.from({ length: 40 }, () => oovWord(rng));
  return {
    dataset: 'spam-assassin',
    sample: (shifted) => {
      const docs = shifted && rng.random() < shift ? spam : all;
      const i = docs[rng.int(docs.length)]!;
      let text = ds.texts[i]!;
      if (shifted && shift > 0) text = text.replace(/[A-Za-z]{2,}/g, (w) => (rng.random() < shift ? madeUp[rng.int(madeUp.length)]! : w));
      return { body: JSON.stringify({ [field]: text }), label: ds.labels[i]! };
    },
  };
}

async function tabularSampler(info: ServedInfo, shift: number, rng: Rng): Promise<{ sample: Sampler; dataset: string }> {
  const table = await loadTableDataset('boston-housing');
  const target = 'medv';
  const names = (info.inputs ?? []).map((f) => f.name);
  const missing = names.filter((n) => !table.has(n) || n === target);
  if (names.length === 0 || missing.length > 0) {
    throw new MlshipError(
      'SCHEMA_MISMATCH',
      `model '${info.name}' takes the columns ${names.join(', ') || '(none)'}, but simulate replays boston-housing (${table.columnNames.filter((c) => c !== target).join(', ')})${missing.length ? `: ${missing.join(', ')} are not in it` : ''}; serve a model trained on boston-housing (mlship example run housing-regression)`,
      { field: 'model', value: info.name },
    );
  }
  const cols = names.map((n) => {
    const v = table.numeric(n);
    let mean = 0;
    for (const x of v) mean += x / v.length;
    let sq = 0;
    for (const x of v) sq += (x - mean) ** 2 / v.length;
    return { name: n, values: v, std: Math.sqrt(sq), shifted: !BOSTON_CATEGORICAL.has(n) };
  });
  const y = table.numeric(target);
  const n = y.length;
  return {
    dataset: 'boston-housing',
    sample: (shifted) => {
      const i = rng.int(n);
      const row: Record<string, number> = {};
      for (const c of cols) {
        const x = c.values[i]!;
        row[c.name] = shifted && c.shifted ? x * (1 + shift / 2) + shift * c.std : x;
      }
      return { body: JSON.stringify({ instances: [row] }), label: y[i]! };
    },
  };
}

async function getJson(url: string, what: string): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    throw new MlshipError('UNAVAILABLE', `cannot reach the model server at ${url}: ${((err as { cause?: Error }).cause ?? (err as Error)).message}; start it with mlship serve models:/<name>@champion --port 8080 and pass its address with --url`, { field: 'url', value: url }, { cause: err });
  }
  if (!res.ok) throw new MlshipError('UNAVAILABLE', `${what} ${url} answered HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`, { field: 'url', value: url });
  return res.json();
}

/**
 * Replays traffic against a running `mlship serve`: items of the built-in dataset matching the
 * model (spam-assassin for a text model, boston-housing for a tabular one, told apart by the
 * server's `GET /models`), sent one per request at `rate` per second, first unshifted for
 * `baseline` of the duration, then shifted by `shift` (see {@link SimulateOptions.shift}). With
 * `labels`, each item's true label is posted to `/feedback` by request id. Failed requests are
 * counted, not thrown.
 *
 * @throws MlshipError UNAVAILABLE when the server cannot be reached; NOT_FOUND for an unknown
 *   model; SCHEMA_MISMATCH when a tabular model does not take boston-housing's columns.
 * @example
 * ```ts
 * import { simulateTraffic } from 'mlship/monitor';
 * const r = await simulateTraffic({ url: 'http://127.0.0.1:8080', rate: 100, durationMs: 20_000, shift: 0.7, labels: true, onProgress: (p) => console.error(p.phase, p.sent) });
 * console.log(r.phases); // [{ phase: 'baseline', sent: 1000, ... }, { phase: 'shifted', sent: 1000, ... }]
 * ```
 */
export async function simulateTraffic(options: SimulateOptions): Promise<SimulateResult> {
  const { rate = 200, durationMs = 60_000, shift = 0.5, baseline = 0.5, labels = false, concurrency = 16, seed = 42, onProgress, signal } = options;
  const base = String(options.url ?? '').replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+/.test(base)) throw new MlshipError('INVALID_ARGUMENT', `url must be the model server's address such as http://127.0.0.1:8080, got ${JSON.stringify(options.url)}`, { field: 'url', value: options.url });
  const check = (ok: boolean, field: string, v: unknown, what: string): void => {
    if (!ok) throw new MlshipError('INVALID_ARGUMENT', `${field} must be ${what}, got ${JSON.stringify(v)}`, { field, value: v });
  };
  check(typeof rate === 'number' && rate > 0 && Number.isFinite(rate), 'rate', rate, 'a positive number of requests per second');
  check(typeof durationMs === 'number' && durationMs > 0 && Number.isFinite(durationMs), 'duration', durationMs, 'a positive duration');
  check(typeof shift === 'number' && shift >= 0 && shift <= 1, 'shift', shift, 'a number from 0 to 1');
  check(typeof baseline === 'number' && baseline >= 0 && baseline <= 1, 'baseline', baseline, 'a share from 0 to 1');
  check(Number.isSafeInteger(concurrency) && concurrency >= 1, 'concurrency', concurrency, 'a positive whole number');

  const listed = (await getJson(`${base}/models`, 'GET /models of')) as { models?: ServedInfo[] };
  const models = listed.models ?? [];
  const info = options.model === undefined ? models[0] : models.find((m) => m.name === options.model);
  if (!info) throw new MlshipError('NOT_FOUND', `the server at ${base} serves no model named ${JSON.stringify(options.model)}; it serves ${models.map((m) => m.name).join(', ') || 'nothing'}`, { field: 'model', value: options.model });
  if (info.kind === null) throw new MlshipError('UNAVAILABLE', `model '${info.name}' is still loading on ${base}; try again when GET /v2/health/ready says ready`, { field: 'model', value: info.name });
  const rng = new Rng(seed);
  const { sample, dataset } = info.kind === 'text' ? await textSampler(info.inputs?.[0]?.name ?? 'text', shift, rng) : await tabularSampler(info, shift, rng);

  const predictUrl = `${base}/models/${encodeURIComponent(info.name)}/predict`;
  const t0 = Date.now();
  const switchAt = t0 + Math.round(durationMs * baseline);
  const end = t0 + durationMs;
  const phases: SimulateResult['phases'] = [
    { phase: 'baseline', from: t0, to: switchAt, sent: 0, failed: 0 },
    { phase: 'shifted', from: switchAt, to: end, sent: 0, failed: 0 },
  ];
  let sent = 0;
  let failed = 0;
  let labelled = 0;
  const errors: string[] = [];
  const noteError = (e: string): void => {
    if (errors.length < 5 && !errors.includes(e)) errors.push(e);
  };
  let pendingLabels: Array<{ request_id: string; label: string | number }> = [];
  const labelPosts: Promise<void>[] = [];
  const flushLabels = (): void => {
    if (pendingLabels.length === 0) return;
    const batch = pendingLabels;
    pendingLabels = [];
    labelPosts.push(
      fetch(`${base}/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ labels: batch }), signal: AbortSignal.timeout(30_000) })
        .then(async (res) => {
          if (!res.ok) noteError(`POST /feedback: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
          else labelled += ((await res.json()) as { matched: number }).matched;
        })
        .catch((err: Error) => noteError(`POST /feedback: ${err.message}`)),
    );
  };

  const progress = (): SimulateProgress => {
    const elapsedMs = Date.now() - t0;
    return { elapsedMs, phase: Date.now() < switchAt ? 'baseline' : 'shifted', sent, failed, labelled, rate: elapsedMs > 0 ? (sent * 1000) / elapsedMs : 0 };
  };
  const ticker = onProgress ? setInterval(() => onProgress(progress()), 1000) : undefined;
  const labelTimer = labels ? setInterval(flushLabels, 1000) : undefined;

  const inFlight = new Set<Promise<void>>();
  const runId = `sim-${t0.toString(36)}-${seed}`;
  try {
    for (let k = 0; ; k++) {
      if (signal?.aborted) break;
      const due = t0 + (k * 1000) / rate;
      if (due >= end) break;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      while (inFlight.size >= concurrency) await Promise.race(inFlight);
      const shifted = Date.now() >= switchAt;
      const phase = phases[shifted ? 1 : 0]!;
      const item = sample(shifted);
      const requestId = `${runId}-${k}`;
      const p = fetch(predictUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': requestId }, body: item.body, signal: AbortSignal.timeout(30_000) })
        .then(async (res) => {
          if (!res.ok) {
            failed++;
            phase.failed++;
            noteError(`POST ${predictUrl}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
            return;
          }
          await res.arrayBuffer();
          sent++;
          phase.sent++;
          if (labels) {
            pendingLabels.push({ request_id: requestId, label: item.label });
            if (pendingLabels.length >= 200) flushLabels();
          }
        })
        .catch((err: Error) => {
          failed++;
          phase.failed++;
          noteError(`POST ${predictUrl}: ${((err as { cause?: Error }).cause ?? err).message}`);
        })
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await Promise.all(inFlight);
    flushLabels();
    await Promise.all(labelPosts);
  } finally {
    if (ticker) clearInterval(ticker);
    if (labelTimer) clearInterval(labelTimer);
  }
  const durationReal = Date.now() - t0;
  phases[1]!.to = Math.max(phases[1]!.from, Date.now());
  onProgress?.(progress());
  return { model: info.name, kind: info.kind, dataset, shift, phases, sent, failed, labelled, durationMs: durationReal, rate: durationReal > 0 ? (sent * 1000) / durationReal : 0, errors };
}
