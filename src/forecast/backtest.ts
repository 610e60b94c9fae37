/**
 * Rolling-origin backtests: for each window, fit every model on the history before the origin,
 * forecast the next `horizon` steps, and score against the held-out actuals.
 */
import { InputError, invalidOption } from '../core/errors';
import { checkKnownKeys, checkNumber, checkPositiveInteger } from '../core/validate';
import type { ForecastDataset } from './dataset';
import type { QuantileForecast } from './forecast';
import { compareScores, scoreForecasts, type ForecastScore, type WithSE } from './metrics';
import type { FittedModel, ForecastModel, ProgressCallback } from './models/common';

/** Options of {@link rollingOrigins} and {@link backtest}. */
export interface BacktestOptions {
  /** Steps forecast per window; default the models' horizon. */
  horizon?: number;
  /** Number of windows (default 1). */
  windows?: number;
  /** Steps between consecutive origins (default: the horizon). */
  distance?: number;
  /** Steps held back after the last window's end (default 0: the last window ends at the data's end). */
  offset?: number;
  /** Progress callback (fraction over all fits). */
  onProgress?: ProgressCallback;
  /** Bootstrap replicates for the standard errors against the first model (default 500). */
  replicates?: number;
}

/**
 * Forecast origins of a rolling-origin evaluation, oldest first: the last window ends `offset`
 * steps before the data's end, and origins are `distance` steps apart.
 */
export function rollingOrigins(length: number, options: { horizon: number; windows?: number; distance?: number; offset?: number }): number[] {
  const H = checkPositiveInteger('horizon', options.horizon);
  const W = checkPositiveInteger('windows', options.windows ?? 1);
  const D = checkPositiveInteger('distance', options.distance ?? H);
  const off = checkNumber('offset', options.offset ?? 0, { min: 0, integer: true });
  const last = length - off - H;
  const first = last - (W - 1) * D;
  if (first < 2) throw invalidOption('windows', `at most ${Math.floor((last - 2) / D) + 1} windows (the first origin would be step ${first})`, W);
  return Array.from({ length: W }, (_, k) => first + k * D);
}

/** One model's result in one window. */
export interface BacktestRow {
  model: string;
  window: number;
  /** Forecast origin (steps observed before it). */
  origin: number;
  score: ForecastScore;
  /** Fit time, seconds. */
  fitSeconds: number;
  forecasts: QuantileForecast[];
}

/** All windows and models, plus a summary table. */
export interface BacktestResult {
  origins: number[];
  rows: BacktestRow[];
  /** Per model, pooled over windows: wQL per level, mean wQL (with bootstrap SE over series), improvement over the first model, MASE, coverage. */
  table: Record<string, number | string>[];
  /** The fitted models of the last window, by name. */
  fitted: Record<string, FittedModel>;
}

function pool(scores: ForecastScore[]): ForecastScore {
  if (scores.length === 1) return scores[0];
  const K = scores[0].levels.length;
  const cat = (f: (s: ForecastScore) => Float64Array): Float64Array => {
    const out = new Float64Array(scores.reduce((a, s) => a + f(s).length, 0));
    let o = 0;
    for (const s of scores) {
      out.set(f(s), o);
      o += f(s).length;
    }
    return out;
  };
  const perSeries = {
    loss: Array.from({ length: K }, (_, k) => cat((s) => s.perSeries.loss[k])),
    absY: cat((s) => s.perSeries.absY),
    covered: cat((s) => s.perSeries.covered),
    count: cat((s) => s.perSeries.count),
    mase: cat((s) => s.perSeries.mase),
  };
  const sum = (a: Float64Array): number => a.reduce((x, v) => x + v, 0);
  const A = sum(perSeries.absY);
  const wql = perSeries.loss.map((l) => (2 * sum(l)) / A);
  const m = Array.from(perSeries.mase).filter(Number.isFinite);
  return {
    levels: scores[0].levels,
    wql,
    meanWql: wql.reduce((a, b) => a + b, 0) / K,
    mase: m.reduce((a, b) => a + b, 0) / m.length,
    coverage: sum(perSeries.covered) / sum(perSeries.count),
    nominal: scores[0].nominal,
    points: sum(perSeries.count),
    perSeries,
  };
}

/**
 * Rolling-origin backtest of several models (refit in every window). The summary table compares
 * each model with the first (put the seasonal naive baseline first); SEs bootstrap over
 * (series, window) units.
 */
export async function backtest(data: ForecastDataset, models: ForecastModel[], options: BacktestOptions = {}): Promise<BacktestResult> {
  checkKnownKeys('options', options, ['horizon', 'windows', 'distance', 'offset', 'onProgress', 'replicates']);
  if (!Array.isArray(models) || models.length === 0) throw invalidOption('models', 'a non-empty array of models', models);
  const H = options.horizon ?? models[0].horizon;
  for (const m of models) {
    if (m.horizon !== H) throw new InputError(`model "${m.name}" forecasts ${m.horizon} steps, but the backtest horizon is ${H}`);
  }
  const origins = rollingOrigins(data.length, { horizon: H, windows: options.windows, distance: options.distance, offset: options.offset });
  const rows: BacktestRow[] = [];
  const fitted: Record<string, FittedModel> = {};
  const total = origins.length * models.length;
  let done = 0;
  for (let w = 0; w < origins.length; w++) {
    const origin = origins[w];
    for (const m of models) {
      const t0 = performance.now();
      const f = await m.fit(data, {
        end: origin,
        onProgress: options.onProgress
          ? (p) => options.onProgress!({ fraction: (done + p.fraction) / total, message: `${m.name}, window ${w + 1}/${origins.length}: ${p.message}` })
          : undefined,
      });
      const fitSeconds = (performance.now() - t0) / 1000;
      const forecasts = f.predict(data, { origin });
      rows.push({ model: m.name, window: w, origin, score: scoreForecasts(forecasts, data), fitSeconds, forecasts });
      fitted[m.name] = f;
      done++;
      options.onProgress?.({ fraction: done / total, message: `${m.name}, window ${w + 1}/${origins.length} done` });
    }
  }
  const names = models.map((m) => m.name);
  const pooled = names.map((nm) => pool(rows.filter((r) => r.model === nm).map((r) => r.score)));
  const table = names.map((nm, j) => {
    const s = pooled[j];
    const c = compareScores(s, pooled[0], { replicates: options.replicates ?? 500, seed: 1 });
    const row: Record<string, number | string> = { model: nm };
    s.levels.forEach((l, k) => (row[`wQL ${l}`] = s.wql[k]));
    row['mean wQL'] = s.meanWql;
    row['SE'] = c.meanWql.se;
    row[`vs ${names[0]}`] = j === 0 ? 0 : c.improvement.estimate;
    row['SE (vs)'] = j === 0 ? 0 : c.improvement.se;
    row['MASE'] = s.mase;
    row[`coverage ${s.levels[0]}–${s.levels[s.levels.length - 1]}`] = s.coverage;
    row['fit s'] = rows.filter((r) => r.model === nm).reduce((a, r) => a + r.fitSeconds, 0);
    return row;
  });
  return { origins, rows, table, fitted };
}

/** Improvement and coverage of `model` over `baseline` pooled over a backtest's windows, with bootstrap SEs. */
export function backtestComparison(result: BacktestResult, model: string, baseline: string, replicates = 500): { meanWql: WithSE; improvement: WithSE; coverage: WithSE } {
  const get = (nm: string): ForecastScore => {
    const rs = result.rows.filter((r) => r.model === nm);
    if (!rs.length) throw invalidOption('model', `one of ${[...new Set(result.rows.map((r) => r.model))].join(', ')}`, nm);
    return pool(rs.map((r) => r.score));
  };
  return compareScores(get(model), get(baseline), { replicates, seed: 1 });
}
