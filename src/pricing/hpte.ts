/**
 * Heterogeneous panel treatment effect (HPTE, Cooprider and Nassiri 2023) and its default
 * untreated-outcome forecaster.
 */
import { DataError, invalidOption } from '../core/errors';
import { cholesky, choleskySolve, matrix } from '../core/linalg';
import { rng as makeRng } from '../core/rng';
import { normalQuantile } from '../core/stats';
import { checkFunction, checkKnownKeys, checkNumber, checkOneOf } from '../core/validate';
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
   * Detrend the first differences by the day's mean first difference over control product-days
   * (default true). This removes what all products share on a day (day shocks, the forecaster's
   * common extrapolation error) when treated and control units cover different days (triggered
   * and switchback designs); when they cover the same days (time-bound) it changes nothing.
   */
  dayEffects?: boolean;
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
  /** Bootstrap replicates over randomisation units (default 200). */
  bootstrap?: number;
  /**
   * What a bootstrap draw recomputes. `outliers` (default): the day effects, the outlier set and
   * the leaf means, with the forest's leaves held fixed; `refit`: the forest too (about 10× slower;
   * in our studies it gave the same SE, the forest's adaptivity being negligible).
   */
  bootstrapMode?: 'outliers' | 'refit';
  /**
   * Honest, cross-fitted leaves: randomisation units are split in two halves; the forest grown on
   * one half groups the units whose τ_ℓ is estimated on the other half, and vice versa
   * (default false, as in the paper: one forest, τ_ℓ from all units).
   */
  honest?: boolean;
  /** Seed of the forest and the bootstrap (default 0). */
  seed?: number;
  /** Interval level (default 0.95). */
  level?: number;
}

/** Defaults of {@link hpte}. */
export const hpteDefaults = {
  dayEffects: true,
  outlierConstant: 5,
  numTrees: 100,
  minNodeSize: 5,
  bootstrap: 200,
  bootstrapMode: 'outliers',
  honest: false,
  seed: 0,
  level: 0.95,
} as const;

/** Diagnostics returned with the HPTE estimate. */
export interface HpteEstimate extends Estimate {
  /** Products dropped as outliers in step 2. */
  outliers: number;
  /** Name of the forecaster used in step 1. */
  forecaster: string;
}

/** One fitted step 3: per forest, the leaves of every unit and which units estimate τ_ℓ. */
interface LeafFit {
  /** Per forest: leaf of unit k in tree b at `[b * U + k]`. */
  leaves: Int32Array[];
  nodeCount: number[][];
  /** Per forest: 1 where unit k may enter the leaf means (its estimation half). */
  est: Uint8Array[];
}

/**
 * HPTE, the four steps of Cooprider and Nassiri (2023):
 * (1) first difference: each product-day's observed outcome minus a forecast of its untreated
 *     outcome from the pre-period history, detrended by the day's mean over control product-days
 *     (`dayEffects`), averaged per product and arm over the experiment's non-blackout days (a
 *     product in a switchback design contributes one unit per arm);
 * (2) drop outlying products with a quantile cutoff whose tail mass is ∝ 1/N;
 * (3) second difference: a causal forest on product features groups treated and control units;
 *     within every leaf τ_ℓ = mean(treated) − mean(control); each product gets the average of its
 *     leaves' τ_ℓ over trees; HPTE is the mean over products;
 * (4) SE: bootstrap over the design's randomisation units (products, or clusters), redoing the
 *     day effects of step 1, step 2 and the leaf means of step 3 in every draw (leaves fixed).
 *     Holding the outlier set fixed understates the SE (a trimmed mean's bootstrap must re-trim),
 *     and a product-level bootstrap cannot see day shocks shared by all products, hence the
 *     detrending; regrowing the forest per draw did not change the SE (`bootstrapMode: 'refit'`).
 * Reference: Cooprider and Nassiri (2023), Science of price experimentation at Amazon,
 * Business Economics 58, 34–41.
 */
export async function hpte(panel: PricingPanel, options: HpteOptions = {}): Promise<HpteEstimate> {
  checkKnownKeys('hpte options', options, ['forecaster', 'dayEffects', 'outlierConstant', 'numTrees', 'minNodeSize', 'bootstrap', 'bootstrapMode', 'honest', 'seed', 'level']);
  const p = checkPanel(panel);
  const fc = options.forecaster ?? trendSeasonalForecaster();
  if (!fc || typeof fc !== 'object') throw invalidOption('forecaster', 'an UntreatedForecaster { name, forecast(request) }', fc);
  checkFunction('forecaster.forecast', fc.forecast);
  const dayEffects = options.dayEffects ?? hpteDefaults.dayEffects;
  if (typeof dayEffects !== 'boolean') throw invalidOption('dayEffects', 'a boolean', dayEffects);
  const cOut = checkNumber('outlierConstant', options.outlierConstant ?? hpteDefaults.outlierConstant, { min: 0 });
  const numTrees = checkNumber('numTrees', options.numTrees ?? hpteDefaults.numTrees, { min: 1, integer: true });
  const minNode = checkNumber('minNodeSize', options.minNodeSize ?? hpteDefaults.minNodeSize, { min: 1, integer: true });
  const B = checkNumber('bootstrap', options.bootstrap ?? hpteDefaults.bootstrap, { min: 2, integer: true });
  const mode = checkOneOf('bootstrapMode', options.bootstrapMode ?? hpteDefaults.bootstrapMode, ['outliers', 'refit'] as const);
  const honest = options.honest ?? hpteDefaults.honest;
  if (typeof honest !== 'boolean') throw invalidOption('honest', 'a boolean', honest);
  const seed = checkNumber('seed', options.seed ?? hpteDefaults.seed, { integer: true, min: 0 });
  const level = checkNumber('level', options.level ?? hpteDefaults.level, { min: 0, max: 1, minExclusive: true, maxExclusive: true });
  const { products: N, days: T, start } = p;
  if (start < 1) throw new DataError('hpte needs a pre-period (schedule start ≥ 1) to forecast the untreated outcome');
  const H = T - start;
  // (1) forecast and first differences per product-day (NaN on blackout days)
  const history = new Float64Array(N * start);
  for (let i = 0; i < N; i++) history.set(p.logUnits.subarray(i * T, i * T + start), i * start);
  const raw = await fc.forecast({ series: N, historyLength: start, history, horizon: H, startDay: p.calendarStart ?? 0, seed });
  if (!(raw instanceof Float64Array) || raw.length !== N * H) {
    throw new DataError(`forecaster \`${fc.name}\` returned ${raw instanceof Float64Array ? `${raw.length} values` : 'no Float64Array'}; expected ${N * H}`);
  }
  const diff = new Float64Array(N * H); // [i*H + h]
  const dayArm = new Int8Array(N * H); // arm, or −1 on blackout days
  const sum = new Float64Array(2 * N); // Σ first differences per unit [i*2 + arm]
  const cnt = new Float64Array(2 * N); // days per unit
  for (let i = 0; i < N; i++) {
    for (let h = 0; h < H; h++) {
      const k = i * T + start + h;
      const q = i * H + h;
      if (p.blackout[k]) {
        dayArm[q] = -1;
        continue;
      }
      const a = p.arm[k] ? 1 : 0;
      dayArm[q] = a;
      diff[q] = p.logUnits[k] - raw[q];
      sum[2 * i + a] += diff[q];
      cnt[2 * i + a]++;
    }
  }
  // units (product, arm) with data: unit k ↔ product uProd[k]
  const uProdA: number[] = [];
  const uArmA: number[] = [];
  for (let i = 0; i < N; i++) for (let a = 0; a < 2; a++) if (cnt[2 * i + a] > 0) {
    uProdA.push(i);
    uArmA.push(a);
  }
  const U = uProdA.length;
  const uProd = Int32Array.from(uProdA);
  const uArm = Uint8Array.from(uArmA);
  const firstUnit = new Int32Array(N).fill(-1);
  for (let k = U - 1; k >= 0; k--) firstUnit[uProd[k]] = k;
  // detrended unit means with product weights: dbar_ia = mean over the unit's days of (d_it − c_t),
  // c_t = weighted mean of d over control product-days of day t
  const dayMean = new Float64Array(H);
  const dayW = new Float64Array(H);
  const dbar = new Float64Array(2 * N);
  const unitMeans = (wProd: Float64Array, out: Float64Array): void => {
    if (!dayEffects) {
      for (let j = 0; j < 2 * N; j++) out[j] = cnt[j] > 0 ? sum[j] / cnt[j] : NaN;
      return;
    }
    dayMean.fill(0);
    dayW.fill(0);
    for (let i = 0; i < N; i++) {
      const w = wProd[i];
      if (w === 0 || cnt[2 * i] === 0) continue;
      const o = i * H;
      for (let h = 0; h < H; h++) if (dayArm[o + h] === 0) {
        dayMean[h] += w * diff[o + h];
        dayW[h] += w;
      }
    }
    for (let h = 0; h < H; h++) dayMean[h] = dayW[h] > 0 ? dayMean[h] / dayW[h] : 0;
    for (let i = 0; i < N; i++) {
      const o = i * H;
      let c0 = 0;
      let c1 = 0;
      for (let h = 0; h < H; h++) {
        const a = dayArm[o + h];
        if (a === 0) c0 += dayMean[h];
        else if (a === 1) c1 += dayMean[h];
      }
      out[2 * i] = cnt[2 * i] > 0 ? (sum[2 * i] - c0) / cnt[2 * i] : NaN;
      out[2 * i + 1] = cnt[2 * i + 1] > 0 ? (sum[2 * i + 1] - c1) / cnt[2 * i + 1] : NaN;
    }
  };
  // product features seen by the forest (plus the pre-period level), per unit
  const f = p.features;
  const ux: Record<string, Float64Array> = {};
  for (const name of Object.keys(f) as (keyof typeof f)[]) {
    const col = new Float64Array(U);
    for (let k = 0; k < U; k++) col[k] = f[name][uProd[k]];
    ux[name] = col;
  }
  {
    const col = new Float64Array(U);
    for (let k = 0; k < U; k++) {
      const i = uProd[k];
      let s = 0;
      for (let t = 0; t < start; t++) s += p.logUnits[i * T + t];
      col[k] = s / start;
    }
    ux.preLevel = col;
  }
  const names = Object.keys(ux);

  // (2) outliers: robust z within each arm over the products with weight > 0 (weights repeat them)
  let vbuf = new Float64Array(N);
  const outliers = (wProd: Float64Array, y: Float64Array): Uint8Array => {
    const drop = new Uint8Array(N);
    if (cOut === 0) return drop;
    for (let a = 0; a < 2; a++) {
      let n = 0;
      for (let i = 0; i < N; i++) if (!Number.isNaN(y[2 * i + a])) n += wProd[i];
      if (vbuf.length < n) vbuf = new Float64Array(n);
      n = 0;
      for (let i = 0; i < N; i++) {
        const v = y[2 * i + a];
        if (Number.isNaN(v)) continue;
        for (let m = 0; m < wProd[i]; m++) vbuf[n++] = v;
      }
      if (n < 3) continue;
      const vals = vbuf.subarray(0, n).sort();
      const med = sortedMedian(vals);
      for (let j = 0; j < n; j++) vals[j] = Math.abs(vals[j] - med);
      const mad = 1.4826 * sortedMedian(vals.sort());
      if (!(mad > 0)) continue;
      const zc = normalQuantile(1 - Math.min(0.5, cOut / (2 * n)));
      for (let i = 0; i < N; i++) {
        const v = y[2 * i + a];
        if (!Number.isNaN(v) && Math.abs(v - med) / mad > zc) drop[i] = 1;
      }
    }
    return drop;
  };

  // (3a) grow the forest(s) on the kept products (rows repeated by weight); every unit gets leaves
  const grow = (wProd: Float64Array, drop: Uint8Array, y: Float64Array, fitSeed: number): LeafFit => {
    const r = makeRng(fitSeed);
    // honest halves by randomisation unit (product or cluster): half[i] ∈ {0, 1}
    const half = new Uint8Array(N);
    if (honest) {
      const ids: number[] = [];
      const seen = new Uint8Array(N);
      for (let i = 0; i < N; i++) if (wProd[i] > 0 && !drop[i] && !seen[p.unit[i]]) {
        seen[p.unit[i]] = 1;
        ids.push(p.unit[i]);
      }
      const perm = r.fork(1);
      for (let j = ids.length - 1; j > 0; j--) {
        const m = Math.floor(perm.nextFloat() * (j + 1));
        const tmp = ids[j];
        ids[j] = ids[m];
        ids[m] = tmp;
      }
      const unitHalf = new Uint8Array(N);
      for (let j = 0; j < ids.length; j++) unitHalf[ids[j]] = j % 2;
      for (let i = 0; i < N; i++) half[i] = unitHalf[p.unit[i]];
    }
    const out: LeafFit = { leaves: [], nodeCount: [], est: [] };
    for (const g of honest ? [0, 1] : [0]) {
      const rows: number[] = [];
      for (let k = 0; k < U; k++) {
        const i = uProd[k];
        if (drop[i] || (honest && half[i] !== g)) continue;
        for (let m = 0; m < wProd[i]; m++) rows.push(k);
      }
      const n = rows.length;
      let n1 = 0;
      let ym = 0;
      for (const k of rows) {
        n1 += uArm[k];
        ym += y[2 * uProd[k] + uArm[k]];
      }
      ym /= Math.max(1, n);
      const est = new Uint8Array(U);
      for (let k = 0; k < U; k++) if (!honest || half[uProd[k]] !== g) est[k] = 1;
      const leaves = new Int32Array(numTrees * U);
      out.est.push(est);
      out.leaves.push(leaves);
      if (n1 < 2 || n - n1 < 2 || n < 2 * minNode) {
        out.nodeCount.push(new Array<number>(numTrees).fill(1)); // one leaf: the pooled second difference
        continue;
      }
      const x: Record<string, Float64Array> = {};
      for (const name of names) {
        const col = new Float64Array(n);
        const src = ux[name];
        for (let j = 0; j < n; j++) col[j] = src[rows[j]];
        x[name] = col;
      }
      const yy = new Float64Array(n);
      const ww = new Float64Array(n);
      for (let j = 0; j < n; j++) {
        yy[j] = y[2 * uProd[rows[j]] + uArm[rows[j]]];
        ww[j] = uArm[rows[j]];
      }
      // The arm is randomised independently of the features, so the nuisance E[W | X] is the arm
      // share and E[Y | X] is replaced by the overall mean: the forest only has to group products.
      const forest = causalForest(x, yy, ww, {
        numTrees,
        ciGroupSize: 1,
        minNodeSize: minNode,
        yHat: new Float64Array(n).fill(ym),
        wHat: new Float64Array(n).fill(n1 / n),
        seed: r.fork(2 + g).nextUint32(),
        numThreads: 1,
      });
      const lv = forest.leaves(ux); // [k * nb + b]
      const nb = forest.trees.length;
      for (let k = 0; k < U; k++) for (let b = 0; b < nb; b++) leaves[b * U + k] = lv[k * nb + b];
      out.nodeCount.push(forest.trees.map((t) => t.feature.length));
    }
    return out;
  };

  // (3b) second difference with product weights: τ_ℓ from the estimation units of each leaf; every
  // kept product averages its leaves' τ_ℓ over trees (and forests); HPTE = weighted mean over products
  let s1 = new Float64Array(1);
  let c1 = new Float64Array(1);
  let s0 = new Float64Array(1);
  let c0 = new Float64Array(1);
  const tauSum = new Float64Array(N);
  const tauCnt = new Float64Array(N);
  const second = (fit: LeafFit, wProd: Float64Array, drop: Uint8Array, y: Float64Array): number => {
    let maxNodes = 1;
    for (const nc of fit.nodeCount) for (const c of nc) maxNodes = Math.max(maxNodes, c);
    if (s1.length < maxNodes) {
      s1 = new Float64Array(maxNodes);
      c1 = new Float64Array(maxNodes);
      s0 = new Float64Array(maxNodes);
      c0 = new Float64Array(maxNodes);
    }
    tauSum.fill(0);
    tauCnt.fill(0);
    for (let g = 0; g < fit.leaves.length; g++) {
      const leafT = fit.leaves[g];
      const est = fit.est[g];
      const nc = fit.nodeCount[g];
      for (let b = 0; b < nc.length; b++) {
        const nn = nc[b];
        s1.fill(0, 0, nn);
        c1.fill(0, 0, nn);
        s0.fill(0, 0, nn);
        c0.fill(0, 0, nn);
        const lo = b * U;
        for (let k = 0; k < U; k++) {
          const i = uProd[k];
          const wt = wProd[i];
          if (wt === 0 || !est[k] || drop[i]) continue;
          const leaf = leafT[lo + k];
          const v = y[2 * i + uArm[k]];
          if (uArm[k]) {
            s1[leaf] += wt * v;
            c1[leaf] += wt;
          } else {
            s0[leaf] += wt * v;
            c0[leaf] += wt;
          }
        }
        for (let i = 0; i < N; i++) {
          if (wProd[i] === 0 || drop[i] || firstUnit[i] < 0) continue;
          const leaf = leafT[lo + firstUnit[i]];
          if (c1[leaf] > 0 && c0[leaf] > 0) {
            tauSum[i] += s1[leaf] / c1[leaf] - s0[leaf] / c0[leaf];
            tauCnt[i]++;
          }
        }
      }
    }
    let num = 0;
    let den = 0;
    for (let i = 0; i < N; i++) {
      if (wProd[i] === 0 || drop[i] || tauCnt[i] === 0) continue;
      num += (wProd[i] * tauSum[i]) / tauCnt[i];
      den += wProd[i];
    }
    return den > 0 ? num / den : NaN;
  };

  const ones = new Float64Array(N);
  for (let k = 0; k < U; k++) ones[uProd[k]] = 1;
  unitMeans(ones, dbar);
  const drop0 = outliers(ones, dbar);
  let kept1 = 0;
  let kept0 = 0;
  for (let k = 0; k < U; k++) if (!drop0[uProd[k]]) {
    if (uArm[k]) kept1++;
    else kept0++;
  }
  if (kept1 < 2 || kept0 < 2) throw new DataError(`hpte needs at least 2 treated and 2 control units after outlier removal, got ${kept1} and ${kept0}`);
  const root = makeRng(seed);
  const fit0 = grow(ones, drop0, dbar, root.fork(3).nextUint32());
  const est = second(fit0, ones, drop0, dbar);
  // (4) bootstrap over the design's randomisation units (products, or clusters of products)
  const boot = root.fork(7);
  const unitSlot = new Int32Array(N).fill(-1);
  const unitOf = new Int32Array(N).fill(-1);
  let G = 0;
  for (let i = 0; i < N; i++) {
    if (ones[i] === 0) continue;
    const u = p.unit[i];
    if (unitSlot[u] < 0) unitSlot[u] = G++;
    unitOf[i] = unitSlot[u];
  }
  const draws = new Float64Array(G);
  const wb = new Float64Array(N);
  const yb = new Float64Array(2 * N);
  let bs = 0;
  let bs2 = 0;
  let bn = 0;
  for (let b = 0; b < B; b++) {
    const r = boot.fork(b);
    draws.fill(0);
    for (let k = 0; k < G; k++) draws[Math.floor(r.nextFloat() * G)]++;
    for (let i = 0; i < N; i++) wb[i] = unitOf[i] < 0 ? 0 : draws[unitOf[i]];
    unitMeans(wb, yb);
    const drop = outliers(wb, yb);
    const fit = mode === 'refit' ? grow(wb, drop, yb, r.fork(1).nextUint32()) : fit0;
    const v = second(fit, wb, drop, yb);
    if (!Number.isFinite(v)) continue;
    bs += v;
    bs2 += v * v;
    bn++;
  }
  const se = bn > 1 ? Math.sqrt(Math.max(0, (bs2 - (bs * bs) / bn) / (bn - 1))) : NaN;
  let dropped = 0;
  for (let i = 0; i < N; i++) dropped += drop0[i];
  return { ...makeEstimate('HPTE', est, se, level, kept1 + kept0, G), outliers: dropped, forecaster: fc.name };
}

/** Median of an ascending-sorted array. */
function sortedMedian(v: Float64Array): number {
  const n = v.length;
  return n % 2 ? v[(n - 1) / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}
