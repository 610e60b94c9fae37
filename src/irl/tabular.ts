/**
 * Exact PQR on a finite state space: the correctness reference for {@link deepPqr}.
 *
 * With logit shocks, a known discount β and an anchor action A whose reward r_A(s) is known,
 * the choice policy π and the transitions P_a identify the reward (Geng, Nassif, Manzanares,
 * Reppen & Sircar, ICML 2020, "Deep PQR", Theorem 1):
 *   V(s)   = Q(s,a) − log π(a|s)                       for any feasible a (Euler's constant dropped),
 *   Q_A    = (I − β P_A)⁻¹ (r_A − β P_A log π_A)       (the anchor's Bellman equation is linear),
 *   Q(s,a) = Q_A(s) + log π(a|s) − log π(A|s),
 *   r(s,a) = Q(s,a) − β Σ_s' P_a(s,s') V(s').
 *
 * States where the anchor is infeasible (e.g. a locked annual member, who can only stay) have a
 * single feasible action, so their choice reveals nothing and their reward is not identified
 * state by state. There the reward is taken to be linear in the model's features,
 * r(s,a) = φ(s,a)·θ + offset(s,a), so W(s) (Q of the anchor where feasible, else of the forced
 * action) is affine in θ: W = W₀ + W₁θ solves (I − β P_b) W = rhs with K + 1 right-hand sides,
 * b(s) the anchor or the forced action. Every identified reward is then affine in θ, and θ is
 * the least-squares solution of r₀ + r₁θ = φθ + offset over the non-anchor actions of states
 * with a choice. When the true reward lies in the span of φ this is exact.
 *
 * References: Geng et al. (ICML 2020); Hotz & Miller (REStud 1993) for the inversion
 * log π(a|s) − log π(A|s) = Q(s,a) − Q(s,A).
 */
import { InputError, invalidOption } from '../core/errors';
import { matrix, solve } from '../core/linalg';
import { checkKnownKeys, checkNumber } from '../core/validate';
import type { DdcModel } from '../membership/ddc/model';
import { solveResolvent } from '../membership/ddc/solve';

/** Options of {@link tabularPqr}. */
export interface TabularPqrOptions {
  /** Index of the anchor action (default 0). */
  anchorAction?: number;
  /** Known reward of the anchor per state, length S (default zeros). */
  anchorReward?: Float64Array;
}

/** What {@link tabularPqr} returns. */
export interface TabularPqrResult {
  /** Recovered reward r(s,a), length S·A; NaN where a is infeasible. */
  reward: Float64Array;
  /** Q(s,a), length S·A; NaN where infeasible. */
  q: Float64Array;
  /** V(s), length S. */
  value: Float64Array;
  /** W = W₀ + W₁θ, S × (K + 1): Q of the anchor (of the forced action where the anchor is infeasible), before θ is known. */
  anchorValue: Float64Array;
  /** θ of the linear projection r ≈ φθ + offset (least squares over identified non-anchor rewards; NaN if φ is collinear there). */
  theta: Float64Array;
  /** Largest |r − (φθ + offset)| over the identified rewards: 0 up to rounding when r is in the span of φ. */
  projectionResidual: number;
  /** Number of states where the anchor is infeasible (their reward comes from the projection). */
  forcedStates: number;
  /** Anchor action used. */
  anchorAction: number;
  seconds: number;
}

/** Index of the action taken in state s when the anchor is infeasible (the only feasible one). */
function pathAction(model: DdcModel, s: number, anchor: number): number {
  const A = model.actions.length;
  if (model.feasible[s * A + anchor]) return anchor;
  let found = -1;
  for (let a = 0; a < A; a++) {
    if (!model.feasible[s * A + a]) continue;
    if (found >= 0) {
      throw new InputError(
        `tabularPqr: the anchor action "${model.actions[anchor]}" is infeasible in state ${s}, which allows several actions; ` +
          'the reward is identified only where the anchor is feasible or the action is forced',
      );
    }
    found = a;
  }
  return found;
}

/**
 * Recovers the reward of a logit DDC model from its choice policy and transitions, exactly
 * (see the module comment). `policy` is π(a|s), length S·A, positive where feasible.
 * @param model states, actions, transitions, features φ (for the projection), β = model.discount
 * @param policy π(a|s), length S·A
 */
export function tabularPqr(model: DdcModel, policy: Float64Array, options: TabularPqrOptions = {}): TabularPqrResult {
  const t0 = performance.now();
  checkKnownKeys('tabularPqr options', options, ['anchorAction', 'anchorReward']);
  const S = model.states.size;
  const A = model.actions.length;
  const K = model.featureNames.length;
  const beta = model.discount;
  const anchor = checkNumber('anchorAction', options.anchorAction ?? 0, { min: 0, max: A - 1, integer: true });
  if (!(policy instanceof Float64Array) || policy.length !== S * A) {
    throw invalidOption('policy', `a Float64Array of S·A = ${S * A} probabilities`, policy);
  }
  const rA = options.anchorReward ?? new Float64Array(S);
  if (!(rA instanceof Float64Array) || rA.length !== S) throw invalidOption('anchorReward', `a Float64Array of S = ${S} rewards`, rA);
  const logPi = new Float64Array(S * A).fill(NaN);
  const b = new Int32Array(S);
  let forced = 0;
  for (let s = 0; s < S; s++) {
    let sum = 0;
    for (let a = 0; a < A; a++) {
      const p = policy[s * A + a];
      if (!model.feasible[s * A + a]) continue;
      if (!(p > 0) || !Number.isFinite(p)) {
        throw new InputError(`invalid option \`policy\`: π("${model.actions[a]}" | state ${s}) = ${p}; expected positive probabilities on feasible actions`);
      }
      sum += p;
      logPi[s * A + a] = Math.log(p);
    }
    if (Math.abs(sum - 1) > 1e-8) throw new InputError(`invalid option \`policy\`: row of state ${s} sums to ${sum}, expected 1`);
    if (!Number.isFinite(rA[s])) throw new InputError(`invalid option \`anchorReward\`: ${rA[s]} at state ${s}; expected finite numbers`);
    b[s] = pathAction(model, s, anchor);
    if (b[s] !== anchor) forced++;
  }
  // W = W0 + W1 θ on the path policy b: (I − β P_b) W = rhs, K + 1 columns.
  const C = K + 1;
  const sigma = new Float64Array(S * A);
  for (let s = 0; s < S; s++) sigma[s * A + b[s]] = 1;
  const lpb = new Float64Array(S); // log π(b(s)|s): 0 where forced
  for (let s = 0; s < S; s++) lpb[s] = b[s] === anchor ? logPi[s * A + anchor] : 0;
  const rhs = new Float64Array(S * C);
  for (let s = 0; s < S; s++) {
    const a = b[s];
    const P = model.transitions[a];
    let ev = 0;
    for (let j = P.rowPtr[s]; j < P.rowPtr[s + 1]; j++) ev += P.values[j] * lpb[P.colIdx[j]];
    if (a === anchor) rhs[s * C] = rA[s] - beta * ev;
    else {
      rhs[s * C] = model.offset[s * A + a] - beta * ev;
      for (let k = 0; k < K; k++) rhs[s * C + 1 + k] = model.features[(s * A + a) * K + k];
    }
  }
  const W = solveResolvent(model, sigma, rhs, C);
  // V = W − log π_b (column 0 only)
  const V = Float64Array.from(W);
  for (let s = 0; s < S; s++) V[s * C] -= lpb[s];
  // Affine rewards r0 + r1 θ on states with a choice.
  const r0 = new Float64Array(S * A).fill(NaN);
  const r1 = new Float64Array(S * A * K);
  const q0 = new Float64Array(S * A).fill(NaN);
  const ev = new Float64Array(C);
  for (let s = 0; s < S; s++) {
    if (b[s] !== anchor) continue;
    for (let a = 0; a < A; a++) {
      if (!model.feasible[s * A + a]) continue;
      const P = model.transitions[a];
      ev.fill(0);
      for (let j = P.rowPtr[s]; j < P.rowPtr[s + 1]; j++) {
        const p = P.values[j];
        const base = P.colIdx[j] * C;
        for (let c = 0; c < C; c++) ev[c] += p * V[base + c];
      }
      const q = W[s * C] + logPi[s * A + a] - logPi[s * A + anchor];
      q0[s * A + a] = q;
      r0[s * A + a] = q - beta * ev[0];
      for (let k = 0; k < K; k++) r1[(s * A + a) * K + k] = W[s * C + 1 + k] - beta * ev[1 + k];
    }
  }
  // θ: least squares of (φ − r1) θ = r0 − offset over non-anchor rewards of states with a choice.
  const XtX = new Float64Array(K * K);
  const Xty = new Float64Array(K);
  const x = new Float64Array(K);
  for (let s = 0; s < S; s++) {
    if (b[s] !== anchor) continue;
    for (let a = 0; a < A; a++) {
      if (a === anchor || !model.feasible[s * A + a]) continue;
      const i = s * A + a;
      for (let k = 0; k < K; k++) x[k] = model.features[i * K + k] - r1[i * K + k];
      const y = r0[i] - model.offset[i];
      for (let k = 0; k < K; k++) {
        Xty[k] += x[k] * y;
        for (let l = 0; l < K; l++) XtX[k * K + l] += x[k] * x[l];
      }
    }
  }
  let theta: Float64Array;
  try {
    theta = solve(matrix(K, K, XtX), Xty);
  } catch {
    theta = new Float64Array(K).fill(NaN);
  }
  // W₁ ≡ 0 without forced states: the rewards do not depend on θ (which may be unidentified).
  const th = forced === 0 ? new Float64Array(K) : theta;
  const reward = new Float64Array(S * A).fill(NaN);
  const qOut = new Float64Array(S * A).fill(NaN);
  const value = new Float64Array(S);
  let residual = 0;
  for (let s = 0; s < S; s++) {
    let vs = V[s * C];
    for (let k = 0; k < K; k++) vs += V[s * C + 1 + k] * th[k];
    value[s] = vs;
    for (let a = 0; a < A; a++) {
      const i = s * A + a;
      if (!model.feasible[i]) continue;
      let fit = model.offset[i];
      for (let k = 0; k < K; k++) fit += model.features[i * K + k] * theta[k];
      if (b[s] === anchor) {
        let r = r0[i];
        let q = q0[i];
        for (let k = 0; k < K; k++) (r += r1[i * K + k] * th[k]), (q += W[s * C + 1 + k] * th[k]);
        reward[i] = r;
        qOut[i] = q;
        if (a !== anchor && Number.isFinite(fit)) residual = Math.max(residual, Math.abs(r - fit));
      } else {
        reward[i] = fit;
        let q = W[s * C];
        for (let k = 0; k < K; k++) q += W[s * C + 1 + k] * th[k];
        qOut[i] = q;
      }
    }
  }
  return { reward, q: qOut, value, anchorValue: W, theta, projectionResidual: residual, forcedStates: forced, anchorAction: anchor, seconds: (performance.now() - t0) / 1000 };
}
