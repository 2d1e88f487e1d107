/**
 * A loaded model ready to serve: what kind of model it is (a text classifier, a tabular classifier
 * or regressor), its signature, its classes, and one `predict` that takes validated items and
 * returns labels + probabilities or values. Everything a request would otherwise recompute (the
 * JSON text of the model name, version and class names, the metric label keys) is computed once
 * here, when the model is loaded.
 */
import { MlshipError, type Label, type Matrix } from '../../core/index.js';
import { isClassifier, isRegressor } from '../../learn/index.js';
import { recordsToTable, textClassifierSignature, type LoadedModel, type ModelSignature } from '../../model/index.js';

/** What a served model predicts for a batch of n items. */
export interface Outputs {
  /** Number of items. */
  n: number;
  /** Predicted labels (classifiers). */
  labels?: Label[];
  /** Class probabilities, row-major n × classes.length (classifiers with predictProba). */
  proba?: Float64Array;
  /** Index in `classes` of each predicted label (classifiers with predictProba). */
  labelIndex?: Int32Array;
  /** Predicted values (regressors). */
  values?: Float64Array;
}

/** A model as the server holds it. Immutable: a new version is a new `ServedModel`. */
export interface ServedModel {
  /** The name it is served under (`/models/{name}/predict`). */
  name: string;
  /** The URI it was loaded from (`models:/spam@champion`, a path). */
  uri: string;
  /** The registry version as text (`'3'`), or `'file'` when the model is not from the registry. */
  version: string;
  /** The registry version number, null for a plain file. */
  versionNumber: number | null;
  estimator: LoadedModel['estimator'];
  metadata: LoadedModel['metadata'];
  /** `text`: takes one string per item; `tabular`: takes one record (object) per item. */
  kind: 'text' | 'tabular';
  task: 'classification' | 'regression';
  /** The signature requests are validated against (synthesized for a text classifier saved without one). */
  signature: ModelSignature;
  /** Text models: the name of the text field (usually `text`). */
  textField: string;
  /** Classifiers: the classes, in probability column order; null for regressors. */
  classes: Label[] | null;
  /** Name of the regressor's output field (`prediction`). */
  valueField: string;
  /** When this version was loaded (ms since epoch). */
  loadedAt: number;
  /** Precomputed JSON fragments: `"model_name":…,"model_version":…` and each class's `"<class>":` key. */
  json: { head: string; classKeys: string[]; labels: string[] };
  /** Predicts validated items: strings for a text model, records for a tabular one. */
  predict(items: readonly unknown[]): Outputs;
}

const DATE_DESCRIPTION = 'an ISO-8601 date or timestamp';

/**
 * Wraps a loaded model package for serving. Fails with INVALID_ARGUMENT when the package holds
 * neither a classifier nor a regressor, or a tabular model without a signature (its inputs could
 * not be checked).
 *
 * @example
 * ```ts
 * const served = toServedModel(await loadModel('nb.mlship'), { name: 'spam', uri: 'nb.mlship', version: null });
 * served.predict(['win a free cruise']).labels; // ['spam']
 * ```
 */
export function toServedModel(loaded: LoadedModel, at: { name: string; uri: string; version: number | null }): ServedModel {
  const { estimator, metadata } = loaded;
  const classifier = isClassifier(estimator);
  if (!classifier && !isRegressor(estimator)) {
    throw new MlshipError('INVALID_ARGUMENT', `${at.uri} holds a ${metadata.estimator}, which is neither a classifier nor a regressor; mlship serve needs a model package of one`, { field: 'model', value: at.uri });
  }
  const classes = classifier ? (((estimator as { classes_?: Label[] }).classes_ ?? metadata.classes ?? []) as Label[]).slice() : null;
  let signature = metadata.signature;
  if (!signature) {
    if (!classifier) {
      throw new MlshipError('INVALID_ARGUMENT', `${at.uri} has no signature, so requests to it could not be validated; save it with one (saveModel(path, model, { signature: tableSignature(X, { task: 'regression' }) }))`, { field: 'model', value: at.uri });
    }
    signature = textClassifierSignature(classes ?? []);
  }
  const only = signature.inputs.length === 1 ? signature.inputs[0]! : undefined;
  const kind: ServedModel['kind'] = only && only.type === 'string' && !only.values && only.description !== DATE_DESCRIPTION && !only.shape ? 'text' : 'tabular';
  const textField = kind === 'text' ? only!.name : '';
  const hasProba = classifier && (typeof (estimator as { canCall?: (m: string) => boolean }).canCall !== 'function' || (estimator as unknown as { canCall(m: string): boolean }).canCall('predictProba'));
  const version = at.version === null ? 'file' : String(at.version);
  const valueField = signature.outputs.find((f) => f.type === 'number' && !f.shape)?.name ?? 'prediction';
  const sig = signature;
  const est = estimator as unknown as { predict(x: unknown): unknown; predictProba(x: unknown): Matrix };

  const predict = (items: readonly unknown[]): Outputs => {
    const n = items.length;
    const X = kind === 'text' ? items : recordsToTable(sig, items, 'instances');
    if (!classifier) {
      const v = est.predict(X);
      return { n, values: v instanceof Float64Array ? v : Float64Array.from(v as ArrayLike<number>) };
    }
    if (!hasProba) return { n, labels: Array.from(est.predict(X) as ArrayLike<Label>) };
    const p = est.predictProba(X);
    const k = p.cols;
    const data = p.data;
    const labels = new Array<Label>(n);
    const labelIndex = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      // argmax, first maximum wins (as numpy's argmax and predict do)
      let best = 0;
      let bestP = data[i * k]!;
      for (let j = 1; j < k; j++) {
        const q = data[i * k + j]!;
        if (q > bestP) {
          bestP = q;
          best = j;
        }
      }
      labels[i] = classes![best]!;
      labelIndex[i] = best;
    }
    return { n, labels, proba: data, labelIndex };
  };

  const served: ServedModel = {
    name: at.name,
    uri: at.uri,
    version,
    versionNumber: at.version,
    estimator,
    metadata,
    kind,
    task: classifier ? 'classification' : 'regression',
    signature: sig,
    textField,
    classes,
    valueField,
    loadedAt: Date.now(),
    json: {
      head: `"model_name":${JSON.stringify(at.name)},"model_version":${JSON.stringify(version)}`,
      classKeys: (classes ?? []).map((c) => `${JSON.stringify(String(c))}:`),
      labels: (classes ?? []).map((c) => JSON.stringify(c)),
    },
    predict,
  };
  warmUp(served);
  return served;
}

/** Runs one prediction so that lazily compiled paths (the fused text tables) are ready before the first request. */
function warmUp(m: ServedModel): void {
  try {
    if (m.kind === 'text') {
      m.predict(['warm up']);
      return;
    }
    const record: Record<string, unknown> = {};
    for (const f of m.signature.inputs) {
      if (f.optional) continue;
      record[f.name] =
        f.type === 'string' ? (f.values?.[0] ?? (f.description === DATE_DESCRIPTION ? '2000-01-01' : '')) : f.type === 'boolean' ? false : typeof f.values?.[0] === 'number' ? f.values[0] : 0;
    }
    m.predict([record]);
  } catch {
    // A model that cannot predict a synthetic row still serves real ones; its errors surface per request.
  }
}
