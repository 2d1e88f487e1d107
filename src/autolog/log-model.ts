import { MlshipError } from '../core/index.js';
import type { BaseEstimator } from '../learn/index.js';
import { encodeModel, loadModel, type LoadedModel, type SaveModelOptions } from '../model/index.js';
import { MlshipClient, type ActiveRun, type ModelVersion, type ResolvedModel } from '../tracking/index.js';


/** The file name of the model package inside a logged model's artifact folder. */
export const MODEL_FILE = 'model.mlship';

/**
 * Options of {@link logModel}.
 *
 * @example
 * ```ts
 * const options: LogModelOptions = { artifactPath: 'model', registeredModelName: 'spam-filter' };
 * ```
 */
export interface LogModelOptions {
  /** The artifact folder the package is written to, as `<artifactPath>/model.mlship`. @default 'model' */
  artifactPath?: string;
  /** Signature, metrics, data fingerprint and tags recorded in the package. @default {} */
  metadata?: SaveModelOptions;
  /** Also register the logged package as the next version of this registered model. @default undefined (not registered) */
  registeredModelName?: string;
  /**
   * The client used to register the model.
   * @default the client that started `run` (or, when the run does not expose it, a client opened
   * on the default tracking URI, which must hold the run)
   */
  client?: MlshipClient;
}

/** What {@link logModel} returns. */
export interface LoggedModel {
  /** The artifact folder holding `model.mlship`: `runs:/<run-id>/<artifactPath>` resolves to it. */
  artifactPath: string;
  /** The registered version, when `registeredModelName` was given; else `null`. */
  modelVersion: ModelVersion | null;
}

/**
 * Logs a fitted estimator as the run's model package (`<artifactPath>/model.mlship`, so
 * `runs:/<run-id>/model` names it) and optionally registers it. Fails with NOT_FITTED for an
 * estimator that was never fitted, INVALID_ARGUMENT for something that is not an estimator.
 *
 * @example
 * ```ts
 * import { logModel } from 'mlship/autolog';
 * import { MlshipClient } from 'mlship/tracking';
 * import { LinearRegression } from 'mlship/learn';
 * const client = await MlshipClient.open({ trackingUri: 'sqlite:///tmp/mlship-demo/mlship.db' });
 * await client.withRun({ experimentName: 'demo' }, async (run) => {
 *   const model = new LinearRegression().fit([[1], [2], [3]], [2, 4, 6]);
 *   const { modelVersion } = await logModel(run, model, { registeredModelName: 'doubler', client });
 *   console.log(modelVersion?.version); // 1
 * });
 * await client.close();
 * ```
 */
export async function logModel(run: ActiveRun, estimator: BaseEstimator<any>, options: LogModelOptions = {}): Promise<LoggedModel> {
  return writeModel(run, encodeModel(estimator, options.metadata ?? {}), options);
}

/** Writes already-encoded package bytes as {@link logModel} does (autolog encodes at fit time). @internal */
export async function writeModel(run: ActiveRun, bytes: Uint8Array, options: LogModelOptions = {}): Promise<LoggedModel> {
  const artifactPath = normaliseArtifactPath(options.artifactPath ?? 'model');
  await run.writeArtifact(`${artifactPath}/${MODEL_FILE}`, bytes);
  let modelVersion: ModelVersion | null = null;
  if (options.registeredModelName !== undefined) {
    modelVersion = await withClient(run, options.client, (client) => client.registerModel(`runs:/${run.runId}/${artifactPath}`, options.registeredModelName!));
  }
  return { artifactPath, modelVersion };
}

function normaliseArtifactPath(path: string): string {
  if (typeof path !== 'string') throw new MlshipError('INVALID_ARGUMENT', `artifactPath must be a string such as 'model', got ${JSON.stringify(path)}`, { field: 'artifactPath', value: path });
  const trimmed = path.replace(/^\/+|\/+$/g, '');
  if (trimmed === '') throw new MlshipError('INVALID_ARGUMENT', `artifactPath must name a folder such as 'model', got ${JSON.stringify(path)}`, { field: 'artifactPath', value: path });
  return trimmed;
}

/** The client that started `run`, when the run exposes it. */
function clientOfRun(run: ActiveRun): MlshipClient | undefined {
  const c = (run as unknown as { client?: unknown }).client;
  return c instanceof MlshipClient ? c : undefined;
}

/**
 * Calls `fn` with the client to use for `run`: the explicit one, the run's own, or a client opened
 * on the default tracking URI for this call (checked to hold the run, then closed).
 * @internal
 */
export async function withClient<T>(run: ActiveRun, explicit: MlshipClient | undefined, fn: (client: MlshipClient) => Promise<T>): Promise<T> {
  const known = explicit ?? clientOfRun(run);
  if (known) return fn(known);
  const client = await MlshipClient.open();
  try {
    try {
      await client.tracking.getRun(run.runId);
    } catch (err) {
      throw new MlshipError(
        'INVALID_ARGUMENT',
        `run ${run.runId} is not in the default tracking store; pass the client that started it (autolog({ client }) or logModel(run, model, { client }))`,
        { field: 'client', value: run.runId },
        { cause: err },
      );
    }
    return await fn(client);
  } finally {
    await client.close();
  }
}

/** Options of {@link loadModelUri}. */
export interface LoadModelUriOptions {
  /** The client that resolves registry and run URIs. @default `MlshipClient.open()` (the default store), closed afterwards */
  client?: MlshipClient;
}

/**
 * Loads the model package a model URI names: `models:/name@alias`, `models:/name/3`,
 * `models:/name/latest`, `runs:/<run id>/model`, or a local path. Same as `loadModel` (mlship/model)
 * after `client.resolveModelUri`.
 *
 * @example
 * ```ts
 * import { loadModelUri } from 'mlship/autolog';
 * const { estimator, metadata } = await loadModelUri('models:/housing@champion');
 * ```
 */
export async function loadModelUri(uri: string, options: LoadModelUriOptions = {}): Promise<LoadedModel & { resolved: ResolvedModel }> {
  const client = options.client ?? (await MlshipClient.open());
  try {
    const resolved = await client.resolveModelUri(uri);
    return { ...(await loadModel(resolved.path)), resolved };
  } finally {
    if (!options.client) await client.close();
  }
}
