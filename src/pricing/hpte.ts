/**
 * Heterogeneous panel treatment effect (HPTE, Cooprider and Nassiri 2023) and its default
 * untreated-outcome forecaster.
 */
import { DataError, invalidOption } from '../core/errors';
import { cholesky, choleskySolve, matrix } from '../core/linalg';
import { rng as makeRng } from '../core/rng';
import { median, normalQuantile } from '../core/stats';
import { checkFunction, checkKnownKeys, checkNumber } from '../core/validate';
import { causalForest } from '../forest';
import { checkPanel, makeEstimate, type Estimate } from './estimators';
import type { ForecastRequest, UntreatedForecaster } from './forecaster';
import type { PricingPanel } from './world';

/** Options of {@link trendSeasonalForecaster}. */
export interface TrendSeasonalOptions {
  /** Include yearly harmonics: `auto` when the history covers ≥ 365 days (default `auto`). */
  yearly?: boolean | 'auto';
  /** Yearly Fourier harmonics (default 2). */
  harmonics?: number;
  /** Ridge added to the normal equations, relative to their scale (default 1e-8). */
  ridge?: number;
}

/**
 * The default forecaster of HPTE: per series ordinary least squares on the history with an
 * intercept, a linear trend, day-of-week effects and (when the history allows) yearly Fourier
 * terms, extrapolated over the horizon. All series share one design matrix, so the fit is one
 * small hat matrix applied to every series.
 */
export function trendSeasonalForecaster(options: TrendSeasonalOptions = {}): UntreatedForecaster {
  checkKnownKeys('trendSeasonalForecaster options', options, ['yearly', 'harmonics', 'ridge']);
  const yearlyOpt = options.yearly ?? 'auto';
  if (yearlyOpt !== 'auto' && typeof yearlyOpt !== 'boolean') throw invalidOption('yearly', '`auto` or a boolean', yearlyOpt);
  const K = checkNumber('harmonics', options.harmonics ?? 2, { min: 1, integer: true });
  const ridge = checkNumber('ridge', options.ridge ?? 1e-8, { min: 0 });
  return {
    name: 'trend + seasonality',
    forecast(req: ForecastRequest): Float64Array {
      const S = req.series;
      const Hh = req.historyLength;
      const Hf = req.horizon;
      if (!(req.history instanceof Float64Array) || req.history.length !== S * Hh) {
        throw invalidOption('history', `a Float64Array of length ${S * Hh}`, req.history);
      }
      const yearly = yearlyOpt === 'auto' ? Hh >= 365 : yearlyOpt;
      const cols: ((t: number) => number)[] = [() => 1];
      if (Hh >= 3) cols.push((t) => (t - Hh / 2) / Hh);
      if (Hh >= 14) for (let d = 1; d < 7; d++) cols.push((t) => (((req.startDay + t) % 7) + 7) % 7 === d ? 1 : 0);
      if (yearly) {
        for (let k = 1; k <= K; k++) {
          cols.push((t) => Math.sin((2 * Math.PI * k * (req.startDay + t)) / 365.25));
          cols.push((t) => Math.cos((2 * Math.PI * k * (req.startDay + t)) / 365.25));
        }
      }
      const P = cols.length;
      if (Hh < 1) throw new DataError('trendSeasonalForecaster needs at least one day of history');
      const X = new Float64Array(Hh * P);
      for (let t = 0; t < Hh; t++) for (let j = 0; j < P; j++) X[t * P + j] = cols[j](t);
      const XtX = matrix(P, P);
      let scale = 0;
      for (let a = 0; a < P; a++) for (let b = 0; b < P; b++) {
        let s = 0;
        for (let t = 0; t < Hh; t++) s += X[t * P + a] * X[t * P + b];
        XtX.data[a * P + b] = s;
        if (a === b) scale = Math.max(scale, s);
      }
      for (let a = 0; a < P; a++) XtX.data[a * P + a] += ridge * scale + 1e-12;
      const L = cholesky(XtX);
      // hat rows: forecast_h = xf_h' (X'X)^{-1} X' y  →  A[h, t]
      const A = new Float64Array(Hf * Hh);
      const xf = new Float64Array(P);
      for (let h = 0; h < Hf; h++) {
        for (let j = 0; j < P; j++) xf[j] = cols[j](Hh + h);
        const v = choleskySolve(L, xf);
        for (let t = 0; t < Hh; t++) {
          let s = 0;
          for (let j = 0; j < P; j++) s += X[t * P + j] * v[j];
          A[h * Hh + t] = s;
        }
      }
      const out = new Float64Array(S * Hf);
      for (let i = 0; i < S; i++) {
        const yo = i * Hh;
        for (let h = 0; h < Hf; h++) {
          let s = 0;
          const ao = h * Hh;
          for (let t = 0; t < Hh; t++) s += A[ao + t] * req.history[yo + t];
          out[i * Hf + h] = s;
        }
      }
      return out;
    },
  };
}

/** Options of {@link hpte}. */
export interface HpteOptions {
  /** The untreated-outcome model (default {@link trendSeasonalForecaster}); `forecast` may be async. */
  forecaster?: UntreatedForecaster;
  /**
   * Outlier cutoff constant c: a product is dropped when a robust z-score (median / MAD within its
   * arm) of its first difference exceeds Φ⁻¹(1 − c / (2·N_arm)), i.e. the tail mass is inversely
   * proportional to the number of products (default 5; 0 keeps every product).
   */
  outlierConstant?: number;
  /** Trees of the causal forest whose leaves pair treated and control products (default 100). */
  numTrees?: number;
  /** Minimum leaf size of that forest (default 5). */
  minNodeSize?: number;
  /** Bootstrap replicates over products (default 200). */
  bootstrap?: number;
  /** Seed of the forest and the bootstrap (default 0). */
  seed?: number;
  /** Interval level (default 0.95). */
  level?: number;
}

/** Defaults of {@link hpte}. */
export const hpteDefaults = { outlierConstant: 5, numTrees: 100, minNodeSize: 5, bootstrap: 200, seed: 0, level: 0.95 } as const;

/** Diagnostics returned with the HPTE estimate. */
export interface HpteEstimate extends Estimate {
  /** Products dropped as outliers in step 2. */
  outliers: number;
  /** Name of the forecaster used in step 1. */
  forecaster: string;
}

/**
 * HPTE, the four steps of Cooprider and Nassiri (2023):
 * (1) first difference: each product-day's observed outcome minus a forecast of its untreated
 *     outcome from the pre-period history, averaged per product and arm over the experiment's
 *     non-blackout days (a product in a switchback design contributes one unit per arm);
 * (2) drop outlying products with a quantile cutoff whose tail mass is ∝ 1/N;
 * (3) second difference: a causal forest on product features groups treated and control units;
 *     within every leaf τ_ℓ = mean(treated) − mean(control); each product gets the average of its
 *     leaves' τ_ℓ over trees; HPTE is the mean over products;
 * (4) SE: bootstrap over products (leaves held fixed, step 3 recomputed with product weights).
 * Reference: Cooprider and Nassiri (2023), Science of price experimentation at Amazon,
 * Business Economics 58, 34–41.
 */
export async function hpte(panel: PricingPanel, options: HpteOptions = {}): Promise<HpteEstimate> {
  checkKnownKeys('hpte options', options, ['forecaster', 'outlierConstant', 'numTrees', 'minNodeSize', 'bootstrap', 'seed', 'level']);
  const p = checkPanel(panel);
  const fc = options.forecaster ?? trendSeasonalForecaster();
  if (!fc || typeof fc !== 'object') throw invalidOption('forecaster', 'an UntreatedForecaster { name, forecast(request) }', fc);
  checkFunction('forecaster.forecast', fc.forecast);
  const cOut = checkNumber('outlierConstant', options.outlierConstant ?? hpteDefaults.outlierConstant, { min: 0 });
  const numTrees = checkNumber('numTrees', options.numTrees ?? hpteDefaults.numTrees, { min: 1, integer: true });
  const minNode = checkNumber('minNodeSize', options.minNodeSize ?? hpteDefaults.minNodeSize, { min: 1, integer: true });
  const B = checkNumber('bootstrap', options.bootstrap ?? hpteDefaults.bootstrap, { min: 2, integer: true });
  const seed = checkNumber('seed', options.seed ?? hpteDefaults.seed, { integer: true, min: 0 });
  const level = checkNumber('level', options.level ?? hpteDefaults.level, { min: 0, max: 1, minExclusive: true, maxExclusive: true });
  const { products: N, days: T, start } = p;
  if (start < 1) throw new DataError('hpte needs a pre-period (schedule start ≥ 1) to forecast the untreated outcome');
  const H = T - start;
  // (1) forecast and first differences
  const history = new Float64Array(N * start);
  for (let i = 0; i < N; i++) history.set(p.logUnits.subarray(i * T, i * T + start), i * start);
  const raw = await fc.forecast({ series: N, historyLength: start, history, horizon: H, startDay: 0, seed });
  if (!(raw instanceof Float64Array) || raw.length !== N * H) {
    throw new DataError(`forecaster \`${fc.name}\` returned ${raw instanceof Float64Array ? `${raw.length} values` : 'no Float64Array'}; expected ${N * H}`);
  }
  const dbar = new Float64Array(2 * N).fill(NaN); // [i*2 + arm]
  for (let i = 0; i < N; i++) {
    let s0 = 0;
    let n0 = 0;
    let s1 = 0;
    let n1 = 0;
    for (let h = 0; h < H; h++) {
      const k = i * T + start + h;
      if (p.blackout[k]) continue;
      const d = p.logUnits[k] - raw[i * H + h];
      if (p.arm[k]) {
        s1 += d;
        n1++;
      } else {
        s0 += d;
        n0++;
      }
    }
    if (n0 > 0) dbar[2 * i] = s0 / n0;
    if (n1 > 0) dbar[2 * i + 1] = s1 / n1;
  }
  // (2) outliers: robust z within each arm, tail mass c / N_arm
  const drop = new Uint8Array(N);
  if (cOut > 0) {
    for (let a = 0; a < 2; a++) {
      const vals: number[] = [];
      for (let i = 0; i < N; i++) if (!Number.isNaN(dbar[2 * i + a])) vals.push(dbar[2 * i + a]);
      if (vals.length < 3) continue;
      const med = median(vals);
      const mad = 1.4826 * median(vals.map((v) => Math.abs(v - med)));
      if (!(mad > 0)) continue;
      const tail = Math.min(0.5, cOut / (2 * vals.length));
      const zc = normalQuantile(1 - tail);
      for (let i = 0; i < N; i++) {
        const v = dbar[2 * i + a];
        if (!Number.isNaN(v) && Math.abs(v - med) / mad > zc) drop[i] = 1;
      }
    }
  }
  // units: (product, arm) with data and not dropped
  const uProd: number[] = [];
  const uArm: number[] = [];
  const uY: number[] = [];
  for (let i = 0; i < N; i++) {
    if (drop[i]) continue;
    for (let a = 0; a < 2; a++) {
      if (Number.isNaN(dbar[2 * i + a])) continue;
      uProd.push(i);
      uArm.push(a);
      uY.push(dbar[2 * i + a]);
    }
  }
  const U = uProd.length;
  let n1 = 0;
  for (let k = 0; k < U; k++) n1 += uArm[k];
  if (n1 < 2 || U - n1 < 2) throw new DataError(`hpte needs at least 2 treated and 2 control units after outlier removal, got ${n1} and ${U - n1}`);
  // (3) leaves of a causal forest on product features
  const f = p.features;
  const featNames = Object.keys(f) as (keyof typeof f)[];
  const x: Record<string, Float64Array> = {};
  for (const name of featNames) {
    const col = new Float64Array(U);
    for (let k = 0; k < U; k++) col[k] = f[name][uProd[k]];
    x[name] = col;
  }
  const pre = new Float64Array(U);
  for (let k = 0; k < U; k++) {
    const i = uProd[k];
    let s = 0;
    for (let t = 0; t < start; t++) s += p.logUnits[i * T + t];
    pre[k] = s / start;
  }
  x.preLevel = pre;
  // The arm is randomised independently of the features, so the nuisance E[W | X] is the arm
  // share and E[Y | X] is replaced by the overall mean: the forest only has to group products.
  let ym = 0;
  for (let k = 0; k < U; k++) ym += uY[k];
  ym /= U;
  const forest = causalForest(x, Float64Array.from(uY), Float64Array.from(uArm), {
    numTrees,
    ciGroupSize: 1,
    minNodeSize: minNode,
    yHat: new Float64Array(U).fill(ym),
    wHat: new Float64Array(U).fill(n1 / U),
    seed,
    numThreads: 1,
  });
  const leaves = forest.leaves(x); // [k * numTrees + b]
  const nb = forest.trees.length;
  const nodeCount = forest.trees.map((t) => t.feature.length);
  let maxNodes = 0;
  for (const c of nodeCount) maxNodes = Math.max(maxNodes, c);
  // products present: unit k belongs to product slot uq[k]; leaves transposed to [b * U + k]
  const slot = new Int32Array(N).fill(-1);
  const prods: number[] = [];
  const uq = new Int32Array(U);
  for (let k = 0; k < U; k++) {
    const i = uProd[k];
    if (slot[i] < 0) {
      slot[i] = prods.length;
      prods.push(i);
    }
    uq[k] = slot[i];
  }
  const P = prods.length;
  const firstUnit = new Int32Array(P).fill(-1);
  for (let k = 0; k < U; k++) if (firstUnit[uq[k]] < 0) firstUnit[uq[k]] = k;
  const leafT = new Int32Array(nb * U);
  for (let k = 0; k < U; k++) for (let b = 0; b < nb; b++) leafT[b * U + k] = leaves[k * nb + b];
  const s1 = new Float64Array(maxNodes);
  const c1 = new Float64Array(maxNodes);
  const s0 = new Float64Array(maxNodes);
  const c0 = new Float64Array(maxNodes);
  const tauSum = new Float64Array(P);
  const tauCnt = new Float64Array(P);
  const yArr = Float64Array.from(uY);
  const aArr = Uint8Array.from(uArm);
  // weights per product (bootstrap multiplicities); returns the HPTE
  const estimateWith = (wProd: Float64Array): number => {
    tauSum.fill(0);
    tauCnt.fill(0);
    for (let b = 0; b < nb; b++) {
      const nn = nodeCount[b];
      s1.fill(0, 0, nn);
      c1.fill(0, 0, nn);
      s0.fill(0, 0, nn);
      c0.fill(0, 0, nn);
      const lo = b * U;
      for (let k = 0; k < U; k++) {
        const w = wProd[uq[k]];
        if (w === 0) continue;
        const leaf = leafT[lo + k];
        if (aArr[k]) {
          s1[leaf] += w * yArr[k];
          c1[leaf] += w;
        } else {
          s0[leaf] += w * yArr[k];
          c0[leaf] += w;
        }
      }
      for (let q = 0; q < P; q++) {
        if (wProd[q] === 0) continue;
        const leaf = leafT[lo + firstUnit[q]];
        if (c1[leaf] > 0 && c0[leaf] > 0) {
          tauSum[q] += s1[leaf] / c1[leaf] - s0[leaf] / c0[leaf];
          tauCnt[q]++;
        }
      }
    }
    let num = 0;
    let den = 0;
    for (let q = 0; q < P; q++) {
      if (wProd[q] === 0 || tauCnt[q] === 0) continue;
      num += (wProd[q] * tauSum[q]) / tauCnt[q];
      den += wProd[q];
    }
    return den > 0 ? num / den : NaN;
  };
  const ones = new Float64Array(P).fill(1);
  const est = estimateWith(ones);
  // (4) bootstrap over products
  const root = makeRng(seed).fork(7);
  const wb = new Float64Array(P);
  let bs = 0;
  let bs2 = 0;
  let bn = 0;
  for (let b = 0; b < B; b++) {
    const r = root.fork(b);
    wb.fill(0);
    for (let k = 0; k < P; k++) wb[Math.floor(r.nextFloat() * P)]++;
    const v = estimateWith(wb);
    if (!Number.isFinite(v)) continue;
    bs += v;
    bs2 += v * v;
    bn++;
  }
  const se = bn > 1 ? Math.sqrt(Math.max(0, (bs2 - (bs * bs) / bn) / (bn - 1))) : NaN;
  let dropped = 0;
  for (let i = 0; i < N; i++) dropped += drop[i];
  return { ...makeEstimate('HPTE', est, se, level, U, P), outliers: dropped, forecaster: fc.name };
}
