/**
 * The Bellman fixed point of a logit dynamic discrete-choice model, and its derivatives.
 *
 * V(s) = log Σ_{a feasible} exp v(s,a),  v(s,a) = u(s,a) + β Σ_s' P_a(s,s') V(s')
 * (the integrated value function of type-1 extreme-value shocks, Euler's constant omitted).
 *
 * Solver (the "poly-algorithm" of Rust's NFXP): successive approximation with McQueen–Porteus
 * error bounds (the extrapolated iterate V + β/(1−β)·(min d + max d)/2, d = T(V) − V) until
 * the span of d is small or the contraction stalls, then Newton–Kantorovich steps
 * (I − β P_σ) Δ = T(V) − V with P_σ(s,s') = Σ_a π(a|s) P_a(s,s'). For logit shocks an NK step
 * is exactly soft policy iteration, so it converges from any start, quadratically near V*.
 * Linear systems (resolvent.ts): dense LU for S ≤ `denseLimit`, otherwise restarted GMRES with
 * a symmetric Gauss–Seidel (or ILU(0)) right preconditioner on the sparse operator, solved inexactly (Eisenstat–Walker style
 * forcing terms) inside the Newton loop.
 * Normalised (relative) values: the iterate is kept as V = c·1 + w with a scalar c and w
 * re-centred after every update (mid-range 0), and T(V) − V = T₀(w) − w − (1 − β)c with
 * T₀(w) = log Σ_a exp(u + β P_a w), so residuals are computed on the small parts. With β near 1,
 * |V| ≈ |u|/(1 − β) is large (≈ 1e3–1e4 on the bus model at β = 0.9999) and T(V) − V evaluated
 * on V itself cannot get below a few ε·‖V‖∞ ≈ 1e-11; on the normalised form the floor is a few
 * ε·max(‖w‖∞, ‖u‖∞), independent of 1/(1 − β) (relative value iteration; cf. Puterman,
 * "Markov Decision Processes", 1994, §8.5.5, and the bias/gain decomposition as β → 1).
 * Derivatives of the fixed point by the implicit function theorem:
 * (I − β P_σ) ∂V/∂θ = Σ_a π(a|s) φ(s,a,·).
 *
 * References: J. Rust, "Optimal replacement of GMC bus engines", Econometrica 55(5), 1987, and
 * the NFXP manual (2000); F. Iskhakov, J. Lee, J. Rust, B. Schjerning, K. Seo, "Comment on
 * 'Constrained optimization approaches to estimation of structural models'", Econometrica
 * 84(1), 2016; Y. Saad and M. Schultz, "GMRES", SIAM J. Sci. Stat. Comput. 7(3), 1986.
 */
import { ConvergenceError, InputError, invalidOption } from '../../core/errors';
import { checkKnownKeys, checkNumber, checkOneOf, checkPositiveInteger } from '../../core/validate';
import { flowUtility, type DdcModel, type SparseMatrix } from './model';
import { resolventDefaults, resolventOperator, solveColumns, type Preconditioner, type ResolventOperator } from './resolvent';

/** The solved model at one parameter vector θ. */
export interface Solution {
  /** The parameters the model was solved at (a copy). */
  theta: Float64Array;
  /** V(s) = log Σ_feasible a exp v(s,a), length S (Euler's constant omitted). */
  value: Float64Array;
  /** v(s,a) = u(s,a) + β Σ_s' P_a(s,s') V(s'), length S·A; −Infinity where a is infeasible. */
  choiceValue: Float64Array;
  /** Logit choice probabilities π(a|s), length S·A; 0 where infeasible. */
  probabilities: Float64Array;
  /** Updates of V made (successive approximations plus Newton–Kantorovich steps). */
  iterations: number;
  /** How many of those were Newton–Kantorovich steps. */
  newtonSteps: number;
  /**
   * Sup-norm of T(V) − V at the returned V, evaluated on its normalised form V = c·1 + w (the
   * constant c carried separately), i.e. free of the rounding of the large constant. Evaluating
   * T(V) − V directly on the rounded `value` adds up to a few ε·‖V‖∞.
   */
  residual: number;
  /** Wall-clock seconds. */
  seconds: number;
  /** ∂V(s)/∂θ_k, S×K row-major, when `derivatives: true`. */
  valueDerivative?: Float64Array;
}

/** Options of {@link solveDdc}. */
export interface SolveOptions {
  /** Stop when ‖T(V) − V‖∞ ≤ tolerance (default 1e-11). */
  tolerance?: number;
  /** Most updates of V, successive approximation and Newton steps together (default 1000). */
  maxIterations?: number;
  /** A starting V of length S (e.g. the previous solution's `value`). */
  warmStart?: Float64Array;
  /** Also return ∂V/∂θ (`valueDerivative`) by the implicit function theorem (default false). */
  derivatives?: boolean;
  /** Linear solver for the Newton steps: 'auto' (dense if S ≤ denseLimit), 'dense' or 'gmres'. */
  linearSolver?: 'auto' | 'dense' | 'gmres';
  /** Largest S solved with dense LU under 'auto' (default 500). */
  denseLimit?: number;
  /** Most successive-approximation steps before switching to Newton steps (default 30). */
  successiveSteps?: number;
  /**
   * GMRES preconditioner: 'sgs' (symmetric Gauss–Seidel, default: one pass to build, so it is
   * refreshed for every policy) or 'ilu0' (ILU(0), the original; refactored only when GMRES slows).
   */
  preconditioner?: Preconditioner;
}

/** Defaults of {@link solveDdc}'s options. */
export const solveDefaults = {
  tolerance: 1e-11,
  maxIterations: 1000,
  derivatives: false,
  linearSolver: 'auto',
  denseLimit: resolventDefaults.denseLimit,
  successiveSteps: 30,
  /** Switch to Newton once the span of T(V) − V is below this… */
  switchSpan: 1e-3,
  /** …or once one successive step shrinks the span by less than this factor. */
  switchRatio: 0.9,
  /** Largest relative residual asked of the GMRES solve in a Newton step (inexact Newton). */
  forcing: 1e-2,
  /** Newton steps that refresh the ILU(0) preconditioner; later steps reuse it (SGS: every step). */
  refactorSteps: 1,
  /** ConvergenceError once this many Newton steps in a row fail to improve a residual below… */
  stallSteps: 20,
  /** …this (the rounding floor of V, not a slow start). */
  stallResidual: 1e-7,
} as const;

// --- the Bellman operator ---------------------------------------------------------------------

/**
 * One application of the Bellman operator at V: writes v(s,a) = u + β P_a V into `choiceValue`
 * (S·A), T(V)(s) = log Σ_a exp v(s,a) into `out` (S), and π(a|s) into `probabilities` if given.
 * @param u flow utilities from `flowUtility` (−Infinity where infeasible), length S·A
 */
export function bellmanOperator(
  model: DdcModel,
  u: Float64Array,
  V: Float64Array,
  out: Float64Array,
  choiceValue: Float64Array,
  probabilities?: Float64Array,
): Float64Array {
  const S = model.states.size;
  const A = model.actions.length;
  const beta = model.discount;
  for (let a = 0; a < A; a++) {
    const { rowPtr, colIdx, values } = model.transitions[a];
    for (let s = 0; s < S; s++) {
      const i = s * A + a;
      const us = u[i];
      if (us === -Infinity) {
        choiceValue[i] = -Infinity;
        continue;
      }
      let acc = 0;
      const end = rowPtr[s + 1];
      for (let j = rowPtr[s]; j < end; j++) acc += values[j] * V[colIdx[j]];
      choiceValue[i] = us + beta * acc;
    }
  }
  for (let s = 0; s < S; s++) {
    const base = s * A;
    let m = -Infinity;
    for (let a = 0; a < A; a++) if (choiceValue[base + a] > m) m = choiceValue[base + a];
    let sum = 0;
    if (probabilities) {
      for (let a = 0; a < A; a++) {
        const e = Math.exp(choiceValue[base + a] - m);
        probabilities[base + a] = e;
        sum += e;
      }
      const inv = 1 / sum;
      for (let a = 0; a < A; a++) probabilities[base + a] *= inv;
    } else {
      for (let a = 0; a < A; a++) sum += Math.exp(choiceValue[base + a] - m);
    }
    out[s] = m + Math.log(sum);
  }
  return out;
}

// --- the choice-weighted transition and linear solves ----------------------------------------

/** P_σ(s,s') = Σ_a π(a|s) P_a(s,s') as a CSR matrix (the state transition under policy π). */
export function choiceWeightedTransition(model: DdcModel, probabilities: Float64Array): SparseMatrix {
  checkProbabilities(model, probabilities);
  const S = model.states.size;
  const A = model.actions.length;
  let cap = 0;
  for (const m of model.transitions) cap += m.values.length;
  const rowPtr = new Int32Array(S + 1);
  const colIdx = new Int32Array(cap);
  const values = new Float64Array(cap);
  const marker = new Int32Array(S).fill(-1);
  let k = 0;
  for (let s = 0; s < S; s++) {
    const start = k;
    for (let a = 0; a < A; a++) {
      const p = probabilities[s * A + a];
      if (p === 0) continue;
      const m = model.transitions[a];
      for (let j = m.rowPtr[s]; j < m.rowPtr[s + 1]; j++) {
        const c = m.colIdx[j];
        const pos = marker[c];
        if (pos >= start) {
          values[pos] += p * m.values[j];
        } else {
          marker[c] = k;
          colIdx[k] = c;
          values[k++] = p * m.values[j];
        }
      }
    }
    rowPtr[s + 1] = k;
  }
  return { rows: S, cols: S, rowPtr, colIdx: colIdx.slice(0, k), values: values.slice(0, k) };
}

function checkProbabilities(model: DdcModel, probabilities: unknown): Float64Array {
  const SA = model.states.size * model.actions.length;
  if (!(probabilities instanceof Float64Array) || probabilities.length !== SA) {
    throw invalidOption('probabilities', `a Float64Array of S·A = ${SA} choice probabilities`, probabilities);
  }
  return probabilities;
}

/**
 * Solves (I − β P_σ) X = B, with P_σ(s,s') = Σ_a π(a|s) P_a(s,s') built from the given choice
 * probabilities (the policy-valuation operator of CCP estimators).
 * @param probabilities π(a|s), length S·A (rows sum to 1)
 * @param rhs B, S×columns row-major
 * @returns X, S×columns row-major
 */
export function solveResolvent(model: DdcModel, probabilities: Float64Array, rhs: Float64Array, columns = 1): Float64Array {
  const S = model.states.size;
  checkProbabilities(model, probabilities);
  checkPositiveInteger('columns', columns);
  if (!(rhs instanceof Float64Array) || rhs.length !== S * columns) {
    throw invalidOption('rhs', `a Float64Array of S·columns = ${S}·${columns} = ${S * columns} values`, rhs);
  }
  for (let i = 0; i < rhs.length; i++) {
    if (!Number.isFinite(rhs[i])) {
      throw new InputError(`invalid option \`rhs\`: expected finite numbers, got ${rhs[i]} at state ${Math.floor(i / columns)}, column ${i % columns}`);
    }
  }
  const op = resolventOperator(model);
  op.setPolicy(probabilities);
  return solveColumns(op, rhs, S, columns, 'solveResolvent');
}

// --- the solver ------------------------------------------------------------------------------------

function checkTheta(model: DdcModel, theta: unknown): Float64Array {
  const K = model.featureNames.length;
  const ok = Array.isArray(theta) || (ArrayBuffer.isView(theta) && !(theta instanceof DataView));
  if (!ok || (theta as ArrayLike<number>).length !== K) {
    throw invalidOption('theta', `${K} numbers (${model.featureNames.join(', ')})`, theta);
  }
  const t = theta as ArrayLike<number>;
  for (let k = 0; k < K; k++) {
    if (typeof t[k] !== 'number' || !Number.isFinite(t[k])) {
      throw new InputError(`invalid option \`theta\`: expected finite numbers, got ${String(t[k])} for "${model.featureNames[k]}" (index ${k})`);
    }
  }
  return Float64Array.from(t);
}

/**
 * Solves the Bellman equation V = T(V) of a logit DDC model at θ: successive approximation with
 * McQueen–Porteus extrapolation, then Newton–Kantorovich steps until ‖T(V) − V‖∞ ≤ tolerance.
 * Throws ConvergenceError (with `detail.residual` and `detail.iterations`) if maxIterations is hit.
 * @param theta parameters, length K (model.featureNames)
 */
export function solveDdc(model: DdcModel, theta: ArrayLike<number>, options: SolveOptions = {}): Solution {
  const t0 = performance.now();
  checkKnownKeys('solveDdc options', options, [
    'tolerance',
    'maxIterations',
    'warmStart',
    'derivatives',
    'linearSolver',
    'denseLimit',
    'successiveSteps',
    'preconditioner',
  ]);
  const th = checkTheta(model, theta);
  const tol = checkNumber('tolerance', options.tolerance ?? solveDefaults.tolerance, { min: 0, minExclusive: true });
  const maxIterations = checkNumber('maxIterations', options.maxIterations ?? solveDefaults.maxIterations, { min: 0, integer: true });
  const linearSolver = checkOneOf('linearSolver', options.linearSolver ?? solveDefaults.linearSolver, ['auto', 'dense', 'gmres'] as const);
  const denseLimit = checkNumber('denseLimit', options.denseLimit ?? solveDefaults.denseLimit, { min: 0, integer: true });
  const preconditioner = checkOneOf('preconditioner', options.preconditioner ?? resolventDefaults.preconditioner, ['sgs', 'ilu0'] as const);
  const maxSuccessive = checkNumber('successiveSteps', options.successiveSteps ?? solveDefaults.successiveSteps, { min: 0, integer: true });
  const S = model.states.size;
  const A = model.actions.length;
  const K = model.featureNames.length;
  const beta = model.discount;
  let op: ResolventOperator | undefined;
  const operator = (): ResolventOperator => (op ??= resolventOperator(model, linearSolver, denseLimit, preconditioner));

  const u = flowUtility(model, th);
  // The iterate is V = c·1 + W (W re-centred to mid-range 0 after every update): residuals
  // T(V) − V = T₀(W) − W − (1 − β)c are then computed on small numbers (see the header).
  const W = new Float64Array(S);
  let c = 0;
  if (options.warmStart !== undefined) {
    const w = options.warmStart;
    if (!(w instanceof Float64Array) || w.length !== S) throw invalidOption('warmStart', `a Float64Array of S = ${S} values`, w);
    let finite = true;
    for (let s = 0; s < S; s++) if (!Number.isFinite(w[s])) finite = false;
    if (finite) W.set(w);
  }
  const recentre = (): void => {
    let lo = Infinity;
    let hi = -Infinity;
    for (let s = 0; s < S; s++) {
      const x = W[s];
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    const m = (lo + hi) / 2;
    if (m === 0 || !Number.isFinite(m)) return;
    c += m;
    for (let s = 0; s < S; s++) W[s] -= m;
  };
  recentre();
  const gainFactor = 1 - beta; // exact for β ∈ [1/2, 1) (Sterbenz)
  const TV = new Float64Array(S);
  const d = new Float64Array(S);
  const v = new Float64Array(S * A);
  const prob = new Float64Array(S * A);
  const factor = beta / (1 - beta);

  let iterations = 0;
  let newtonSteps = 0;
  let successive = 0;
  let newton = maxSuccessive === 0;
  let prevSpan = Infinity;
  let residual = Infinity;
  let lastLinearIterations = 0;
  let bestResidual = Infinity;
  let stalled = 0;
  for (;;) {
    bellmanOperator(model, u, W, TV, v, newton ? prob : undefined);
    let dmin = Infinity;
    let dmax = -Infinity;
    residual = 0;
    const gain = gainFactor * c;
    for (let s = 0; s < S; s++) {
      const x = TV[s] - W[s] - gain;
      d[s] = x;
      if (x < dmin) dmin = x;
      if (x > dmax) dmax = x;
    }
    residual = Math.max(Math.abs(dmin), Math.abs(dmax));
    if (!Number.isFinite(residual)) {
      throw new ConvergenceError(
        `solveDdc did not converge: the value function became non-finite after ${iterations} iterations (residual ${residual})`,
        { residual, iterations, newtonSteps },
      );
    }
    if (residual <= tol) break;
    // Newton steps that no longer reduce a small residual have hit the rounding floor of V
    // (e.g. β near 1 with a large |V|): more steps cannot reach the tolerance.
    if (newtonSteps > 0) {
      if (residual < bestResidual) {
        bestResidual = residual;
        stalled = 0;
      } else if (bestResidual < solveDefaults.stallResidual && ++stalled >= solveDefaults.stallSteps) {
        throw new ConvergenceError(
          `solveDdc did not converge: residual ${residual.toExponential(3)} after ${iterations} iterations ` +
            `(${newtonSteps} Newton steps; tolerance ${tol}): the Newton steps stalled at ${bestResidual.toExponential(3)} (rounding floor)`,
          { residual, iterations, newtonSteps, tolerance: tol },
        );
      }
    }
    if (iterations >= maxIterations) {
      throw new ConvergenceError(
        `solveDdc did not converge: residual ${residual.toExponential(3)} after ${iterations} iterations ` +
          `(${newtonSteps} Newton steps; tolerance ${tol})`,
        { residual, iterations, newtonSteps, tolerance: tol },
      );
    }
    iterations++;
    if (!newton) {
      // successive approximation with McQueen–Porteus extrapolation
      const span = dmax - dmin;
      // V ← T(V) + shift = (βc + shift)·1 + T₀(W)
      const shift = beta === 0 ? 0 : (factor * (dmin + dmax)) / 2;
      c = beta * c + shift;
      W.set(TV);
      recentre();
      successive++;
      if (span <= solveDefaults.switchSpan || successive >= maxSuccessive || (successive > 2 && span > solveDefaults.switchRatio * prevSpan)) {
        newton = true;
      }
      prevSpan = span;
      continue;
    }
    // Newton–Kantorovich step: (I − β P_σ) Δ = T(V) − V
    newtonSteps++;
    const solver = operator();
    // the preconditioner of an early step serves the later ones (the policy barely moves)
    solver.setPolicy(prob, newtonSteps <= solveDefaults.refactorSteps || lastLinearIterations > 20);
    const delta = TV; // reuse: T(V) is not needed once d = T(V) − V is kept
    delta.fill(0);
    // Inexact Newton (GMRES only): the linear residual need only be ≈ max(residual², tol/2);
    // its 2-norm bounds the sup-norm, so the absolute target is safe.
    const relTol = Math.min(solveDefaults.forcing, Math.max(residual, 1e-14));
    lastLinearIterations = solver.solve(d, delta, relTol, tol / 2).iterations;
    for (let s = 0; s < S; s++) W[s] += delta[s];
    recentre();
  }
  // the returned V = c·1 + W (rounded); v and π from one Bellman pass at exactly that V, so
  // they agree bit for bit with policyFromValue(model, θ, value)
  const V = new Float64Array(S);
  for (let s = 0; s < S; s++) V[s] = c + W[s];
  bellmanOperator(model, u, V, TV, v, prob);

  const solution: Solution = {
    theta: th,
    value: V,
    choiceValue: v,
    probabilities: prob,
    iterations,
    newtonSteps,
    residual,
    seconds: 0,
  };
  if (options.derivatives) {
    const rhs = new Float64Array(S * K);
    const { features } = model;
    for (let s = 0; s < S; s++) {
      for (let a = 0; a < A; a++) {
        const p = prob[s * A + a];
        if (p === 0) continue;
        const base = (s * A + a) * K;
        for (let k = 0; k < K; k++) rhs[s * K + k] += p * features[base + k];
      }
    }
    const solver = operator();
    solver.setPolicy(prob, newtonSteps === 0);
    solution.valueDerivative = solveColumns(solver, rhs, S, K, 'solveDdc derivatives');
  }
  solution.seconds = (performance.now() - t0) / 1000;
  return solution;
}

/** The same V, v and π as a solution would give, from a value function V (one Bellman pass). */
export function policyFromValue(model: DdcModel, theta: ArrayLike<number>, value: Float64Array): { choiceValue: Float64Array; probabilities: Float64Array; residual: number } {
  const S = model.states.size;
  const A = model.actions.length;
  if (!(value instanceof Float64Array) || value.length !== S) throw invalidOption('value', `a Float64Array of S = ${S} values`, value);
  const u = flowUtility(model, checkTheta(model, theta));
  const TV = new Float64Array(S);
  const v = new Float64Array(S * A);
  const p = new Float64Array(S * A);
  bellmanOperator(model, u, value, TV, v, p);
  let residual = 0;
  for (let s = 0; s < S; s++) residual = Math.max(residual, Math.abs(TV[s] - value[s]));
  return { choiceValue: v, probabilities: p, residual };
}
