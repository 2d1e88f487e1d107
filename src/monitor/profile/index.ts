/**
 * Reference profiles: what monitoring keeps of a model version's reference data (column sketches,
 * prediction and label sketches, held-out metrics, a text sample and vocabulary), drift of current
 * data against a profile, and saving/loading profiles with a model version's run.
 * @packageDocumentation
 */
export { buildProfile, profileDrift, CurrentSketch, heldOutMetrics, tableColumns } from './profile.js';
export { profileColumn, DEFAULT_MAX_BINS, DEFAULT_TOP_K } from './sketch.js';
export { saveProfile, saveModelProfile, loadProfile, PROFILE_ARTIFACT, PROFILE_RUN_TAG } from './store.js';
export { TEXT_COLUMNS, vectorizerVocabulary, profileVocabulary } from './text.js';
export type {
  ReferenceProfile,
  ColumnProfile,
  NumericColumnProfile,
  CategoricalColumnProfile,
  TextProfile,
  TextAnalyzerSettings,
  ProfileInput,
  BuildProfileOptions,
  CurrentData,
  ProfileDriftOptions,
  ProfileDriftResult,
} from './types.js';
