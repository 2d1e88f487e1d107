import type { Label } from '../core/index.js';
import type { ModelMetadata, SavedModel } from '../model/index.js';
import { flattenParams } from '../model/index.js';
import { formatNumber, keyValues, table } from './io.js';
import type { TextEvaluation, TextModelResult, TextWorkloadResult } from './workloads/text.js';

// Human-readable renderings of workload results and model metadata, and their JSON forms.

/** The dataset and split summary lines. */
export function renderDataset(result: TextWorkloadResult): string {
  const d = result.dataset;
  const counts = Object.entries(d.classCounts)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return (
    `dataset  ${d.source}: ${d.rows} documents (${counts}), loaded in ${d.loadSeconds.toFixed(2)}s\n` +
    `split    ${result.split.train} train / ${result.split.test} test (stratified, test size ${result.split.testSize}, seed ${result.split.seed})\n`
  );
}

/** A confusion matrix as a table with `true \ pred` headers. */
export function renderConfusion(labels: readonly Label[], matrix: readonly (readonly number[])[]): string {
  const rows: (string | number)[][] = [['true \\ pred', ...labels.map(String)]];
  labels.forEach((l, i) => rows.push([String(l), ...(matrix[i] ?? [])]));
  return table(rows, { indent: '  ' });
}

/** The report of one evaluation: classification report, headline scores, confusion matrix. */
export function renderEvaluation(ev: TextEvaluation): string {
  const pos = ev.posLabel !== null ? ` (positive class '${ev.posLabel}')` : ' (macro average)';
  return (
    ev.report +
    '\n' +
    keyValues([
      ['accuracy', metric(ev.accuracy)],
      [`precision${pos}`, metric(ev.precision)],
      [`recall${pos}`, metric(ev.recall)],
      [`f1${pos}`, metric(ev.f1)],
      ['roc_auc', metric(ev.rocAuc)],
    ]) +
    '\nconfusion matrix:\n' +
    renderConfusion(ev.confusion.labels, ev.confusion.matrix)
  );
}

/** The full report of one trained model. */
export function renderModel(m: TextModelResult): string {
  const title = `== ${m.name}: ${describePipeline(m)} ==`;
  return (
    `\n${title}\n\n` +
    renderEvaluation(m.evaluation) +
    `\nfit ${m.fitSeconds.toFixed(3)}s  predict ${m.evaluation.predictSeconds.toFixed(3)}s (${m.evaluation.n} documents)  features ${m.nFeatures}\n`
  );
}

function describePipeline(m: TextModelResult): string {
  const p = m.estimator.getParams(true);
  const ngram = JSON.stringify(p['tfidf.ngramRange']);
  return m.kind === 'nb' ? `TfidfVectorizer(ngramRange=${ngram}) + MultinomialNB(alpha=${String(p['clf.alpha'])})` : `TfidfVectorizer(ngramRange=${ngram}) + LogisticRegression(C=${String(p['clf.C'])})`;
}

/** The comparison table of several models. */
export function renderComparison(models: readonly TextModelResult[]): string {
  const rows: (string | number)[][] = [['model', 'accuracy', 'precision', 'recall', 'f1', 'roc_auc', 'fit s', 'predict s', 'features']];
  for (const m of models) {
    const e = m.evaluation;
    rows.push([m.name, metric(e.accuracy), metric(e.precision), metric(e.recall), metric(e.f1), metric(e.rocAuc), m.fitSeconds.toFixed(3), e.predictSeconds.toFixed(3), m.nFeatures]);
  }
  return table(rows);
}

/** A score with 4 decimals (n/a for NaN). */
function metric(x: number): string {
  return Number.isNaN(x) ? 'n/a' : x.toFixed(4);
}

/** The saved model paths. */
export function renderSaved(saved: readonly { name: string; saved: SavedModel }[], cwd: string): string {
  const rows: (string | number)[][] = [['model', 'path', 'size']];
  for (const s of saved) rows.push([s.name, relative(cwd, s.saved.path), formatBytes(s.saved.bytes)]);
  return table(rows);
}

function relative(cwd: string, p: string): string {
  return p.startsWith(cwd + '/') ? p.slice(cwd.length + 1) : p;
}

/** Bytes as B / KB / MB. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(2)} MB`;
}

/** JSON of an evaluation (NaN as null). */
export function evaluationJson(ev: TextEvaluation): Record<string, unknown> {
  return {
    n: ev.n,
    classes: ev.classes,
    posLabel: ev.posLabel,
    accuracy: ev.accuracy,
    precision: ev.precision,
    recall: ev.recall,
    f1: ev.f1,
    rocAuc: Number.isNaN(ev.rocAuc) ? null : ev.rocAuc,
    report: ev.reportDict,
    confusion: ev.confusion,
    predictSeconds: ev.predictSeconds,
  };
}

/** JSON of one trained model (without the estimator). */
export function modelJson(m: TextModelResult, saved?: SavedModel): Record<string, unknown> {
  return {
    name: m.name,
    kind: m.kind,
    params: flattenParams(m.estimator.getParams(true)),
    fitSeconds: m.fitSeconds,
    nFeatures: m.nFeatures,
    evaluation: evaluationJson(m.evaluation),
    ...(saved ? { path: saved.path, bytes: saved.bytes, sha256: saved.sha256 } : {}),
  };
}

/** `mlship model info` as text. */
export function renderMetadata(meta: ModelMetadata, path: string, size: number): string {
  let out = keyValues([
    ['file', path],
    ['size', formatBytes(size)],
    ['format version', meta.formatVersion],
    ['mlship version', meta.mlshipVersion],
    ['created', meta.createdAt],
    ['estimator', meta.estimator],
    ['classes', meta.classes ? meta.classes.join(', ') : '-'],
    ['data fingerprint', meta.dataFingerprint ?? '-'],
    ['arrays', `${meta.arrays.count} (${formatBytes(meta.arrays.bytes)})`],
  ]);
  if (meta.signature) {
    const rows: string[][] = [['direction', 'name', 'type', 'shape', 'values']];
    for (const [dir, list] of [['input', meta.signature.inputs], ['output', meta.signature.outputs]] as const) {
      for (const f of list) rows.push([dir, f.name + (f.optional ? '?' : ''), f.type, f.shape ? `[${f.shape.map((d) => d ?? '*').join(', ')}]` : '-', f.values ? f.values.join(', ') : '-']);
    }
    out += '\nsignature:\n' + table(rows, { indent: '  ' });
  }
  const metrics = Object.entries(meta.metrics);
  if (metrics.length) out += '\nmetrics:\n' + table([['name', 'value'], ...metrics.map(([k, v]) => [k, formatNumber(v)])], { indent: '  ' });
  const tags = Object.entries(meta.tags);
  if (tags.length) out += '\ntags:\n' + table([['name', 'value'], ...tags], { indent: '  ' });
  const params = Object.entries(meta.params).filter(([k]) => k !== 'steps');
  if (params.length) out += '\nparams:\n' + table([['name', 'value'], ...params.map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])], { indent: '  ' });
  return out;
}

/** JSON.stringify that writes NaN/±Infinity as null and indents for humans. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v), 2) + '\n';
}
