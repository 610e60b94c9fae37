/**
 * Forecast accuracy: quantile (pinball) loss, weighted quantile loss, MASE and interval coverage,
 * overall and per series (so that uncertainty can be bootstrapped over series).
 */
import { DataError, InputError, invalidOption } from '../core/errors';
import { rng as makeRng } from '../core/rng';
import { randomInt } from '../core/random';
import { checkNumericArray, checkPositiveInteger } from '../core/validate';
import { parseLevel, type QuantileForecast } from './forecast';
import type { ForecastDataset } from './dataset';

function pair(y: ArrayLike<number>, yhat: ArrayLike<number>): void {
  checkNumericArray('y', y);
  checkNumericArray('yhat', yhat);
  if (y.length !== yhat.length) throw invalidOption('yhat', `an array of length ${y.length} like \`y\``, yhat);
}

/** Summed quantile loss Σ q·(y − ŷ)₊ + (1 − q)·(ŷ − y)₊ (the pinball loss MQ-CNN trains on). */
export function quantileLoss(y: ArrayLike<number>, yhat: ArrayLike<number>, q: number | string): number {
  pair(y, yhat);
  const p = parseLevel('q', q);
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    const d = y[i] - yhat[i];
    s += d >= 0 ? p * d : (p - 1) * d;
  }
  return s;
}

/**
 * Weighted quantile loss wQL_q = 2·Σ|(ŷ − y)(1{y ≤ ŷ} − q)| / Σ|y| (GluonTS; Wen et al. 2017).
 * NaN when Σ|y| = 0.
 */
export function weightedQuantileLoss(y: ArrayLike<number>, yhat: ArrayLike<number>, q: number | string): number {
  const loss = quantileLoss(y, yhat, q);
  let a = 0;
  for (let i = 0; i < y.length; i++) a += Math.abs(y[i]);
  return a > 0 ? (2 * loss) / a : NaN;
}

/** Share of `y` inside [lower, upper] (both ends included). */
export function coverage(y: ArrayLike<number>, lower: ArrayLike<number>, upper: ArrayLike<number>): number {
  pair(y, lower);
  pair(y, upper);
  let c = 0;
  for (let i = 0; i < y.length; i++) if (y[i] >= lower[i] && y[i] <= upper[i]) c++;
  return y.length ? c / y.length : NaN;
}

/**
 * Mean absolute scaled error of one series: mean|y − ŷ| / mean over the history of
 * |y_t − y_{t−m}| (seasonal naive in-sample error; m falls back to 1 when history ≤ m).
 */
export function mase(y: ArrayLike<number>, yhat: ArrayLike<number>, history: ArrayLike<number>, period: number): number {
  pair(y, yhat);
  checkPositiveInteger('period', period);
  const m = history.length > period ? period : 1;
  let s = 0;
  for (let t = m; t < history.length; t++) s += Math.abs(history[t] - history[t - m]);
  const scale = history.length > m ? s / (history.length - m) : NaN;
  let e = 0;
  for (let i = 0; i < y.length; i++) e += Math.abs(y[i] - yhat[i]);
  return e / y.length / scale;
}

/** Accuracy of one model's forecasts of many series against the data. */
export interface ForecastScore {
  /** The levels scored. */
  levels: number[];
  /** wQL per level (aligned with `levels`). */
  wql: number[];
  /** Mean of `wql` over the levels. */
  meanWql: number;
  /** Mean MASE of the median (the level nearest 0.5) over series. */
  mase: number;
  /** Share of actuals inside [lowest level, highest level]. */
  coverage: number;
  /** Nominal coverage of that interval (highest − lowest level). */
  nominal: number;
  /** Number of scored points. */
  points: number;
  /** Per series: quantile loss per level `[k][i]`, Σ|y|, points covered, points, MASE. */
  perSeries: { loss: Float64Array[]; absY: Float64Array; covered: Float64Array; count: Float64Array; mase: Float64Array };
}

/**
 * Scores forecasts (one per series, in the dataset's order, or matched by id) against the data's
 * observed targets. Every forecast step must lie in the observed range.
 */
export function scoreForecasts(forecasts: readonly QuantileForecast[], data: ForecastDataset): ForecastScore {
  if (!Array.isArray(forecasts as unknown) || forecasts.length === 0) throw invalidOption('forecasts', 'a non-empty array of forecasts', forecasts);
  const levels = forecasts[0].levels.slice();
  const K = levels.length;
  const n = forecasts.length;
  const index = new Map(data.ids.map((id, i) => [id, i]));
  let med = 0;
  for (let k = 1; k < K; k++) if (Math.abs(levels[k] - 0.5) < Math.abs(levels[med] - 0.5)) med = k;
  const loss = levels.map(() => new Float64Array(n));
  const absY = new Float64Array(n);
  const covered = new Float64Array(n);
  const count = new Float64Array(n);
  const maseS = new Float64Array(n);
  const T = data.length;
  for (let s = 0; s < n; s++) {
    const f = forecasts[s];
    if (f.levels.length !== K || f.levels.some((l, k) => l !== levels[k])) throw new InputError(`forecast of series "${f.id}" has levels ${f.levels.join(', ')}, expected ${levels.join(', ')} like the first`);
    const i = index.get(f.id);
    if (i === undefined) throw new DataError(`forecast for series "${f.id}", which is not in the data`);
    const t0 = f.start - data.start;
    if (t0 < 0 || t0 + f.horizon > T) throw new DataError(`forecast of series "${f.id}" covers times ${f.start}–${f.start + f.horizon - 1}, outside the observed range ${data.start}–${data.start + T - 1}`);
    const y = data.target.subarray(i * T + t0, i * T + t0 + f.horizon);
    const medians = new Float64Array(f.horizon);
    for (let h = 0; h < f.horizon; h++) {
      const yv = y[h];
      absY[s] += Math.abs(yv);
      for (let k = 0; k < K; k++) {
        const d = yv - f.values[h * K + k];
        loss[k][s] += d >= 0 ? levels[k] * d : (levels[k] - 1) * d;
      }
      if (yv >= f.values[h * K] && yv <= f.values[h * K + K - 1]) covered[s]++;
      medians[h] = f.values[h * K + med];
    }
    count[s] = f.horizon;
    maseS[s] = mase(y, medians, data.target.subarray(i * T, i * T + t0), data.period);
  }
  const sum = (a: Float64Array): number => a.reduce((x, v) => x + v, 0);
  const A = sum(absY);
  const wql = loss.map((l) => (2 * sum(l)) / A);
  const finiteMase = Array.from(maseS).filter(Number.isFinite);
  return {
    levels,
    wql,
    meanWql: wql.reduce((a, b) => a + b, 0) / K,
    mase: finiteMase.reduce((a, b) => a + b, 0) / finiteMase.length,
    coverage: sum(covered) / sum(count),
    nominal: levels[K - 1] - levels[0],
    points: sum(count),
    perSeries: { loss, absY, covered, count, mase: maseS },
  };
}

/** A statistic with its bootstrap standard error. */
export interface WithSE {
  estimate: number;
  se: number;
}

/**
 * Bootstrap over series (resampling whole series) of: mean wQL of `model`, its relative
 * improvement 1 − wQL(model)/wQL(baseline), and its interval coverage. Both scores must cover
 * the same series in the same order.
 */
export function compareScores(model: ForecastScore, baseline: ForecastScore, options: { replicates?: number; seed?: number } = {}): {
  meanWql: WithSE;
  improvement: WithSE;
  coverage: WithSE;
} {
  const B = checkPositiveInteger('replicates', options.replicates ?? 500);
  const n = model.perSeries.absY.length;
  if (baseline.perSeries.absY.length !== n) throw new InputError('the two scores cover different numbers of series');
  const K = model.levels.length;
  const stat = (idx: Int32Array | null): [number, number, number] => {
    let a = 0;
    let cov = 0;
    let cnt = 0;
    const lm = new Float64Array(K);
    const lb = new Float64Array(K);
    for (let j = 0; j < n; j++) {
      const s = idx ? idx[j] : j;
      a += model.perSeries.absY[s];
      cov += model.perSeries.covered[s];
      cnt += model.perSeries.count[s];
      for (let k = 0; k < K; k++) {
        lm[k] += model.perSeries.loss[k][s];
        lb[k] += baseline.perSeries.loss[k][s];
      }
    }
    let wm = 0;
    let wb = 0;
    for (let k = 0; k < K; k++) {
      wm += (2 * lm[k]) / a / K;
      wb += (2 * lb[k]) / a / K;
    }
    return [wm, 1 - wm / wb, cov / cnt];
  };
  const est = stat(null);
  const r = makeRng(options.seed ?? 0);
  const acc = [0, 0, 0].map(() => new Float64Array(B));
  const idx = new Int32Array(n);
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < n; j++) idx[j] = randomInt(r, n);
    const s = stat(idx);
    for (let m = 0; m < 3; m++) acc[m][b] = s[m];
  }
  const sd = (x: Float64Array): number => {
    const mu = x.reduce((u, v) => u + v, 0) / x.length;
    return Math.sqrt(x.reduce((u, v) => u + (v - mu) ** 2, 0) / (x.length - 1));
  };
  return {
    meanWql: { estimate: est[0], se: sd(acc[0]) },
    improvement: { estimate: est[1], se: sd(acc[1]) },
    coverage: { estimate: est[2], se: sd(acc[2]) },
  };
}
