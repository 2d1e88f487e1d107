/**
 * Text drift: per-document descriptors and the domain-classifier test.
 * @packageDocumentation
 */
export { textDescriptors, nonLetterShare } from './descriptors.js';
export type { TextDescriptors, TextDescriptorOptions, MaybeText, VocabularyLookup } from './descriptors.js';
export { domainClassifierDrift } from './domain-classifier.js';
export type { DomainClassifierOptions, DomainClassifierResult } from './domain-classifier.js';
