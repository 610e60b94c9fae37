/**
 * Exposure mappings for interference (spillover between substitutes, carryover over days) and
 * the Horvitz–Thompson / Hájek estimators of Aronow and Samii (2017), with exposure
 * probabilities computed by Monte Carlo over the design.
 */
import { DataError, InputError, invalidOption } from '../core/errors';
import { rng as makeRng } from '../core/rng';
import { checkKnownKeys, checkNumber } from '../core/validate';
import { checkDesign, drawSchedule, type DesignSpec } from './designs';
import { checkPanel, makeEstimate, type Estimate } from './estimators';
import { checkGraph, type SubstitutesGraph } from './graph';
import type { PricingPanel } from './world';

/** How a product-day's exposure is read off the assignment. */
export interface ExposureOptions {
  /**
   * Days m of own history that must match: a product-day is "fully treated" only when its own
   * arm was treatment on days t−m..t (default 0).
   */
  carryoverOrder?: number;
  /**
   * Neighbour share θ in (0.5, 1]: fully treated also needs ≥ θ of the substitutes-graph weight
   * treated that day, fully control ≤ 1 − θ (default 0.75). Ignored without a graph.
   */
  threshold?: number;
}

/** Exposure probabilities of every product-day, `[i·days + t]` (0 before `start`). */
export interface ExposureProbabilities {
  products: number;
  days: number;
  start: number;
  /** P(fully treated). */
  treated: Float64Array;
  /** P(fully control). */
  control: Float64Array;
  /** Monte-Carlo draws used. */
  draws: number;
  carryoverOrder: number;
  threshold: number;
}

function resolveExposure(o: ExposureOptions): { m: number; theta: number } {
  const m = checkNumber('carryoverOrder', o.carryoverOrder ?? 0, { min: 0, integer: true });
  const theta = checkNumber('threshold', o.threshold ?? 0.75, { min: 0.5, max: 1, minExclusive: true });
  return { m, theta };
}

/**
 * Writes the exposures of one assignment: `ex[k]` = 1 fully treated, 0 fully control, 255 neither
 * (for experimental days; 255 before `start`).
 */
export function exposures(
  arm: Uint8Array,
  products: number,
  days: number,
  start: number,
  graph: SubstitutesGraph | null,
  options: ExposureOptions = {},
  out?: Uint8Array,
): Uint8Array {
  const { m, theta } = resolveExposure(options);
  const N = products;
  const T = days;
  const ex = out ?? new Uint8Array(N * T);
  ex.fill(255);
  for (let i = 0; i < N; i++) {
    const row = i * T;
    let wsum = 0;
    if (graph) for (let e = graph.offsets[i]; e < graph.offsets[i + 1]; e++) wsum += graph.weights[e];
    for (let t = start; t < T; t++) {
      const a = arm[row + t];
      let same = true;
      for (let k = 1; k <= m && same; k++) if ((t - k >= 0 ? arm[row + t - k] : 0) !== a) same = false;
      if (!same) continue;
      if (graph && wsum > 0) {
        let f = 0;
        for (let e = graph.offsets[i]; e < graph.offsets[i + 1]; e++) if (arm[graph.targets[e] * T + t]) f += graph.weights[e];
        f /= wsum;
        if (a === 1 && f >= theta - 1e-12) ex[row + t] = 1;
        else if (a === 0 && f <= 1 - theta + 1e-12) ex[row + t] = 0;
      } else ex[row + t] = a;
    }
  }
  return ex;
}

/**
 * Monte-Carlo exposure probabilities π_it(d) = P(exposure of (i, t) = d) under the design:
 * the share of `draws` independent schedules (seeded `rng(seed).fork(r)`) giving that exposure.
 */
export function exposureProbabilities(
  design: DesignSpec,
  dims: { products: number; days: number },
  graph: SubstitutesGraph | null,
  options: ExposureOptions & { draws?: number; seed?: number | string } = {},
): ExposureProbabilities {
  checkKnownKeys('exposureProbabilities options', options, ['carryoverOrder', 'threshold', 'draws', 'seed']);
  const N = checkNumber('products', dims?.products, { min: 1, integer: true });
  const T = checkNumber('days', dims?.days, { min: 2, integer: true });
  const g = graph === null ? null : checkGraph('graph', graph, N);
  const start = checkDesign(design, N, T);
  const { m, theta } = resolveExposure(options);
  const R = checkNumber('draws', options.draws ?? 500, { min: 1, integer: true });
  const root = makeRng(options.seed ?? 0);
  const c1 = new Float64Array(N * T);
  const c0 = new Float64Array(N * T);
  const ex = new Uint8Array(N * T);
  for (let r = 0; r < R; r++) {
    const s = drawSchedule(design, { products: N, days: T }, root.fork(r));
    exposures(s.arm, N, T, start, g, { carryoverOrder: m, threshold: theta }, ex);
    for (let k = 0; k < N * T; k++) {
      if (ex[k] === 1) c1[k]++;
      else if (ex[k] === 0) c0[k]++;
    }
  }
  for (let k = 0; k < N * T; k++) {
    c1[k] /= R;
    c0[k] /= R;
  }
  return { products: N, days: T, start, treated: c1, control: c0, draws: R, carryoverOrder: m, threshold: theta };
}

/** Options of {@link exposureHT}. */
export interface ExposureHTOptions {
  /** Precomputed probabilities (from {@link exposureProbabilities}); else computed from `design`. */
  probabilities?: ExposureProbabilities;
  /** The design (needed when `probabilities` is not given). */
  design?: DesignSpec;
  /** The substitutes graph (null/omitted: own exposure only, as in a pure switchback). */
  graph?: SubstitutesGraph | null;
  carryoverOrder?: number;
  threshold?: number;
  /** Monte-Carlo draws for the probabilities (default 500). */
  draws?: number;
  seed?: number | string;
  /** Product-days with π(1) or π(0) below this are outside the estimand (default 0.01). */
  minProbability?: number;
  /** `hajek` (ratio, default) or `ht` (Horvitz–Thompson). */
  form?: 'hajek' | 'ht';
  level?: number;
}

/**
 * Exposure-mapping estimator of the contrast "fully treated" vs "fully control": within each
 * experimental day, τ̂_t = Σ 1{D=1} ỹ/π(1) / Σ 1{D=1}/π(1) − (same for control) (Hájek), or the
 * Horvitz–Thompson form with N_t in the denominators; τ̂ = Σ_t n_t τ̂_t / Σ_t n_t over the
 * product-days with both probabilities ≥ `minProbability` (n_t of them on day t). ỹ is the
 * outcome minus the product's pre-period mean (fixed before assignment, so the estimator's design
 * unbiasedness is kept). SE: linearisation summed by randomisation unit (treats units as
 * independent, ignoring dependence through shared neighbours — an approximation). Blackout masks
 * are not used: the exposure mapping already handles carryover.
 * References: Aronow and Samii (2017), Ann. Appl. Stat. 11(4); Ugander et al. (2013), KDD.
 */
export function exposureHT(panel: PricingPanel, options: ExposureHTOptions = {}): Estimate {
  checkKnownKeys('exposureHT options', options, ['probabilities', 'design', 'graph', 'carryoverOrder', 'threshold', 'draws', 'seed', 'minProbability', 'form', 'level']);
  const p = checkPanel(panel);
  const { products: N, days: T, start } = p;
  const graph = options.graph === undefined || options.graph === null ? null : checkGraph('graph', options.graph, N);
  let probs = options.probabilities;
  if (probs === undefined) {
    if (!options.design) throw new InputError('exposureHT needs `probabilities` or the `design` to compute them');
    probs = exposureProbabilities(options.design, { products: N, days: T }, graph, {
      carryoverOrder: options.carryoverOrder,
      threshold: options.threshold,
      draws: options.draws,
      seed: options.seed,
    });
  } else if (probs.products !== N || probs.days !== T) {
    throw invalidOption('probabilities', `probabilities for ${N} products × ${T} days`, `${probs.products} × ${probs.days}`);
  }
  const minP = checkNumber('minProbability', options.minProbability ?? 0.01, { min: 0, max: 1, minExclusive: true });
  const form = options.form ?? 'hajek';
  if (form !== 'hajek' && form !== 'ht') throw invalidOption('form', '"hajek" or "ht"', form);
  const level = checkNumber('level', options.level ?? 0.95, { min: 0, max: 1, minExclusive: true, maxExclusive: true });
  const ex = exposures(p.arm, N, T, start, graph, { carryoverOrder: probs.carryoverOrder, threshold: probs.threshold });
  const adj = new Float64Array(N);
  if (start >= 1) {
    for (let i = 0; i < N; i++) {
      let s = 0;
      for (let t = 0; t < start; t++) s += p.logUnits[i * T + t];
      adj[i] = s / start;
    }
  }
  // per day sums
  const A1 = new Float64Array(T);
  const B1 = new Float64Array(T);
  const A0 = new Float64Array(T);
  const B0 = new Float64Array(T);
  const nt = new Float64Array(T);
  for (let i = 0; i < N; i++) {
    for (let t = start; t < T; t++) {
      const k = i * T + t;
      const p1 = probs.treated[k];
      const p0 = probs.control[k];
      if (p1 < minP || p0 < minP) continue;
      nt[t]++;
      const y = p.logUnits[k] - adj[i];
      if (ex[k] === 1) {
        A1[t] += y / p1;
        B1[t] += 1 / p1;
      } else if (ex[k] === 0) {
        A0[t] += y / p0;
        B0[t] += 1 / p0;
      }
    }
  }
  const tau = new Float64Array(T);
  const wt = new Float64Array(T);
  let wsum = 0;
  for (let t = start; t < T; t++) {
    if (nt[t] === 0) continue;
    const d1 = form === 'hajek' ? B1[t] : nt[t];
    const d0 = form === 'hajek' ? B0[t] : nt[t];
    if (!(d1 > 0 && d0 > 0) || B1[t] === 0 || B0[t] === 0) continue;
    tau[t] = A1[t] / d1 - A0[t] / d0;
    wt[t] = nt[t];
    wsum += nt[t];
  }
  if (wsum === 0) throw new DataError('exposureHT: no day has both fully treated and fully control product-days with positive probability');
  let est = 0;
  for (let t = start; t < T; t++) if (wt[t] > 0) est += (wt[t] / wsum) * tau[t];
  // linearised influence, summed by randomisation unit
  let G = 0;
  for (let i = 0; i < N; i++) if (p.unit[i] + 1 > G) G = p.unit[i] + 1;
  const score = new Float64Array(G);
  let used = 0;
  for (let i = 0; i < N; i++) {
    const g = p.unit[i];
    for (let t = start; t < T; t++) {
      if (wt[t] === 0) continue;
      const k = i * T + t;
      const p1 = probs.treated[k];
      const p0 = probs.control[k];
      if (p1 < minP || p0 < minP) continue;
      const y = p.logUnits[k] - adj[i];
      const w = wt[t] / wsum;
      if (ex[k] === 1) {
        const m1 = form === 'hajek' ? A1[t] / B1[t] : 0;
        const d1 = form === 'hajek' ? B1[t] : nt[t];
        score[g] += (w * (y - m1)) / p1 / d1;
        used++;
      } else if (ex[k] === 0) {
        const m0 = form === 'hajek' ? A0[t] / B0[t] : 0;
        const d0 = form === 'hajek' ? B0[t] : nt[t];
        score[g] -= (w * (y - m0)) / p0 / d0;
        used++;
      }
    }
  }
  let v = 0;
  let ng = 0;
  for (let g = 0; g < G; g++) {
    if (score[g] !== 0) ng++;
    v += score[g] * score[g];
  }
  const se = ng > 1 ? Math.sqrt((v * ng) / (ng - 1)) : NaN;
  return makeEstimate(form === 'hajek' ? 'Hájek (exposure mapping)' : 'Horvitz–Thompson (exposure mapping)', est, se, level, used, ng);
}
