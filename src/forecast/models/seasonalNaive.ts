/**
 * Seasonal naive with empirical residual quantiles: ŷ_{o+h} = y_{o+h−m·P} (m = ⌈(h+1)/P⌉), and the
 * q-quantile ŷ + Q_q(r) from the series' own seasonal differences r_t = y_t − y_{t−P} (R type 7).
 * Falls back to the naive forecast (P = 1) when the history holds fewer than P + 2 steps.
 */
import { invalidOption } from '../../core/errors';
import { quantile } from '../../core/stats';
import { checkKnownKeys, checkPositiveInteger } from '../../core/validate';
import type { ForecastDataset } from '../dataset';
import { parseLevels, quantileForecast, type LevelInput, type QuantileForecast } from '../forecast';
import { nonNegativeTargets, resolveEnd, resolveOrigin, type FitOptions, type FittedModel, type ForecastModel, type PredictOptions, type SavedModel } from './common';

/** Options of {@link seasonalNaive}. */
export interface SeasonalNaiveOptions {
  /** Steps to forecast (default 13). */
  horizon?: number;
  /** Quantile levels (default [0.1, 0.5, 0.9]). */
  levels?: LevelInput[];
  /** Season length; default the dataset's `period`. */
  period?: number;
}

/** Defaults shared by the forecasting models. */
export const modelDefaults = { horizon: 13, levels: [0.1, 0.5, 0.9] as LevelInput[] } as const;

class FittedNaive implements FittedModel {
  readonly kind = 'seasonal-naive' as const;
  readonly name = 'seasonal naive';
  constructor(
    readonly horizon: number,
    readonly levels: readonly number[],
    private readonly period: number | null,
    private readonly clip: boolean,
  ) {}

  predict(data: ForecastDataset, options: PredictOptions = {}): QuantileForecast[] {
    checkKnownKeys('options', options, ['origin']);
    const H = this.horizon;
    const origin = resolveOrigin(data, options, H);
    const T = data.length;
    const K = this.levels.length;
    const P0 = this.period ?? data.period;
    // seasonal when the history holds ≥ 2 seasonal differences, else naive (needs ≥ 1 difference)
    const P = origin >= P0 + 2 ? P0 : 1;
    if (origin < 2) throw invalidOption('origin', 'at least 2 steps of history for the naive forecast', origin);
    const out: QuantileForecast[] = [];
    const res = new Float64Array(origin - P);
    for (let i = 0; i < data.n; i++) {
      const off = i * T;
      let meanRes = 0;
      for (let t = P; t < origin; t++) {
        res[t - P] = data.target[off + t] - data.target[off + t - P];
        meanRes += res[t - P];
      }
      meanRes /= res.length;
      const qr = quantile(res, this.levels);
      const values = new Float64Array(H * K);
      const mean = new Float64Array(H);
      for (let h = 0; h < H; h++) {
        const lag = P * Math.ceil((h + 1) / P);
        const base = data.target[off + origin + h - lag];
        for (let k = 0; k < K; k++) {
          const v = base + qr[k];
          values[h * K + k] = this.clip && v < 0 ? 0 : v;
        }
        mean[h] = Math.max(this.clip ? 0 : -Infinity, base + meanRes);
      }
      out.push(quantileForecast({ id: data.ids[i], start: data.start + origin, levels: this.levels, values, mean }));
    }
    return out;
  }

  toJSON(): SavedModel {
    return { kind: 'seasonal-naive', version: 1, horizon: this.horizon, levels: this.levels.slice(), period: this.period, clip: this.clip };
  }
}

/** Restores a fitted seasonal naive model. */
export function loadSeasonalNaive(saved: SavedModel): FittedModel {
  return new FittedNaive(saved.horizon as number, saved.levels as number[], saved.period as number | null, saved.clip as boolean);
}

/**
 * Seasonal naive baseline with empirical residual quantiles (always report it: Hyndman and
 * Athanasopoulos, Forecasting: Principles and Practice, §5.2). Mean = ŷ + mean residual.
 * Forecasts are clipped at 0 when every training target is ≥ 0.
 */
export function seasonalNaive(options: SeasonalNaiveOptions = {}): ForecastModel {
  checkKnownKeys('options', options, ['horizon', 'levels', 'period']);
  const horizon = checkPositiveInteger('horizon', options.horizon ?? modelDefaults.horizon);
  const levels = parseLevels('levels', options.levels ?? modelDefaults.levels);
  const period = options.period === undefined ? null : checkPositiveInteger('period', options.period);
  return {
    name: 'seasonal naive',
    horizon,
    levels,
    async fit(data: ForecastDataset, fit: FitOptions = {}): Promise<FittedModel> {
      const end = resolveEnd(data, fit, 2);
      return new FittedNaive(horizon, levels, period, nonNegativeTargets(data, end));
    },
  };
}
