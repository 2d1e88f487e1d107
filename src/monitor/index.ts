/**
 * Monitoring: drift tests on columns and text, for reference vs current data (issue 7).
 * @packageDocumentation
 */
export * from './text/index.js';
export { ksTwoSample, ksTwoSampleSorted } from './stats/ks.js';
export type { KsOptions, KsResult } from './stats/ks.js';
export { chiSquare, chiSquareTest, zTestProportions } from './stats/categorical.js';
export type { Category, TestResult, CategoricalTestResult } from './stats/categorical.js';
export { wassersteinDistance, normalizedWasserstein, normalizedWassersteinSorted } from './stats/wasserstein.js';
export type { NormalizedWassersteinResult } from './stats/wasserstein.js';
export { binnedPercents, binnedPercentsSorted, jensenShannon, jensenShannonDistance, psi, psiOfPercents } from './stats/binned.js';
export type { BinnedOptions, BinnedPercents, BinnedDistanceResult } from './stats/binned.js';
export { logGamma, gammaincc, erfc, normalCdf, smirnov, kolmogorovSf } from './stats/special.js';
export { columnDrift, datasetDrift, defaultDriftMethod, DEFAULT_THRESHOLDS } from './drift.js';
export type { DriftMethod, ColumnKind, ColumnDriftOptions, ColumnDriftResult, DriftOverride, DatasetDriftOptions, DatasetDriftResult } from './drift.js';
export * from './profile/index.js';
export { ksPValue } from './stats/ks.js';
export { monitorWindow, WindowAccumulator, defaultBucketMs, itemText, itemPrediction } from './window.js';
export type { MonitorWindowOptions, MonitorResult, MonitorQuality, MonitorSeriesPoint, ColumnDistribution, WindowAccumulatorOptions, WindowItem } from './window.js';
export * from './report/index.js';
export * from './watch/index.js';
