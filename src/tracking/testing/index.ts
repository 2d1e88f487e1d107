/**
 * Test helpers for tracking store backends: {@link trackingStoreConformance}, the shared suite every
 * backend runs (it uses vitest, so it is not part of the public `mlship/tracking` entry).
 *
 * @packageDocumentation
 */
export { trackingStoreConformance, startChild } from './conformance.js';
export type { StoreFixture, Child } from './conformance.js';
