/**
 * choicelab forecast: multi-horizon quantile demand forecasts — seasonal naive, a quantile
 * regression forest and MQ-CNN on TensorFlow.js — on one `QuantileForecast` contract, with
 * datasets from arrays or CSV, simulated demand, rolling-origin backtests (wQL, MASE, coverage)
 * and an adapter for the pricing module's HPTE forecaster slot.
 */
import { InputError, invalidOption } from '../core/errors';
import type { TensorBackendName } from '../core/tensor';
import type { FittedModel, SavedModel } from './models/common';
import { loadSeasonalNaive } from './models/seasonalNaive';
import { loadQuantileForestModel } from './models/forestModel';
import { loadMqCnn } from './models/mqcnn';

export { parseLevel, parseLevels, quantileForecast } from './forecast';
export type { QuantileForecast, LevelInput } from './forecast';
export { forecastDataset, fromCsv, parseCsv, truncateDataset, seriesTarget, checkForecastWindow, datasetDefaults } from './dataset';
export type { ForecastDataset, DatasetOptions, CsvOptions, FillRule } from './dataset';
export { simulateDemand, demandDefaults } from './simulate';
export type { DemandOptions, DemandTruth } from './simulate';
export { quantileLoss, weightedQuantileLoss, coverage, mase, scoreForecasts, compareScores } from './metrics';
export type { ForecastScore, WithSE } from './metrics';
export { seasonalNaive, modelDefaults } from './models/seasonalNaive';
export type { SeasonalNaiveOptions } from './models/seasonalNaive';
export { quantileForestModel, quantileForestModelDefaults, forestFeatureNames } from './models/forestModel';
export type { QuantileForestModelOptions } from './models/forestModel';
export { mqcnn, mqcnnDefaults } from './models/mqcnn';
export type { MqCnnOptions } from './models/mqcnn';
export type { ForecastModel, FittedModel, SavedModel, FitOptions, PredictOptions, ProgressCallback } from './models/common';
export { backtest, rollingOrigins, backtestComparison } from './backtest';
export type { BacktestOptions, BacktestResult, BacktestRow } from './backtest';
export { untreatedForecaster } from './adapter';
export type { ForecasterKind, UntreatedForecasterOptions } from './adapter';

/** Restores a fitted model from `model.toJSON()` (or its JSON text). MQ-CNN loads the tfjs backend. */
export async function loadModel(saved: SavedModel | string, options: { backend?: TensorBackendName } = {}): Promise<FittedModel> {
  const s = (typeof saved === 'string' ? JSON.parse(saved) : saved) as SavedModel;
  if (!s || typeof s !== 'object') throw invalidOption('saved', 'a saved model (from toJSON())', saved);
  if (s.version !== 1) throw new InputError(`unsupported saved model version ${String(s.version)} (expected 1)`);
  if (s.kind === 'seasonal-naive') return loadSeasonalNaive(s);
  if (s.kind === 'quantile-forest') return loadQuantileForestModel(s);
  if (s.kind === 'mq-cnn') return loadMqCnn(s, options);
  throw invalidOption('saved.kind', '"seasonal-naive", "quantile-forest" or "mq-cnn"', (s as { kind?: unknown }).kind);
}
