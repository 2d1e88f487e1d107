/**
 * Discrete Naive Bayes classifiers with scikit-learn 1.2's maths and defaults.
 *
 * @packageDocumentation
 */
export { BaseDiscreteNB } from './base.js';
export type { DiscreteNBParams } from './base.js';
export { MultinomialNB } from './multinomial.js';
export type { MultinomialNBParams } from './multinomial.js';
export { ComplementNB } from './complement.js';
export type { ComplementNBParams } from './complement.js';
export { BernoulliNB } from './bernoulli.js';
export type { BernoulliNBParams } from './bernoulli.js';
