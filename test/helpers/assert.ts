/** Test helpers: tolerant comparisons, error assertions and goodness-of-fit statistics. */
import assert from 'node:assert/strict';

/** Tolerances: pass when |a − e| ≤ abs + rel·|e| (defaults abs = 1e-12, rel = 0). */
export interface Tolerance {
  abs?: number;
  rel?: number;
}

function toTol(tol: number | Tolerance | undefined): Required<Tolerance> {
  if (typeof tol === 'number') return { abs: tol, rel: 0 };
  return { abs: tol?.abs ?? 1e-12, rel: tol?.rel ?? 0 };
}

/** Asserts |actual − expected| ≤ abs + rel·|expected|; a number for `tol` means an absolute tolerance. */
export function assertClose(actual: number, expected: number, tol?: number | Tolerance, message?: string): void {
  const { abs, rel } = toTol(tol);
  if (Object.is(actual, expected)) return;
  if (Number.isNaN(expected) && Number.isNaN(actual)) return;
  const bound = abs + rel * Math.abs(expected);
  const diff = Math.abs(actual - expected);
  if (!(diff <= bound)) {
    assert.fail(
      `${message ? message + ': ' : ''}expected ${actual} to be within ${bound.toExponential(2)} of ${expected} (diff ${diff.toExponential(2)})`,
    );
  }
}

/** Element-wise {@link assertClose} for arrays of equal length. */
export function assertAllClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol?: number | Tolerance,
  message?: string,
): void {
  assert.equal(actual.length, expected.length, `${message ?? 'arrays'}: lengths differ`);
  for (let i = 0; i < expected.length; i++) {
    assertClose(actual[i], expected[i], tol, `${message ?? 'arrays'}[${i}]`);
  }
}

type ErrorClass = new (...args: never[]) => Error;

/** Asserts that `fn` throws an instance of `cls` whose message matches `pattern`. */
export function assertThrowsError(fn: () => unknown, cls: ErrorClass, pattern?: RegExp): Error {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  if (caught === undefined) assert.fail(`expected ${cls.name} to be thrown, but nothing was thrown`);
  if (!(caught instanceof cls)) {
    assert.fail(`expected ${cls.name}, got ${(caught as Error)?.constructor?.name}: ${(caught as Error)?.message}`);
  }
  if (pattern && !pattern.test((caught as Error).message)) {
    assert.fail(`expected message matching ${pattern}, got ${JSON.stringify((caught as Error).message)}`);
  }
  return caught as Error;
}

/** Kolmogorov–Smirnov statistic D = sup |F_n(x) − F(x)| of a sample against a continuous CDF. */
export function ksStatistic(sample: ArrayLike<number>, cdf: (x: number) => number): number {
  const sorted = Float64Array.from(sample).sort();
  const n = sorted.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const F = cdf(sorted[i]);
    d = Math.max(d, (i + 1) / n - F, F - i / n);
  }
  return d;
}

/**
 * Asymptotic KS critical value c(α)/√n with c(α) = sqrt(−ln(α/2)/2); for α = 0.001, c ≈ 1.949.
 * A correct generator fails the test with probability α.
 */
export function ksCritical(n: number, alpha = 0.001): number {
  return Math.sqrt(-Math.log(alpha / 2) / 2) / Math.sqrt(n);
}

/** Pearson chi-square statistic Σ (O − E)² / E over categories with E > 0. */
export function chiSquare(observed: ArrayLike<number>, expected: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < expected.length; i++) {
    if (expected[i] > 0) s += (observed[i] - expected[i]) ** 2 / expected[i];
  }
  return s;
}

/**
 * Upper critical value of χ²_k at level α by the Wilson–Hilferty approximation
 * k(1 − 2/(9k) + z_{1−α}·sqrt(2/(9k)))³; z = 3.0902 for the default α = 0.001.
 */
export function chiSquareCritical(k: number, z = 3.0902): number {
  const c = 2 / (9 * k);
  return k * (1 - c + z * Math.sqrt(c)) ** 3;
}

/** Sample mean and (n − 1) variance of an array, computed plainly (independent of src/). */
export function moments(x: ArrayLike<number>): { mean: number; variance: number } {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  const mean = s / x.length;
  let ss = 0;
  for (let i = 0; i < x.length; i++) ss += (x[i] - mean) ** 2;
  return { mean, variance: ss / (x.length - 1) };
}

/** Pearson correlation of two equal-length arrays. */
export function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const ma = moments(a).mean;
  const mb = moments(b).mean;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < a.length; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}
