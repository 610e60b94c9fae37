/**
 * choicelab forest: honest regression, quantile and causal forests (grf-style) on one tree engine,
 * trained in parallel over worker threads with per-tree seeds.
 */
export {
  regressionForest,
  quantileForest,
  causalForest,
  regressionForestDefaults,
  quantileForestDefaults,
  causalForestDefaults,
} from './forest';
export type {
  ForestOptions,
  QuantileForestOptions,
  CausalForestOptions,
  Forest,
  RegressionForest,
  QuantileForest,
  CausalForest,
  CausalEffects,
  AverageEffect,
  FeatureInput,
  ForestWeights,
  Tree,
} from './forest';
export { orderCategories } from './data';
export { friedman1, heteroscedastic, wagerAthey, wagerAtheySigma, confounded, knnCate } from './designs';
export type { Columns, RegressionDesign, QuantileDesign, CausalDesign } from './designs';
