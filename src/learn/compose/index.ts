/**
 * Composition of estimators: Pipeline and makePipeline.
 *
 * @packageDocumentation
 */
export { Pipeline, makePipeline } from './pipeline.js';
export type { Step, StepEstimator, PipelineParams } from './pipeline.js';
