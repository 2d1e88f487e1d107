/**
 * Input checks of the model registry, shared by every registry backend so that each rejects the
 * same inputs with the same messages. Tag keys and values follow the tracking store's rules
 * (validate.ts).
 *
 * @internal
 * @module
 */
import { MlshipError } from '../../core/index.js';
import type { AliasAction, SetAliasOptions } from '../registry.js';
import { checkKey, checkValue } from './validate.js';

/** Longest registered model name, in characters (it is also a folder name, so at most 255 UTF-8 bytes). */
export const MAX_MODEL_NAME_LENGTH = 200;
/** Longest alias name. */
export const MAX_ALIAS_LENGTH = 100;
/** Longest model or version description. */
export const MAX_DESCRIPTION_LENGTH = 50_000;
/** Longest version source (a path or URI). */
export const MAX_SOURCE_LENGTH = 4096;
/** Longest run id a version may reference. */
export const MAX_RUN_ID_LENGTH = 256;

/** The actions an alias change may record. */
export const ALIAS_ACTIONS: readonly AliasAction[] = ['set', 'promote', 'force', 'rollback', 'delete'];

const CONTROL = /[\u0000-\u001f\u007f]/u;
const ALIAS_PATTERN = /^[A-Za-z_-][A-Za-z0-9_-]*$/u;

/**
 * Checks a registered model name: 1 to 200 characters (255 UTF-8 bytes), no `/`, `\`, `@` or
 * control characters, no leading or trailing space, and not `.` or `..` — the name is part of
 * model URIs (`models:/name@alias`, `models:/name/3`) and of the folder a version is copied to.
 */
export function checkModelName(name: unknown, what = 'model name'): asserts name is string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new MlshipError('INVALID_ARGUMENT', `${what} must be a non-empty string, got ${JSON.stringify(name)}`, { field: what, value: name });
  }
  if (name.length > MAX_MODEL_NAME_LENGTH || Buffer.byteLength(name) > 255) {
    throw new MlshipError('INVALID_ARGUMENT', `${what} '${name.slice(0, 40)}…' is ${name.length} characters long; the limit is ${MAX_MODEL_NAME_LENGTH} (and 255 UTF-8 bytes)`, {
      field: what,
      value: name.length,
    });
  }
  if (/[/\\@]/u.test(name) || CONTROL.test(name) || name.trim() !== name || name === '.' || name === '..') {
    throw new MlshipError(
      'INVALID_ARGUMENT',
      `invalid ${what} ${JSON.stringify(name)}: it may not contain '/', '\\', '@' or control characters, start or end with a space, or be '.' or '..' (it is used in models:/ URIs and as a folder name)`,
      { field: what, value: name },
    );
  }
}

/**
 * Checks an alias name: letters, digits, `_` and `-`, not starting with a digit, at most 100
 * characters, and not of the form `v<digits>` (so `models:/m@3` and `models:/m@v3` stay unambiguous).
 */
export function checkAlias(alias: unknown): asserts alias is string {
  if (typeof alias !== 'string' || alias.length === 0) {
    throw new MlshipError('INVALID_ARGUMENT', `alias must be a non-empty string, got ${JSON.stringify(alias)}`, { field: 'alias', value: alias });
  }
  if (alias.length > MAX_ALIAS_LENGTH) {
    throw new MlshipError('INVALID_ARGUMENT', `alias '${alias.slice(0, 40)}…' is ${alias.length} characters long; the limit is ${MAX_ALIAS_LENGTH}`, { field: 'alias', value: alias.length });
  }
  if (!ALIAS_PATTERN.test(alias)) {
    throw new MlshipError('INVALID_ARGUMENT', `invalid alias ${JSON.stringify(alias)}: use letters, digits, '_' and '-', not starting with a digit (e.g. 'champion')`, { field: 'alias', value: alias });
  }
  if (/^[vV]\d+$/u.test(alias)) {
    throw new MlshipError('INVALID_ARGUMENT', `invalid alias ${JSON.stringify(alias)}: 'v<digits>' would read as a version number; pick another name`, { field: 'alias', value: alias });
  }
}

/** Checks a version number: a positive integer. */
export function checkVersion(version: unknown, field = 'version'): asserts version is number {
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) {
    throw new MlshipError('INVALID_ARGUMENT', `${field} must be a positive integer, got ${JSON.stringify(version)}`, { field, value: version });
  }
}

/** Checks an `expectedVersion` (compare-and-set): undefined (no check), null (must not exist) or a version. */
export function checkExpectedVersion(expected: unknown): asserts expected is number | null | undefined {
  if (expected !== undefined && expected !== null) checkVersion(expected, 'expectedVersion');
}

/** Checks a description. */
export function checkDescription(description: unknown): asserts description is string {
  if (typeof description !== 'string') {
    throw new MlshipError('INVALID_ARGUMENT', `description must be a string, got ${typeof description}`, { field: 'description', value: description });
  }
  if (description.length > MAX_DESCRIPTION_LENGTH) {
    throw new MlshipError('INVALID_ARGUMENT', `description is ${description.length} characters long; the limit is ${MAX_DESCRIPTION_LENGTH}`, { field: 'description', value: description.length });
  }
}

/** Checks tags given as a record and returns its entries. */
export function checkTags(tags: unknown): [string, string][] {
  if (tags === undefined) return [];
  if (tags === null || typeof tags !== 'object' || Array.isArray(tags)) {
    throw new MlshipError('INVALID_ARGUMENT', `tags must be an object of string values, got ${JSON.stringify(tags)}`, { field: 'tags' });
  }
  const entries = Object.entries(tags as Record<string, unknown>);
  for (const [k, v] of entries) {
    checkKey('tag', k);
    checkValue('tag', k, v);
  }
  return entries as [string, string][];
}

/** Checks a version's source and run id. */
export function checkSource(source: unknown, runId: unknown): void {
  if (typeof source !== 'string' || source.length === 0 || source.length > MAX_SOURCE_LENGTH) {
    throw new MlshipError('INVALID_ARGUMENT', `source must be a non-empty string of at most ${MAX_SOURCE_LENGTH} characters (where the model package is), got ${JSON.stringify(source)?.slice(0, 80)}`, {
      field: 'source',
      value: source,
    });
  }
  if (runId !== undefined && runId !== null && (typeof runId !== 'string' || runId.length === 0 || runId.length > MAX_RUN_ID_LENGTH)) {
    throw new MlshipError('INVALID_ARGUMENT', `runId must be null or a run id string of 1 to ${MAX_RUN_ID_LENGTH} characters, got ${JSON.stringify(runId)}`, { field: 'runId', value: runId });
  }
}

/** Checks the options of `setAlias`. */
export function checkSetAliasOptions(options: SetAliasOptions): void {
  if (options === null || typeof options !== 'object') {
    throw new MlshipError('INVALID_ARGUMENT', `setAlias options must be an object, got ${JSON.stringify(options)}`, { field: 'options' });
  }
  if (options.action !== undefined && (!ALIAS_ACTIONS.includes(options.action) || options.action === 'delete')) {
    throw new MlshipError('INVALID_ARGUMENT', `action must be one of set, promote, force, rollback (delete an alias with deleteAlias), got ${JSON.stringify(options.action)}`, {
      field: 'action',
      value: options.action,
    });
  }
  checkExpectedVersion(options.expectedVersion);
  checkReason(options.reason);
  if (options.metric != null) checkKey('metric', options.metric);
  for (const field of ['value', 'previousValue'] as const) {
    const v = options[field];
    if (v != null && typeof v !== 'number') {
      throw new MlshipError('INVALID_ARGUMENT', `${field} must be a number or null, got ${JSON.stringify(v)}`, { field, value: v });
    }
  }
}

/** Checks a free-text reason. */
export function checkReason(reason: unknown): void {
  if (reason != null && (typeof reason !== 'string' || reason.length > MAX_DESCRIPTION_LENGTH)) {
    throw new MlshipError('INVALID_ARGUMENT', `reason must be null or a string of at most ${MAX_DESCRIPTION_LENGTH} characters, got ${typeof reason}`, { field: 'reason', value: reason });
  }
}
