/**
 * choicelab pricing: price experiments on products over time — a world with carryover and
 * spillover between substitutes and known truth, designs as product × day schedules (time-bound,
 * triggered, random-days, crossover, Bojinov switchback, cluster-randomised), estimators
 * (difference in means, TWFE DID, HPTE, exposure-mapping Horvitz–Thompson/Hájek) and a design
 * comparison runner on worker threads.
 */
export { pricingWorld, simulatePanel, simulateBaseline, worldDefaults } from './world';
export type { PricingWorld, PricingWorldSpec, PricingPanel, ProductFeatures, GroundTruth } from './world';
export { substitutesGraph, checkGraph, cutWeight, louvain } from './graph';
export type { SubstitutesGraph, Edge, CutWeight, Clustering, LouvainOptions } from './graph';
export {
  timeBound,
  triggered,
  randomDays,
  crossover,
  bojinovSwitchback,
  clustered,
  designName,
  designKinds,
  designDefaults,
  drawSchedule,
  customSchedule,
  checkSchedule,
  checkDesign,
  bojinovRandomizationPoints,
} from './designs';
export type {
  Schedule,
  ScheduleSpan,
  DesignSpec,
  TimeBoundDesign,
  TriggeredDesign,
  RandomDaysDesign,
  CrossoverDesign,
  BojinovDesign,
} from './designs';
export { differenceInMeans, did } from './estimators';
export type { Estimate } from './estimators';
export { hpte, hpteDefaults, trendSeasonalForecaster } from './hpte';
export type { HpteOptions, HpteEstimate, TrendSeasonalOptions } from './hpte';
export { exposures, exposureProbabilities, exposureHT } from './exposure';
export type { ExposureOptions, ExposureProbabilities, ExposureHTOptions } from './exposure';
export type { ForecastRequest, UntreatedForecaster } from './forecaster';
export { compareDesigns, studyDesigns, comparisonMarkdown, runCompareReplicate, estimatorNames, estimatorLabels, compareDefaults } from './compare';
export type { CompareOptions, ComparisonResult, ComparisonRow, SpilloverRow, EstimatorName, CompareTask, ReplicateOut } from './compare';
