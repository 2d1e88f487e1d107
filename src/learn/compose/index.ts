/**
 * Composition of estimators: Pipeline, makePipeline, ColumnTransformer, makeColumnTransformer
 * and makeColumnSelector.
 *
 * @packageDocumentation
 */
export { Pipeline, makePipeline } from './pipeline.js';
export type { Step, StepEstimator, PipelineParams, LinearHead } from './pipeline.js';
export { ColumnTransformer, makeColumnTransformer, makeColumnSelector } from './column-transformer.js';
export type { ColumnTransformerParams, ColumnTransformerEstimator, ColumnSelector, ColumnSelectorOptions, ColumnSpec, TransformerEntry } from './column-transformer.js';
