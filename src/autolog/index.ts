/**
 * mlship/autolog: automatic experiment logging. `autolog()` records every estimator fit that
 * happens inside an active tracking run (params, training metrics, search results, the model
 * package); `logModel()` logs (and optionally registers) a fitted model by hand.
 *
 * @packageDocumentation
 */
export { autolog } from './autolog.js';
export type { AutologOptions } from './autolog.js';
export { logModel, loadModelUri, MODEL_FILE } from './log-model.js';
export type { LogModelOptions, LoggedModel, LoadModelUriOptions } from './log-model.js';
