/**
 * tree estimators with scikit-learn 1.2's maths and defaults.
 *
 * @packageDocumentation
 */
export { DecisionTreeRegressor, DecisionTreeClassifier, BaseDecisionTree } from './decision-tree.js';
export type { BaseTreeParams, DecisionTreeRegressorParams, DecisionTreeClassifierParams } from './decision-tree.js';
export type { TreeSet, ExportTextOptions } from './flat.js';
export type { RegressionCriterion, ClassificationCriterion, MaxFeatures, TreeGrowthParams } from './params.js';
