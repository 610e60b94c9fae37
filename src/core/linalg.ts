/**
 * Small dense linear algebra on row-major Float64Array matrices: products, Cholesky, LU with
 * partial pivoting, solves and inverses (e.g. standard errors from an information matrix).
 * Meant for the p×p matrices of estimators (p up to a few hundred), not for big data.
 * Reference: G. H. Golub and C. F. Van Loan, Matrix Computations, 4th ed., 2013, §3.2 and §4.2.
 */
import { DataError, InputError, invalidOption, warn } from './errors';
import { checkNumber, checkNumericArray } from './validate';

/** A dense matrix; entry (i, j) is `data[i * cols + j]`. */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

/** An LU factorisation PA = LU (unit lower L and upper U packed in `lu`). */
export interface LUDecomposition {
  /** L below the diagonal (unit diagonal implied), U on and above it. */
  lu: Matrix;
  /** Row i of PA is row pivots[i] of A. */
  pivots: Int32Array;
  /** Sign of the permutation, ±1. */
  sign: number;
}

const EPS = 2.220446049250313e-16;

function shape(m: Matrix): string {
  return `a ${m.rows}×${m.cols} matrix`;
}

function isMatrix(value: unknown): value is Matrix {
  const m = value as Matrix;
  return (
    m !== null &&
    typeof m === 'object' &&
    Number.isInteger(m.rows) &&
    Number.isInteger(m.cols) &&
    m.rows >= 0 &&
    m.cols >= 0 &&
    m.data instanceof Float64Array &&
    m.data.length === m.rows * m.cols
  );
}

/** Checks that `value` is a {@link Matrix}; throws InputError naming `name` otherwise. */
export function checkMatrix(name: string, value: unknown): Matrix {
  if (!isMatrix(value)) {
    throw invalidOption(name, 'a matrix { rows, cols, data: Float64Array of length rows·cols }', value);
  }
  return value;
}

function checkSquare(name: string, value: unknown): Matrix {
  const m = checkMatrix(name, value);
  if (m.rows !== m.cols) throw new InputError(`invalid option \`${name}\`: expected a square matrix, got ${shape(m)}`);
  return m;
}

/**
 * A rows×cols matrix; `data` (row-major, length rows·cols) is copied, zeros if omitted.
 * @param rows number of rows (non-negative integer)
 * @param cols number of columns (non-negative integer)
 */
export function matrix(rows: number, cols: number, data?: ArrayLike<number>): Matrix {
  checkNumber('rows', rows, { min: 0, integer: true });
  checkNumber('cols', cols, { min: 0, integer: true });
  const out = new Float64Array(rows * cols);
  if (data !== undefined) {
    checkNumericArray('data', data);
    if (data.length !== rows * cols) {
      throw invalidOption('data', `an array of length rows·cols = ${rows * cols}`, data);
    }
    out.set(data);
  }
  return { rows, cols, data: out };
}

/** A matrix from an array of equal-length rows, e.g. `fromRows([[1, 2], [3, 4]])`. */
export function fromRows(rows: ArrayLike<ArrayLike<number>>): Matrix {
  if (!Array.isArray(rows)) throw invalidOption('rows', 'an array of rows', rows);
  const r = rows.length;
  const c = r === 0 ? 0 : rows[0].length;
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) {
    const row = checkNumericArray(`rows[${i}]`, rows[i]);
    if (row.length !== c) throw invalidOption(`rows[${i}]`, `a row of length ${c}`, row);
    for (let j = 0; j < c; j++) out[i * c + j] = row[j];
  }
  return { rows: r, cols: c, data: out };
}

/** The rows of a matrix as plain arrays (for display and tests). */
export function toRows(a: Matrix): number[][] {
  checkMatrix('a', a);
  const out: number[][] = [];
  for (let i = 0; i < a.rows; i++) out.push(Array.from(a.data.subarray(i * a.cols, (i + 1) * a.cols)));
  return out;
}

/** The n×n identity matrix. */
export function identity(n: number): Matrix {
  checkNumber('n', n, { min: 0, integer: true });
  const m = matrix(n, n);
  for (let i = 0; i < n; i++) m.data[i * n + i] = 1;
  return m;
}

/** The product a·b of an m×k and a k×n matrix (an m×n matrix). */
export function matmul(a: Matrix, b: Matrix): Matrix {
  checkMatrix('a', a);
  checkMatrix('b', b);
  if (a.cols !== b.rows) {
    throw new InputError(
      `invalid option \`b\`: expected a matrix with ${a.cols} rows to multiply ${shape(a)}, got ${shape(b)}`,
    );
  }
  const m = a.rows;
  const k = a.cols;
  const n = b.cols;
  const out = new Float64Array(m * n);
  const A = a.data;
  const B = b.data;
  for (let i = 0; i < m; i++) {
    const oi = i * n;
    for (let p = 0; p < k; p++) {
      const aip = A[i * k + p];
      if (aip === 0) continue;
      const bp = p * n;
      for (let j = 0; j < n; j++) out[oi + j] += aip * B[bp + j];
    }
  }
  return { rows: m, cols: n, data: out };
}

/** The product a·x of an m×n matrix and a vector of length n (a Float64Array of length m). */
export function matvec(a: Matrix, x: ArrayLike<number>): Float64Array {
  checkMatrix('a', a);
  checkNumericArray('x', x);
  if (x.length !== a.cols) {
    throw new InputError(
      `invalid option \`x\`: expected a vector of length ${a.cols} to multiply ${shape(a)}, got length ${x.length}`,
    );
  }
  const out = new Float64Array(a.rows);
  for (let i = 0; i < a.rows; i++) {
    let s = 0;
    const row = i * a.cols;
    for (let j = 0; j < a.cols; j++) s += a.data[row + j] * x[j];
    out[i] = s;
  }
  return out;
}

/** The transpose (an n×m matrix for an m×n one). */
export function transpose(a: Matrix): Matrix {
  checkMatrix('a', a);
  const { rows, cols } = a;
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = a.data[i * cols + j];
  return { rows: cols, cols: rows, data: out };
}

function checkSymmetric(a: Matrix): void {
  const n = a.rows;
  const d = a.data;
  let scale = 0;
  for (let i = 0; i < d.length; i++) scale = Math.max(scale, Math.abs(d[i]));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const u = d[i * n + j];
      const v = d[j * n + i];
      if (Math.abs(u - v) > 1e-8 * (Math.abs(u) + Math.abs(v)) + 1e-12 * scale) {
        throw new DataError(`matrix is not symmetric (a[${i}][${j}] = ${u}, a[${j}][${i}] = ${v})`);
      }
    }
  }
}

/**
 * Cholesky factor: the lower-triangular L with L·Lᵀ = a, for a symmetric positive-definite a.
 * Throws DataError `matrix is not positive definite (pivot k = ...)` (k 0-based) or if a is not
 * symmetric (to 1e-8 relative).
 */
export function cholesky(a: Matrix): Matrix {
  checkSquare('a', a);
  checkSymmetric(a);
  const n = a.rows;
  const A = a.data;
  const L = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let d = A[rj + j];
    for (let k = 0; k < j; k++) d -= L[rj + k] * L[rj + k];
    if (!(d > 0) || !Number.isFinite(d)) {
      throw new DataError(`matrix is not positive definite (pivot k = ${j}, value ${d})`);
    }
    const ljj = Math.sqrt(d);
    L[rj + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let s = A[ri + j];
      for (let k = 0; k < j; k++) s -= L[ri + k] * L[rj + k];
      L[ri + j] = s / ljj;
    }
  }
  return { rows: n, cols: n, data: L };
}

function checkLower(name: string, L: unknown): Matrix {
  const m = checkSquare(name, L);
  const n = m.rows;
  for (let i = 0; i < n; i++) {
    if (!(m.data[i * n + i] !== 0)) {
      throw new DataError(`triangular factor is singular (zero on the diagonal at k = ${i})`);
    }
  }
  return m;
}

function checkVector(name: string, b: unknown, n: number): ArrayLike<number> {
  checkNumericArray(name, b);
  const v = b as ArrayLike<number>;
  if (v.length !== n) {
    throw new InputError(`invalid option \`${name}\`: expected a vector of length ${n}, got length ${v.length}`);
  }
  return v;
}

/** Solves L·y = b in place for a lower-triangular L (forward substitution). */
function forward(L: Float64Array, n: number, y: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = y[i];
    const ri = i * n;
    for (let k = 0; k < i; k++) s -= L[ri + k] * y[k];
    y[i] = s / L[ri + i];
  }
}

/** Solves Lᵀ·x = y in place for a lower-triangular L (back substitution). */
function backwardTransposed(L: Float64Array, n: number, x: Float64Array): void {
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i];
    for (let k = i + 1; k < n; k++) s -= L[k * n + i] * x[k];
    x[i] = s / L[i * n + i];
  }
}

/**
 * Solves a·x = b given the Cholesky factor L of a (from {@link cholesky}).
 * @param L lower-triangular n×n factor
 * @param b right-hand side of length n
 */
export function choleskySolve(L: Matrix, b: ArrayLike<number>): Float64Array {
  checkLower('L', L);
  const n = L.rows;
  const x = Float64Array.from(checkVector('b', b, n));
  forward(L.data, n, x);
  backwardTransposed(L.data, n, x);
  return x;
}

/** LU with partial pivoting, unchecked; returns the index of a zero pivot or −1. */
function luInPlace(A: Float64Array, n: number, pivots: Int32Array): { sign: number; zeroPivot: number; tinyPivot: number } {
  const rowScale = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    pivots[i] = i;
    let m = 0;
    for (let j = 0; j < n; j++) m = Math.max(m, Math.abs(A[i * n + j]));
    rowScale[i] = m;
  }
  let sign = 1;
  let zeroPivot = -1;
  let tinyPivot = -1;
  for (let k = 0; k < n; k++) {
    let p = k;
    let max = Math.abs(A[k * n + k]);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(A[i * n + k]);
      if (v > max) {
        max = v;
        p = i;
      }
    }
    if (p !== k) {
      for (let j = 0; j < n; j++) {
        const t = A[k * n + j];
        A[k * n + j] = A[p * n + j];
        A[p * n + j] = t;
      }
      const t = pivots[k];
      pivots[k] = pivots[p];
      pivots[p] = t;
      sign = -sign;
    }
    const pivot = A[k * n + k];
    if (pivot === 0 || !Number.isFinite(pivot)) {
      if (zeroPivot < 0) zeroPivot = k;
      continue;
    }
    if (tinyPivot < 0 && Math.abs(pivot) <= n * EPS * rowScale[pivots[k]]) tinyPivot = k;
    for (let i = k + 1; i < n; i++) {
      const f = (A[i * n + k] /= pivot);
      if (f === 0) continue;
      for (let j = k + 1; j < n; j++) A[i * n + j] -= f * A[k * n + j];
    }
  }
  return { sign, zeroPivot, tinyPivot };
}

/**
 * LU factorisation with partial pivoting, PA = LU. Throws DataError `matrix is singular
 * (pivot k = ...)` when a pivot is zero or below n·ε times the largest entry of its original row.
 */
export function lu(a: Matrix): LUDecomposition {
  checkSquare('a', a);
  const n = a.rows;
  const A = Float64Array.from(a.data);
  const pivots = new Int32Array(n);
  const { sign, zeroPivot, tinyPivot } = luInPlace(A, n, pivots);
  const k = zeroPivot >= 0 ? zeroPivot : tinyPivot;
  if (k >= 0) throw new DataError(`matrix is singular (pivot k = ${k})`);
  return { lu: { rows: n, cols: n, data: A }, pivots, sign };
}

function luSolveInto(LU: Float64Array, n: number, pivots: Int32Array, b: ArrayLike<number>, x: Float64Array): void {
  for (let i = 0; i < n; i++) x[i] = b[pivots[i]];
  for (let i = 0; i < n; i++) {
    let s = x[i];
    const ri = i * n;
    for (let k = 0; k < i; k++) s -= LU[ri + k] * x[k];
    x[i] = s;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i];
    const ri = i * n;
    for (let k = i + 1; k < n; k++) s -= LU[ri + k] * x[k];
    x[i] = s / LU[ri + i];
  }
}

/** Solves a·x = b from an {@link lu} factorisation. */
export function luSolve(f: LUDecomposition, b: ArrayLike<number>): Float64Array {
  if (f === null || typeof f !== 'object' || !(f.pivots instanceof Int32Array)) {
    throw invalidOption('f', 'an LUDecomposition from lu(a)', f);
  }
  checkSquare('f.lu', f.lu);
  const n = f.lu.rows;
  const x = new Float64Array(n);
  luSolveInto(f.lu.data, n, f.pivots, checkVector('b', b, n), x);
  return x;
}

/**
 * Solves a·x = b by LU with partial pivoting. `b` is a vector (returns a Float64Array) or an
 * n×k matrix of right-hand sides (returns an n×k matrix). DataError if a is singular.
 */
export function solve(a: Matrix, b: ArrayLike<number>): Float64Array;
export function solve(a: Matrix, b: Matrix): Matrix;
export function solve(a: Matrix, b: ArrayLike<number> | Matrix): Float64Array | Matrix {
  checkSquare('a', a);
  const n = a.rows;
  if (isMatrix(b)) {
    if (b.rows !== n) {
      throw new InputError(`invalid option \`b\`: expected a matrix with ${n} rows to solve with ${shape(a)}, got ${shape(b)}`);
    }
    const f = lu(a);
    const k = b.cols;
    const out = new Float64Array(n * k);
    const col = new Float64Array(n);
    const x = new Float64Array(n);
    for (let j = 0; j < k; j++) {
      for (let i = 0; i < n; i++) col[i] = b.data[i * k + j];
      luSolveInto(f.lu.data, n, f.pivots, col, x);
      for (let i = 0; i < n; i++) out[i * k + j] = x[i];
    }
    return { rows: n, cols: k, data: out };
  }
  const v = checkVector('b', b, n);
  const f = lu(a);
  const x = new Float64Array(n);
  luSolveInto(f.lu.data, n, f.pivots, v, x);
  return x;
}

/** The inverse of a square matrix by LU with partial pivoting; DataError if singular. */
export function inverse(a: Matrix): Matrix {
  checkSquare('a', a);
  return solve(a, identity(a.rows));
}

/** The determinant (via LU; 0 for an exactly singular matrix). */
export function determinant(a: Matrix): number {
  checkSquare('a', a);
  const n = a.rows;
  const A = Float64Array.from(a.data);
  const pivots = new Int32Array(n);
  const { sign, zeroPivot } = luInPlace(A, n, pivots);
  if (zeroPivot >= 0) return 0;
  let d = sign;
  for (let i = 0; i < n; i++) d *= A[i * n + i];
  return d;
}

/**
 * The inverse of a symmetric positive-definite matrix via its Cholesky factor,
 * a⁻¹ = L⁻ᵀL⁻¹ (exactly symmetric). Typical use: covariance = inverseSpd(information).
 * DataError if a is not positive definite; warns when it is badly conditioned.
 */
export function inverseSpd(a: Matrix): Matrix {
  const L = cholesky(a);
  const n = L.rows;
  const l = L.data;
  // Condition warning from the factor's diagonal (a cheap lower bound on cond(a)).
  let dmin = Infinity;
  let dmax = 0;
  for (let i = 0; i < n; i++) {
    const d = l[i * n + i];
    if (d < dmin) dmin = d;
    if (d > dmax) dmax = d;
  }
  if (n > 0 && (dmax / dmin) ** 2 > 1 / (n * 1e3 * EPS)) {
    warn(`inverseSpd: matrix is nearly singular (condition number ≥ ${((dmax / dmin) ** 2).toExponential(1)})`);
  }
  // Linv = L⁻¹ (lower triangular), column by column.
  const Linv = new Float64Array(n * n);
  const col = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    col.fill(0);
    col[j] = 1;
    for (let i = j; i < n; i++) {
      let s = col[i];
      const ri = i * n;
      for (let k = j; k < i; k++) s -= l[ri + k] * col[k];
      col[i] = s / l[ri + i];
    }
    for (let i = j; i < n; i++) Linv[i * n + j] = col[i];
  }
  // a⁻¹ = Linvᵀ Linv; entry (i, j) = Σ_{k ≥ max(i, j)} Linv[k][i] Linv[k][j].
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = i; k < n; k++) s += Linv[k * n + i] * Linv[k * n + j];
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return { rows: n, cols: n, data: out };
}
