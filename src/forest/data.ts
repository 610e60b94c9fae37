/**
 * Column-major feature data for the forest engine.
 *
 * Features are held column by column in one Float64Array (feature j of row i at `x[j·n + i]`),
 * together with each feature's sorted distinct values and every entry's dense rank among them.
 * Split search works on ranks (integers), so the per-node sort needs no comparator, and split
 * thresholds are midpoints between consecutive distinct training values.
 *
 * Missing values: a feature value may be NaN. Splits use "missing incorporated in attributes"
 * (Twala et al. 2008, as grf does): every candidate split is tried with the missing values sent
 * left and sent right, and "missing vs present" is itself a candidate. A query with a missing
 * value follows the side chosen at training; where training saw no missing value at a split, a
 * missing query goes to the child that received more training samples.
 *
 * Categorical features: pass them as numeric codes. Codes are split as ordered values (x ≤ t),
 * like grf and ranger's default. For an unordered category, either one-hot encode it or order
 * its levels with {@link orderCategories} (levels ranked by the mean outcome, which is the
 * optimal ordering for squared-error splits — Breiman et al. 1984, §9.4).
 */
import { DataError, InputError, describeValue, invalidOption } from '../core/errors';

/** Feature input: rows (`x[i][j]`) or named columns (`{ price: Float64Array, ... }`). */
export type FeatureInput = ArrayLike<ArrayLike<number>> | Record<string, ArrayLike<number>>;

/** Column-major features with their sorted distinct values and ranks (shared by all trees). */
export interface ForestData {
  /** Number of rows. */
  n: number;
  /** Number of features. */
  p: number;
  /** Feature names (`x0`, `x1`, ... for row input). */
  names: string[];
  /** Feature j of row i at `x[j * n + i]` (NaN = missing). */
  x: Float64Array;
  /** Dense rank of `x[j * n + i]` among feature j's distinct values; −1 when missing. */
  rank: Int32Array;
  /** Sorted distinct values of feature j at `values[valueStart[j] .. valueStart[j + 1])`. */
  values: Float64Array;
  valueStart: Int32Array;
}

/** A query matrix in the same column-major layout (no ranks). */
export interface QueryData {
  n: number;
  p: number;
  /** Feature j of row i at `x[j * n + i]`. */
  x: Float64Array;
}

function isRowInput(x: unknown): x is ArrayLike<ArrayLike<number>> {
  return Array.isArray(x) || (typeof x === 'object' && x !== null && 'length' in x && !ArrayBuffer.isView(x));
}

/**
 * Converts feature input to column-major form; validates shape and types (NaN allowed = missing).
 * @param name the option's name for messages, e.g. `x`
 * @param expectedP when given, the required number of features
 */
export function toColumnMajor(
  name: string,
  input: unknown,
  expectedP?: number,
  expectedNames?: readonly string[],
): { n: number; p: number; names: string[]; x: Float64Array } {
  if (input === null || typeof input !== 'object' || ArrayBuffer.isView(input)) {
    throw invalidOption(name, 'an array of rows or an object of named columns', input);
  }
  if (isRowInput(input)) {
    const rows = input;
    const n = rows.length;
    if (n === 0) throw invalidOption(name, 'at least one row', input);
    const first = rows[0];
    if (first === null || typeof first !== 'object' || typeof first.length !== 'number') {
      throw new InputError(`invalid option \`${name}\`: expected rows of numbers, got ${describeValue(first)} at row 0`);
    }
    const p = first.length;
    if (p === 0) throw invalidOption(name, 'rows with at least one feature', input);
    if (expectedP !== undefined && p !== expectedP) {
      throw new InputError(`invalid option \`${name}\`: expected rows of ${expectedP} features (as in training), got ${p}`);
    }
    const x = new Float64Array(n * p);
    for (let i = 0; i < n; i++) {
      const row = rows[i];
      if (row === null || typeof row !== 'object' || row.length !== p) {
        throw new InputError(`invalid option \`${name}\`: expected rows of ${p} numbers, got ${describeValue(row)} at row ${i}`);
      }
      for (let j = 0; j < p; j++) {
        const v = row[j];
        if (typeof v !== 'number' || v === Infinity || v === -Infinity) {
          throw new InputError(
            `invalid option \`${name}\`: expected finite numbers or NaN (missing), got ${describeValue(v)} at row ${i}, column ${j}`,
          );
        }
        x[j * n + i] = v;
      }
    }
    const names = expectedNames ? expectedNames.slice() : Array.from({ length: p }, (_, j) => `x${j}`);
    return { n, p, names, x };
  }
  const cols = input as Record<string, ArrayLike<number>>;
  let names = Object.keys(cols);
  if (names.length === 0) throw invalidOption(name, 'at least one column', input);
  if (expectedNames) {
    const missing = expectedNames.filter((k) => !(k in cols));
    if (missing.length > 0) {
      throw new InputError(`invalid option \`${name}\`: missing column${missing.length > 1 ? 's' : ''} ${missing.map((k) => `\`${k}\``).join(', ')}`);
    }
    names = expectedNames.slice();
  }
  const p = names.length;
  if (expectedP !== undefined && p !== expectedP) {
    throw new InputError(`invalid option \`${name}\`: expected ${expectedP} columns (as in training), got ${p}`);
  }
  const n = (cols[names[0]] as ArrayLike<number> | undefined)?.length ?? 0;
  if (!(n > 0)) throw invalidOption(`${name}.${names[0]}`, 'a non-empty array of numbers', cols[names[0]]);
  const x = new Float64Array(n * p);
  for (let j = 0; j < p; j++) {
    const c = cols[names[j]];
    if (c === null || typeof c !== 'object' || typeof c.length !== 'number') {
      throw invalidOption(`${name}.${names[j]}`, 'an array of numbers', c);
    }
    if (c.length !== n) {
      throw invalidOption(`${name}.${names[j]}`, `an array of length ${n} (as \`${name}.${names[0]}\`)`, c);
    }
    for (let i = 0; i < n; i++) {
      const v = c[i];
      if (typeof v !== 'number' || v === Infinity || v === -Infinity) {
        throw new InputError(
          `invalid option \`${name}.${names[j]}\`: expected finite numbers or NaN (missing), got ${describeValue(v)} at index ${i}`,
        );
      }
      x[j * n + i] = v;
    }
  }
  return { n, p, names, x };
}

/** Builds the ranks and distinct values of column-major features (one sort per feature). */
export function forestData(cm: { n: number; p: number; names: string[]; x: Float64Array }): ForestData {
  const { n, p, x } = cm;
  const rank = new Int32Array(n * p);
  const valueStart = new Int32Array(p + 1);
  const chunks: Float64Array[] = [];
  const order = new Int32Array(n);
  for (let j = 0; j < p; j++) {
    const off = j * n;
    let m = 0;
    for (let i = 0; i < n; i++) {
      if (Number.isNaN(x[off + i])) rank[off + i] = -1;
      else order[m++] = i;
    }
    const idx = order.subarray(0, m).sort((a, b) => x[off + a] - x[off + b]);
    const distinct = new Float64Array(m);
    let d = -1;
    let last = NaN;
    for (let k = 0; k < m; k++) {
      const v = x[off + idx[k]];
      if (d < 0 || v !== last) {
        d++;
        distinct[d] = v;
        last = v;
      }
      rank[off + idx[k]] = d;
    }
    chunks.push(distinct.subarray(0, d + 1));
    valueStart[j + 1] = valueStart[j] + d + 1;
  }
  const values = new Float64Array(valueStart[p]);
  for (let j = 0; j < p; j++) values.set(chunks[j], valueStart[j]);
  return { n, p, names: cm.names, x, rank, values, valueStart };
}

/** Checks an outcome column: same length as `x`, finite numbers (NaN outcomes are rejected). */
export function checkOutcome(name: string, y: unknown, n: number): Float64Array {
  if (!(Array.isArray(y) || (ArrayBuffer.isView(y) && !(y instanceof DataView)))) {
    throw invalidOption(name, 'an array of numbers', y);
  }
  const arr = y as ArrayLike<unknown>;
  if (arr.length !== n) throw invalidOption(name, `an array of length ${n} (one per row of \`x\`)`, y);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = arr[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new DataError(`invalid option \`${name}\`: expected finite numbers, got ${describeValue(v)} at index ${i}`);
    }
    out[i] = v;
  }
  return out;
}

/**
 * Codes for an unordered categorical feature, ordered by the mean outcome of each level
 * (level with the lowest mean → 0). Splitting these codes as ordered values finds the best
 * squared-error partition of the levels (Breiman et al. 1984, §9.4).
 * @param levels the category of each row (strings or numbers)
 * @param y the outcome of each row
 * @returns `codes` per row and `mapping` from level to code (unseen levels: NaN, i.e. missing)
 */
export function orderCategories(
  levels: ArrayLike<string | number>,
  y: ArrayLike<number>,
): { codes: Float64Array; mapping: Map<string | number, number> } {
  if (levels.length !== y.length) throw invalidOption('levels', `an array of length ${y.length} (as \`y\`)`, levels);
  const sums = new Map<string | number, [number, number]>();
  for (let i = 0; i < levels.length; i++) {
    const s = sums.get(levels[i]) ?? [0, 0];
    s[0] += y[i];
    s[1] += 1;
    sums.set(levels[i], s);
  }
  const sorted = [...sums.entries()].sort((a, b) => a[1][0] / a[1][1] - b[1][0] / b[1][1] || String(a[0]).localeCompare(String(b[0])));
  const mapping = new Map<string | number, number>();
  sorted.forEach(([level], k) => mapping.set(level, k));
  const codes = new Float64Array(levels.length);
  for (let i = 0; i < levels.length; i++) codes[i] = mapping.get(levels[i]) ?? NaN;
  return { codes, mapping };
}
