/**
 * Quantile regression forest forecaster (in the spirit of Amazon's Sparse Quantile Random Forest):
 * one forest pooled over all series, origins and horizons, on scaled lag, seasonal, calendar,
 * covariate (price, promotion) and static features; quantiles from the forest-weighted empirical
 * distribution of the scaled target, rescaled per series.
 */
import { InputError } from '../../core/errors';
import { rng as makeRng } from '../../core/rng';
import { shuffle } from '../../core/random';
import { checkKnownKeys, checkNumber, checkPositiveInteger } from '../../core/validate';
import { quantileForest } from '../../forest';
import { quantilePredict, regressionPredict } from '../../forest/predictor';
import type { Tree } from '../../forest/tree';
import type { ForecastDataset } from '../dataset';
import { parseLevels, quantileForecast, type LevelInput, type QuantileForecast } from '../forecast';
import {
  checkColumns,
  covariateMean,
  nonNegativeTargets,
  resolveEnd,
  resolveOrigin,
  seasonLag,
  seriesScale,
  type FitOptions,
  type FittedModel,
  type ForecastModel,
  type PredictOptions,
  type SavedModel,
} from './common';
import { modelDefaults } from './seasonalNaive';

/** Options of {@link quantileForestModel}. */
export interface QuantileForestModelOptions {
  /** Steps to forecast (default 13). */
  horizon?: number;
  /** Quantile levels (default [0.1, 0.5, 0.9]). */
  levels?: LevelInput[];
  /** Trees (default 200). */
  numTrees?: number;
  /** Minimum leaf size (default 10). */
  minNodeSize?: number;
  /** Most training rows (series × origin × step), drawn at random (default 20,000). */
  maxRows?: number;
  /** Worker threads for the forest; 0 = one per core (default 0). Results do not depend on it. */
  numThreads?: number;
  /** Seed (default 0). */
  seed?: number;
}

/** Defaults of {@link quantileForestModel}. */
export const quantileForestModelDefaults = { ...modelDefaults, numTrees: 200, minNodeSize: 10, maxRows: 20_000, numThreads: 0, seed: 0 } as const;

/** The feature layout for a dataset's columns. */
export function forestFeatureNames(covariates: readonly string[], statics: readonly string[]): string[] {
  const names = ['step', 'logScale', 'lag1', 'lag2', 'lag3', 'lag4', 'mean4', 'mean13', 'seasonLag', 'seasonLag3', 'lastYearLevel', 'seasonAdjusted', 'calSin', 'calCos'];
  for (const c of covariates) names.push(`${c}`, `${c}.lastYear`, `${c}.recent`);
  for (const s of statics) names.push(`static.${s}`);
  return names;
}

/** Mean of y over steps [from, to) ∩ [0, o), divided by s; NaN when empty. */
function windowMean(y: Float64Array, off: number, from: number, to: number, o: number, s: number): number {
  let sum = 0;
  let c = 0;
  for (let t = Math.max(0, from); t < Math.min(o, to); t++) {
    sum += y[off + t];
    c++;
  }
  return c ? sum / c / s : NaN;
}

/**
 * Writes the features of (series i, origin o, step h) into column-major `x` at row `r` (n rows),
 * and returns the series scale. Everything scaled by the series scale; NaN = not available.
 */
function writeFeatures(
  data: ForecastDataset,
  covs: readonly string[],
  stats: readonly string[],
  i: number,
  o: number,
  h: number,
  x: Float64Array,
  n: number,
  r: number,
  s: number,
  covMeans: Float64Array,
): void {
  const T = data.length;
  const P = data.period;
  const y = data.target;
  const off = i * T;
  const t = o + h;
  const lag = seasonLag(h, P);
  const m4 = windowMean(y, off, o - 4, o, o, s);
  const sl3 = t - lag - 1 >= 0 && t - lag + 1 < o ? windowMean(y, off, t - lag - 1, t - lag + 2, o, s) : NaN;
  const ly = o - lag - 4 >= 0 ? windowMean(y, off, o - lag - 4, o - lag, o, s) : NaN;
  const pos = (2 * Math.PI * ((((data.start + t) % P) + P) % P)) / P;
  let j = 0;
  x[j++ * n + r] = h;
  x[j++ * n + r] = Math.log(s);
  for (let l = 1; l <= 4; l++) x[j++ * n + r] = o - l >= 0 ? y[off + o - l] / s : NaN;
  x[j++ * n + r] = m4;
  x[j++ * n + r] = windowMean(y, off, o - 13, o, o, s);
  x[j++ * n + r] = t - lag >= 0 ? y[off + t - lag] / s : NaN;
  x[j++ * n + r] = sl3;
  x[j++ * n + r] = ly;
  x[j++ * n + r] = ly > 0 && Number.isFinite(sl3) ? (sl3 * m4) / ly : NaN;
  x[j++ * n + r] = Math.sin(pos);
  x[j++ * n + r] = Math.cos(pos);
  const Tc = data.covariateLength;
  for (let k = 0; k < covs.length; k++) {
    const c = data.covariates[covs[k]];
    const mu = covMeans[k];
    x[j++ * n + r] = c[i * Tc + t] - mu;
    x[j++ * n + r] = t - lag >= 0 ? c[i * Tc + t - lag] - mu : NaN;
    let sum = 0;
    let cnt = 0;
    for (let u = Math.max(0, o - 4); u < o; u++) {
      sum += c[i * Tc + u];
      cnt++;
    }
    x[j++ * n + r] = sum / cnt - mu;
  }
  for (let k = 0; k < stats.length; k++) x[j++ * n + r] = data.static[stats[k]][i];
}

interface ForestState {
  trees: Tree[];
  y: Float64Array;
  covariates: string[];
  statics: string[];
  horizon: number;
  levels: number[];
  clip: boolean;
  period: number;
}

class FittedForest implements FittedModel {
  readonly kind = 'quantile-forest' as const;
  readonly name = 'quantile forest';
  readonly horizon: number;
  readonly levels: readonly number[];
  private readonly yOrder: Int32Array;
  private readonly yPos: Int32Array;

  constructor(private readonly st: ForestState) {
    this.horizon = st.horizon;
    this.levels = st.levels;
    const y = st.y;
    this.yOrder = new Int32Array(y.length).map((_, i) => i).sort((a, b) => y[a] - y[b] || a - b);
    this.yPos = new Int32Array(y.length);
    for (let k = 0; k < y.length; k++) this.yPos[this.yOrder[k]] = k;
  }

  predict(data: ForecastDataset, options: PredictOptions = {}): QuantileForecast[] {
    checkKnownKeys('options', options, ['origin']);
    const st = this.st;
    checkColumns(data, st.covariates, st.statics);
    if (data.period !== st.period) throw new InputError(`invalid argument \`data\`: period ${data.period}, but the model was fitted with period ${st.period}`);
    const H = this.horizon;
    const origin = resolveOrigin(data, options, H);
    const n = data.n * H;
    const p = forestFeatureNames(st.covariates, st.statics).length;
    const x = new Float64Array(n * p);
    const scales = new Float64Array(data.n);
    const covMeans = new Float64Array(st.covariates.length);
    const Tc = data.covariateLength;
    for (let i = 0; i < data.n; i++) {
      const s = seriesScale(data.target, i * data.length, origin, data.period);
      scales[i] = s;
      st.covariates.forEach((c, k) => (covMeans[k] = covariateMean(data.covariates[c], i * Tc, origin)));
      for (let h = 0; h < H; h++) writeFeatures(data, st.covariates, st.statics, i, origin, h, x, n, i * H + h, s, covMeans);
    }
    const q = { n, p, x };
    const qs = quantilePredict(st.trees, q, st.y, this.yOrder, this.yPos, this.levels, false);
    const mu = regressionPredict(st.trees, q, false);
    const K = this.levels.length;
    const out: QuantileForecast[] = [];
    for (let i = 0; i < data.n; i++) {
      const values = new Float64Array(H * K);
      const mean = new Float64Array(H);
      for (let h = 0; h < H; h++) {
        for (let k = 0; k < K; k++) {
          const v = qs[k][i * H + h] * scales[i];
          values[h * K + k] = st.clip && v < 0 ? 0 : v;
        }
        mean[h] = mu[i * H + h] * scales[i];
      }
      out.push(quantileForecast({ id: data.ids[i], start: data.start + origin, levels: this.levels, values, mean }));
    }
    return out;
  }

  toJSON(): SavedModel {
    const st = this.st;
    return {
      kind: 'quantile-forest',
      version: 1,
      horizon: st.horizon,
      levels: st.levels,
      clip: st.clip,
      period: st.period,
      covariates: st.covariates,
      statics: st.statics,
      y: Array.from(st.y),
      trees: st.trees.map((t) => ({
        left: Array.from(t.left),
        right: Array.from(t.right),
        feature: Array.from(t.feature),
        threshold: Array.from(t.threshold),
        missingLeft: Array.from(t.missingLeft),
        leafStart: Array.from(t.leafStart),
        leafSamples: Array.from(t.leafSamples),
        stats: Array.from(t.stats),
        inBag: Array.from(t.inBag),
      })),
    };
  }
}

/** Restores a fitted quantile forest forecaster. */
export function loadQuantileForestModel(saved: SavedModel): FittedModel {
  const trees = (saved.trees as Record<string, number[]>[]).map(
    (t): Tree => ({
      left: Int32Array.from(t.left),
      right: Int32Array.from(t.right),
      feature: Int32Array.from(t.feature),
      threshold: Float64Array.from(t.threshold),
      missingLeft: Uint8Array.from(t.missingLeft),
      leafStart: Int32Array.from(t.leafStart),
      leafSamples: Int32Array.from(t.leafSamples),
      stats: Float64Array.from(t.stats),
      inBag: Uint32Array.from(t.inBag),
    }),
  );
  return new FittedForest({
    trees,
    y: Float64Array.from(saved.y as number[]),
    covariates: saved.covariates as string[],
    statics: saved.statics as string[],
    horizon: saved.horizon as number,
    levels: saved.levels as number[],
    clip: saved.clip as boolean,
    period: saved.period as number,
  });
}

/**
 * Quantile regression forest over pooled (series, origin, step) rows: features are lags, recent
 * means, the seasonal lag (and its level-adjusted version), calendar position, each covariate at
 * the target step, a season earlier and recently (centred per series), and static features; the
 * target is y scaled by the series' mean over its last season. Mean = forest mean × scale.
 * Reference: Meinshausen (2006); forest engine `cl.forest.quantileForest`.
 */
export function quantileForestModel(options: QuantileForestModelOptions = {}): ForecastModel {
  checkKnownKeys('options', options, Object.keys(quantileForestModelDefaults));
  const o = { ...quantileForestModelDefaults, ...options };
  const horizon = checkPositiveInteger('horizon', o.horizon);
  const levels = parseLevels('levels', o.levels);
  const numTrees = checkPositiveInteger('numTrees', o.numTrees);
  const minNodeSize = checkPositiveInteger('minNodeSize', o.minNodeSize);
  const maxRows = checkPositiveInteger('maxRows', o.maxRows);
  const numThreads = checkNumber('numThreads', o.numThreads, { min: 0, integer: true });
  const seed = checkNumber('seed', o.seed, { integer: true });
  return {
    name: 'quantile forest',
    horizon,
    levels,
    async fit(data: ForecastDataset, fit: FitOptions = {}): Promise<FittedModel> {
      const end = resolveEnd(data, fit, 6);
      const P = data.period;
      const covs = Object.keys(data.covariates);
      const stats = Object.keys(data.static);
      const oMin = Math.min(P + 4, Math.max(4, end - 2 * horizon));
      // candidate rows (i, o, h) with o + h < end, encoded as one integer
      const perSeries: number[] = [];
      for (let o2 = oMin; o2 < end; o2++) for (let h = 0; h < horizon && o2 + h < end; h++) perSeries.push(o2 * horizon + h);
      const total = perSeries.length * data.n;
      const r = makeRng(seed);
      let pick: Float64Array;
      if (total <= maxRows) pick = Float64Array.from({ length: total }, (_, k) => k);
      else {
        const all = new Float64Array(total);
        for (let k = 0; k < total; k++) all[k] = k;
        pick = shuffle(r, all).subarray(0, maxRows).sort();
      }
      const n = pick.length;
      const names = forestFeatureNames(covs, stats);
      const p = names.length;
      const x = new Float64Array(n * p);
      const yy = new Float64Array(n);
      const covMeans = new Float64Array(covs.length);
      const Tc = data.covariateLength;
      let lastKey = -1;
      let s = 1;
      fit.onProgress?.({ fraction: 0, message: `features for ${n} rows` });
      for (let row = 0; row < n; row++) {
        const k = pick[row];
        const i = Math.floor(k / perSeries.length);
        const code = perSeries[k % perSeries.length];
        const o2 = Math.floor(code / horizon);
        const h = code % horizon;
        const key = i * (end + 1) + o2;
        if (key !== lastKey) {
          s = seriesScale(data.target, i * data.length, o2, P);
          covs.forEach((c, m) => (covMeans[m] = covariateMean(data.covariates[c], i * Tc, o2)));
          lastKey = key;
        }
        writeFeatures(data, covs, stats, i, o2, h, x, n, row, s, covMeans);
        yy[row] = data.target[i * data.length + o2 + h] / s;
      }
      const columns: Record<string, Float64Array> = {};
      names.forEach((nm, j) => (columns[nm] = x.subarray(j * n, (j + 1) * n)));
      fit.onProgress?.({ fraction: 0.1, message: `growing ${numTrees} trees on ${n} rows` });
      const forest = quantileForest(columns, yy, { numTrees, minNodeSize, seed, numThreads, quantiles: levels });
      fit.onProgress?.({ fraction: 1, message: 'done' });
      return new FittedForest({ trees: forest.trees as Tree[], y: yy, covariates: covs, statics: stats, horizon, levels, clip: nonNegativeTargets(data, end), period: P });
    },
  };
}
