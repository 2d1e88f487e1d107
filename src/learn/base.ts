import { MlshipError, hasFitSubscribers, publishFit, type Label, type Matrix } from '../core/index.js';

/** A value in an estimator's learned state: JSON values and typed arrays, nested freely. */
export type StateValue =
  | null
  | boolean
  | number
  | string
  | Float64Array
  | Float32Array
  | Int32Array
  | Uint32Array
  | Uint8Array
  | StateValue[]
  | { [key: string]: StateValue };

/** A learned state: named state values. */
export type EstimatorState = { [key: string]: StateValue };

/**
 * A serialisable picture of an estimator: its registered name, its hyperparameters (nested
 * estimators as snapshots too) and, when fitted, its learned state. The model package stores this.
 */
export interface EstimatorSnapshot {
  estimator: string;
  params: Record<string, unknown>;
  state: EstimatorState | null;
}

/** What kind of estimator this is; cross-validation stratifies folds for classifiers. */
export type EstimatorType = 'classifier' | 'regressor' | 'transformer' | 'meta';

type EstimatorCtor = (new (params?: any) => BaseEstimator<any>) & { readonly estimatorName: string };

const registry = new Map<string, EstimatorCtor>();
const functions = new Map<string, (...args: any[]) => unknown>();

/**
 * Registers an estimator class under its `estimatorName`, so that model packages and worker
 * threads can rebuild it. Every built-in estimator registers itself when its module loads.
 */
export function registerEstimator(ctor: EstimatorCtor): void {
  const existing = registry.get(ctor.estimatorName);
  if (existing && existing !== ctor) {
    throw new MlshipError('ALREADY_EXISTS', `an estimator named '${ctor.estimatorName}' is already registered`, { value: ctor.estimatorName });
  }
  registry.set(ctor.estimatorName, ctor);
  for (let proto = ctor.prototype; proto && proto !== BaseEstimator.prototype && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    instrumentFit(proto, 'fit');
    instrumentFit(proto, 'fitTransform');
  }
}

// ---------------------------------------------------------------- fit instrumentation

/** How many instrumented fits are running on this thread; only the outermost one publishes. */
let fitDepth = 0;
const INSTRUMENTED = Symbol('mlship.instrumentedFit');

/**
 * Wraps a class's own `fit` / `fitTransform` so that the outermost call publishes a FitEvent on
 * core's FIT_CHANNEL when it ends (with `error` when it throws, then rethrows). Nested fits
 * (pipeline steps, `fitTransform` calling `fit`, a search's refit) run at depth > 0 and do not
 * publish. Without subscribers the wrapper is one counter test and one boolean test.
 */
function instrumentFit(proto: object, method: 'fit' | 'fitTransform'): void {
  const own = Object.getOwnPropertyDescriptor(proto, method);
  if (!own || typeof own.value !== 'function' || (own.value as { [INSTRUMENTED]?: true })[INSTRUMENTED]) return;
  const original = own.value as (...args: unknown[]) => unknown;
  const wrapped = function (this: unknown): unknown {
    // eslint-disable-next-line prefer-rest-params
    if (fitDepth > 0 || !hasFitSubscribers()) return original.apply(this, arguments as unknown as unknown[]);
    // eslint-disable-next-line prefer-rest-params
    const args = arguments;
    fitDepth++;
    const t0 = performance.now();
    try {
      let result: unknown;
      try {
        result = original.apply(this, args as unknown as unknown[]);
      } catch (error) {
        publishFit({ estimator: this, X: args[0], y: args[1], durationMs: performance.now() - t0, error });
        throw error;
      }
      publishFit({ estimator: this, X: args[0], y: args[1], durationMs: performance.now() - t0 });
      return result;
    } finally {
      fitDepth--;
    }
  };
  Object.defineProperty(wrapped, 'name', { value: original.name });
  Object.defineProperty(wrapped, 'length', { value: original.length });
  Object.defineProperty(wrapped, INSTRUMENTED, { value: true });
  Object.defineProperty(proto, method, { ...own, value: wrapped });
}

/**
 * Runs `fn` as a nested fit: fits inside it do not publish fit events. Cross-validation uses it
 * for the clones it fits, so that only the search (or nothing, for `crossValidate`) publishes.
 */
export function asNestedFit<T>(fn: () => T): T {
  fitDepth++;
  try {
    return fn();
  } finally {
    fitDepth--;
  }
}

/** The registered estimator class of that name; NOT_FOUND names the known ones. */
export function estimatorClass(name: string): EstimatorCtor {
  const ctor = registry.get(name);
  if (!ctor) {
    throw new MlshipError('NOT_FOUND', `unknown estimator '${name}'; known: ${[...registry.keys()].sort().join(', ')}. Import the module that defines it before loading.`, { value: name });
  }
  return ctor;
}

/**
 * Registers a named function (a preprocessor, tokenizer or transform), so that an estimator whose
 * parameter names it can be saved and loaded. Parameters refer to it by its name.
 *
 * @example
 * ```ts
 * registerFunction('shout', (s: string) => s.toUpperCase());
 * new CountVectorizer({ preprocessor: 'shout' });
 * ```
 */
export function registerFunction(name: string, fn: (...args: any[]) => unknown): void {
  functions.set(name, fn);
}

/** Looks up a function registered with {@link registerFunction}. */
export function namedFunction<F extends (...args: any[]) => unknown>(name: string, param: string): F {
  const fn = functions.get(name);
  if (!fn) {
    throw new MlshipError('NOT_FOUND', `${param}: no function registered as '${name}'; known: ${[...functions.keys()].sort().join(', ') || '(none)'}. Call registerFunction('${name}', fn) first.`, { field: param, value: name });
  }
  return fn as F;
}

/** True for estimators (duck-typed so that estimators from another copy of mlship also count). */
export function isEstimator(x: unknown): x is BaseEstimator<any> {
  return x instanceof BaseEstimator;
}

/**
 * The base of every estimator, as scikit-learn's `BaseEstimator`: the constructor only stores
 * hyperparameters; `fit` validates and learns; learned state lives in fields ending in `_` that are
 * `undefined` until fit.
 *
 * @example
 * ```ts
 * const nb = new MultinomialNB({ alpha: 0.5 });
 * nb.getParams();               // { alpha: 0.5, fitPrior: true, classPrior: null, ... }
 * nb.setParams({ alpha: 1 });
 * const fresh = nb.clone();     // same params, not fitted
 * ```
 */
export abstract class BaseEstimator<P extends object = Record<string, unknown>> {
  /** The name this class is registered under; stable across versions (used in model packages). */
  static readonly estimatorName: string = 'BaseEstimator';
  /** What kind of estimator this is. */
  abstract readonly estimatorType: EstimatorType;

  protected params: P;

  protected constructor(defaults: P, options: Partial<P> | undefined) {
    this.params = { ...defaults };
    if (options) this.assignParams(options as Record<string, unknown>, 'constructor');
  }

  /** The registered class name. */
  get estimatorName(): string {
    return (this.constructor as unknown as EstimatorCtor).estimatorName;
  }

  /**
   * The hyperparameters. With `deep` (the default), parameters of nested estimators are included
   * as `'step.param'` keys, as scikit-learn's `get_params(deep=True)`.
   */
  getParams(deep = true): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(this.params)) {
      out[k] = v;
      if (deep && v instanceof BaseEstimator) {
        for (const [nk, nv] of Object.entries(v.getParams(true))) out[`${k}.${nk}`] = nv;
      }
    }
    return out;
  }

  /**
   * Sets hyperparameters, including nested ones as `'step.param'`. Unknown names fail with
   * INVALID_ARGUMENT listing the valid ones. Returns `this`. Does not refit.
   */
  setParams(params: Record<string, unknown>): this {
    const direct: Record<string, unknown> = {};
    const nested = new Map<string, Record<string, unknown>>();
    for (const [key, value] of Object.entries(params)) {
      const dot = key.indexOf('.');
      if (dot < 0) {
        direct[key] = value;
        continue;
      }
      const head = key.slice(0, dot);
      const group = nested.get(head) ?? {};
      group[key.slice(dot + 1)] = value;
      nested.set(head, group);
    }
    this.assignParams(direct, 'setParams');
    for (const [head, group] of nested) {
      const child = this.nestedEstimator(head);
      if (!child) {
        throw new MlshipError('INVALID_ARGUMENT', `${this.estimatorName}.setParams: '${head}' is not a nested estimator; nested ones: ${this.nestedNames().join(', ') || '(none)'}`, { field: head });
      }
      child.setParams(group);
    }
    return this;
  }

  /** The nested estimator reached by `name` (a parameter holding an estimator; Pipeline: a step). */
  protected nestedEstimator(name: string): BaseEstimator<any> | undefined {
    const v = (this.params as Record<string, unknown>)[name];
    return v instanceof BaseEstimator ? v : undefined;
  }

  protected nestedNames(): string[] {
    return Object.entries(this.params)
      .filter(([, v]) => v instanceof BaseEstimator)
      .map(([k]) => k);
  }

  private assignParams(values: Record<string, unknown>, where: string): void {
    const known = this.params as Record<string, unknown>;
    for (const [k, v] of Object.entries(values)) {
      if (!(k in known)) {
        throw new MlshipError(
          'INVALID_ARGUMENT',
          `${this.estimatorName} ${where}: unknown parameter '${k}'; valid parameters: ${Object.keys(known).join(', ')}`,
          { field: k },
        );
      }
      if (v !== undefined) known[k] = v;
    }
  }

  /** An unfitted copy with the same hyperparameters (nested estimators cloned too). */
  clone(): this {
    const Ctor = this.constructor as new (p: Record<string, unknown>) => this;
    return new Ctor(cloneParams(this.params as Record<string, unknown>));
  }

  /** True once `fit` has completed. */
  abstract get isFitted(): boolean;

  /** The learned state, for saving. Only called on a fitted estimator. */
  protected abstract getState(): EstimatorState;

  /** Restores the learned state produced by {@link getState}. */
  protected abstract setState(state: EstimatorState): void;

  /** Throws NOT_FITTED, naming the method that was called, unless the estimator is fitted. */
  protected requireFitted(method: string): void {
    if (!this.isFitted) {
      throw new MlshipError(
        'NOT_FITTED',
        `This ${this.estimatorName} instance is not fitted yet; call fit() with training data before ${method}().`,
        { field: method },
      );
    }
  }

  /** A serialisable snapshot: name, params (nested estimators as snapshots) and learned state. */
  toSnapshot(): EstimatorSnapshot {
    return {
      estimator: this.estimatorName,
      params: snapshotParams(this.params as Record<string, unknown>, this.estimatorName),
      state: this.isFitted ? this.getState() : null,
    };
  }

  /** Rebuilds an estimator (fitted if the snapshot has state) from {@link toSnapshot}'s output. */
  static fromSnapshot(snapshot: EstimatorSnapshot): BaseEstimator<any> {
    if (!snapshot || typeof snapshot.estimator !== 'string' || typeof snapshot.params !== 'object') {
      throw new MlshipError('CORRUPT_ARTIFACT', 'estimator snapshot is malformed: expected { estimator, params, state }');
    }
    const Ctor = estimatorClass(snapshot.estimator);
    const est = new Ctor(restoreParams(snapshot.params));
    if (snapshot.state) est.setState(snapshot.state);
    return est;
  }
}

function cloneParams(params: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) out[k] = cloneValue(v);
  return out;
}

function cloneValue(v: unknown): unknown {
  if (v instanceof BaseEstimator) return v.clone();
  if (Array.isArray(v)) return v.map(cloneValue);
  if (ArrayBuffer.isView(v)) return (v as Float64Array).slice();
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    return cloneParams(v as Record<string, unknown>);
  }
  return v;
}

const SNAP = '$estimator';

function snapshotParams(params: Record<string, unknown>, owner: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) out[k] = snapshotValue(v, `${owner}.${k}`);
  return out;
}

function snapshotValue(v: unknown, path: string): unknown {
  if (v instanceof BaseEstimator) return { [SNAP]: v.toSnapshot() };
  if (typeof v === 'function') {
    throw new MlshipError(
      'INVALID_ARGUMENT',
      `${path} is a function and cannot be saved; register it with registerFunction(name, fn) and pass the name instead`,
      { field: path },
    );
  }
  if (v instanceof RegExp) {
    throw new MlshipError('INVALID_ARGUMENT', `${path} is a RegExp; pass the pattern as a string instead`, { field: path });
  }
  if (Array.isArray(v)) return v.map((x, i) => snapshotValue(x, `${path}[${i}]`));
  if (v && typeof v === 'object' && !ArrayBuffer.isView(v)) return snapshotParams(v as Record<string, unknown>, path);
  return v;
}

function restoreParams(params: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) out[k] = restoreValue(v);
  return out;
}

function restoreValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(restoreValue);
  if (v && typeof v === 'object' && !ArrayBuffer.isView(v)) {
    const obj = v as Record<string, unknown>;
    if (SNAP in obj) return BaseEstimator.fromSnapshot(obj[SNAP] as EstimatorSnapshot);
    return restoreParams(obj);
  }
  return v;
}

/** An estimator that transforms X (vectorizers, scalers, encoders). */
export interface Transformer<XIn = unknown, XOut = unknown> extends BaseEstimator<any> {
  fit(X: XIn, y?: unknown): this;
  transform(X: XIn): XOut;
  fitTransform(X: XIn, y?: unknown): XOut;
}

/** A classifier: `predict` returns labels, `predictProba` one column per entry of `classes_`. */
export interface Classifier<X = unknown> extends BaseEstimator<any> {
  readonly classes_: Label[] | undefined;
  fit(X: X, y: ArrayLike<Label>): this;
  predict(X: X): Label[];
  predictProba(X: X): Matrix;
  score(X: X, y: ArrayLike<Label>): number;
}

/** A regressor: `predict` returns one value per row. */
export interface Regressor<X = unknown> extends BaseEstimator<any> {
  fit(X: X, y: ArrayLike<number>): this;
  predict(X: X): Float64Array;
  score(X: X, y: ArrayLike<number>): number;
}

/** Duck-typed checks used by Pipeline and model selection. */
export function isTransformer(e: unknown): e is Transformer {
  return e instanceof BaseEstimator && typeof (e as unknown as Transformer).transform === 'function';
}

export function isClassifier(e: unknown): e is Classifier {
  return e instanceof BaseEstimator && e.estimatorType === 'classifier';
}

export function isRegressor(e: unknown): e is Regressor {
  return e instanceof BaseEstimator && e.estimatorType === 'regressor';
}
