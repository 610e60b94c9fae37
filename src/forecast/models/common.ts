/** What every forecasting model implements, and the feature helpers the models share. */
import { InputError, invalidOption } from '../../core/errors';
import { checkKnownKeys, checkNumber } from '../../core/validate';
import type { ForecastDataset } from '../dataset';
import { checkForecastWindow } from '../dataset';
import type { QuantileForecast } from '../forecast';

/** Progress of a long fit (fraction in [0, 1] and a short message). */
export type ProgressCallback = (progress: { fraction: number; message: string }) => void;

/** Options of {@link ForecastModel.fit}. */
export interface FitOptions {
  /** Use only steps [0, end) of the targets (default: all observed steps). */
  end?: number;
  /** Called as fitting proceeds (notebooks turn it into a progress bar). */
  onProgress?: ProgressCallback;
}

/** Options of {@link FittedModel.predict}. */
export interface PredictOptions {
  /** Forecast origin: steps [0, origin) are history; forecasts cover [origin, origin + horizon) (default: the data's length). */
  origin?: number;
}

/** A model specification: fit it to a dataset to get a {@link FittedModel}. */
export interface ForecastModel {
  /** Short name for tables. */
  readonly name: string;
  /** Steps forecast. */
  readonly horizon: number;
  /** Quantile levels, increasing. */
  readonly levels: readonly number[];
  /** Fits on the data's history (before `end`). */
  fit(data: ForecastDataset, options?: FitOptions): Promise<FittedModel>;
}

/** A JSON-serialisable saved model; {@link loadModel} restores it. */
export interface SavedModel {
  kind: 'seasonal-naive' | 'quantile-forest' | 'mq-cnn';
  version: 1;
  [key: string]: unknown;
}

/** A fitted model: predicts quantiles at any origin of a dataset with the same columns. */
export interface FittedModel {
  readonly name: string;
  readonly kind: SavedModel['kind'];
  readonly horizon: number;
  readonly levels: readonly number[];
  /** One forecast per series, in the data's order. */
  predict(data: ForecastDataset, options?: PredictOptions): QuantileForecast[];
  /** A JSON-serialisable copy of the fitted state. */
  toJSON(): SavedModel;
}

/** Resolves and checks the forecast origin; validates the forecast window (future covariates). */
export function resolveOrigin(data: ForecastDataset, options: PredictOptions | undefined, horizon: number): number {
  const origin = options?.origin ?? data.length;
  checkForecastWindow(data, origin, horizon);
  return origin;
}

/** Checks a fit's arguments (the dataset and the fit options) and resolves `end`. */
export function resolveEnd(data: ForecastDataset, options: FitOptions | undefined, minimum: number): number {
  if (!data || !(data.target instanceof Float64Array)) throw new InputError('invalid argument `data`: expected a ForecastDataset');
  checkKnownKeys('fit options', options ?? {}, ['end', 'onProgress']);
  const end = options?.end ?? data.length;
  checkNumber('end', end, { min: 1, max: data.length, integer: true });
  if (end < minimum) throw invalidOption('end', `at least ${minimum} observed steps for this model`, end);
  return end;
}

/** Series scale at an origin: mean |y| over the last `period` steps (all history if shorter); 1 if zero. */
export function seriesScale(y: Float64Array, offset: number, origin: number, period: number): number {
  const from = Math.max(0, origin - period);
  let s = 0;
  for (let t = from; t < origin; t++) s += Math.abs(y[offset + t]);
  s /= origin - from;
  return s > 0 ? s : 1;
}

/** Per-series mean of covariate `c` over steps [0, origin). */
export function covariateMean(c: Float64Array, rowStart: number, origin: number): number {
  let s = 0;
  for (let t = 0; t < origin; t++) s += c[rowStart + t];
  return s / origin;
}

/** True when every target in steps [0, end) is ≥ 0 (then forecasts are clipped at 0). */
export function nonNegativeTargets(data: ForecastDataset, end: number): boolean {
  const T = data.length;
  for (let i = 0; i < data.n; i++) for (let t = 0; t < end; t++) if (data.target[i * T + t] < 0) return false;
  return true;
}

/** Checks that a dataset carries the covariates and static features a model was fitted with. */
export function checkColumns(data: ForecastDataset, covariates: readonly string[], statics: readonly string[]): void {
  for (const c of covariates) if (!(c in data.covariates)) throw invalidOption('data', `a dataset with covariate "${c}" (as in training)`, Object.keys(data.covariates));
  for (const c of statics) if (!(c in data.static)) throw invalidOption('data', `a dataset with static feature "${c}" (as in training)`, Object.keys(data.static));
}

/** Horizon steps covered by a season lag: the lag for step h is period·⌈(h + 1)/period⌉. */
export function seasonLag(h: number, period: number): number {
  return period * Math.ceil((h + 1) / period);
}
