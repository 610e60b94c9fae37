/**
 * Simulating panels from a solved (or any) policy π(a|s) of a DDC model: each unit draws its
 * action from π(·|s) and its next state from the sparse row P_a(s, ·). Unit i uses the stream
 * `rng(seed).fork(i)`, so a unit's path does not depend on how many units are simulated.
 */
import { InputError, invalidOption } from '../../core/errors';
import { rng as makeRng, type Rng } from '../../core/rng';
import { checkKnownKeys, checkNumber } from '../../core/validate';
import type { DdcModel } from './model';
import type { Panel } from './panel';

/** Options of {@link simulatePanel}. */
export interface SimulatePanelOptions {
  /** Number of units (customers, buses). */
  units: number;
  /** Periods per unit, t = 0 … periods − 1. */
  periods: number;
  /** A flat state, a distribution over the S states, or a function (unit, rng) → state. */
  initialState: number | Float64Array | ((unit: number, rng: Rng) => number);
  /** Root seed; unit i uses `rng(seed).fork(i)`. */
  seed: number;
}

const PROBABILITY_TOLERANCE = 1e-8;

/** Cumulative sums of π(·|s) per state (S·A), checked: non-negative, 0 if infeasible, rows sum to 1. */
function cumulativePolicy(model: DdcModel, probabilities: Float64Array): Float64Array {
  const S = model.states.size;
  const A = model.actions.length;
  if (!(probabilities instanceof Float64Array) || probabilities.length !== S * A) {
    throw invalidOption('probabilities', `a Float64Array of S·A = ${S * A} choice probabilities`, probabilities);
  }
  const cum = new Float64Array(S * A);
  for (let s = 0; s < S; s++) {
    let acc = 0;
    for (let a = 0; a < A; a++) {
      const p = probabilities[s * A + a];
      if (!(p >= 0) || p > 1 + PROBABILITY_TOLERANCE) {
        throw new InputError(`invalid option \`probabilities\`: ${p} for state ${s}, action "${model.actions[a]}"; expected a probability in [0, 1]`);
      }
      if (p > 0 && !model.feasible[s * A + a]) {
        throw new InputError(`invalid option \`probabilities\`: ${p} for state ${s}, action "${model.actions[a]}", which is infeasible there; expected 0`);
      }
      acc += p;
      cum[s * A + a] = acc;
    }
    if (Math.abs(acc - 1) > PROBABILITY_TOLERANCE) {
      throw new InputError(`invalid option \`probabilities\`: the row of state ${s} sums to ${acc}, expected 1`);
    }
    cum[s * A + A - 1] = Infinity; // absorb rounding: the last action with p > 0 catches u ≈ 1
    for (let a = A - 1; a > 0 && probabilities[s * A + a] === 0; a--) cum[s * A + a - 1] = Infinity;
  }
  return cum;
}

/** Cumulative CSR values of each P_a (last entry of every row set to +Infinity). */
function cumulativeTransitions(model: DdcModel): Float64Array[] {
  return model.transitions.map((m) => {
    const cum = new Float64Array(m.values.length);
    for (let r = 0; r < m.rows; r++) {
      let acc = 0;
      const end = m.rowPtr[r + 1];
      for (let j = m.rowPtr[r]; j < end; j++) {
        acc += m.values[j];
        cum[j] = acc;
      }
      if (end > m.rowPtr[r]) cum[end - 1] = Infinity;
    }
    return cum;
  });
}

/** Index of the first entry of cum[lo, hi) that exceeds u (cum is non-decreasing, last is ∞). */
function searchCumulative(cum: Float64Array, lo: number, hi: number, u: number): number {
  if (hi - lo <= 16) {
    let j = lo;
    while (j < hi - 1 && cum[j] <= u) j++;
    return j;
  }
  let a = lo;
  let b = hi - 1;
  while (a < b) {
    const mid = (a + b) >>> 1;
    if (cum[mid] <= u) a = mid + 1;
    else b = mid;
  }
  return a;
}

/**
 * Simulates `units` × `periods` rows from the policy π(a|s): action a ~ π(·|s), next state
 * s' ~ P_a(s, ·). Reproducible: unit i uses `rng(seed).fork(i)`. `nextState` is −1 after the
 * last period.
 * @param probabilities π(a|s), length S·A (e.g. `solveDdc(model, θ).probabilities`)
 */
export function simulatePanel(model: DdcModel, probabilities: Float64Array, options: SimulatePanelOptions): Panel {
  if (options === null || typeof options !== 'object') throw invalidOption('options', '{ units, periods, initialState, seed }', options);
  checkKnownKeys('simulatePanel options', options, ['units', 'periods', 'initialState', 'seed']);
  const units = checkNumber('units', options.units, { min: 1, integer: true });
  const periods = checkNumber('periods', options.periods, { min: 1, integer: true });
  const seed = checkNumber('seed', options.seed);
  const S = model.states.size;
  const A = model.actions.length;
  if (units * periods > 2 ** 31 - 1) throw new InputError(`simulatePanel: units × periods = ${units * periods} rows is too many`);
  const cumPi = cumulativePolicy(model, probabilities);
  const cumP = cumulativeTransitions(model);
  const rowPtrs = model.transitions.map((m) => m.rowPtr);
  const colIdxs = model.transitions.map((m) => m.colIdx);

  const init = options.initialState;
  let fixedState = -1;
  let initCum: Float64Array | undefined;
  let initFn: ((unit: number, rng: Rng) => number) | undefined;
  if (typeof init === 'number') {
    if (!Number.isInteger(init) || init < 0 || init >= S) throw invalidOption('initialState', `a state index in [0, ${S - 1}]`, init);
    fixedState = init;
  } else if (init instanceof Float64Array) {
    if (init.length !== S) throw invalidOption('initialState', `a distribution over the ${S} states (Float64Array of length ${S})`, init);
    initCum = new Float64Array(S);
    let acc = 0;
    for (let s = 0; s < S; s++) {
      if (!(init[s] >= 0)) throw new InputError(`invalid option \`initialState\`: probability ${init[s]} for state ${s}; expected non-negative numbers`);
      acc += init[s];
      initCum[s] = acc;
    }
    if (Math.abs(acc - 1) > 1e-8) throw new InputError(`invalid option \`initialState\`: the distribution sums to ${acc}, expected 1`);
    for (let s = S - 1; s >= 0; s--) {
      initCum[s] = Infinity;
      if (init[s] > 0) break;
    }
  } else if (typeof init === 'function') {
    initFn = init;
  } else {
    throw invalidOption('initialState', 'a state index, a Float64Array distribution over states, or a function (unit, rng) → state', init);
  }

  const n = units * periods;
  const id = new Int32Array(n);
  const t = new Int32Array(n);
  const state = new Int32Array(n);
  const action = new Int32Array(n);
  const nextState = new Int32Array(n);
  const root = makeRng(seed);
  let row = 0;
  for (let i = 0; i < units; i++) {
    const r = root.fork(i);
    let s: number;
    if (fixedState >= 0) s = fixedState;
    else if (initCum) s = searchCumulative(initCum, 0, S, r.nextFloat());
    else {
      s = initFn!(i, r);
      if (!Number.isInteger(s) || s < 0 || s >= S) {
        throw new InputError(`invalid option \`initialState\`: the function returned ${String(s)} for unit ${i}; expected a state index in [0, ${S - 1}]`);
      }
    }
    for (let p = 0; p < periods; p++) {
      id[row] = i;
      t[row] = p;
      state[row] = s;
      const base = s * A;
      const ua = r.nextFloat();
      let a = 0;
      while (a < A - 1 && cumPi[base + a] <= ua) a++;
      action[row] = a;
      if (p === periods - 1) {
        nextState[row] = -1;
      } else {
        const rp = rowPtrs[a];
        const j = searchCumulative(cumP[a], rp[s], rp[s + 1], r.nextFloat());
        s = colIdxs[a][j];
        nextState[row] = s;
      }
      row++;
    }
  }
  return { length: n, id, t, state, action, nextState };
}
