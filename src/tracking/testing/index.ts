/**
 * Test helpers for tracking store backends: {@link trackingStoreConformance}, the shared suite every
 * backend runs (it uses vitest, so it is not part of the public `mlship/tracking` entry).
 *
 * @packageDocumentation
 */
export { trackingStoreConformance, startChild } from './conformance.js';
export type { StoreFixture, Child } from './conformance.js';
export { artifactStoreConformance } from './artifact-conformance.js';
export type { ArtifactStoreFixture } from './artifact-conformance.js';
export { registryStoreConformance } from './registry-conformance.js';
export type { RegistryStoreFixture } from './registry-conformance.js';
export { predictionStoreConformance } from './prediction-conformance.js';
export type { PredictionStoreFixture } from './prediction-conformance.js';
