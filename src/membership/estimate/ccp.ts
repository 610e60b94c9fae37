/**
 * CCP (Hotz–Miller) two-step estimation and NPL iterations for logit dynamic discrete-choice
 * models with flow utility linear in θ.
 *
 * Step 1 (first stage): conditional choice probabilities P̂(a|s) from the panel — cell
 * frequencies n(s,a)/n(s) shrunk toward a pooled prior, P̂ = (n(s,a) + κ·π(a|s)) / (n(s) + κ)
 * (`smoothing` κ). The prior π is, with `firstStage: 'frequency'`, the pooled action
 * frequencies over all states with the same feasible set; with `'logit'`, a ridge-penalised
 * multinomial logit on one-hot main effects and pairwise interactions of the state components.
 * States never observed get P̂ = π, so every feasible action has P̂ > 0 and log P̂ is finite.
 *
 * Step 2 (policy valuation, the inversion): given P̂, the ex-ante value function solves
 *   V = Σ_a P̂(a|·)[u(·,a;θ) − log P̂(a|·)] + β F_P̂ V   (Euler's γ omitted: it cancels),
 * so V(θ) = (I − βF_P̂)⁻¹ Σ_a P̂(a|·)[z(·,a)θ + offset(·,a) − log P̂(a|·)] is linear in θ, and
 * the choice-specific values are v(s,a;θ) = z̃(s,a)·θ + ẽ(s,a) with
 *   z̃(s,a) = z(s,a) + β F_a(s,·) W_z,  ẽ(s,a) = offset(s,a) + β F_a(s,·) w_e,
 * [W_z | w_e] = (I − βF_P̂)⁻¹ [Σ_a P̂ z | Σ_a P̂ (offset − log P̂)] (one sparse solve with K+1
 * right-hand sides). The pseudo-likelihood Σ n(s,a) log softmax_a v(s,·;θ) is then a static
 * conditional logit in θ: globally concave, maximised by BFGS with the analytic gradient
 * Σ_s Σ_a n(s,a)(z̃(s,a) − Σ_a' p(a'|s) z̃(s,a')). The anchor action (zero flow utility in
 * every state, e.g. 'none') pins the utility level; without one only differences are identified.
 *
 * NPL (`nplIterations` k ≥ 1, Aguirregabiria & Mira 2002): replace P̂ by the model's policy at
 * the current θ, P ← softmax v(·;θ̂), re-solve the valuation and re-maximise, k times. At a fixed
 * point P = P(θ̂) the estimate is the NFXP (partial) MLE.
 *
 * Standard errors: the inverse of the pseudo-information Σ_s n(s) Σ_a p(a|s)(z̃ − z̄)(z̃ − z̄)ᵀ
 * at θ̂, holding P̂ fixed. This ignores the first stage's sampling noise. That is justified to
 * first order in single-agent models by the zero-Jacobian property of the policy-iteration
 * mapping at the fixed point (Aguirregabiria & Mira 2002, Prop. 4: two-step and NPL-k PML are
 * asymptotically equivalent to the partial MLE), but not in finite samples: with thin cells the
 * smoothing biases P̂ and the two-step estimate (Kasahara & Shimotsu 2008 show NPL iterations
 * reduce this), and the SEs do not reflect it. The first-stage transition estimates (Rust's
 * first stage) are taken as known, as in NFXP's partial likelihood.
 *
 * References: V. J. Hotz and R. A. Miller, "Conditional choice probabilities and the estimation
 * of dynamic models", REStud 60(3), 1993; V. Aguirregabiria and P. Mira, "Swapping the nested
 * fixed point algorithm", Econometrica 70(4), 2002; H. Kasahara and K. Shimotsu, "Pseudo-
 * likelihood estimation and bootstrap inference for structural discrete Markov decision
 * models", J. Econometrics 146(1), 2008.
 */
import { DataError, InputError, invalidOption, warn } from '../../core/errors';
import { inverseSpd, matrix } from '../../core/linalg';
import { minimize } from '../../core/optimize';
import { checkKnownKeys, checkNumber, checkOneOf } from '../../core/validate';
import type { DdcModel } from '../ddc/model';
import type { Panel } from '../ddc/panel';
import { solveResolvent } from '../ddc/solve';
import type { EstimationResult } from './result';

/** Options of {@link ccp}. */
export interface CcpOptions {
  /** Prior that cell frequencies are shrunk toward: 'frequency' (pooled) or 'logit' (smooth, default). */
  firstStage?: 'frequency' | 'logit';
  /**
   * Pseudo-counts κ toward the prior (default 100; > 0 keeps log P̂ finite in empty cells). Raw
   * frequencies (small κ) make the two-step estimate attenuated: on the default membership
   * scenario at 5,000 × 36, κ = 1 with the pooled prior biased the benefit values and the price
   * coefficient by about −2.5 to −3.4 SE, the logit prior with κ = 100 by about −1.1 to −1.4 SE
   * (the converged NPL/MLE by −0.7 to −1.1 SE: small-sample bias). NPL iterations remove the
   * first-stage part of the bias.
   */
  smoothing?: number;
  /** Ridge penalty of the 'logit' first stage (default 1). */
  ridge?: number;
  /** First-stage CCPs to use instead of estimating them, length S·A (> 0 where feasible). */
  probabilities?: Float64Array;
  /** 0 (default) = Hotz–Miller two-step; k ≥ 1 = k NPL policy iterations after it. */
  nplIterations?: number;
  /** Stop NPL early when max |Δθ| < this (default 1e-8). */
  nplTolerance?: number;
  /** Starting θ for the first maximisation (default zeros). */
  start?: ArrayLike<number>;
  /** BFGS iterations per maximisation (default 500). */
  maxIterations?: number;
}

/** Defaults of {@link ccp}. */
export const ccpDefaults = { firstStage: 'logit', smoothing: 100, ridge: 1, nplIterations: 0, nplTolerance: 1e-8, maxIterations: 500 } as const;

/** A CCP/NPL fit: the common result plus the CCPs used in the last valuation. */
export interface CcpResult extends EstimationResult {
  /** The first-stage CCPs P̂ (S·A). */
  firstStageProbabilities: Float64Array;
  /** The CCPs of the last valuation (P̂ for the two-step; P(θ_{k−1}) after k NPL iterations). */
  probabilities: Float64Array;
  /** Method of the first stage and its smoothing, in words. */
  firstStage: string;
  /** NPL iterations done. */
  nplIterations: number;
}

/** Checks a panel against a model: rows' states and actions in range and feasible. */
export function checkPanel(model: DdcModel, panel: Panel): void {
  const S = model.states.size;
  const A = model.actions.length;
  if (panel === null || typeof panel !== 'object' || !Number.isInteger(panel.length)) throw invalidOption('panel', 'a Panel', panel);
  if (panel.length === 0) throw new DataError('ccp: the panel has no rows');
  for (let i = 0; i < panel.length; i++) {
    const s = panel.state[i];
    const a = panel.action[i];
    if (!Number.isInteger(s) || s < 0 || s >= S) throw new InputError(`invalid panel: \`state\` in row ${i} is ${s}; expected an integer in [0, ${S - 1}]`);
    if (!Number.isInteger(a) || a < 0 || a >= A) throw new InputError(`invalid panel: \`action\` in row ${i} is ${a}; expected an integer in [0, ${A - 1}] (${model.actions.join(', ')})`);
    if (!model.feasible[s * A + a]) throw new InputError(`invalid panel: \`action\` in row ${i} is "${model.actions[a]}", which is infeasible in state ${s}`);
  }
}

/** Action counts n(s,a), length S·A. */
function counts(model: DdcModel, panel: Panel): Float64Array {
  const A = model.actions.length;
  const n = new Float64Array(model.states.size * A);
  for (let i = 0; i < panel.length; i++) n[panel.state[i] * A + panel.action[i]]++;
  return n;
}

/** The pooled prior: action frequencies over all observed states with the same feasible set. */
function pooledPrior(model: DdcModel, n: Float64Array): Float64Array {
  const S = model.states.size;
  const A = model.actions.length;
  const byPattern = new Map<number, Float64Array>();
  const key = (s: number) => {
    let k = 0;
    for (let a = 0; a < A; a++) k = k * 2 + model.feasible[s * A + a];
    return k;
  };
  for (let s = 0; s < S; s++) {
    const k = key(s);
    let acc = byPattern.get(k);
    if (!acc) byPattern.set(k, (acc = new Float64Array(A)));
    for (let a = 0; a < A; a++) acc[a] += n[s * A + a];
  }
  const prior = new Float64Array(S * A);
  for (let s = 0; s < S; s++) {
    const acc = byPattern.get(key(s))!;
    let tot = 0;
    for (let a = 0; a < A; a++) if (model.feasible[s * A + a]) tot += acc[a] + 0.5;
    for (let a = 0; a < A; a++) prior[s * A + a] = model.feasible[s * A + a] ? (acc[a] + 0.5) / tot : 0;
  }
  return prior;
}

/**
 * A ridge-penalised multinomial logit of the action on one-hot main effects and pairwise
 * interactions of the state components (reference action 0; level 0 of each component dropped),
 * fitted by L-BFGS on the counts. Returns P(a|s) for every state (0 where infeasible).
 */
export function logitFirstStage(model: DdcModel, n: Float64Array, ridge = 1): Float64Array {
  const S = model.states.size;
  const A = model.actions.length;
  const comps = model.states.components;
  const nc = comps.length;
  // design columns: intercept, main effects (component c, level l ≥ 1), pairs (c<d, l ≥ 1, m ≥ 1)
  const mainOffset: number[] = [];
  let D = 1;
  for (let c = 0; c < nc; c++) (mainOffset.push(D), (D += comps[c].size - 1));
  const pairOffset: number[][] = comps.map(() => []);
  for (let c = 0; c < nc; c++) {
    for (let d = c + 1; d < nc; d++) {
      pairOffset[c][d] = D;
      D += (comps[c].size - 1) * (comps[d].size - 1);
    }
  }
  const active = 1 + nc + (nc * (nc - 1)) / 2;
  const cols = new Int32Array(S * active).fill(-1);
  const vals = new Int32Array(nc);
  const nS = new Float64Array(S);
  const states: number[] = [];
  for (let s = 0; s < S; s++) {
    let feas = 0;
    for (let a = 0; a < A; a++) (nS[s] += n[s * A + a], (feas += model.feasible[s * A + a]));
    if (feas < 2) continue;
    states.push(s);
    model.states.decode(s, vals);
    let k = s * active;
    cols[k++] = 0;
    for (let c = 0; c < nc; c++) cols[k++] = vals[c] > 0 ? mainOffset[c] + vals[c] - 1 : -1;
    for (let c = 0; c < nc; c++) {
      for (let d = c + 1; d < nc; d++) {
        cols[k++] = vals[c] > 0 && vals[d] > 0 ? pairOffset[c][d] + (vals[c] - 1) * (comps[d].size - 1) + vals[d] - 1 : -1;
      }
    }
  }
  const P = A - 1; // coefficient blocks for actions 1..A−1
  const eta = new Float64Array(A);
  const p = new Float64Array(A);
  const fill = (beta: Float64Array, s: number): void => {
    let m = -Infinity;
    for (let a = 0; a < A; a++) {
      if (!model.feasible[s * A + a]) {
        eta[a] = -Infinity;
        continue;
      }
      let v = 0;
      if (a > 0) {
        const base = (a - 1) * D;
        for (let k = s * active, e = k + active; k < e; k++) if (cols[k] >= 0) v += beta[base + cols[k]];
      }
      eta[a] = v;
      if (v > m) m = v;
    }
    let z = 0;
    for (let a = 0; a < A; a++) (p[a] = eta[a] === -Infinity ? 0 : Math.exp(eta[a] - m), (z += p[a]));
    for (let a = 0; a < A; a++) p[a] /= z;
  };
  let total = 0;
  for (const s of states) total += nS[s];
  const scale = 1 / Math.max(1, total);
  const f = (beta: Float64Array): number => {
    let ll = 0;
    for (const s of states) {
      if (nS[s] === 0) continue;
      fill(beta, s);
      for (let a = 0; a < A; a++) if (n[s * A + a] > 0) ll += n[s * A + a] * Math.log(p[a]);
    }
    let pen = 0;
    for (let j = 0; j < beta.length; j++) pen += beta[j] * beta[j];
    return (-ll + 0.5 * ridge * pen) * scale;
  };
  const g = (beta: Float64Array, out: Float64Array): void => {
    for (let j = 0; j < beta.length; j++) out[j] = ridge * beta[j];
    for (const s of states) {
      if (nS[s] === 0) continue;
      fill(beta, s);
      for (let a = 1; a < A; a++) {
        const r = nS[s] * p[a] - n[s * A + a];
        if (r === 0) continue;
        const base = (a - 1) * D;
        for (let k = s * active, e = k + active; k < e; k++) if (cols[k] >= 0) out[base + cols[k]] += r;
      }
    }
    for (let j = 0; j < out.length; j++) out[j] *= scale;
  };
  const fit = minimize(f, new Float64Array(P * D), { gradient: g, method: 'lbfgs', maxIterations: 2000, gradientTolerance: 1e-9 });
  if (!fit.converged) warn(`ccp: logit first stage stopped early (${fit.message})`);
  const out = new Float64Array(S * A);
  for (let s = 0; s < S; s++) {
    let feas = 0;
    for (let a = 0; a < A; a++) feas += model.feasible[s * A + a];
    if (feas < 2) {
      for (let a = 0; a < A; a++) out[s * A + a] = model.feasible[s * A + a];
      continue;
    }
    fill(fit.x, s);
    for (let a = 0; a < A; a++) out[s * A + a] = p[a];
  }
  return out;
}

/** First-stage CCPs: frequencies shrunk toward the prior with κ pseudo-counts. */
export function firstStageProbabilities(
  model: DdcModel,
  panel: Panel,
  options: { firstStage?: 'frequency' | 'logit'; smoothing?: number; ridge?: number } = {},
): Float64Array {
  const method = checkOneOf('firstStage', options.firstStage ?? ccpDefaults.firstStage, ['frequency', 'logit'] as const);
  const kappa = checkNumber('smoothing', options.smoothing ?? ccpDefaults.smoothing, { min: 0 });
  const ridge = checkNumber('ridge', options.ridge ?? ccpDefaults.ridge, { min: 0, minExclusive: true });
  const S = model.states.size;
  const A = model.actions.length;
  const n = counts(model, panel);
  const prior = method === 'logit' ? logitFirstStage(model, n, ridge) : pooledPrior(model, n);
  const P = new Float64Array(S * A);
  let unseen = 0;
  for (let s = 0; s < S; s++) {
    let tot = 0;
    let feas = 0;
    for (let a = 0; a < A; a++) (tot += n[s * A + a], (feas += model.feasible[s * A + a]));
    if (feas < 2) {
      for (let a = 0; a < A; a++) P[s * A + a] = model.feasible[s * A + a];
      continue;
    }
    if (tot === 0) unseen++;
    const den = tot + kappa;
    for (let a = 0; a < A; a++) {
      if (!model.feasible[s * A + a]) continue;
      P[s * A + a] = den > 0 ? (n[s * A + a] + kappa * prior[s * A + a]) / den : prior[s * A + a];
    }
  }
  if (unseen > 0) warn(`ccp: ${unseen} states with a choice were never observed; their CCPs come from the ${method} prior`);
  return P;
}

/** The valuation given CCPs: z̃ (S·A·K) and ẽ (S·A) with v(s,a;θ) = z̃(s,a)·θ + ẽ(s,a). */
export function ccpValuation(model: DdcModel, P: Float64Array): { zt: Float64Array; et: Float64Array } {
  const S = model.states.size;
  const A = model.actions.length;
  const K = model.featureNames.length;
  const K1 = K + 1;
  const rhs = new Float64Array(S * K1);
  const { features, offset, feasible } = model;
  for (let s = 0; s < S; s++) {
    for (let a = 0; a < A; a++) {
      const i = s * A + a;
      const p = P[i];
      if (!feasible[i] || p <= 0) continue;
      const base = i * K;
      for (let k = 0; k < K; k++) rhs[s * K1 + k] += p * features[base + k];
      rhs[s * K1 + K] += p * (offset[i] - Math.log(p));
    }
  }
  const W = solveResolvent(model, P, rhs, K1);
  const beta = model.discount;
  const zt = new Float64Array(S * A * K);
  const et = new Float64Array(S * A);
  const acc = new Float64Array(K1);
  for (let a = 0; a < A; a++) {
    const { rowPtr, colIdx, values } = model.transitions[a];
    for (let s = 0; s < S; s++) {
      const i = s * A + a;
      if (!feasible[i]) continue;
      acc.fill(0);
      for (let j = rowPtr[s]; j < rowPtr[s + 1]; j++) {
        const w = values[j];
        const row = colIdx[j] * K1;
        for (let k = 0; k < K1; k++) acc[k] += w * W[row + k];
      }
      for (let k = 0; k < K; k++) zt[i * K + k] = features[i * K + k] + beta * acc[k];
      et[i] = offset[i] + beta * acc[K];
    }
  }
  return { zt, et };
}

/** Maximises Σ n(s,a) log softmax(z̃θ + ẽ); returns θ, log-likelihood, information, iterations. */
function pseudoLogit(
  model: DdcModel,
  n: Float64Array,
  zt: Float64Array,
  et: Float64Array,
  start: Float64Array,
  maxIterations: number,
): { theta: Float64Array; logLikelihood: number; information: Float64Array; iterations: number; converged: boolean; message: string } {
  const S = model.states.size;
  const A = model.actions.length;
  const K = model.featureNames.length;
  const { feasible } = model;
  const states: number[] = [];
  const nS = new Float64Array(S);
  for (let s = 0; s < S; s++) {
    let feas = 0;
    for (let a = 0; a < A; a++) (nS[s] += n[s * A + a], (feas += feasible[s * A + a]));
    if (feas >= 2 && nS[s] > 0) states.push(s);
  }
  let N = 0;
  for (const s of states) N += nS[s];
  const v = new Float64Array(A);
  const p = new Float64Array(A);
  const probs = (theta: Float64Array, s: number): number => stateLogit(model, zt, et, theta, s, v, p, 0);
  const f = (theta: Float64Array): number => {
    let ll = 0;
    for (const s of states) {
      const lse = probs(theta, s);
      for (let a = 0; a < A; a++) if (n[s * A + a] > 0) ll += n[s * A + a] * (v[a] - lse);
    }
    return -ll / N;
  };
  const zbar = new Float64Array(K);
  const g = (theta: Float64Array, out: Float64Array): void => {
    out.fill(0);
    for (const s of states) {
      probs(theta, s);
      zbar.fill(0);
      for (let a = 0; a < A; a++) if (p[a] > 0) for (let k = 0; k < K; k++) zbar[k] += p[a] * zt[(s * A + a) * K + k];
      for (let a = 0; a < A; a++) {
        const c = n[s * A + a];
        if (c > 0) for (let k = 0; k < K; k++) out[k] -= c * zt[(s * A + a) * K + k];
      }
      for (let k = 0; k < K; k++) out[k] += nS[s] * zbar[k];
    }
    for (let k = 0; k < K; k++) out[k] /= N;
  };
  const fit = minimize(f, start, { gradient: g, maxIterations, gradientTolerance: 1e-9 });
  const theta = fit.x;
  // information Σ_s n(s) Σ_a p (z̃ − z̄)(z̃ − z̄)ᵀ
  const info = new Float64Array(K * K);
  const dz = new Float64Array(K);
  for (const s of states) {
    probs(theta, s);
    zbar.fill(0);
    for (let a = 0; a < A; a++) if (p[a] > 0) for (let k = 0; k < K; k++) zbar[k] += p[a] * zt[(s * A + a) * K + k];
    for (let a = 0; a < A; a++) {
      if (p[a] === 0) continue;
      for (let k = 0; k < K; k++) dz[k] = zt[(s * A + a) * K + k] - zbar[k];
      const w = nS[s] * p[a];
      for (let k = 0; k < K; k++) for (let l = 0; l <= k; l++) info[k * K + l] += w * dz[k] * dz[l];
    }
  }
  for (let k = 0; k < K; k++) for (let l = 0; l < k; l++) info[l * K + k] = info[k * K + l];
  return { theta, logLikelihood: -fit.value * N, information: info, iterations: fit.iterations, converged: fit.converged, message: fit.message };
}

/** The pseudo-score Σ_s Σ_a n(s,a)(z̃(s,a) − Σ_a' p(a'|s) z̃(s,a')) at θ, p = softmax(z̃θ + ẽ); length K. */
export function pseudoScore(model: DdcModel, n: Float64Array, zt: Float64Array, et: Float64Array, theta: ArrayLike<number>): Float64Array {
  const S = model.states.size;
  const A = model.actions.length;
  const K = model.featureNames.length;
  const P = policyFromValuation(model, zt, et, Float64Array.from(theta));
  const out = new Float64Array(K);
  for (let s = 0; s < S; s++) {
    let ns = 0;
    for (let a = 0; a < A; a++) ns += n[s * A + a];
    if (ns === 0) continue;
    for (let a = 0; a < A; a++) {
      const i = s * A + a;
      if (!model.feasible[i]) continue;
      const w = n[i] - ns * P[i];
      if (w !== 0) for (let k = 0; k < K; k++) out[k] += w * zt[i * K + k];
    }
  }
  return out;
}

/** The model's logit policy given the valuation at θ: P(a|s) = softmax_a(z̃θ + ẽ). */
function policyFromValuation(model: DdcModel, zt: Float64Array, et: Float64Array, theta: Float64Array): Float64Array {
  const S = model.states.size;
  const A = model.actions.length;
  const out = new Float64Array(S * A);
  const v = new Float64Array(A);
  for (let s = 0; s < S; s++) {
    stateLogit(model, zt, et, theta, s, v, out, s * A);
    for (let a = 0; a < A; a++) out[s * A + a] = Math.max(out[s * A + a], model.feasible[s * A + a] ? 1e-300 : 0);
  }
  return out;
}

/**
 * Choice-specific values v(a) = z̃(s,a)·θ + ẽ(s,a) of state s (−Infinity where infeasible) and
 * their softmax, written to p[offset …]; returns log Σ_a exp v(a).
 */
function stateLogit(
  model: DdcModel,
  zt: Float64Array,
  et: Float64Array,
  theta: Float64Array,
  s: number,
  v: Float64Array,
  p: Float64Array,
  offset: number,
): number {
  const A = model.actions.length;
  const K = model.featureNames.length;
  let m = -Infinity;
  for (let a = 0; a < A; a++) {
    const i = s * A + a;
    if (!model.feasible[i]) {
      v[a] = -Infinity;
      continue;
    }
    let x = et[i];
    for (let k = 0; k < K; k++) x += zt[i * K + k] * theta[k];
    v[a] = x;
    if (x > m) m = x;
  }
  let z = 0;
  for (let a = 0; a < A; a++) (p[offset + a] = v[a] === -Infinity ? 0 : Math.exp(v[a] - m), (z += p[offset + a]));
  for (let a = 0; a < A; a++) p[offset + a] /= z;
  return m + Math.log(z);
}

/**
 * Hotz–Miller CCP two-step estimator (method "CCP") or NPL-k (method "NPL-k") of θ in a logit
 * DDC model with flow utility φ(s,a)·θ + offset, from a panel; see the module comment for the
 * formulas and what the standard errors are.
 * @param model the model with (first-stage) transitions and β, e.g. `firstStage(config, panel).model`
 * @param panel observed choices (rows in forced states, one feasible action, contribute nothing)
 */
export function ccp(model: DdcModel, panel: Panel, options: CcpOptions = {}): CcpResult {
  checkKnownKeys('ccp options', options, ['firstStage', 'smoothing', 'ridge', 'probabilities', 'nplIterations', 'nplTolerance', 'start', 'maxIterations']);
  const t0 = Date.now();
  const S = model.states.size;
  const A = model.actions.length;
  const K = model.featureNames.length;
  checkPanel(model, panel);
  const npl = checkNumber('nplIterations', options.nplIterations ?? ccpDefaults.nplIterations, { min: 0, integer: true });
  const nplTol = checkNumber('nplTolerance', options.nplTolerance ?? ccpDefaults.nplTolerance, { min: 0 });
  const maxIterations = checkNumber('maxIterations', options.maxIterations ?? ccpDefaults.maxIterations, { min: 1, integer: true });
  let P0: Float64Array;
  let firstStageLabel: string;
  if (options.probabilities !== undefined) {
    const p = options.probabilities;
    if (!(p instanceof Float64Array) || p.length !== S * A) throw invalidOption('probabilities', `a Float64Array of S·A = ${S * A} CCPs`, p);
    for (let i = 0; i < p.length; i++) {
      if (model.feasible[i] && !(p[i] > 0 && p[i] <= 1)) {
        throw new InputError(`invalid option \`probabilities\`: ${p[i]} for state ${Math.floor(i / A)}, action "${model.actions[i % A]}"; expected a probability in (0, 1] where feasible`);
      }
    }
    P0 = p;
    firstStageLabel = 'supplied';
  } else {
    P0 = firstStageProbabilities(model, panel, options);
    firstStageLabel = `${options.firstStage ?? ccpDefaults.firstStage} (κ = ${options.smoothing ?? ccpDefaults.smoothing})`;
  }
  let theta = new Float64Array(K);
  if (options.start !== undefined) {
    if (options.start.length !== K) throw invalidOption('start', `${K} values (${model.featureNames.join(', ')})`, options.start);
    theta = Float64Array.from(options.start);
  }
  const n = counts(model, panel);
  let P = P0;
  let fit: ReturnType<typeof pseudoLogit> | undefined;
  let iterations = 0;
  let done = 0;
  let last: { zt: Float64Array; et: Float64Array } | undefined;
  for (let k = 0; k <= npl; k++) {
    if (k > 0 && last && fit) P = policyFromValuation(model, last.zt, last.et, fit.theta);
    last = ccpValuation(model, P);
    const prev = fit?.theta;
    fit = pseudoLogit(model, n, last.zt, last.et, fit ? fit.theta : theta, maxIterations);
    iterations += fit.iterations;
    done = k;
    if (prev && k > 0) {
      let d = 0;
      for (let j = 0; j < K; j++) d = Math.max(d, Math.abs(fit.theta[j] - prev[j]));
      if (d < nplTol) break;
    }
  }
  const f = fit!;
  let covariance: Float64Array;
  try {
    covariance = inverseSpd(matrix(K, K, f.information)).data;
  } catch (e) {
    if (!(e instanceof DataError)) throw e;
    warn(`ccp: the pseudo-information is singular (${e.message}); standard errors are NaN`);
    covariance = new Float64Array(K * K).fill(NaN);
  }
  const standardErrors = new Float64Array(K);
  for (let k = 0; k < K; k++) standardErrors[k] = Math.sqrt(covariance[k * K + k]);
  return {
    method: npl === 0 ? 'CCP' : `NPL-${done}`,
    model: model.name,
    parameterNames: [...model.featureNames],
    estimates: f.theta,
    standardErrors,
    covariance,
    logLikelihood: f.logLikelihood,
    observations: panel.length,
    iterations,
    seconds: (Date.now() - t0) / 1000,
    converged: f.converged,
    message: f.message,
    firstStageProbabilities: P0,
    probabilities: P,
    firstStage: firstStageLabel,
    nplIterations: done,
  };
}
