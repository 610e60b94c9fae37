/**
 * The forecaster slot of HPTE: what the pricing estimators need from any forecasting model to
 * build "what would have happened untreated". Kept free of pricing internals so the forecast
 * module can implement it without depending on the pricing world.
 */

/** The data a forecaster sees: every series' history before treatment, and the days to predict. */
export interface ForecastRequest {
  /** Number of series (products). */
  series: number;
  /** Days of history per series. */
  historyLength: number;
  /** Observed outcomes, series-major: series i, day t is `history[i * historyLength + t]`. */
  history: Float64Array;
  /** Days to forecast right after the history (≥ 1). */
  horizon: number;
  /** Calendar index of the history's first day (day 0 of the panel is 0), for seasonality. */
  startDay: number;
  /**
   * Optional covariates known over history and horizon (e.g. the untreated price):
   * name → series-major array of length `series × (historyLength + horizon)`.
   */
  covariates?: Record<string, Float64Array>;
  /** Seed for any randomness in fitting. */
  seed: number;
}

/** A model that predicts each series' untreated outcome over the horizon from its history. */
export interface UntreatedForecaster {
  /** Short name for tables, e.g. "trend+seasonality" or "quantile forest". */
  readonly name: string;
  /** Point forecasts (median or mean), series-major: series i, step h at `[i * horizon + h]`. */
  forecast(request: ForecastRequest): Float64Array | Promise<Float64Array>;
}
