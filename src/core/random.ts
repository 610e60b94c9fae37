/**
 * Random variates. Every function takes the {@link Rng} first and keeps no hidden state of its
 * own (no cached second normal), so a stream's state fully determines what comes next.
 */
import { InputError, invalidOption, describeValue } from './errors';
import { checkNumber, checkNumericArray } from './validate';
import { checkRng, type Rng } from './rng';
import { logGamma } from './stats';

const TWO_POW_M52 = 1 / 4503599627370496;
const TWO_POW_32 = 4294967296;

function checkFinite(name: string, value: unknown): number {
  return checkNumber(name, value);
}
function checkPositive(name: string, value: unknown): number {
  return checkNumber(name, value, { min: 0, minExclusive: true });
}
function checkNonNegative(name: string, value: unknown): number {
  return checkNumber(name, value, { min: 0 });
}
function checkRange(low: unknown, high: unknown): void {
  checkFinite('low', low);
  checkFinite('high', high);
  if (!((high as number) >= (low as number))) {
    throw invalidOption('high', `a finite number ≥ low (${describeValue(low)})`, high);
  }
}
function checkFloat64Out(out: unknown): Float64Array {
  if (!(out instanceof Float64Array)) throw invalidOption('out', 'a Float64Array', out);
  return out;
}

/** Uniform in the open interval (0, 1): never 0, so log(u) is finite. */
function openUnit(r: Rng): number {
  let u = r.nextFloat();
  while (u === 0) u = r.nextFloat();
  return u;
}

// --- uniform -----------------------------------------------------------------------------------

/** Uniform variate in [low, high) (up to rounding at the top end). */
export function uniform(rng: Rng, low = 0, high = 1): number {
  checkRng('rng', rng);
  checkRange(low, high);
  return low + (high - low) * rng.nextFloat();
}

/** Fills `out` with uniform variates in [low, high) and returns it. */
export function fillUniform(rng: Rng, out: Float64Array, low = 0, high = 1): Float64Array {
  checkRng('rng', rng);
  checkFloat64Out(out);
  checkRange(low, high);
  const w = high - low;
  for (let i = 0; i < out.length; i++) out[i] = low + w * rng.nextFloat();
  return out;
}

/** Uniform integer in [0, n) for a positive safe integer n (unchecked). */
function uniformInt(rng: Rng, n: number): number {
  if (n <= TWO_POW_32) {
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    let x = rng.nextUint32();
    while (x >= limit) x = rng.nextUint32();
    return x % n;
  }
  // n > 2^32: 53-bit draws with rejection so that every value is equally likely.
  const limit = 9007199254740992 - (9007199254740992 % n);
  for (;;) {
    const v = (rng.nextUint32() >>> 5) * 67108864 + (rng.nextUint32() >>> 6);
    if (v < limit) return v % n;
  }
}

/** Unbiased uniform integer in [0, n), for a positive safe integer n (rejection sampling). */
export function randomInt(rng: Rng, n: number): number {
  checkRng('rng', rng);
  checkNumber('n', n, { min: 1, integer: true });
  if (!Number.isSafeInteger(n)) throw invalidOption('n', 'a positive safe integer', n);
  return uniformInt(rng, n);
}

/** Bernoulli variate: 1 with probability p, else 0. */
export function bernoulli(rng: Rng, p: number): number {
  checkRng('rng', rng);
  checkNumber('p', p, { min: 0, max: 1 });
  return rng.nextFloat() < p ? 1 : 0;
}

/** Shuffles `array` in place (Fisher–Yates) and returns it. */
export function shuffle<T extends { length: number; [i: number]: unknown }>(rng: Rng, array: T): T {
  checkRng('rng', rng);
  if (!(Array.isArray(array) || (ArrayBuffer.isView(array) && !(array instanceof DataView)))) {
    throw invalidOption('array', 'an array or a typed array', array);
  }
  for (let i = array.length - 1; i > 0; i--) {
    const j = uniformInt(rng, i + 1);
    const t = array[i];
    array[i] = array[j];
    array[j] = t;
  }
  return array;
}

// --- normal: ziggurat --------------------------------------------------------------------------

/*
 * Ziggurat method of G. Marsaglia and W. W. Tsang, "The ziggurat method for generating random
 * variables", Journal of Statistical Software 5(8), 2000, in the form of J. A. Doornik, "An
 * improved ziggurat method to generate normal random samples" (2005): 128 layers, a full 53-bit
 * uniform for the abscissa and separate bits for the layer, so layer and value are independent.
 * Measured here it is ~2× faster than Marsaglia's polar method and uses 2 × 32 bits per draw.
 */
const ZIG_LAYERS = 128;
const ZIG_R = 3.442619855899; // start of the tail
const ZIG_V = 9.91256303526217e-3; // area of each layer
const zigX = new Float64Array(ZIG_LAYERS + 1);
const zigRatio = new Float64Array(ZIG_LAYERS);
{
  let f = Math.exp(-0.5 * ZIG_R * ZIG_R);
  zigX[0] = ZIG_V / f; // the base layer: rectangle plus tail, as a rectangle of area V
  zigX[1] = ZIG_R;
  zigX[ZIG_LAYERS] = 0;
  for (let i = 2; i < ZIG_LAYERS; i++) {
    zigX[i] = Math.sqrt(-2 * Math.log(ZIG_V / zigX[i - 1] + f));
    f = Math.exp(-0.5 * zigX[i] * zigX[i]);
  }
  for (let i = 0; i < ZIG_LAYERS; i++) zigRatio[i] = zigX[i + 1] / zigX[i];
}

/** Normal tail beyond ZIG_R (Marsaglia 1964). */
function normalTail(r: Rng, negative: boolean): number {
  for (;;) {
    const x = Math.log(1 - r.nextFloat()) / ZIG_R; // ≤ 0
    const y = Math.log(1 - r.nextFloat());
    if (-2 * y >= x * x) return negative ? x - ZIG_R : ZIG_R - x;
  }
}

/** Standard normal variate (unchecked; the engine of {@link normal}). */
function standardNormal(r: Rng): number {
  for (;;) {
    const a = r.nextUint32();
    const b = r.nextUint32();
    const i = a & 127;
    const u = ((a >>> 11) * TWO_POW_32 + b) * TWO_POW_M52 - 1; // 53 bits, in [−1, 1)
    if (Math.abs(u) < zigRatio[i]) return u * zigX[i];
    if (i === 0) return normalTail(r, u < 0);
    const x = u * zigX[i];
    const xi = zigX[i];
    const xi1 = zigX[i + 1];
    const f0 = Math.exp(-0.5 * (xi * xi - x * x));
    const f1 = Math.exp(-0.5 * (xi1 * xi1 - x * x));
    if (f1 + r.nextFloat() * (f0 - f1) < 1) return x;
  }
}

/** Normal variate N(mean, sd²) by the ziggurat method. */
export function normal(rng: Rng, mean = 0, sd = 1): number {
  checkRng('rng', rng);
  checkFinite('mean', mean);
  checkNonNegative('sd', sd);
  return mean + sd * standardNormal(rng);
}

/** Fills `out` with N(mean, sd²) variates (ziggurat) and returns it. */
export function fillNormal(rng: Rng, out: Float64Array, mean = 0, sd = 1): Float64Array {
  checkRng('rng', rng);
  checkFloat64Out(out);
  checkFinite('mean', mean);
  checkNonNegative('sd', sd);
  for (let i = 0; i < out.length; i++) out[i] = mean + sd * standardNormal(rng);
  return out;
}

// --- Gumbel, exponential -----------------------------------------------------------------------

/** Gumbel (type-I extreme value) variate: location − scale·log(−log U); mean location + γ·scale. */
export function gumbel(rng: Rng, location = 0, scale = 1): number {
  checkRng('rng', rng);
  checkFinite('location', location);
  checkPositive('scale', scale);
  return location - scale * Math.log(-Math.log(openUnit(rng)));
}

/** Fills `out` with Gumbel(location, scale) variates and returns it. */
export function fillGumbel(rng: Rng, out: Float64Array, location = 0, scale = 1): Float64Array {
  checkRng('rng', rng);
  checkFloat64Out(out);
  checkFinite('location', location);
  checkPositive('scale', scale);
  for (let i = 0; i < out.length; i++) out[i] = location - scale * Math.log(-Math.log(openUnit(rng)));
  return out;
}

/** Exponential variate with the given rate (mean 1/rate), by inversion. */
export function exponential(rng: Rng, rate = 1): number {
  checkRng('rng', rng);
  checkPositive('rate', rate);
  return -Math.log(1 - rng.nextFloat()) / rate;
}

// --- gamma, beta -------------------------------------------------------------------------------

/** Gamma(shape, 1) (unchecked): Marsaglia & Tsang (2000); shape < 1 via Gamma(shape+1)·U^(1/shape). */
function standardGamma(r: Rng, shape: number): number {
  if (shape < 1) {
    const g = standardGamma(r, shape + 1);
    return g * Math.exp(Math.log(1 - r.nextFloat()) / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = standardNormal(r);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = r.nextFloat();
    const x2 = x * x;
    if (u < 1 - 0.0331 * x2 * x2) return d * v;
    if (Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return d * v;
  }
}

/**
 * Gamma variate with density x^(shape−1) e^(−x/scale) / (Γ(shape) scale^shape); mean shape·scale.
 * Marsaglia & Tsang, "A simple method for generating gamma variables", ACM TOMS 26(3), 2000,
 * with their boost Gamma(a) = Gamma(a + 1)·U^(1/a) for shape < 1.
 */
export function gamma(rng: Rng, shape: number, scale = 1): number {
  checkRng('rng', rng);
  checkPositive('shape', shape);
  checkPositive('scale', scale);
  return scale * standardGamma(rng, shape);
}

/**
 * Beta(a, b) variate: Jöhnk's method when a, b ≤ 1 (in log space when both powers underflow),
 * otherwise X/(X + Y) with X ~ Gamma(a), Y ~ Gamma(b).
 */
export function beta(rng: Rng, a: number, b: number): number {
  checkRng('rng', rng);
  checkPositive('a', a);
  checkPositive('b', b);
  if (a <= 1 && b <= 1) {
    for (;;) {
      const u = 1 - rng.nextFloat();
      const v = 1 - rng.nextFloat();
      const x = Math.pow(u, 1 / a);
      const y = Math.pow(v, 1 / b);
      const s = x + y;
      if (s <= 1) {
        if (s > 0) return x / s;
        let lx = Math.log(u) / a;
        let ly = Math.log(v) / b;
        const m = lx > ly ? lx : ly;
        lx -= m;
        ly -= m;
        return Math.exp(lx - Math.log(Math.exp(lx) + Math.exp(ly)));
      }
    }
  }
  const x = standardGamma(rng, a);
  const y = standardGamma(rng, b);
  return x / (x + y);
}

// --- Poisson -----------------------------------------------------------------------------------

/**
 * Poisson variate with mean lambda: inversion by sequential search for lambda < 10, otherwise
 * PTRS, the transformed rejection with squeeze of W. Hörmann, "The transformed rejection method
 * for generating Poisson random variables", Insurance: Mathematics and Economics 12, 1993.
 */
export function poisson(rng: Rng, lambda: number): number {
  checkRng('rng', rng);
  checkNonNegative('lambda', lambda);
  if (lambda === 0) return 0;
  if (lambda < 10) {
    const p0 = Math.exp(-lambda);
    for (;;) {
      const u = rng.nextFloat();
      let k = 0;
      let p = p0;
      let s = p;
      while (u > s && p > 0) {
        k++;
        p *= lambda / k;
        s += p;
      }
      if (u <= s) return k; // else rounding left u above the total mass: draw again
    }
  }
  const slam = Math.sqrt(lambda);
  const loglam = Math.log(lambda);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invalpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = rng.nextFloat() - 0.5;
    const v = rng.nextFloat();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + lambda + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (Math.log(v) + Math.log(invalpha) - Math.log(a / (us * us) + b) <= -lambda + k * loglam - logGamma(k + 1)) {
      return k;
    }
  }
}

// --- categorical: alias method --------------------------------------------------------------------

/** A Vose alias table for O(1) categorical draws; build with {@link aliasTable}. */
export interface AliasTable {
  /** Number of categories. */
  readonly n: number;
  /** Normalised probabilities p_i = w_i / Σw. */
  readonly p: Float64Array;
  /** Column i keeps category i when a uniform in [0, 1) falls below threshold[i]... */
  readonly threshold: Float64Array;
  /** ...and otherwise yields alias[i]. */
  readonly alias: Int32Array;
}

/**
 * Builds an alias table (M. D. Vose, "A linear algorithm for generating random numbers with a
 * given distribution", IEEE Trans. Software Engineering 17(9), 1991) in O(n).
 * @param weights non-negative finite weights, not all zero (need not sum to 1)
 */
export function aliasTable(weights: ArrayLike<number>): AliasTable {
  checkNumericArray('weights', weights);
  const n = weights.length;
  if (n === 0) throw invalidOption('weights', 'a non-empty array of weights', weights);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const w = weights[i];
    if (!(typeof w === 'number' && w >= 0 && w < Infinity)) {
      throw new InputError(
        `invalid option \`weights\`: expected non-negative finite numbers, got ${describeValue(w)} at index ${i}`,
      );
    }
    total += w;
  }
  if (!(total > 0)) throw invalidOption('weights', 'weights that are not all zero', weights);
  if (total === Infinity) throw invalidOption('weights', 'weights whose sum is finite', weights);
  const p = new Float64Array(n);
  const scaled = new Float64Array(n);
  const threshold = new Float64Array(n);
  const alias = new Int32Array(n);
  const small = new Int32Array(n);
  const large = new Int32Array(n);
  let ns = 0;
  let nl = 0;
  for (let i = 0; i < n; i++) {
    p[i] = weights[i] / total;
    scaled[i] = p[i] * n;
    alias[i] = i;
    if (scaled[i] < 1) small[ns++] = i;
    else large[nl++] = i;
  }
  while (ns > 0 && nl > 0) {
    const l = small[--ns];
    const g = large[--nl];
    threshold[l] = scaled[l];
    alias[l] = g;
    scaled[g] = scaled[g] + scaled[l] - 1;
    if (scaled[g] < 1) small[ns++] = g;
    else large[nl++] = g;
  }
  // What is left is 1 up to rounding.
  while (nl > 0) threshold[large[--nl]] = 1;
  while (ns > 0) threshold[small[--ns]] = 1;
  return { n, p, threshold, alias };
}

function checkAliasTable(table: unknown): AliasTable {
  const t = table as AliasTable;
  if (
    t === null ||
    typeof t !== 'object' ||
    !(t.threshold instanceof Float64Array) ||
    !(t.alias instanceof Int32Array) ||
    t.threshold.length !== t.n ||
    t.alias.length !== t.n
  ) {
    throw invalidOption('table', 'an AliasTable from aliasTable(weights)', table);
  }
  return t;
}

/** Draws a category index in [0, n) with probability p_i from an alias table (one 53-bit uniform). */
export function categorical(rng: Rng, table: AliasTable): number {
  checkRng('rng', rng);
  checkAliasTable(table);
  const n = table.n;
  const u = rng.nextFloat() * n;
  let i = Math.floor(u);
  if (i >= n) i = n - 1;
  return u - i < table.threshold[i] ? i : table.alias[i];
}

/** Fills `out` with categorical draws from `table` and returns it. */
export function fillCategorical(rng: Rng, out: Int32Array, table: AliasTable): Int32Array {
  checkRng('rng', rng);
  if (!(out instanceof Int32Array)) throw invalidOption('out', 'an Int32Array', out);
  checkAliasTable(table);
  const { n, threshold, alias } = table;
  for (let k = 0; k < out.length; k++) {
    const u = rng.nextFloat() * n;
    let i = Math.floor(u);
    if (i >= n) i = n - 1;
    out[k] = u - i < threshold[i] ? i : alias[i];
  }
  return out;
}

// --- logit choice ------------------------------------------------------------------------------

/**
 * Draws an alternative with multinomial-logit probability softmax(u / scale)_i, by inversion
 * of the cumulative sum of exp((u_i − max u) / scale): stable for huge utilities, one uniform.
 * Utilities of −Infinity are never chosen; if some are +Infinity, one of those is chosen uniformly.
 * @param utilities at least one utility, none NaN, not all −Infinity
 * @param scale the Gumbel scale of the errors (> 0); larger means noisier choices
 */
export function logitChoice(rng: Rng, utilities: ArrayLike<number>, scale = 1): number {
  checkRng('rng', rng);
  checkNumericArray('utilities', utilities, { minLength: 1 });
  checkPositive('scale', scale);
  const n = utilities.length;
  let m = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = utilities[i];
    if (v !== v) {
      throw new InputError(`invalid option \`utilities\`: expected numbers that are not NaN, got NaN at index ${i}`);
    }
    if (v > m) m = v;
  }
  if (m === -Infinity) throw invalidOption('utilities', 'at least one utility above -Infinity', utilities);
  if (m === Infinity) {
    let count = 0;
    for (let i = 0; i < n; i++) if (utilities[i] === Infinity) count++;
    let j = Math.floor(rng.nextFloat() * count);
    for (let i = 0; i < n; i++) if (utilities[i] === Infinity && j-- === 0) return i;
  }
  const inv = 1 / scale;
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.exp((utilities[i] - m) * inv);
  const target = rng.nextFloat() * s;
  let acc = 0;
  let last = 0;
  for (let i = 0; i < n; i++) {
    const e = Math.exp((utilities[i] - m) * inv);
    if (e > 0) {
      acc += e;
      last = i;
      if (target < acc) return i;
    }
  }
  return last; // rounding: target landed at the very top
}
