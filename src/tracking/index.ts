/**
 * mlship/tracking: experiments, runs, metrics, params, tags and dataset inputs in a store chosen by
 * URI (SQLite by default), the run search language, the prediction log of served models
 * (`openPredictionStore`, `openPredictionLogWriter`), and the conformance suites for store backends
 * (in `src/tracking/testing`, used by tests).
 *
 * @packageDocumentation
 */
export type {
  Experiment,
  Run,
  RunInfo,
  RunData,
  Metric,
  Param,
  RunTag,
  DatasetInput,
  RunStatus,
  LifecycleStage,
  ViewType,
  Page,
} from './entities.js';
export { RUN_STATUSES, DEFAULT_EXPERIMENT_ID, DEFAULT_EXPERIMENT_NAME, PARENT_RUN_ID_TAG } from './entities.js';
export { AbstractTrackingStore } from './store.js';
export type {
  TrackingStore,
  TrackingStoreCore,
  CreateExperimentOptions,
  SearchExperimentsOptions,
  CreateRunOptions,
  UpdateRunOptions,
  MetricInput,
  LogBatch,
  SearchRunsOptions,
} from './store.js';
export { openTrackingStore, trackingStoreSchemes, DEFAULT_TRACKING_URI } from './stores/open.js';
export type { OpenTrackingStoreOptions } from './stores/open.js';
export { openRegistryStore } from './stores/open.js';
export type { OpenRegistryStoreOptions } from './stores/open.js';
export type { SqliteRegistryStoreOptions } from './stores/sqlite-registry.js';
export type {
  RegisteredModel,
  ModelVersion,
  ModelVersionStatus,
  AliasAction,
  AliasChange,
  RegistryStore,
  CreateModelVersionOptions,
  SetAliasOptions,
  SearchRegistryOptions,
  SearchModelVersionsOptions,
} from './registry.js';
export type { SqliteTrackingStoreOptions } from './stores/sqlite.js';
export { MAX_KEY_LENGTH, MAX_PARAM_VALUE_LENGTH, MAX_TAG_VALUE_LENGTH } from './stores/validate.js';
export * from './search/index.js';
export { MlshipClient } from './client.js';
export type { ClientOptions, StartRunOptions, PromoteOptions, PromotionResult, ResolvedModel, ModelVersionLineage, DatasetLineage } from './client.js';
export { ActiveRun, activeRun, withRunTags, ambientRunTags } from './active-run.js';
export { codeVersion } from './code-version.js';
export type { CodeVersion } from './code-version.js';
export { describeDatasetRead, UNVERSIONED_DIGEST_PREFIX } from './dataset-capture.js';
export { parseModelUri, formatModelUri, MODEL_URI_FORMS } from './model-uri.js';
export type { ModelUri } from './model-uri.js';
export type { ArtifactStore, ArtifactInfo } from './artifacts/artifact-store.js';
export { openArtifactStore, artifactStoreSchemes } from './artifacts/open.js';
export { LocalArtifactStore } from './artifacts/local.js';
export { openPredictionStore, predictionStoreSchemes, predictionItems } from './predictions.js';
export type {
  PredictionRecord,
  StoredPrediction,
  LabelInput,
  LabelResult,
  LogPredictionsResult,
  PredictionFilter,
  SearchPredictionsOptions,
  PredictionStore,
  OpenPredictionStoreOptions,
} from './predictions.js';
export type { SqlitePredictionStoreOptions } from './stores/sqlite-predictions.js';
export { openPredictionLogWriter } from './prediction-writer.js';
export type { PredictionLogWriter, PredictionLogStats, PredictionLogWriterOptions } from './prediction-writer.js';
