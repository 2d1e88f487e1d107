/**
 * The model registry: registered models, their numbered versions, and aliases (`champion`,
 * `challenger`, any name) with a history of every move. Plain data and the small store interface
 * every registry backend implements; promotion gates, rollback, model URIs and lineage are built on
 * top of it once, in the client.
 */
import type { Page } from './entities.js';

/**
 * A named model whose versions are registered from runs.
 *
 * @example
 * ```ts
 * const m = await registry.getRegisteredModel('housing');
 * console.log(m.latestVersion, m.aliases.champion);
 * ```
 */
export interface RegisteredModel {
  name: string;
  creationTime: number;
  lastUpdatedTime: number;
  /** @default '' */
  description: string;
  tags: Record<string, string>;
  /** Alias → version number, e.g. `{ champion: 3 }`. */
  aliases: Record<string, number>;
  /** The highest version number ever created, or `null` before the first. */
  latestVersion: number | null;
}

/** A version's state. Versions are created `READY` (the package is copied before the row is written). */
export type ModelVersionStatus = 'READY';

/**
 * One numbered version of a registered model: a model package at `source`, usually logged by run
 * `runId`. Version numbers start at 1 and are never reused, even after a version is deleted.
 *
 * @example
 * ```ts
 * const v = await registry.getModelVersion('housing', 3);
 * console.log(v.source, v.runId, v.aliases);
 * ```
 */
export interface ModelVersion {
  name: string;
  version: number;
  creationTime: number;
  lastUpdatedTime: number;
  /** @default '' */
  description: string;
  /** Where the model package lives: an artifact location (folder holding `model.mlship`) or file. */
  source: string;
  /** The run that produced it, or `null` when registered from a plain file. */
  runId: string | null;
  status: ModelVersionStatus;
  tags: Record<string, string>;
  /** The aliases currently pointing at this version. */
  aliases: string[];
}

/** What moved an alias. */
export type AliasAction = 'set' | 'promote' | 'force' | 'rollback' | 'delete';

/**
 * One entry of an alias's history: the alias moved from `previousVersion` to `version` (`null` when
 * deleted). Promotions record the metric compared and both values.
 */
export interface AliasChange {
  name: string;
  alias: string;
  /** The version the alias points to after the change; `null` when the alias was deleted. */
  version: number | null;
  /** The version it pointed to before; `null` when it was new. */
  previousVersion: number | null;
  action: AliasAction;
  time: number;
  /** Free text given by the caller (why it was forced, who approved). @default null */
  reason: string | null;
  /** For `promote`/`force`: the gate's metric, the candidate's and the previous holder's values. */
  metric: string | null;
  value: number | null;
  previousValue: number | null;
}

/** Options of {@link RegistryStore.createModelVersion}. */
export interface CreateModelVersionOptions {
  /** Where the model package is (already copied to its final place by the caller). */
  source: string;
  /** @default null */
  runId?: string | null;
  /** @default '' */
  description?: string;
  /** @default {} */
  tags?: Record<string, string>;
}

/** Options of {@link RegistryStore.setAlias}. */
export interface SetAliasOptions {
  /** What is recorded in the history. @default 'set' */
  action?: AliasAction;
  /**
   * Compare-and-set: the version the alias must point to now (`null`: must not exist). When it
   * points elsewhere the call fails with CONFLICT and changes nothing. @default undefined (no check)
   */
  expectedVersion?: number | null;
  /** @default null */
  reason?: string | null;
  /** @default null */
  metric?: string | null;
  /** @default null */
  value?: number | null;
  /** @default null */
  previousValue?: number | null;
}

/** Options of the registry's search methods. */
export interface SearchRegistryOptions {
  /** Only names matching this SQL LIKE pattern (`%` any run of characters, `_` one character). @default undefined (all) */
  nameLike?: string;
  /**
   * A filter in the search language over `name`, `attributes.creation_time`,
   * `attributes.last_updated_time` and `tags.<key>`, e.g.
   * `name LIKE 'housing%' AND (tags.stage = 'prod' OR tags.team ILIKE '%ml%')`. Combined with
   * `nameLike` by AND.
   * @default undefined (all models)
   */
  filter?: string;
  /**
   * Sort keys: `name`, `creation_time` or `last_updated_time`, each with an optional ASC (default)
   * or DESC, e.g. `['last_updated_time DESC']`; ties break by name.
   * @default [] (by name)
   */
  orderBy?: string[];
  /** Page size, 1 to 50,000. @default 1000 */
  maxResults?: number;
  /** The `nextPageToken` of the previous page. @default undefined (first page) */
  pageToken?: string;
}

/** Options of {@link RegistryStore.searchModelVersions}. */
export interface SearchModelVersionsOptions {
  /** Only versions of this model. @default undefined (all models) */
  name?: string;
  /** Only versions produced by these runs. @default undefined (any run) */
  runIds?: string[];
  /**
   * A filter in the search language over `name`, `version`, `run_id`, `source`,
   * `attributes.creation_time` and `tags.<key>`, e.g. `name = 'housing' AND version >= 3 AND
   * tags.validated = 'yes'`. Combined with `name` and `runIds` by AND.
   * @default undefined (all versions)
   */
  filter?: string;
  /**
   * Sort keys: `name`, `version`, `run_id`, `source` or `creation_time`, each with an optional ASC
   * (default) or DESC, e.g. `['version ASC']`; ties break by creation time (newest first), name,
   * then version (highest first).
   * @default [] (newest first)
   */
  orderBy?: string[];
  /** Page size, 1 to 50,000. @default 1000 */
  maxResults?: number;
  /** @default undefined (first page) */
  pageToken?: string;
}

/**
 * The small core every registry backend implements (SQLite now, PostgreSQL later). Model names are
 * at most 200 characters, without `/`, `\`, `@`, control characters or surrounding spaces, and not
 * `.` or `..` (they appear in `models:/` URIs and as folder names). Errors are `MlshipError`s: NOT_FOUND for unknown models, versions and
 * aliases; ALREADY_EXISTS for a taken name; CONFLICT when `expectedVersion` does not hold;
 * INVALID_ARGUMENT for bad names (alias names: letters, digits, `_` and `-`, not starting with a
 * digit and not of the form `v<digits>`, so `@3` and `@v3` stay unambiguous).
 *
 * @example
 * ```ts
 * import { openRegistryStore } from 'mlship/tracking';
 * const registry = await openRegistryStore('sqlite:///tmp/mlship.db');
 * await registry.createRegisteredModel('housing');
 * const v = await registry.createModelVersion('housing', { source: '/tmp/model', runId: null });
 * await registry.setAlias('housing', 'champion', v.version);
 * await registry.close();
 * ```
 */
export interface RegistryStore {
  /** Creates or upgrades the schema (shared with the tracking store when they share a database). Idempotent. */
  migrate(): Promise<void>;
  close(): Promise<void>;

  createRegisteredModel(name: string, options?: { description?: string; tags?: Record<string, string> }): Promise<RegisteredModel>;
  getRegisteredModel(name: string): Promise<RegisteredModel>;
  /** Models by name, or filtered and ordered with the search language (`filter`, `orderBy`). */
  searchRegisteredModels(options?: SearchRegistryOptions): Promise<Page<RegisteredModel>>;
  /** Renames a model; its versions, aliases and history follow. */
  renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel>;
  updateRegisteredModel(name: string, update: { description?: string }): Promise<RegisteredModel>;
  /** Deletes the model, its versions, aliases and history; the name can be reused. Returns the versions' sources. */
  deleteRegisteredModel(name: string): Promise<string[]>;
  setRegisteredModelTag(name: string, key: string, value: string): Promise<void>;
  deleteRegisteredModelTag(name: string, key: string): Promise<void>;

  /** Creates the next version (creating the registered model if it does not exist). */
  createModelVersion(name: string, options: CreateModelVersionOptions): Promise<ModelVersion>;
  getModelVersion(name: string, version: number): Promise<ModelVersion>;
  /** Versions, newest first, or filtered and ordered with the search language (`filter`, `orderBy`). */
  searchModelVersions(options?: SearchModelVersionsOptions): Promise<Page<ModelVersion>>;
  updateModelVersion(name: string, version: number, update: { description?: string }): Promise<ModelVersion>;
  /** Deletes a version; CONFLICT while an alias points at it (move or delete the alias first). Returns its source. */
  deleteModelVersion(name: string, version: number): Promise<string>;
  setModelVersionTag(name: string, version: number, key: string, value: string): Promise<void>;
  deleteModelVersionTag(name: string, version: number, key: string): Promise<void>;

  /** Points an alias at a version (atomically, recording the change in the alias history). */
  setAlias(name: string, alias: string, version: number, options?: SetAliasOptions): Promise<AliasChange>;
  /** Removes an alias (recorded in the history with action `delete`). */
  deleteAlias(name: string, alias: string, options?: { reason?: string | null; expectedVersion?: number | null }): Promise<AliasChange>;
  /** NOT_FOUND names the model's aliases when this one does not exist. */
  getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion>;
  /** Every change of the model's aliases (or of one alias), newest first. */
  getAliasHistory(name: string, alias?: string): Promise<AliasChange[]>;
}
