import { InputError, invalidOption } from '../../core/errors';
import { checkNumber, checkPositiveInteger } from '../../core/validate';

/** One named discrete component of the state, e.g. `{ name: 'mileage', size: 90 }`. */
export interface StateComponent {
  name: string;
  /** Number of levels (values 0 … size−1). */
  size: number;
  /** Optional names of the levels, for tables and plots. */
  labels?: string[];
}

/** A state space that is the product of named components, indexable both ways. */
export interface StateSpace {
  readonly components: readonly StateComponent[];
  /** Number of states: the product of the component sizes. */
  readonly size: number;
  /** Stride of each component in the flat index (the last component varies fastest). */
  readonly strides: Int32Array;
  /** Flat index of a state given its component values (by position or by name). */
  index(values: ArrayLike<number> | Record<string, number>): number;
  /** Component values of flat state `s`, written into `out` if given. */
  decode(s: number, out?: Int32Array): Int32Array;
  /** The value of one component (by position or name) in flat state `s`. */
  value(s: number, component: number | string): number;
  /** Position of a component by name; InputError listing the names if absent. */
  componentIndex(name: string): number;
}

/** Builds a product state space; the last component varies fastest in the flat index. */
export function stateSpace(components: StateComponent[]): StateSpace {
  if (!Array.isArray(components) || components.length === 0) {
    throw invalidOption('components', 'a non-empty array of { name, size }', components);
  }
  const names = new Set<string>();
  components.forEach((c, i) => {
    if (c === null || typeof c !== 'object' || typeof c.name !== 'string' || c.name === '') {
      throw invalidOption(`components[${i}].name`, 'a non-empty string', c?.name);
    }
    if (names.has(c.name)) throw new InputError(`invalid option \`components\`: duplicate component name "${c.name}"`);
    names.add(c.name);
    checkPositiveInteger(`components[${i}].size`, c.size);
    if (c.labels !== undefined && (!Array.isArray(c.labels) || c.labels.length !== c.size)) {
      throw invalidOption(`components[${i}].labels`, `an array of ${c.size} labels`, c.labels);
    }
  });
  const k = components.length;
  const strides = new Int32Array(k);
  let size = 1;
  for (let i = k - 1; i >= 0; i--) {
    strides[i] = size;
    size *= components[i].size;
  }
  if (size > 2 ** 31 - 1) throw new InputError(`state space too large: ${size} states`);
  const frozen = components.map((c) => ({ ...c }));
  const byName = new Map(frozen.map((c, i) => [c.name, i]));
  const componentIndex = (name: string): number => {
    const i = byName.get(name);
    if (i === undefined) {
      throw new InputError(`unknown state component "${name}": expected one of ${frozen.map((c) => `"${c.name}"`).join(', ')}`);
    }
    return i;
  };
  const checkState = (s: number) => {
    if (!Number.isInteger(s) || s < 0 || s >= size) throw invalidOption('state', `an integer in [0, ${size - 1}]`, s);
  };
  return {
    components: frozen,
    size,
    strides,
    componentIndex,
    index(values) {
      let s = 0;
      for (let i = 0; i < k; i++) {
        const name = frozen[i].name;
        const v = Array.isArray(values) || ArrayBuffer.isView(values)
          ? (values as ArrayLike<number>)[i]
          : (values as Record<string, number>)[name];
        if (!Number.isInteger(v) || v < 0 || v >= frozen[i].size) {
          throw invalidOption(`state.${name}`, `an integer in [0, ${frozen[i].size - 1}]`, v);
        }
        s += v * strides[i];
      }
      return s;
    },
    decode(s, out = new Int32Array(k)) {
      checkState(s);
      for (let i = 0; i < k; i++) out[i] = Math.floor(s / strides[i]) % frozen[i].size;
      return out;
    },
    value(s, component) {
      checkState(s);
      const i = typeof component === 'string' ? componentIndex(component) : component;
      return Math.floor(s / strides[i]) % frozen[i].size;
    },
  };
}

/** A sparse matrix in compressed-row form (CSR): row r's entries are [rowPtr[r], rowPtr[r+1]). */
export interface SparseMatrix {
  rows: number;
  cols: number;
  rowPtr: Int32Array;
  colIdx: Int32Array;
  values: Float64Array;
}

/** Builds a CSR matrix from (row, col, value) triplets; duplicates are summed, zeros dropped. */
export function sparseFromTriplets(
  rows: number,
  cols: number,
  rowIdx: ArrayLike<number>,
  colIdx: ArrayLike<number>,
  values: ArrayLike<number>,
): SparseMatrix {
  checkPositiveInteger('rows', rows);
  checkPositiveInteger('cols', cols);
  const n = rowIdx.length;
  if (colIdx.length !== n || values.length !== n) {
    throw new InputError(`invalid triplets: rowIdx, colIdx and values must have equal lengths, got ${n}, ${colIdx.length}, ${values.length}`);
  }
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < n; i++) {
    const r = rowIdx[i];
    const c = colIdx[i];
    if (!Number.isInteger(r) || r < 0 || r >= rows) throw invalidOption(`rowIdx[${i}]`, `an integer in [0, ${rows - 1}]`, r);
    if (!Number.isInteger(c) || c < 0 || c >= cols) throw invalidOption(`colIdx[${i}]`, `an integer in [0, ${cols - 1}]`, c);
    if (!Number.isFinite(values[i])) throw invalidOption(`values[${i}]`, 'a finite number', values[i]);
  }
  order.sort((a, b) => rowIdx[a] - rowIdx[b] || colIdx[a] - colIdx[b]);
  const rowPtr = new Int32Array(rows + 1);
  const outCols: number[] = [];
  const outVals: number[] = [];
  let lastRow = -1;
  let lastCol = -1;
  for (const i of order) {
    const r = rowIdx[i];
    const c = colIdx[i];
    if (r === lastRow && c === lastCol) {
      outVals[outVals.length - 1] += values[i];
      continue;
    }
    outCols.push(c);
    outVals.push(values[i]);
    rowPtr[r + 1]++;
    lastRow = r;
    lastCol = c;
  }
  for (let r = 0; r < rows; r++) rowPtr[r + 1] += rowPtr[r];
  return dropZeros({ rows, cols, rowPtr, colIdx: Int32Array.from(outCols), values: Float64Array.from(outVals) });
}

function dropZeros(m: SparseMatrix): SparseMatrix {
  let nnz = 0;
  for (let i = 0; i < m.values.length; i++) if (m.values[i] !== 0) nnz++;
  if (nnz === m.values.length) return m;
  const rowPtr = new Int32Array(m.rows + 1);
  const colIdx = new Int32Array(nnz);
  const values = new Float64Array(nnz);
  let k = 0;
  for (let r = 0; r < m.rows; r++) {
    for (let j = m.rowPtr[r]; j < m.rowPtr[r + 1]; j++) {
      if (m.values[j] === 0) continue;
      colIdx[k] = m.colIdx[j];
      values[k++] = m.values[j];
    }
    rowPtr[r + 1] = k;
  }
  return { rows: m.rows, cols: m.cols, rowPtr, colIdx, values };
}

/** Builds a CSR matrix from a dense row-major array (`rows × cols`). */
export function sparseFromDense(rows: number, cols: number, dense: ArrayLike<number>): SparseMatrix {
  if (dense.length !== rows * cols) {
    throw invalidOption('dense', `${rows * cols} values (${rows} × ${cols})`, dense);
  }
  const r: number[] = [];
  const c: number[] = [];
  const v: number[] = [];
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const x = dense[i * cols + j];
      if (x !== 0) (r.push(i), c.push(j), v.push(x));
    }
  }
  return sparseFromTriplets(rows, cols, r, c, v);
}

/** out = M·x (sparse matrix times vector). */
export function sparseMatVec(m: SparseMatrix, x: ArrayLike<number>, out: Float64Array = new Float64Array(m.rows)): Float64Array {
  const { rowPtr, colIdx, values } = m;
  for (let r = 0; r < m.rows; r++) {
    let s = 0;
    for (let j = rowPtr[r]; j < rowPtr[r + 1]; j++) s += values[j] * x[colIdx[j]];
    out[r] = s;
  }
  return out;
}

/** Checks that a sparse matrix is square S×S, non-negative, and each row sums to 1 (± tol). */
export function checkStochastic(name: string, m: SparseMatrix, size: number, tolerance = 1e-9): void {
  if (m.rows !== size || m.cols !== size) {
    throw new InputError(`invalid option \`${name}\`: expected a ${size} × ${size} transition matrix, got ${m.rows} × ${m.cols}`);
  }
  for (let r = 0; r < m.rows; r++) {
    let sum = 0;
    for (let j = m.rowPtr[r]; j < m.rowPtr[r + 1]; j++) {
      const v = m.values[j];
      if (!(v >= 0) || !Number.isFinite(v)) {
        throw new InputError(`invalid option \`${name}\`: row ${r} has entry ${v} in column ${m.colIdx[j]}; expected probabilities in [0, 1]`);
      }
      sum += v;
    }
    if (Math.abs(sum - 1) > tolerance) {
      throw new InputError(`invalid option \`${name}\`: row ${r} sums to ${sum}, expected 1 (transition rows are probabilities)`);
    }
  }
}

/**
 * A finite-state dynamic discrete-choice model with logit (type-1 extreme value) shocks:
 * flow utility u(s,a) = φ(s,a)·θ + offset(s,a) for feasible (s,a), transitions P_a(s, s'),
 * discount β. Arrays are flat row-major: index (s·A + a) for S×A, and (s·A + a)·K + k for φ.
 */
export interface DdcModel {
  /** A short name for tables ("bus", "membership"). */
  name: string;
  states: StateSpace;
  /** Action names; A = actions.length. */
  actions: string[];
  /** Parameter names; K = featureNames.length. */
  featureNames: string[];
  /** φ(s,a,k), length S·A·K. */
  features: Float64Array;
  /** Known part of the utility, length S·A (e.g. −price × a known price coefficient); zeros if none. */
  offset: Float64Array;
  /** One S×S row-stochastic transition matrix per action. */
  transitions: SparseMatrix[];
  /** 1 where action a is allowed in state s, length S·A; every state allows at least one action. */
  feasible: Uint8Array;
  /** Discount factor β in [0, 1). */
  discount: number;
}

/** What {@link ddcModel} takes; `offset` and `feasible` default to zeros and all-allowed. */
export interface DdcModelOptions {
  name?: string;
  states: StateSpace;
  actions: string[];
  featureNames: string[];
  features: Float64Array;
  offset?: Float64Array;
  transitions: SparseMatrix[];
  feasible?: Uint8Array;
  discount: number;
}

/** Validates and assembles a {@link DdcModel}: shapes, finite features, stochastic rows, β ∈ [0, 1). */
export function ddcModel(options: DdcModelOptions): DdcModel {
  const { states, actions, featureNames, features, transitions } = options;
  const S = states.size;
  if (!Array.isArray(actions) || actions.length < 2) throw invalidOption('actions', 'at least two action names', actions);
  if (new Set(actions).size !== actions.length) throw new InputError(`invalid option \`actions\`: duplicate action names in ${JSON.stringify(actions)}`);
  const A = actions.length;
  if (!Array.isArray(featureNames) || featureNames.length === 0) throw invalidOption('featureNames', 'at least one parameter name', featureNames);
  const K = featureNames.length;
  const discount = checkNumber('discount', options.discount, { min: 0, max: 1, maxExclusive: true });
  if (!(features instanceof Float64Array) || features.length !== S * A * K) {
    throw invalidOption('features', `a Float64Array of S·A·K = ${S}·${A}·${K} = ${S * A * K} values`, features);
  }
  for (let i = 0; i < features.length; i++) {
    if (!Number.isFinite(features[i])) {
      const k = i % K;
      const a = Math.floor(i / K) % A;
      const s = Math.floor(i / (K * A));
      throw new InputError(`invalid option \`features\`: ${features[i]} for state ${s}, action "${actions[a]}", feature "${featureNames[k]}"; expected finite numbers`);
    }
  }
  const offset = options.offset ?? new Float64Array(S * A);
  if (!(offset instanceof Float64Array) || offset.length !== S * A) {
    throw invalidOption('offset', `a Float64Array of S·A = ${S * A} values`, offset);
  }
  for (let i = 0; i < offset.length; i++) {
    if (!Number.isFinite(offset[i])) {
      throw new InputError(`invalid option \`offset\`: ${offset[i]} for state ${Math.floor(i / A)}, action "${actions[i % A]}"; expected finite numbers`);
    }
  }
  const feasible = options.feasible ?? new Uint8Array(S * A).fill(1);
  if (!(feasible instanceof Uint8Array) || feasible.length !== S * A) {
    throw invalidOption('feasible', `a Uint8Array of S·A = ${S * A} flags`, feasible);
  }
  for (let s = 0; s < S; s++) {
    let any = 0;
    for (let a = 0; a < A; a++) any |= feasible[s * A + a];
    if (!any) throw new InputError(`invalid option \`feasible\`: state ${s} allows no action`);
  }
  if (!Array.isArray(transitions) || transitions.length !== A) {
    throw invalidOption('transitions', `one transition matrix per action (${A})`, transitions);
  }
  transitions.forEach((m, a) => checkStochastic(`transitions[${a}] ("${actions[a]}")`, m, S));
  return { name: options.name ?? 'model', states, actions: [...actions], featureNames: [...featureNames], features, offset, transitions, feasible, discount };
}

/** True when state s offers a choice (at least two feasible actions). */
export function hasChoice(model: DdcModel, s: number): boolean {
  const A = model.actions.length;
  let feasible = 0;
  for (let a = 0; a < A; a++) feasible += model.feasible[s * A + a];
  return feasible >= 2;
}

/** Flow utilities u(s,a) = φ(s,a)·θ + offset(s,a), length S·A (−Infinity where infeasible). */
export function flowUtility(model: DdcModel, theta: ArrayLike<number>, out?: Float64Array): Float64Array {
  const A = model.actions.length;
  const K = model.featureNames.length;
  const SA = model.states.size * A;
  if (theta.length !== K) {
    throw new InputError(`invalid option \`theta\`: expected ${K} values (${model.featureNames.join(', ')}), got ${theta.length}`);
  }
  const u = out ?? new Float64Array(SA);
  const { features, offset, feasible } = model;
  for (let i = 0; i < SA; i++) {
    if (!feasible[i]) {
      u[i] = -Infinity;
      continue;
    }
    let v = offset[i];
    const base = i * K;
    for (let k = 0; k < K; k++) v += features[base + k] * theta[k];
    u[i] = v;
  }
  return u;
}
