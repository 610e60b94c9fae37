/**
 * Descriptive statistics, stable log-sum-exp / softmax, quantiles, the bootstrap and a few
 * special functions (erf, normal CDF and quantile, log-gamma). Plain functions over arrays.
 */
import { InputError, invalidOption, warn, describeValue } from './errors';
import { checkFunction, checkKnownKeys, checkNumber, checkNumericArray, checkOpenUnit, checkPositiveInteger } from './validate';
import { rng as makeRng, checkRng, type Rng } from './rng';

/** Defaults of {@link bootstrap}'s options. */
export const bootstrapDefaults = { replicates: 2000, seed: 0, level: 0.95 } as const;

// --- running moments ---------------------------------------------------------------------------

/** A streaming accumulator of count, mean, variance (Welford), min and max. */
export interface RunningStats {
  /** Adds one observation. */
  push(x: number): void;
  /** Adds every value of an array. */
  pushAll(values: ArrayLike<number>): void;
  /** Folds another accumulator into this one (Chan et al.'s parallel update). */
  merge(other: RunningStats): void;
  /** Number of observations. */
  readonly count: number;
  /** Mean; NaN when empty. */
  readonly mean: number;
  /** Sample variance (divisor n − 1); NaN when n < 2. */
  readonly variance: number;
  /** Sample standard deviation; NaN when n < 2. */
  readonly sd: number;
  /** Smallest value; NaN when empty. */
  readonly min: number;
  /** Largest value; NaN when empty. */
  readonly max: number;
}

class Welford implements RunningStats {
  n = 0;
  m = 0;
  m2 = 0;
  lo = Infinity;
  hi = -Infinity;

  push(x: number): void {
    if (typeof x !== 'number') throw invalidOption('x', 'a number', x);
    const n = ++this.n;
    const d = x - this.m;
    this.m += d / n;
    this.m2 += d * (x - this.m);
    if (x < this.lo) this.lo = x;
    if (x > this.hi) this.hi = x;
    if (Number.isNaN(x)) this.lo = this.hi = NaN;
  }

  pushAll(values: ArrayLike<number>): void {
    checkNumericArray('values', values);
    for (let i = 0; i < values.length; i++) this.push(values[i]);
  }

  merge(other: RunningStats): void {
    if (!(other instanceof Welford)) throw invalidOption('other', 'a runningStats() accumulator', other);
    if (other.n === 0) return;
    if (this.n === 0) {
      this.n = other.n;
      this.m = other.m;
      this.m2 = other.m2;
      this.lo = other.lo;
      this.hi = other.hi;
      return;
    }
    const n = this.n + other.n;
    const d = other.m - this.m;
    this.m += (d * other.n) / n;
    this.m2 += other.m2 + (d * d * this.n * other.n) / n;
    this.n = n;
    this.lo = Number.isNaN(this.lo) || Number.isNaN(other.lo) ? NaN : Math.min(this.lo, other.lo);
    this.hi = Number.isNaN(this.hi) || Number.isNaN(other.hi) ? NaN : Math.max(this.hi, other.hi);
  }

  get count(): number {
    return this.n;
  }
  get mean(): number {
    return this.n === 0 ? NaN : this.m;
  }
  get variance(): number {
    return this.n < 2 ? NaN : this.m2 / (this.n - 1);
  }
  get sd(): number {
    return Math.sqrt(this.variance);
  }
  get min(): number {
    return this.n === 0 ? NaN : this.lo;
  }
  get max(): number {
    return this.n === 0 ? NaN : this.hi;
  }
}

/** A new Welford accumulator: `const s = runningStats(); s.push(x); s.mean, s.variance`. */
export function runningStats(): RunningStats {
  return new Welford();
}

/** Arithmetic mean (compensated summation); NaN for an empty array. */
export function mean(x: ArrayLike<number>): number {
  checkNumericArray('x', x);
  const n = x.length;
  if (n === 0) return NaN;
  let sum = 0;
  let c = 0; // Neumaier compensation
  for (let i = 0; i < n; i++) {
    const v = x[i];
    const t = sum + v;
    c += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
    sum = t;
  }
  if (!Number.isFinite(sum)) return sum / n;
  return (sum + c) / n;
}

/** Sample variance (divisor n − 1, Welford's one-pass update); NaN when n < 2. */
export function variance(x: ArrayLike<number>): number {
  checkNumericArray('x', x);
  const n = x.length;
  if (n < 2) return NaN;
  let m = 0;
  let m2 = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    const d = v - m;
    m += d / (i + 1);
    m2 += d * (v - m);
  }
  return m2 / (n - 1);
}

/** Sample standard deviation, `sqrt(variance(x))`; NaN when n < 2. */
export function sd(x: ArrayLike<number>): number {
  return Math.sqrt(variance(x));
}

// --- quantiles -----------------------------------------------------------------------------------

function copyNoNaN(name: string, x: ArrayLike<number>): Float64Array {
  checkNumericArray(name, x, { minLength: 1 });
  const n = x.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = x[i];
    if (Number.isNaN(v)) {
      throw new InputError(`invalid option \`${name}\`: expected numbers that are not NaN, got NaN at index ${i}`);
    }
    out[i] = v;
  }
  return out;
}

function checkProbability(name: string, p: unknown): number {
  return checkNumber(name, p, { min: 0, max: 1 });
}

/** numpy's monotone linear interpolation between a and b at t ∈ [0, 1]; exact at both ends. */
function lerp(a: number, b: number, t: number): number {
  if (a === b) return a;
  const d = b - a;
  return t >= 0.5 ? b - d * (1 - t) : a + d * t;
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

/** Floyd–Rivest selection: reorders `a` so that a[k] is its k-th smallest (no NaN allowed). */
function select(a: Float64Array, k: number, left: number, right: number): void {
  while (right > left) {
    if (right - left > 600) {
      const n = right - left + 1;
      const m = k - left + 1;
      const z = Math.log(n);
      const s = 0.5 * Math.exp((2 * z) / 3);
      const sdev = 0.5 * Math.sqrt((z * s * (n - s)) / n) * (m - n / 2 < 0 ? -1 : 1);
      const newLeft = Math.max(left, Math.floor(k - (m * s) / n + sdev));
      const newRight = Math.min(right, Math.floor(k + ((n - m) * s) / n + sdev));
      select(a, k, newLeft, newRight);
    }
    const t = a[k];
    let i = left;
    let j = right;
    swap(a, left, k);
    if (a[right] > t) swap(a, left, right);
    while (i < j) {
      swap(a, i, j);
      i++;
      j--;
      while (a[i] < t) i++;
      while (a[j] > t) j--;
    }
    if (a[left] === t) swap(a, left, j);
    else {
      j++;
      swap(a, j, right);
    }
    if (j <= k) left = j + 1;
    if (k <= j) right = j - 1;
  }
}

function quantileSorted(sorted: Float64Array, p: number): number {
  const n = sorted.length;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  if (lo >= n - 1) return sorted[n - 1];
  return lerp(sorted[lo], sorted[lo + 1], h - lo);
}

/**
 * Sample quantile by R's type 7 (Hyndman & Fan 1996, definition 7; numpy's default):
 * with h = (n − 1)p and x sorted, Q(p) = x[⌊h⌋] + (h − ⌊h⌋)(x[⌊h⌋ + 1] − x[⌊h⌋]).
 * @param x at least one number, none NaN (not modified)
 * @param p a probability in [0, 1], or an array of them (then a Float64Array in the same order)
 */
export function quantile(x: ArrayLike<number>, p: number): number;
export function quantile(x: ArrayLike<number>, p: ArrayLike<number>): Float64Array;
export function quantile(x: ArrayLike<number>, p: number | ArrayLike<number>): number | Float64Array {
  if (typeof p === 'number') {
    checkProbability('p', p);
    const a = copyNoNaN('x', x);
    const n = a.length;
    const h = (n - 1) * p;
    const lo = Math.floor(h);
    select(a, lo, 0, n - 1);
    const xlo = a[lo];
    if (lo >= n - 1 || h === lo) return xlo;
    let next = Infinity;
    for (let i = lo + 1; i < n; i++) if (a[i] < next) next = a[i];
    return lerp(xlo, next, h - lo);
  }
  const ps = checkNumericArray('p', p);
  for (let i = 0; i < ps.length; i++) {
    const v = ps[i];
    if (!(typeof v === 'number' && v >= 0 && v <= 1)) {
      throw new InputError(`invalid option \`p\`: expected numbers in [0, 1], got ${describeValue(v)} at index ${i}`);
    }
  }
  const sorted = copyNoNaN('x', x).sort();
  const out = new Float64Array(ps.length);
  for (let i = 0; i < ps.length; i++) out[i] = quantileSorted(sorted, ps[i]);
  return out;
}

/** The median, `quantile(x, 0.5)`. */
export function median(x: ArrayLike<number>): number {
  return quantile(x, 0.5);
}

/**
 * Weighted quantile, the lower (left-continuous inverse) definition used by quantile regression
 * forests (Meinshausen 2006; grf's quantile_forest): with the observations sorted by x and
 * W(x) = Σ_{x_i ≤ x} w_i / Σ w_i, Q(p) = the smallest x_i with w_i > 0 and W(x_i) ≥ p. Hence
 * Q(0) is the smallest x with positive weight and Q(1) the largest; no interpolation. W(x_i) ≥ p
 * is tested allowing for rounding in the cumulative sum (relative 1e-12, more for n > 10^3).
 * Example: x = [1, 2, 3, 4], w = [1, 1, 1, 1] gives Q(0.5) = 2 and Q(0.51) = 3.
 * @param x values, none NaN
 * @param w weights, same length, non-negative and finite, not all zero (need not sum to 1)
 * @param p a probability in [0, 1], or an array of them (then a Float64Array in the same order)
 */
export function weightedQuantile(x: ArrayLike<number>, w: ArrayLike<number>, p: number): number;
export function weightedQuantile(x: ArrayLike<number>, w: ArrayLike<number>, p: ArrayLike<number>): Float64Array;
export function weightedQuantile(
  x: ArrayLike<number>,
  w: ArrayLike<number>,
  p: number | ArrayLike<number>,
): number | Float64Array {
  const xs = copyNoNaN('x', x);
  checkNumericArray('w', w);
  const n = xs.length;
  if (w.length !== n) {
    throw invalidOption('w', `an array of the same length as \`x\` (${n})`, w);
  }
  let total = 0;
  for (let i = 0; i < n; i++) {
    const v = w[i];
    if (!(typeof v === 'number' && v >= 0 && v < Infinity)) {
      throw new InputError(
        `invalid option \`w\`: expected non-negative finite numbers, got ${describeValue(v)} at index ${i}`,
      );
    }
    total += v;
  }
  if (!(total > 0)) throw invalidOption('w', 'weights that are not all zero', w);
  const scalar = typeof p === 'number';
  const ps = scalar ? [checkProbability('p', p)] : checkNumericArray('p', p);
  for (let i = 0; i < ps.length; i++) {
    const v = ps[i];
    if (!(typeof v === 'number' && v >= 0 && v <= 1)) {
      throw new InputError(`invalid option \`p\`: expected numbers in [0, 1], got ${describeValue(v)} at index ${i}`);
    }
  }
  // Observations with positive weight, ordered by x.
  let m = 0;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) if (w[i] > 0) order[m++] = i;
  const idx = order.subarray(0, m).sort((a, b) => xs[a] - xs[b]);
  // Probabilities in increasing order, answered in one sweep.
  const pOrder = Int32Array.from({ length: ps.length }, (_, i) => i).sort((a, b) => ps[a] - ps[b]);
  const out = new Float64Array(ps.length);
  // Cumulative sums carry rounding (0.7 + 0.7 + 0.7 + 0.7 vs 0.5 · 5.6): a level reached to within
  // that rounding counts as reached.
  const slack = Math.max(1e-12, 4 * m * 2.220446049250313e-16) * total;
  let k = 0;
  let cumulative = w[idx[0]];
  for (let j = 0; j < pOrder.length; j++) {
    const target = ps[pOrder[j]] * total - slack;
    while (cumulative < target && k < m - 1) {
      k++;
      cumulative += w[idx[k]];
    }
    out[pOrder[j]] = xs[idx[k]];
  }
  return scalar ? out[0] : out;
}

// --- log-sum-exp and softmax -----------------------------------------------------------------

/**
 * log Σ exp(x_i), computed stably as m + log1p(Σ_{i≠argmax} exp(x_i − m)) with m = max x.
 * Empty or all −Infinity → −Infinity; any +Infinity → Infinity; any NaN → NaN.
 */
export function logSumExp(x: ArrayLike<number>): number {
  checkNumericArray('x', x);
  const n = x.length;
  let m = -Infinity;
  let arg = -1;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    if (v > m) {
      m = v;
      arg = i;
    } else if (v !== v) {
      return NaN;
    }
  }
  if (m === Infinity || m === -Infinity) return m;
  let s = 0;
  for (let i = 0; i < n; i++) if (i !== arg) s += Math.exp(x[i] - m);
  return m + Math.log1p(s);
}

function checkOut(out: unknown, n: number): Float64Array {
  if (!(out instanceof Float64Array)) throw invalidOption('out', 'a Float64Array', out);
  if (out.length !== n) throw invalidOption('out', `a Float64Array of length ${n}`, out);
  return out;
}

/**
 * Softmax exp(x_i − m) / Σ exp(x_j − m) with m = max x: stable for huge inputs, sums to 1.
 * Entries equal to +Infinity share the mass equally; all −Infinity or any NaN gives NaN.
 * @param out optional Float64Array of the same length to write into (may be `x` itself)
 */
export function softmax(x: ArrayLike<number>, out?: Float64Array): Float64Array {
  checkNumericArray('x', x);
  const n = x.length;
  const o = out === undefined ? new Float64Array(n) : checkOut(out, n);
  let m = -Infinity;
  let nan = false;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    if (v > m) m = v;
    else if (v !== v) nan = true;
  }
  if (nan || m === -Infinity) return o.fill(NaN);
  if (m === Infinity) {
    let count = 0;
    for (let i = 0; i < n; i++) if (x[i] === Infinity) count++;
    for (let i = 0; i < n; i++) o[i] = x[i] === Infinity ? 1 / count : 0;
    return o;
  }
  let s = 0;
  for (let i = 0; i < n; i++) {
    const e = Math.exp(x[i] - m);
    o[i] = e;
    s += e;
  }
  const inv = 1 / s;
  for (let i = 0; i < n; i++) o[i] *= inv;
  return o;
}

/** log softmax, x_i − logSumExp(x), without forming exp(x_i); writes into `out` if given. */
export function logSoftmax(x: ArrayLike<number>, out?: Float64Array): Float64Array {
  const lse = logSumExp(x);
  const n = x.length;
  const o = out === undefined ? new Float64Array(n) : checkOut(out, n);
  for (let i = 0; i < n; i++) o[i] = x[i] - lse;
  return o;
}

// --- bootstrap ----------------------------------------------------------------------------------

/** Options of {@link bootstrap}. */
export interface BootstrapOptions {
  /** Number of bootstrap replicates B (default 2000). */
  replicates?: number;
  /** Seed of the root stream (default 0); replicate b uses `rng(seed).fork(b)`. */
  seed?: number | string;
  /** Alternatively a stream; replicate b uses `rng.fork(b)` (overrides `seed`). */
  rng?: Rng;
  /** Confidence level of the percentile interval, in (0, 1) (default 0.95). */
  level?: number;
}

/** What {@link bootstrap} returns. */
export interface BootstrapResult {
  /** The statistic on the original data. */
  estimate: number;
  /** Bootstrap standard error: sample sd of the finite replicates. */
  se: number;
  /** Mean of the finite replicates minus the estimate. */
  bias: number;
  /** Percentile interval: R-7 quantiles (1 − level)/2 and (1 + level)/2 of the replicates. */
  ci: [number, number];
  /** The confidence level used. */
  level: number;
  /** The B replicate values, in replicate order. */
  replicates: Float64Array;
}

/** Unbiased integer in [0, n) for 1 ≤ n ≤ 2^32 (rejection on one 32-bit draw). */
function uniformIndex(r: Rng, n: number, limit: number): number {
  let x = r.nextUint32();
  while (x >= limit) x = r.nextUint32();
  return x % n;
}

/**
 * Nonparametric bootstrap with percentile intervals, reproducible per replicate
 * (replicate b resamples with `rng(seed).fork(b)`).
 *
 * Two forms: `bootstrap(data, stat)` resamples the numbers of `data` and calls
 * `stat(sample: Float64Array)`; `bootstrap(n, stat)` resamples row indices 0..n−1 and calls
 * `stat(indices: Int32Array)`, for multi-column data. The array passed to `stat` is reused
 * between replicates: read it, do not keep it.
 * References: Efron & Tibshirani (1993), An Introduction to the Bootstrap, ch. 6 and 13.
 */
export function bootstrap(
  data: ArrayLike<number>,
  statistic: (sample: Float64Array) => number,
  options?: BootstrapOptions,
): BootstrapResult;
export function bootstrap(
  n: number,
  statistic: (indices: Int32Array) => number,
  options?: BootstrapOptions,
): BootstrapResult;
export function bootstrap(
  dataOrN: number | ArrayLike<number>,
  statistic: ((sample: Float64Array) => number) | ((indices: Int32Array) => number),
  options: BootstrapOptions = {},
): BootstrapResult {
  checkKnownKeys('bootstrap options', options, ['replicates', 'seed', 'rng', 'level']);
  checkFunction('statistic', statistic);
  const B = checkPositiveInteger('replicates', options.replicates ?? bootstrapDefaults.replicates);
  const level = checkOpenUnit('level', options.level ?? bootstrapDefaults.level);
  const root = options.rng !== undefined ? checkRng('rng', options.rng) : makeRng(options.seed ?? bootstrapDefaults.seed);

  const byIndex = typeof dataOrN === 'number';
  let n: number;
  let data: Float64Array | undefined;
  if (byIndex) {
    n = checkPositiveInteger('n', dataOrN);
    if (n > 0x100000000) throw invalidOption('n', 'a positive integer ≤ 2^32', n);
  } else {
    checkNumericArray('data', dataOrN, { minLength: 1 });
    data = Float64Array.from(dataOrN);
    n = data.length;
  }
  const indices = new Int32Array(n);
  const sample = byIndex ? undefined : new Float64Array(n);
  const call = (): number =>
    byIndex
      ? (statistic as (i: Int32Array) => number)(indices)
      : (statistic as (s: Float64Array) => number)(sample as Float64Array);

  // Estimate on the original data.
  for (let i = 0; i < n; i++) indices[i] = i;
  if (sample) sample.set(data as Float64Array);
  const estimate = call();
  if (typeof estimate !== 'number') throw invalidOption('statistic', 'a function returning a number', estimate);

  const limit = 0x100000000 - (0x100000000 % n);
  const reps = new Float64Array(B);
  for (let b = 0; b < B; b++) {
    const r = root.fork(b);
    if (sample) {
      const d = data as Float64Array;
      for (let i = 0; i < n; i++) sample[i] = d[uniformIndex(r, n, limit)];
    } else {
      for (let i = 0; i < n; i++) indices[i] = uniformIndex(r, n, limit);
    }
    reps[b] = call();
  }

  let finite = 0;
  for (let b = 0; b < B; b++) if (Number.isFinite(reps[b])) finite++;
  const good = finite === B ? reps : reps.filter((v) => Number.isFinite(v));
  if (finite < B) warn(`bootstrap: ${B - finite} of ${B} replicates were not finite and were left out`);
  let se = NaN;
  let bias = NaN;
  let ci: [number, number] = [NaN, NaN];
  if (good.length >= 2) {
    se = sd(good);
    bias = mean(good) - estimate;
    const q = quantile(good, [(1 - level) / 2, (1 + level) / 2]);
    ci = [q[0], q[1]];
  } else {
    warn('bootstrap: fewer than 2 finite replicates; se and ci are NaN');
  }
  return { estimate, se, bias, ci, level, replicates: reps };
}

// --- special functions -----------------------------------------------------------------------

const TWO_OVER_SQRT_PI = 1.1283791670955126;
const ONE_OVER_SQRT_PI = 0.5641895835477563;
const SQRT_2PI = 2.5066282746310002;
const ERF_SWITCH = 1; // series at or below, Taylor / continued fraction above

/** exp(−x²) with x² split so that large |x| keeps full relative accuracy. */
function expMinusSquare(x: number): number {
  const hi = Math.fround(x); // 24-bit mantissa: hi*hi is exact in double
  const lo = x - hi;
  return Math.exp(-hi * hi) * Math.exp(-lo * (x + hi));
}

/** erf by its everywhere-convergent series of positive terms (A&S 7.1.6), for |x| ≤ ERF_SWITCH. */
function erfSeries(x: number): number {
  const ax = Math.abs(x);
  const x2 = 2 * ax * ax;
  let term = ax;
  let sum = ax;
  for (let k = 1; k < 200; k++) {
    term *= x2 / (2 * k + 1);
    sum += term;
    if (term <= sum * 1e-17) break;
  }
  const r = TWO_OVER_SQRT_PI * expMinusSquare(ax) * sum;
  return x < 0 ? -r : r;
}

/**
 * Scaled erfc, erfcx(a) = exp(a²)·erfc(a), at a = 1, 1.25, ..., 8 (computed with mpmath at 40
 * digits). Anchors of the Taylor expansion in {@link erfcTaylor}.
 */
const ERFCX_ANCHORS = new Float64Array([
  0.427583576155807, 0.3678229164523611, 0.3215854164543175, 0.2849722347374364, 0.25539567631050575,
  0.23108725873039188, 0.2108063640611436, 0.1936620962790687, 0.17900115118138996, 0.16633534842682188,
  0.1552936556088943, 0.14558972127503855, 0.13699945762506138, 0.12934527478598792, 0.12248480427384142,
  0.11630270721024731, 0.11070463773306863, 0.1056127354688918, 0.10096221839949909, 0.09669877816971392,
  0.09277656780053835, 0.08915663178727438, 0.08580567010489461, 0.08269505677505307, 0.07980005432915294,
  0.0770991803512599, 0.07457369306287669, 0.07220717081466976, 0.06998516620088092
]);

/**
 * erfc(x) for 1 < x ≤ 8 by a Taylor series of M(x) = exp(x²)·erfc(x) around the nearest anchor
 * (Marsaglia 2004, "Evaluating the normal distribution", uses the same idea for Mills' ratio).
 * M' = 2xM − 2/√π gives the coefficients c₁ = 2a·c₀ − 2/√π, c_{k+1} = 2(a·c_k + c_{k−1})/(k + 1);
 * with |h| ≤ 1/8 about 10 terms reach double precision.
 */
function erfcTaylor(x: number): number {
  const k = Math.round((x - 1) * 4);
  const a = 1 + k / 4;
  const h = x - a;
  let cPrev = ERFCX_ANCHORS[k];
  let c = 2 * a * cPrev - TWO_OVER_SQRT_PI;
  let sum = cPrev + c * h;
  let hp = h;
  for (let n = 1; n < 40; n++) {
    const next = (2 * (a * c + cPrev)) / (n + 1);
    cPrev = c;
    c = next;
    hp *= h;
    const term = c * hp;
    sum += term;
    if (Math.abs(term) <= 1e-17 * sum) break;
  }
  return sum * expMinusSquare(x);
}

/** erfc by its continued fraction (A&S 7.1.14), evaluated with modified Lentz, for x > 8. */
function erfcFraction(x: number): number {
  // erfc(x) = exp(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...))))
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let j = 1; j < 500; j++) {
    const a = j / 2;
    d = x + a * d;
    if (d === 0) d = tiny;
    d = 1 / d;
    c = x + a / c;
    if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return (ONE_OVER_SQRT_PI * expMinusSquare(x)) / f;
}

/** erfc(x) for x > ERF_SWITCH. */
function erfcUpper(x: number): number {
  return x <= 8 ? erfcTaylor(x) : erfcFraction(x);
}

/** The error function erf(x) = 2/√π ∫₀ˣ exp(−t²) dt (relative accuracy ~1e-15). */
export function erf(x: number): number {
  if (typeof x !== 'number') throw invalidOption('x', 'a number', x);
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  if (a <= ERF_SWITCH) return erfSeries(x);
  const r = 1 - erfcUpper(a);
  return x < 0 ? -r : r;
}

/** The complementary error function erfc(x) = 1 − erf(x), accurate in the upper tail. */
export function erfc(x: number): number {
  if (typeof x !== 'number') throw invalidOption('x', 'a number', x);
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return 0;
  if (x === -Infinity) return 2;
  if (Math.abs(x) <= ERF_SWITCH) return 1 - erfSeries(x);
  return x > 0 ? erfcUpper(x) : 2 - erfcUpper(-x);
}

/** Normal density φ((x − mean)/sd)/sd. */
export function normalPdf(x: number, mean = 0, sd = 1): number {
  checkNumber('mean', mean);
  checkNumber('sd', sd, { min: 0, minExclusive: true });
  const z = (x - mean) / sd;
  return Math.exp(-0.5 * z * z) / (SQRT_2PI * sd);
}

/** Normal CDF Φ((x − mean)/sd) via erfc; relative accuracy ~1e-14 in the lower tail. */
export function normalCdf(x: number, mean = 0, sd = 1): number {
  if (typeof x !== 'number') throw invalidOption('x', 'a number', x);
  checkNumber('mean', mean);
  checkNumber('sd', sd, { min: 0, minExclusive: true });
  return 0.5 * erfc(-(x - mean) / (sd * Math.SQRT2));
}

/**
 * Normal quantile Φ⁻¹(p)·sd + mean: Abramowitz & Stegun 26.2.23 as a start, then Halley steps
 * on {@link normalCdf} (full double accuracy). p = 0 → −Infinity, p = 1 → Infinity.
 */
export function normalQuantile(p: number, mean = 0, sd = 1): number {
  checkProbability('p', p);
  checkNumber('mean', mean);
  checkNumber('sd', sd, { min: 0, minExclusive: true });
  return mean + sd * standardNormalQuantile(p);
}

function standardNormalQuantile(p: number): number {
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  if (p > 0.5) return -standardNormalQuantile(1 - p);
  const t = Math.sqrt(-2 * Math.log(p));
  let x = -(t - (2.515517 + t * (0.802853 + t * 0.010328)) / (1 + t * (1.432788 + t * (0.189269 + t * 0.001308))));
  for (let k = 0; k < 4; k++) {
    const density = Math.exp(-0.5 * x * x) / SQRT_2PI;
    if (density === 0) break;
    const u = (0.5 * erfc(-x / Math.SQRT2) - p) / density;
    const step = u / (1 + 0.5 * x * u);
    x -= step;
    if (Math.abs(step) <= 1e-15 * Math.abs(x)) break;
  }
  return x;
}

/**
 * log Γ(x) for x > 0 (and non-integer x < 0 via reflection, giving log |Γ(x)|): Stirling's
 * series after shifting x ≥ 10. Absolute accuracy ~1e-14; Infinity at 0, −1, −2, ....
 */
export function logGamma(x: number): number {
  if (typeof x !== 'number') throw invalidOption('x', 'a number', x);
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return Infinity;
  if (x <= 0 && Number.isInteger(x)) return Infinity;
  if (x < 0.5) {
    // Reflection: Γ(x)Γ(1 − x) = π / sin(πx)
    return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  }
  let shift = 0;
  if (x < 10) {
    let prod = 1;
    while (x < 10) {
      prod *= x;
      x += 1;
    }
    shift = -Math.log(prod);
  }
  const inv = 1 / x;
  const inv2 = inv * inv;
  // Bernoulli terms B_{2k} / (2k(2k − 1) x^{2k−1}), k = 1..7
  const series =
    inv *
    (1 / 12 +
      inv2 *
        (-1 / 360 +
          inv2 * (1 / 1260 + inv2 * (-1 / 1680 + inv2 * (1 / 1188 + inv2 * (-691 / 360360 + inv2 * (1 / 156)))))));
  return shift + (x - 0.5) * Math.log(x) - x + 0.9189385332046728 + series;
}
