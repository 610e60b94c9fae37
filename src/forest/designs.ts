/**
 * Simulation designs with known truth for checking forests (the "world" of this domain), and a
 * k-nearest-neighbour matching baseline for heterogeneous effects.
 */
import { fillNormal, fillUniform } from '../core/random';
import { rng } from '../core/rng';
import { normalQuantile } from '../core/stats';
import { checkNumber, checkPositiveInteger, checkKnownKeys } from '../core/validate';

/** Named feature columns `x0 … x{p−1}`. */
export type Columns = Record<string, Float64Array>;

/** A regression design: features, noisy outcomes and the true mean. */
export interface RegressionDesign {
  x: Columns;
  y: Float64Array;
  /** True E[Y | X] per row. */
  mean: Float64Array;
}

/** A heteroscedastic design: as {@link RegressionDesign} plus the true conditional quantiles. */
export interface QuantileDesign extends RegressionDesign {
  /** True conditional sd per row. */
  sd: Float64Array;
  /** True conditional quantile at probability `p` per row. */
  quantile(p: number): Float64Array;
}

/** A treatment-effect design: features, treatment, outcome, true CATE and propensity. */
export interface CausalDesign {
  x: Columns;
  w: Float64Array;
  y: Float64Array;
  /** True τ(x) per row. */
  tau: Float64Array;
  /** True propensity e(x) per row. */
  propensity: Float64Array;
  /** True average effect E[τ(X)] of the population (not the sample mean). */
  ate: number;
}

function uniformColumns(seed: number | string, stream: number, n: number, p: number): Columns {
  const r = rng(seed).fork(stream);
  const x: Columns = {};
  for (let j = 0; j < p; j++) x[`x${j}`] = fillUniform(r.fork(j), new Float64Array(n));
  return x;
}

function checkDesign(name: string, o: object, known: string[]): void {
  checkKnownKeys(name, o, known);
}

/**
 * Friedman #1 (Friedman 1991; scikit-learn's make_friedman1): X ~ U[0,1]^p (p ≥ 5),
 * Y = 10 sin(π x0 x1) + 20 (x2 − ½)² + 10 x3 + 5 x4 + ε, ε ~ N(0, noise²).
 * Streams: features `rng(seed).fork(0).fork(j)`, noise `rng(seed).fork(1)`.
 */
export function friedman1(options: { n: number; p?: number; noise?: number; seed?: number | string }): RegressionDesign {
  checkDesign('options', options, ['n', 'p', 'noise', 'seed']);
  const n = checkPositiveInteger('n', options.n);
  const p = checkNumber('p', options.p ?? 10, { min: 5, integer: true });
  const noise = checkNumber('noise', options.noise ?? 1, { min: 0 });
  const seed = options.seed ?? 0;
  const x = uniformColumns(seed, 0, n, p);
  const eps = fillNormal(rng(seed).fork(1), new Float64Array(n));
  const mean = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const m = 10 * Math.sin(Math.PI * x.x0[i] * x.x1[i]) + 20 * (x.x2[i] - 0.5) ** 2 + 10 * x.x3[i] + 5 * x.x4[i];
    mean[i] = m;
    y[i] = m + noise * eps[i];
  }
  return { x, y, mean };
}

/**
 * Heteroscedastic design: X ~ U[0,1]^p (p ≥ 2), Y = 4 x0 + (0.25 + 1.5 x1)·ε, ε ~ N(0, 1);
 * the spread depends on x1 only, the mean on x0 only.
 */
export function heteroscedastic(options: { n: number; p?: number; seed?: number | string }): QuantileDesign {
  checkDesign('options', options, ['n', 'p', 'seed']);
  const n = checkPositiveInteger('n', options.n);
  const p = checkNumber('p', options.p ?? 5, { min: 2, integer: true });
  const seed = options.seed ?? 0;
  const x = uniformColumns(seed, 0, n, p);
  const eps = fillNormal(rng(seed).fork(1), new Float64Array(n));
  const mean = new Float64Array(n);
  const sd = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    mean[i] = 4 * x.x0[i];
    sd[i] = 0.25 + 1.5 * x.x1[i];
    y[i] = mean[i] + sd[i] * eps[i];
  }
  const quantile = (prob: number): Float64Array => {
    const z = normalQuantile(prob);
    return mean.map((m, i) => m + sd[i] * z);
  };
  return { x, y, mean, sd, quantile };
}

/** ς(u) = 1 + 1 / (1 + exp(−20(u − 1/3))) of Wager and Athey (2018), §5.2. */
export function wagerAtheySigma(u: number): number {
  return 1 + 1 / (1 + Math.exp(-20 * (u - 1 / 3)));
}

/**
 * Wager and Athey (2018, §5.2) heterogeneous-effect design: X ~ U[0,1]^d, e(x) = 0.5, m(x) = 0,
 * τ(x) = ς(x0)·ς(x1), Y = m(x) + (W − ½)τ(x) + ε, ε ~ N(0, 1).
 * Streams: features `fork(0).fork(j)`, treatment `fork(1)`, noise `fork(2)`.
 */
export function wagerAthey(options: { n: number; d?: number; seed?: number | string }): CausalDesign {
  checkDesign('options', options, ['n', 'd', 'seed']);
  const n = checkPositiveInteger('n', options.n);
  const d = checkNumber('d', options.d ?? 2, { min: 2, integer: true });
  const seed = options.seed ?? 0;
  const x = uniformColumns(seed, 0, n, d);
  const u = fillUniform(rng(seed).fork(1), new Float64Array(n));
  const eps = fillNormal(rng(seed).fork(2), new Float64Array(n));
  const w = new Float64Array(n);
  const y = new Float64Array(n);
  const tau = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    tau[i] = wagerAtheySigma(x.x0[i]) * wagerAtheySigma(x.x1[i]);
    w[i] = u[i] < 0.5 ? 1 : 0;
    y[i] = (w[i] - 0.5) * tau[i] + eps[i];
  }
  // E[ς(U)] for U ~ U[0,1]: 1 + (1/20)·ln((1 + e^{20·2/3}) / (1 + e^{−20/3}))
  const es = 1 + Math.log((1 + Math.exp(20 * (2 / 3))) / (1 + Math.exp(-20 / 3))) / 20;
  return { x, w, y, tau, propensity: new Float64Array(n).fill(0.5), ate: es * es };
}

/**
 * A confounded design: X ~ U[0,1]^p (p ≥ 3), e(x) = 0.2 + 0.6·x0, τ(x) = 1 + x1,
 * m(x) = 3·x0 + x2, Y = m(x) + W·τ(x) + ε, ε ~ N(0, 1); ATE = 1.5. The naive difference in
 * means is biased upward by 3·Cov(x0, W)/(Var W) ≈ 0.6.
 */
export function confounded(options: { n: number; p?: number; seed?: number | string }): CausalDesign {
  checkDesign('options', options, ['n', 'p', 'seed']);
  const n = checkPositiveInteger('n', options.n);
  const p = checkNumber('p', options.p ?? 5, { min: 3, integer: true });
  const seed = options.seed ?? 0;
  const x = uniformColumns(seed, 0, n, p);
  const u = fillUniform(rng(seed).fork(1), new Float64Array(n));
  const eps = fillNormal(rng(seed).fork(2), new Float64Array(n));
  const w = new Float64Array(n);
  const y = new Float64Array(n);
  const tau = new Float64Array(n);
  const propensity = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    propensity[i] = 0.2 + 0.6 * x.x0[i];
    tau[i] = 1 + x.x1[i];
    w[i] = u[i] < propensity[i] ? 1 : 0;
    y[i] = 3 * x.x0[i] + x.x2[i] + w[i] * tau[i] + eps[i];
  }
  return { x, w, y, tau, propensity, ate: 1.5 };
}

/**
 * k-nearest-neighbour matching estimate of τ(x) (the baseline of Wager and Athey 2018): the mean
 * outcome of the k nearest treated rows minus that of the k nearest controls (Euclidean).
 * Brute force, O(n) per query.
 * @param x training columns; `query` query columns with the same names
 */
export function knnCate(x: Columns, y: ArrayLike<number>, w: ArrayLike<number>, query: Columns, k = 10): Float64Array {
  checkPositiveInteger('k', k);
  const names = Object.keys(x);
  const n = y.length;
  const nq = query[names[0]].length;
  const out = new Float64Array(nq);
  const dT = new Float64Array(k);
  const yT = new Float64Array(k);
  const dC = new Float64Array(k);
  const yC = new Float64Array(k);
  const cols = names.map((c) => x[c]);
  const qcols = names.map((c) => query[c]);
  for (let q = 0; q < nq; q++) {
    dT.fill(Infinity);
    dC.fill(Infinity);
    for (let i = 0; i < n; i++) {
      let d = 0;
      for (let j = 0; j < cols.length; j++) {
        const t = cols[j][i] - qcols[j][q];
        d += t * t;
      }
      const dist = w[i] === 1 ? dT : dC;
      const ys = w[i] === 1 ? yT : yC;
      if (d >= dist[k - 1]) continue;
      let pos = k - 1;
      while (pos > 0 && dist[pos - 1] > d) {
        dist[pos] = dist[pos - 1];
        ys[pos] = ys[pos - 1];
        pos--;
      }
      dist[pos] = d;
      ys[pos] = y[i];
    }
    let st = 0;
    let sc = 0;
    for (let a = 0; a < k; a++) {
      st += yT[a];
      sc += yC[a];
    }
    out[q] = st / k - sc / k;
  }
  return out;
}
