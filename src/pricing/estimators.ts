/**
 * Estimators of the policy's average effect from a logged pricing panel: difference in means,
 * two-way fixed-effects difference in differences, both with standard errors clustered by
 * randomisation unit (product, or cluster in clustered designs).
 */
import { DataError, invalidOption } from '../core/errors';
import { normalQuantile } from '../core/stats';
import { checkKnownKeys, checkNumber } from '../core/validate';
import type { PricingPanel } from './world';

/** An estimate with its standard error and a normal interval. */
export interface Estimate {
  estimator: string;
  estimate: number;
  se: number;
  lower: number;
  upper: number;
  level: number;
  /** Product-days (or units) used. */
  n: number;
  /** Clusters (randomisation units, or products for HPTE) behind the SE. */
  clusters: number;
}

/** Builds an {@link Estimate} with a normal interval. */
export function makeEstimate(estimator: string, estimate: number, se: number, level: number, n: number, clusters: number): Estimate {
  const z = normalQuantile(0.5 + level / 2);
  return { estimator, estimate, se, lower: estimate - z * se, upper: estimate + z * se, level, n, clusters };
}

/** Checks that a value looks like a {@link PricingPanel}. */
export function checkPanel(panel: unknown): PricingPanel {
  const p = panel as PricingPanel;
  if (!p || typeof p !== 'object' || !(p.logUnits instanceof Float64Array) || !(p.arm instanceof Uint8Array)) {
    throw invalidOption('panel', 'a PricingPanel from simulatePanel(...)', panel);
  }
  const NT = p.products * p.days;
  if (p.logUnits.length !== NT || p.arm.length !== NT || p.blackout.length !== NT || p.unit.length !== p.products) {
    throw new DataError(`panel columns do not match ${p.products} products × ${p.days} days`);
  }
  return p;
}

function levelOf(options: { level?: number }): number {
  return checkNumber('level', options.level ?? 0.95, { min: 0, max: 1, minExclusive: true, maxExclusive: true });
}

/**
 * Difference in means over the experimental days (not blacked out): ȳ(treated) − ȳ(control),
 * SE clustered by randomisation unit (linearised, with the G/(G−1) correction).
 */
export function differenceInMeans(panel: PricingPanel, options: { level?: number } = {}): Estimate {
  checkKnownKeys('differenceInMeans options', options, ['level']);
  const p = checkPanel(panel);
  const level = levelOf(options);
  const { products: N, days: T, start } = p;
  let n1 = 0;
  let n0 = 0;
  let s1 = 0;
  let s0 = 0;
  for (let i = 0; i < N; i++) {
    for (let t = start; t < T; t++) {
      const k = i * T + t;
      if (p.blackout[k]) continue;
      if (p.arm[k]) {
        n1++;
        s1 += p.logUnits[k];
      } else {
        n0++;
        s0 += p.logUnits[k];
      }
    }
  }
  if (n1 === 0 || n0 === 0) throw new DataError('differenceInMeans needs treated and control product-days after `start`');
  const m1 = s1 / n1;
  const m0 = s0 / n0;
  const G = maxUnit(p.unit) + 1;
  const score = new Float64Array(G);
  for (let i = 0; i < N; i++) {
    const g = p.unit[i];
    for (let t = start; t < T; t++) {
      const k = i * T + t;
      if (p.blackout[k]) continue;
      score[g] += p.arm[k] ? (p.logUnits[k] - m1) / n1 : -(p.logUnits[k] - m0) / n0;
    }
  }
  const se = Math.sqrt(clusterVariance(score, G));
  return makeEstimate('difference in means', m1 - m0, se, level, n1 + n0, G);
}

function maxUnit(unit: Int32Array): number {
  let m = 0;
  for (let i = 0; i < unit.length; i++) if (unit[i] > m) m = unit[i];
  return m;
}

/** Σ_g score_g² · G/(G−1) over the non-empty clusters. */
function clusterVariance(score: Float64Array, G: number): number {
  let v = 0;
  let used = 0;
  for (let g = 0; g < G; g++) {
    if (score[g] !== 0) used++;
    v += score[g] * score[g];
  }
  return used > 1 ? (v * used) / (used - 1) : NaN;
}

/**
 * Two-way fixed-effects difference in differences: y_it = α_i + λ_t + τ·W_it + e_it over every
 * non-blackout product-day (pre-period included), solved by alternating demeaning of y and W
 * (exact for unbalanced panels at convergence, Frisch–Waugh–Lovell); SE clustered by
 * randomisation unit (Liang–Zeger sandwich with G/(G−1)).
 * References: Angrist and Pischke (2009), Mostly Harmless Econometrics §5.2, §8.2; Cameron and
 * Miller (2015), J. Human Resources 50(2).
 */
export function did(panel: PricingPanel, options: { level?: number; tolerance?: number; maxIterations?: number } = {}): Estimate {
  checkKnownKeys('did options', options, ['level', 'tolerance', 'maxIterations']);
  const p = checkPanel(panel);
  const level = levelOf(options);
  const tol = checkNumber('tolerance', options.tolerance ?? 1e-10, { min: 0, minExclusive: true });
  const maxIt = checkNumber('maxIterations', options.maxIterations ?? 500, { min: 1, integer: true });
  const { products: N, days: T } = p;
  const keep = new Uint8Array(N * T);
  let n = 0;
  let balanced = true;
  for (let k = 0; k < N * T; k++) {
    keep[k] = p.blackout[k] ? 0 : 1;
    n += keep[k];
    if (!keep[k]) balanced = false;
  }
  const y = new Float64Array(N * T);
  const w = new Float64Array(N * T);
  for (let k = 0; k < N * T; k++) if (keep[k]) {
    y[k] = p.logUnits[k];
    w[k] = p.arm[k];
  }
  const rowN = new Float64Array(N);
  const colN = new Float64Array(T);
  for (let i = 0; i < N; i++) for (let t = 0; t < T; t++) if (keep[i * T + t]) {
    rowN[i]++;
    colN[t]++;
  }
  const rs = new Float64Array(N);
  const cs = new Float64Array(T);
  const demean = (x: Float64Array): void => {
    for (let it = 0; it < (balanced ? 1 : maxIt); it++) {
      rs.fill(0);
      for (let i = 0; i < N; i++) {
        let s = 0;
        for (let t = 0; t < T; t++) s += x[i * T + t];
        rs[i] = rowN[i] > 0 ? s / rowN[i] : 0;
      }
      for (let i = 0; i < N; i++) for (let t = 0; t < T; t++) if (keep[i * T + t]) x[i * T + t] -= rs[i];
      cs.fill(0);
      for (let i = 0; i < N; i++) for (let t = 0; t < T; t++) cs[t] += x[i * T + t];
      let change = 0;
      for (let t = 0; t < T; t++) {
        cs[t] = colN[t] > 0 ? cs[t] / colN[t] : 0;
        change = Math.max(change, Math.abs(cs[t]));
      }
      for (let i = 0; i < N; i++) for (let t = 0; t < T; t++) if (keep[i * T + t]) x[i * T + t] -= cs[t];
      if (change < tol) break;
    }
  };
  demean(y);
  demean(w);
  let sww = 0;
  let swy = 0;
  for (let k = 0; k < N * T; k++) {
    sww += w[k] * w[k];
    swy += w[k] * y[k];
  }
  if (!(sww > 1e-12)) throw new DataError('did: the treatment does not vary within products and days (no identifying variation)');
  const tau = swy / sww;
  const G = maxUnit(p.unit) + 1;
  const score = new Float64Array(G);
  for (let i = 0; i < N; i++) {
    const g = p.unit[i];
    let s = 0;
    for (let t = 0; t < T; t++) {
      const k = i * T + t;
      if (keep[k]) s += w[k] * (y[k] - tau * w[k]);
    }
    score[g] += s / sww;
  }
  const se = Math.sqrt(clusterVariance(score, G));
  return makeEstimate('DID (TWFE)', tau, se, level, n, G);
}
