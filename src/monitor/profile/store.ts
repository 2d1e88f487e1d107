// Saving and loading a model version's reference profile as the artifact `reference-profile.json`
// of the run that logged the model.
import { MlshipError, isMlshipError } from '../../core/index.js';
import type { MlshipClient } from '../../tracking/index.js';
import type { ReferenceProfile } from './types.js';
import { checkProfile } from './validate.js';

/**
 * The artifact path of a model version's reference profile, in the version's run.
 *
 * @example
 * ```ts
 * import { PROFILE_ARTIFACT } from 'mlship/monitor';
 * const bytes = await (await client.artifacts(runId)).readBytes(PROFILE_ARTIFACT);
 * ```
 */
export const PROFILE_ARTIFACT = 'reference-profile.json';

/**
 * Saves a reference profile as the artifact `reference-profile.json` of a run (the run that logged
 * and registered the model version), replacing any previous one.
 *
 * @throws MlshipError NOT_FOUND when the run does not exist; INVALID_ARGUMENT when `profile` is not
 *   a valid profile.
 * @example
 * ```ts
 * import { buildProfile, saveProfile } from 'mlship/monitor';
 * await saveProfile(client, run.runId, buildProfile({ task: 'regression', columns: xTest, predictions, target: yTest }));
 * ```
 */
export async function saveProfile(client: MlshipClient, runId: string, profile: ReferenceProfile): Promise<void> {
  checkProfile(profile, `the profile for run ${runId}`);
  const store = await client.artifacts(runId);
  await store.writeBytes(PROFILE_ARTIFACT, new TextEncoder().encode(JSON.stringify(profile)));
}

/**
 * The model version tag naming the run that holds the profile of a version registered without a run.
 *
 * @example
 * ```ts
 * import { PROFILE_RUN_TAG } from 'mlship/monitor';
 * (await client.registry.getModelVersion('spam', 2)).tags[PROFILE_RUN_TAG];
 * ```
 */
export const PROFILE_RUN_TAG = 'mlship.profile_run';

async function profileRunTag(client: MlshipClient, name: string | null, version: number | null): Promise<string | null> {
  if (name === null || version === null) return null;
  const mv = await client.registry.getModelVersion(name, version);
  return mv.tags[PROFILE_RUN_TAG] ?? null;
}

/**
 * Saves the reference profile of a registered model version (or a run's model): in the version's
 * run when it has one; for a version registered from a file, in a new run of the experiment
 * `monitoring-profiles`, which the version's tag `mlship.profile_run` then names. Returns the run.
 *
 * @throws MlshipError NOT_FOUND for an unknown model, version or alias; INVALID_ARGUMENT for a
 *   model URI that is a plain file (it has no registry entry to attach the profile to).
 * @example
 * ```ts
 * import { buildProfile, saveModelProfile } from 'mlship/monitor';
 * const runId = await saveModelProfile(client, 'models:/housing/3', profile);
 * ```
 */
export async function saveModelProfile(client: MlshipClient, modelUri: string, profile: ReferenceProfile): Promise<string> {
  checkProfile(profile, `the profile for ${modelUri}`);
  const resolved = await client.resolveModelUri(modelUri);
  if (resolved.runId !== null) {
    await saveProfile(client, resolved.runId, profile);
    return resolved.runId;
  }
  if (resolved.name === null || resolved.version === null)
    throw new MlshipError('INVALID_ARGUMENT', `${modelUri} is a file outside the tracking store; register it first (mlship models register) and give its models:/ URI, so the profile can be found from the version`, { field: 'modelUri', value: modelUri });
  const run = await client.startRun({ experimentName: 'monitoring-profiles', runName: `profile ${resolved.name} v${resolved.version}`, tags: { 'mlship.model': `${resolved.name}/${resolved.version}` } });
  try {
    await saveProfile(client, run.runId, profile);
    await run.end('FINISHED');
  } catch (err) {
    await run.end('FAILED').catch(() => undefined);
    throw err;
  }
  await client.registry.setModelVersionTag(resolved.name, resolved.version, PROFILE_RUN_TAG, run.runId);
  return run.runId;
}

function howToCreate(modelUri: string): string {
  return `create one with \`mlship monitor profile create --model ${modelUri} --data <held-out dataset or file>\`, or retrain with \`mlship train\` / \`mlship example run\`, which save a profile with every model version`;
}

/**
 * Loads the reference profile of a registered model version: `models:/name/3`,
 * `models:/name@champion` or `models:/name/latest`.
 *
 * @throws MlshipError NOT_FOUND when the model, version or alias is unknown, or the version has no
 *   profile (the message says how to create one); CORRUPT_ARTIFACT when the file is not a profile.
 * @example
 * ```ts
 * import { loadProfile } from 'mlship/monitor';
 * const profile = await loadProfile(client, 'models:/housing@champion');
 * console.log(profile.rows, Object.keys(profile.columns));
 * ```
 */
export async function loadProfile(client: MlshipClient, modelUri: string): Promise<ReferenceProfile> {
  if (typeof modelUri !== 'string' || !modelUri.startsWith('models:/'))
    throw new MlshipError('INVALID_ARGUMENT', `loadProfile: expected a registered model URI such as models:/housing/3 or models:/housing@champion, got ${JSON.stringify(modelUri)}`, { field: 'modelUri', value: modelUri });
  const resolved = await client.resolveModelUri(modelUri);
  const where = `${resolved.name ?? modelUri} version ${resolved.version ?? '?'}`;
  const runId = resolved.runId ?? (await profileRunTag(client, resolved.name, resolved.version));
  if (runId === null)
    throw new MlshipError('NOT_FOUND', `${where} (${modelUri}) has no reference profile: it was registered from a file, without a run to hold one; ${howToCreate(modelUri)}`, { field: 'modelUri', value: modelUri });
  resolved.runId = runId;
  let bytes: Uint8Array;
  try {
    const store = await client.artifacts(resolved.runId);
    bytes = await store.readBytes(PROFILE_ARTIFACT);
  } catch (err) {
    if (isMlshipError(err, 'NOT_FOUND'))
      throw new MlshipError('NOT_FOUND', `${where} (${modelUri}) has no reference profile (no ${PROFILE_ARTIFACT} in run ${resolved.runId}); ${howToCreate(modelUri)}`, { field: 'modelUri', value: modelUri }, { cause: err });
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch (err) {
    throw new MlshipError('CORRUPT_ARTIFACT', `${PROFILE_ARTIFACT} of run ${resolved.runId} (${modelUri}) is not valid JSON: ${(err as Error).message}; recreate it with ${howToCreate(modelUri).replace(/^create one with /, '')}`, { file: PROFILE_ARTIFACT }, { cause: err });
  }
  try {
    checkProfile(parsed, `${PROFILE_ARTIFACT} of run ${resolved.runId}`);
  } catch (err) {
    if (isMlshipError(err, 'INVALID_ARGUMENT') || isMlshipError(err, 'UNSUPPORTED_VERSION'))
      throw new MlshipError(err.code === 'UNSUPPORTED_VERSION' ? 'UNSUPPORTED_VERSION' : 'CORRUPT_ARTIFACT', err.message, { file: PROFILE_ARTIFACT }, { cause: err });
    throw err;
  }
  return parsed;
}
