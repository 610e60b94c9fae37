/**
 * Deep PQR: inverse reinforcement learning with an anchor action, on TensorFlow.js.
 *
 * Model (Geng, Nassif, Manzanares, Reppen & Sircar, ICML 2020): each period a customer in state
 * s picks a = argmax Q(s,a) + ε_a with i.i.d. Gumbel ε, so π(a|s) = softmax_a Q(s,a); β is known;
 * one action A (the anchor, here `none`) has a known reward r_A (default 0). Three stages on the
 * rows of the data — continuous state features x(s), never an enumerated state index:
 *
 * - **P** — a tanh MLP classifier x ↦ log π(·|x) (feasibility-masked softmax, full-batch Adam).
 * - **Q** — the anchor value W(s) = Q(s, b(s)), b(s) the anchor or the only feasible action where
 *   the anchor is not allowed (a locked annual member): W(s) = r_b(s) + β·E[W(s') − log π(b(s')|s')].
 *   Where b is forced its reward is unknown, so it is written φ(s,b)·θ + offset and W = W₀ + W₁θ
 *   carries K + 1 columns (W₁ ≡ 0 when the anchor is always feasible). Two ways to get E[·]:
 *   - `qStage: 'model'` (default): a transition model estimated from every observed move
 *     ({@link fitTransitionModel}: each state variable's next value given its own value, the
 *     action and the static variables, by frequency) gives the successors of each observed state,
 *     and W solves the linear anchor equation exactly on the observed states (Gauss–Seidel). Next
 *     states nobody visited are added, closing the state set under the model (./unvisited: their
 *     features from the variables' levels, the forced action's reward features from an exact
 *     affine map of the visited states, log π̂ from the P network; `closeStates`). The
 *     R-stage targets then use the expected continuation Σ p(s'|s,a)·V(s') instead of one draw.
 *   - `qStage: 'fitted'` (the paper's): an MLP x ↦ W(x) fitted by rounds of LSTD on its last
 *     hidden layer (Bradtke & Barto 1996) and Adam steps towards frozen targets rhs + β·W(s') on
 *     each row's one observed next state.
 * - **R** — per row with a choice, the reward target
 *   y = Q(s,a) − β·E[W(s') − log π(b(s')|s') | s,a],  Q(s,a) = W(s) + log π(a|s) − log π(A|s),
 *   whose conditional mean given (s,a) is the reward r(s,a) (Theorem 1 of the paper). An MLP
 *   (x, a) ↦ r̂ regresses y; this is the nonparametric reward (for plots and `predictReward`).
 *
 * **Linear projection onto named features.** θ̂ solves Σ_i ω_i z_i (y_i − φ_i·θ − offset_i) = 0 over
 * rows with a ≠ A, z_i = φ(s_i,a_i): the weighted least-squares projection of E[y|s,a] onto φ,
 * which equals the projection of the R-stage regression function (φ is a function of (s,a), so
 * the noise in y averages out), but without the network's approximation error. The weights
 * (`projectionWeights`) are ω = 1 ('rows', the paper's regression) or, by default ('balanced'),
 * ω = π̂(a|s)·π̂(A|s)/(π̂(a|s) + π̂(A|s)): rewards read off lopsided choices (a join, which 3% of
 * non-members make in a month; staying, where the anchor — a cancel — is the rare one) rest on
 * the log of a small probability and on long sums of log π̂(A) along the anchor's path, and
 * count less. Any weights that are functions of (s, a) leave the estimator consistent (at the
 * truth the reward is exactly φ·θ + offset on every row). With forced states
 * y is affine in θ (y = y₀ + y₁θ); with the fitted Q stage y₁ contains W₁ at the random next
 * state, so the same equations are an instrumental-variables estimator (instrument φ,
 * consistent where least squares on y₁ would be attenuated by the next-state noise).
 *
 * **Bootstrap.** Customers are resampled with replacement (`bootstrap` replicates, default 20 —
 * raise it for final numbers). With `bootstrapRefit: 'all'` (default) every stage is refitted on
 * each resample (same seed, so the same initial weights; given `logPolicy`/`anchorValue` rows are
 * resampled with their customers): honest SEs at `bootstrap` times the cost of a fit. With
 * `'projection'` only θ is refitted, at the P and Q stages' fitted values: fast, but those SEs are
 * lower bounds (with the model Q stage the targets are smooth functions of (s, a) and they are
 * far too small).
 *
 * **Accuracy (bench/irl-study.ts; membership-default, β = 0.98, 5,000 customers × 36 months, the
 * scenario's seed 20240301; truth from the world).**
 * - With the true policy the model Q stage fixes what the paper's fitted Q stage could not: θ
 *   within −14%…+2%, month-24 plan shares after annual +$10 within 0.5 pp; the fitted Q stage
 *   gave −54%…+162% (anchor-value RMSE 11.6 vs 1.2 utils).
 * - Defaults in full ([32], P stage 1,500 steps, balanced projection, state set closed under the
 *   transition model): every θ within 2 all-stage bootstrap SEs (40 replicates; z from −1.6 to
 *   1.8; annualTaste 0.027 ± 0.046), plan shares off by −0.1 / 2.05 / −1.96 pp against a
 *   bootstrap SD of those shares of 1.1 / 1.4 / 1.6 pp (before the closure: −0.1 / 2.5 / −2.4).
 *   This panel holds more monthly choices than its expectation under the truth (joins +3.9%,
 *   about 2 Poisson SDs; renewals to monthly +2.5%), and PQR reads the data's choice frequencies
 *   as preferences; NFXP and CCP, which fit seven parameters to the choices, are within 0.4 pp.
 *   On 20,000 customers of the same scenario seed: within 0.26 pp (seed 0) and 0.60 pp (seed 1).
 * - Over 21 independent panels of the same size (`bench/irl-panels.ts --seeds 1,…,20,20240301`)
 *   the share errors have mean −0.03 / +0.17 / −0.14 pp, SD 1.0 / 1.25 / 1.5 and RMS 1.0 / 1.2 /
 *   1.5 pp: no bias left, the sampling noise of a nonparametric policy; 15 of 21 panels are within
 *   2 pp on every share (largest 2.85); mean θ errors within ±3% except annualTaste −7%. NFXP's
 *   parametric fit: SD 0.2–0.5 pp, 21 of 21; Deep PQR with the true policy: SD 0.7–1.0, 20 of 21.
 *   Before the closure 13 of these panels had mean −0.3 / +1.0 / −0.7 pp (the dropped unvisited
 *   successors; with the true policy +0.7 pp monthly). The balanced weighting was chosen on seeds
 *   1–6 and 13–20 (within 2 pp: 12 of 14 balanced, 8 of 14 rows); rechecked there after the
 *   closure: balanced 11 of 14 (RMS 1.2 / 0.8 / 1.3), rows 10 (RMS 1.3 / 1.5 / 1.6), 1,000 P
 *   steps 10, 2,000 steps 11, hidden [16] 11 — the defaults stand.
 * - The 217,728-state scenario (membership-continuous, 12 levels; 2,000 customers × 36 months,
 *   seeds 1–6; month-12 shares after monthly +$3): share errors 1.34 / 0.24 / 0.48 / 0.14 / 0.94 /
 *   0.81 pp, largest absolute θ error 0.13–0.72 (shipping or music); the model Q stage
 *   closes the state set with ~183,000 unvisited states, 140 s per fit on 2 cores (80 s and
 *   1.7–4.0 pp with their mass dropped); the scenario's own panel (4,000 customers, seed
 *   20240304): 0.94 pp, every θ within 0.05 (2.59 pp before). NFXP there: a nonlinear fixed point with derivatives
 *   at each of ~100 likelihood evaluations (projected 14 minutes; `nfxpCost`).
 * - Why the P stage dominates: PQR reads rewards off log π̂ differences, and the anchor equation
 *   sums log π̂(anchor) over ~1/(1 − β) = 50 months, so policy errors are amplified. Exact tabular
 *   PQR with the standard first-stage CCPs (cell frequencies shrunk to a logit prior) gives
 *   annualTaste +299% and share errors of 8 pp, still +149% at 80,000 customers; the P network
 *   pools across states and does much better, but its sampling noise is what is left. Where it
 *   matters: swapping in the true policy on the non-member rows alone (the anchor path) takes
 *   annualTaste from −102% to −23%; on all member rows it changes nothing. log π̂(none | s) on
 *   the anchor path is the quantity to estimate well (the network's RMSE there: 0.038).
 * - Tried and dropped (measured in the same study): a likelihood projection of θ (choices given
 *   the continuation values) — worse with the P network (shares off by 20 pp); iterating the
 *   policy (π ← the choice probabilities at θ̂, Aguirregabiria–Mira style) — diverges, because the
 *   anchor's value of a policy has no envelope property: errors in log π̂ enter at first order.
 *   On the panel series (seeds 1–6, 13–20): averaging the policies of 4 P networks (seeds 0–3;
 *   no gain: the error is sampling, not initialisation), a first-order frequency correction of
 *   log π̂ (log π̂ + (p̃ − π̂)/π̂ per state: less bias, more variance; with balanced weights, whose
 *   π̂ it then distorts, errors up to 20 pp), 800 or 3,000 P steps (within 2 pp on 7 and 10 of 14
 *   panels vs 12 of 14 at 1,500).
 *
 * Same seed and backend → same estimates: weights come from `rng(seed).fork(stage)`, training is
 * full batch (no batch order), bootstrap replicate b uses `rng(seed).fork(100 + b)`.
 *
 * References: Geng et al., "Deep PQR: Solving Inverse Reinforcement Learning using Anchor
 * Actions", ICML 2020 (public code: SAmQ, `irl/pqr.py`); Bradtke & Barto (MLJ 1996) for LSTD;
 * Ng, Harada & Russell (ICML 1999) for why a wrong anchor reward shifts rewards by a shaping term;
 * Rust (1987) for the frequency first stage of the transitions; Aguirregabiria & Mira (2002) for
 * policy iteration on two-step estimators.
 */
import type * as TF from '@tensorflow/tfjs';
import { InputError, invalidOption, warn } from '../core/errors';
import { matrix, solve } from '../core/linalg';
import { randomInt } from '../core/random';
import { rng } from '../core/rng';
import { quantile } from '../core/stats';
import { tensorBackend, type TensorBackendName } from '../core/tensor';
import { checkKnownKeys, checkNumber, checkOneOf, checkOpenUnit } from '../core/validate';
import type { EstimationResult } from '../membership/estimate/result';
import { checkIrlData, featureRowKey, resampleCustomerRows, type IrlData } from './data';
import { fitScaler, mlp, scale, trainFullBatch, type Mlp, type Scaler } from './net';
import { fitTransitionModel, stateVariables, type Successors } from './transitions';
import { unvisitedStates } from './unvisited';

/** Progress of {@link deepPqr}: the stage and how far it is (0–1). */
export interface IrlProgress {
  stage: 'policy' | 'q' | 'reward' | 'bootstrap';
  fraction: number;
  message: string;
}

/** Options of {@link deepPqr}. */
export interface DeepPqrOptions {
  /** The anchor action (index or name), whose reward is known. Required. */
  anchorAction: number | string;
  /** Discount factor β in [0, 1), known. Required. */
  discount: number;
  /** The anchor's assumed reward in every state (default 0). */
  anchorReward?: number;
  /** Hidden layer sizes of the P, Q and R networks (default [32]). */
  hidden?: number[];
  /** Adam steps of the P-stage classifier (default 1,500). */
  policySteps?: number;
  /** Rounds of the Q-stage fitted iteration (default 6). */
  qRounds?: number;
  /** Adam steps per Q round (default 60). */
  qSteps?: number;
  /** Adam steps of the R-stage regression (default 300). */
  rewardSteps?: number;
  /** Adam learning rate (default 0.01). */
  learningRate?: number;
  /** Customer bootstrap replicates (default 20; 0 = none). */
  bootstrap?: number;
  /**
   * What each bootstrap replicate refits (default 'all'): 'all' — every stage on the resampled
   * customers (honest SEs; costs `bootstrap` full fits); 'projection' — only θ, at the P and Q
   * stages' fitted values (fast, but the SEs are lower bounds, far too small with qStage 'model').
   */
  bootstrapRefit?: 'projection' | 'all';
  /** Interval level (default 0.95). */
  level?: number;
  /** Seed of weights and bootstrap (default 0). */
  seed?: number;
  /** Force a tfjs backend (default: `tensorBackend()`'s pick). */
  backend?: TensorBackendName;
  /** The anchor must be taken in at least this share of rows with a choice (default 0.01)… */
  minAnchorShare?: number;
  /** …and at least this many times (default 20). */
  minAnchorCount?: number;
  /**
   * Known log π(a|x) per row, rows × A (skips the P stage; for checks against tabular PQR and
   * for sensitivity studies that hold the policy fixed).
   */
  logPolicy?: Float64Array;
  /**
   * Known anchor value per row, rows × (K + 1): W₀ then W₁ (W = W₀ + W₁θ; W₁ = 0 where the
   * anchor is feasible), skipping the Q stage. For the noise-floor check (true W and true π leave
   * only the R stage's next-state noise) and sensitivity studies; `predictAnchorValue` is then
   * unavailable.
   */
  anchorValue?: Float64Array;
  /**
   * How the Q stage computes expectations over next states (default 'model'):
   * - 'model': a learned transition model ({@link fitTransitionModel}: each state variable's
   *   next value given its own value, the action and the static variables, by frequency over
   *   every transition) and an exact evaluation of the anchor on the observed states — pools
   *   rare moves across states; needs discrete state features;
   * - 'fitted': the paper's fitted iteration on the observed next rows (one sample each).
   */
  qStage?: 'model' | 'fitted';
  /**
   * Weights of the linear projection's rows (default 'balanced'):
   * - 'balanced': a row with action a ≠ A counts π̂(a|s)·π̂(A|s) / (π̂(a|s) + π̂(A|s)), so rewards
   *   read off lopsided choices — a rare action (a join) or a rare anchor (a member's cancel) —
   *   count less: their log-odds and continuation values are the noisiest. Consistent like 'rows'
   *   (the weights are functions of s and a, and the reward is exact on φ at the truth);
   * - 'rows': every such row counts once (least squares on the R-stage targets, as in the paper).
   */
  projectionWeights?: 'balanced' | 'rows';
  /**
   * qStage 'model': at most this many unvisited states are added to close the state set under the
   * transition model (default 250,000; see ./unvisited; each costs about 0.4 ms on 2 cores). Where
   * the closure would need more, or this is 0, the model's mass on unvisited states is dropped
   * and the rest renormalised (a partial closure — the first 20,000 states reached — was erratic on
   * the large scenario: 5.5 and 1.4 pp share errors on two panels, 1.3 and 0.2 closed).
   */
  closeStates?: number;
  /** Progress callback (notebooks turn it into a progress bar). */
  onProgress?: (p: IrlProgress) => void;
}

/** Defaults of {@link deepPqr}. */
export const deepPqrDefaults = {
  anchorReward: 0,
  hidden: [32] as readonly number[],
  policySteps: 1500,
  qRounds: 6,
  qSteps: 60,
  rewardSteps: 300,
  learningRate: 0.01,
  bootstrap: 20,
  bootstrapRefit: 'all' as 'projection' | 'all',
  level: 0.95,
  seed: 0,
  minAnchorShare: 0.01,
  minAnchorCount: 20,
  qStage: 'model' as 'model' | 'fitted',
  projectionWeights: 'balanced' as 'balanced' | 'rows',
  closeStates: 250_000,
  /** Ridge added to the LSTD system, relative to its mean diagonal. */
  ridge: 1e-6,
} as const;

/** What the model Q stage did with next states nobody in the data visited. */
export interface UnvisitedStateInfo {
  added: number;
  closed: boolean;
  note: string;
}

/** What {@link deepPqr} returns. Call `dispose()` when done to free the networks. */
export interface DeepPqrResult {
  method: 'Deep PQR';
  backend: string;
  anchorAction: number;
  actions: string[];
  parameterNames: string[];
  /** Projected reward parameters θ̂ (reward ≈ φ·θ̂ + offset). */
  estimates: Float64Array;
  /** Bootstrap SEs (projection refitted on resampled customers; see the module comment). */
  standardErrors: Float64Array;
  /** Bootstrap covariance, K×K row-major. */
  covariance: Float64Array;
  /** The Q stage used, what the bootstrap refitted and how the projection weighted its rows. */
  qStage: 'model' | 'fitted';
  bootstrapRefit: 'projection' | 'all';
  projectionWeights: 'balanced' | 'rows';
  /** The bootstrap replicates of θ̂, replicates × K row-major (for intervals of derived quantities). */
  replicates: Float64Array;
  /** Percentile bootstrap interval at `level`. */
  lower: Float64Array;
  upper: Float64Array;
  level: number;
  bootstrap: number;
  /** The same fit as an {@link EstimationResult}, for the membership counterfactual API and tables. */
  estimation: EstimationResult;
  /** Rows used by the P stage / Q stage / R stage, and customers. */
  rows: { policy: number; q: number; reward: number; customers: number };
  /** Mean cross-entropy of the P-stage classifier on its rows. */
  policyLoss: number;
  /** Share of variance of the R network's reward (non-anchor rows) explained by φ·θ̂ + offset. */
  projectionR2: number;
  /** The learned transition model (qStage 'model'): its variables, transitions used, mean mass per (state, action) on successors not in the data (dropped), successors per (state, action). */
  transitionModel?: {
    variables: { name: string; levels: number; static: boolean }[];
    /** Variables found to move one at a time (never together in the data), by name. */
    exclusiveGroups: string[][];
    transitions: number;
    droppedMass: number;
    successorsPerQuery: number;
    /** States nobody visited that the closure added (`closeStates`), whether the set was closed, and why not. */
    unvisited: UnvisitedStateInfo;
  };
  /** Seconds per stage and in all. */
  seconds: { policy: number; q: number; reward: number; bootstrap: number; total: number };
  /** log π̂(a|x) from the P stage, rows × A (−Infinity where infeasible). */
  predictPolicy(stateFeatures: Float64Array, feasible?: Uint8Array): Float64Array;
  /** The R network's reward r̂(x, a) for rows of state features and actions. */
  predictReward(stateFeatures: Float64Array, action: Int32Array): Float64Array;
  /** W(x) = Q of the anchor (or the forced action) at θ̂ (or the given θ): the Q network, or with qStage 'model' the solved value on observed states (NaN for states not in the data). */
  predictAnchorValue(stateFeatures: Float64Array, theta?: ArrayLike<number>): Float64Array;
  dispose(): void;
}

/** Per-state inputs of {@link modelValues}: the observed distinct states, then any unvisited ones added. */
interface ModelInputs {
  /** States in all (U observed first). */
  Ut: number;
  /** The anchor or the forced action, per state. */
  bU: Int32Array;
  /** φ(s, b) (Ut × K) and offset(s, b) where b is forced (zeros where b is the anchor). */
  phiB: Float64Array;
  offsetB: Float64Array;
  /** log π̂(b | s): 0 where b is forced. */
  lpbU: Float64Array;
  /** Successor query of (state, action), Ut × A, −1 when none. */
  queryOf: Int32Array;
}

/**
 * The model-based Q stage: the anchor value W = W₀ + W₁θ on every state from
 * (I − β P_b) W = rhs (or `givenW` on the U observed states), V = W − log π̂(b) and the
 * continuation values Σ p(u'|u,a)·V(u') (K + 1 columns) of every queried (u, a) with u observed.
 */
function modelValues(args: ModelInputs & {
  U: number; A: number; K: number; beta: number; anchor: number; anchorReward: number; succ: Successors; givenW?: Float64Array;
}): { WU: Float64Array; contU: Float64Array } {
  const { U, Ut, A, K, beta, anchor, bU, phiB, offsetB, lpbU, succ, queryOf } = args;
  const C = K + 1;
  let WU = args.givenW;
  if (!WU) {
    const rhsU = new Float64Array(Ut * C);
    for (let u = 0; u < Ut; u++) {
      const a = bU[u];
      const q = queryOf[u * A + a];
      let ev = 0;
      for (let j = succ.ptr[q]; j < succ.ptr[q + 1]; j++) ev += succ.prob[j] * lpbU[succ.state[j]];
      if (a === anchor) rhsU[u * C] = args.anchorReward - beta * ev;
      else {
        rhsU[u * C] = offsetB[u] - beta * ev;
        for (let k = 0; k < K; k++) rhsU[u * C + 1 + k] = phiB[u * K + k];
      }
    }
    WU = evaluateLinear(Ut, C, beta, rhsU, Int32Array.from({ length: Ut }, (_, u) => queryOf[u * A + bU[u]]), succ);
  }
  const VU = Float64Array.from(WU);
  for (let u = 0; u < VU.length / C; u++) VU[u * C] -= lpbU[u];
  const contU = new Float64Array(U * A * C);
  for (let u = 0; u < U; u++) {
    for (let a = 0; a < A; a++) {
      const q = queryOf[u * A + a];
      if (q < 0) continue;
      for (let j = succ.ptr[q]; j < succ.ptr[q + 1]; j++) {
        const p = succ.prob[j];
        const t = succ.state[j] * C;
        for (let c = 0; c < C; c++) contU[(u * A + a) * C + c] += p * VU[t + c];
      }
    }
  }
  return { WU: WU.subarray(0, U * C), contU };
}

/** Successor lists of consecutive query batches as one (query numbers continue across batches). */
function concatSuccessors(parts: Successors[]): Successors {
  let queries = 0;
  let entries = 0;
  let dropped = 0;
  for (const p of parts) (queries += p.ptr.length - 1), (entries += p.state.length), (dropped += p.droppedMass * (p.ptr.length - 1));
  const ptr = new Int32Array(queries + 1);
  const state = new Int32Array(entries);
  const prob = new Float64Array(entries);
  let q0 = 0;
  let e0 = 0;
  for (const p of parts) {
    const Q = p.ptr.length - 1;
    for (let q = 1; q <= Q; q++) ptr[q0 + q] = e0 + p.ptr[q];
    state.set(p.state, e0);
    prob.set(p.prob, e0);
    q0 += Q;
    e0 += p.state.length;
  }
  return { ptr, state, prob, droppedMass: queries > 0 ? dropped / queries : 0 };
}

/**
 * Solves W = rhs + β·P W (columns C) on U states whose successor lists are `succ` queries
 * `query[u]`, by Gauss–Seidel sweeps (a contraction for β < 1) to 1e-10 relative.
 */
function evaluateLinear(U: number, C: number, beta: number, rhs: Float64Array, query: Int32Array, succ: Successors): Float64Array {
  const W = Float64Array.from(rhs);
  let scaleMax = 1;
  for (let i = 0; i < rhs.length; i++) scaleMax = Math.max(scaleMax, Math.abs(rhs[i]) / (1 - beta));
  const acc = new Float64Array(C);
  for (let sweep = 0; sweep < 20000; sweep++) {
    let delta = 0;
    for (let u = 0; u < U; u++) {
      const q = query[u];
      acc.fill(0);
      for (let j = succ.ptr[q]; j < succ.ptr[q + 1]; j++) {
        const p = succ.prob[j];
        const t = succ.state[j] * C;
        for (let c = 0; c < C; c++) acc[c] += p * W[t + c];
      }
      for (let c = 0; c < C; c++) {
        const v = rhs[u * C + c] + beta * acc[c];
        delta = Math.max(delta, Math.abs(v - W[u * C + c]));
        W[u * C + c] = v;
      }
    }
    if (delta < 1e-10 * scaleMax) return W;
  }
  warn(`deepPqr: the anchor value did not converge in 20,000 Gauss–Seidel sweeps (β = ${beta}); results may be inaccurate`);
  return W;
}

/**
 * Closes the model Q stage's state set: queries the successors of the observed states, adds the
 * unvisited ones `fill` accepts, queries theirs, and so on (breadth first). Returns every
 * successor list (query numbers: the observed queries, then one per added state) and the per-state
 * inputs extended to the added states — or only `info` when more than `maxStates` were needed.
 */
function closeStateSet(args: {
  tm: ReturnType<typeof fitTransitionModel>;
  fill: Exclude<ReturnType<typeof unvisitedStates>, { reason: string }>;
  q0: { state: Int32Array; action: Int32Array };
  observed: ModelInputs;
  A: number;
  anchor: number;
  maxStates: number;
  policyAt: (features: Float64Array, feasible: Uint8Array) => ArrayLike<number>;
  progress?: (p: IrlProgress) => void;
}): { succ?: Successors; inputs?: ModelInputs; info: UnvisitedStateInfo } {
  const { tm, fill, q0, observed, A, anchor, maxStates } = args;
  const U = observed.Ut;
  const parts: Successors[] = [];
  let next = q0;
  let done = U;
  while (next.state.length > 0 && fill.count < maxStates) {
    parts.push(tm.successors(next, { addState: (lv) => fill.offer(lv) }));
    if (fill.count > 0) args.progress?.({ stage: 'q', fraction: 0, message: `Q stage: closing the state set, ${fill.count.toLocaleString('en')} unvisited states added` });
    const added = tm.stateCount;
    next = { state: Int32Array.from({ length: added - done }, (_, k) => done + k), action: fill.action().slice(done - U, added - U) };
    done = added;
  }
  const n = fill.count;
  if (n >= maxStates) return { info: { added: 0, closed: false, note: `the closure needs more than closeStates = ${maxStates} unvisited states; their mass is dropped` } };
  const forced = fill.action();
  const reward = fill.forcedReward();
  const lpbNew = new Float64Array(n);
  if (forced.includes(anchor)) {
    const lp = args.policyAt(fill.features(), fill.feasible());
    for (let k = 0; k < n; k++) if (forced[k] === anchor) lpbNew[k] = lp[k * A + anchor];
  }
  const Ut = U + n;
  const queryOf = new Int32Array(Ut * A).fill(-1);
  queryOf.set(observed.queryOf);
  for (let k = 0; k < n; k++) queryOf[(U + k) * A + forced[k]] = q0.state.length + k;
  const cat = <T extends Float64Array | Int32Array>(a: T, extra: T): T => {
    const out = new (a.constructor as new (len: number) => T)(a.length + extra.length);
    out.set(a);
    out.set(extra, a.length);
    return out;
  };
  return {
    succ: concatSuccessors(parts),
    inputs: {
      Ut,
      bU: cat(observed.bU, forced),
      phiB: cat(observed.phiB, reward.features),
      offsetB: cat(observed.offsetB, reward.offset),
      lpbU: cat(observed.lpbU, lpbNew),
      queryOf,
    },
    info: { added: n, closed: true, note: `${n.toLocaleString('en')} unvisited states added` },
  };
}

/** The `anchorValue` option: a Float64Array of `length` finite values (rows × C). */
function checkAnchorValue(av: unknown, length: number, C: number): Float64Array {
  if (!(av instanceof Float64Array) || av.length !== length) throw invalidOption('anchorValue', `a Float64Array of rows·(K + 1) = ${length} values`, av);
  const bad = av.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw invalidOption('anchorValue', 'finite values', `${av[bad]} at row ${Math.floor(bad / C)}`);
  return av;
}

/** Resolves an action given by index or name; InputError listing the actions. */
export function resolveAction(field: string, actions: string[], a: unknown): number {
  if (typeof a === 'string') {
    const i = actions.indexOf(a);
    if (i < 0) throw new InputError(`invalid option \`${field}\`: unknown action ${JSON.stringify(a)}; expected one of ${actions.map((x) => `"${x}"`).join(', ')}`);
    return i;
  }
  return checkNumber(field, a, { min: 0, max: actions.length - 1, integer: true });
}

function checkHidden(h: unknown): number[] {
  if (!Array.isArray(h) || h.length === 0 || h.some((v) => !Number.isInteger(v) || v < 1 || v > 1024)) {
    throw invalidOption('hidden', 'a non-empty array of layer sizes (integers in [1, 1024])', h);
  }
  return [...h];
}

/**
 * Distinct rows of an n × D matrix (with their feasibility pattern): the first row of each
 * distinct value and, per row, the index of its distinct value.
 */
export function distinctRows(x: Float64Array, D: number, feasible: Uint8Array, A: number): { unique: number[]; rowToUnique: Int32Array } {
  const n = x.length / D;
  const seen = new Map<string, number>();
  const unique: number[] = [];
  const rowToUnique = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const key = featureRowKey(x, i, D) + Buffer.from(feasible.buffer, feasible.byteOffset + i * A, A).toString('latin1');
    let u = seen.get(key);
    if (u === undefined) (u = unique.length), seen.set(key, u), unique.push(i);
    rowToUnique[i] = u;
  }
  return { unique, rowToUnique };
}

/** The options checked and defaulted, with the anchor resolved. */
function checkOptions(data: IrlData, options: DeepPqrOptions) {
  if (options === null || typeof options !== 'object') throw invalidOption('options', '{ anchorAction, discount, … }', options);
  checkKnownKeys('deepPqr options', options, [
    'anchorAction', 'discount', 'anchorReward', 'hidden', 'policySteps', 'qRounds', 'qSteps', 'rewardSteps', 'learningRate',
    'bootstrap', 'level', 'seed', 'backend', 'minAnchorShare', 'minAnchorCount', 'logPolicy', 'anchorValue', 'onProgress',
    'qStage', 'bootstrapRefit', 'projectionWeights', 'closeStates',
  ]);
  const d = deepPqrDefaults;
  const qStage = checkOneOf('qStage', options.qStage ?? d.qStage, ['model', 'fitted'] as const);
  if (options.anchorAction === undefined) throw invalidOption('anchorAction', `an action index or name (${data.actions.join(', ')})`, undefined);
  return {
    anchor: resolveAction('anchorAction', data.actions, options.anchorAction),
    discount: checkNumber('discount', options.discount, { min: 0, max: 1, maxExclusive: true }),
    anchorReward: checkNumber('anchorReward', options.anchorReward ?? d.anchorReward),
    hidden: checkHidden(options.hidden ?? [...d.hidden]),
    policySteps: checkNumber('policySteps', options.policySteps ?? d.policySteps, { min: 1, integer: true }),
    qRounds: checkNumber('qRounds', options.qRounds ?? d.qRounds, { min: 1, integer: true }),
    qSteps: checkNumber('qSteps', options.qSteps ?? d.qSteps, { min: 0, integer: true }),
    rewardSteps: checkNumber('rewardSteps', options.rewardSteps ?? d.rewardSteps, { min: 0, integer: true }),
    learningRate: checkNumber('learningRate', options.learningRate ?? d.learningRate, { min: 0, minExclusive: true }),
    bootstrap: checkNumber('bootstrap', options.bootstrap ?? d.bootstrap, { min: 0, integer: true }),
    level: checkOpenUnit('level', options.level ?? d.level),
    seed: checkNumber('seed', options.seed ?? d.seed, { min: 0, integer: true }),
    minAnchorShare: checkNumber('minAnchorShare', options.minAnchorShare ?? d.minAnchorShare, { min: 0, max: 1 }),
    minAnchorCount: checkNumber('minAnchorCount', options.minAnchorCount ?? d.minAnchorCount, { min: 1, integer: true }),
    qStage,
    bootstrapRefit: checkOneOf('bootstrapRefit', options.bootstrapRefit ?? d.bootstrapRefit, ['projection', 'all'] as const),
    projectionWeights: checkOneOf('projectionWeights', options.projectionWeights ?? d.projectionWeights, ['balanced', 'rows'] as const),
    closeStates: checkNumber('closeStates', options.closeStates ?? d.closeStates, { min: 0, integer: true }),
  };
}

/**
 * Fits Deep PQR (see the module comment) and projects the recovered reward onto the data's
 * named reward features with customer-bootstrap intervals.
 * @param data rows from {@link irlDataFromPanel} (or built by hand: continuous state features)
 */
export async function deepPqr(data: IrlData, options: DeepPqrOptions): Promise<DeepPqrResult> {
  const t0 = performance.now();
  checkIrlData(data);
  const o = checkOptions(data, options);
  const progress = options.onProgress;
  const n = data.length;
  const A = data.actions.length;
  const D = data.stateFeatureNames.length;
  const K = data.rewardFeatureNames.length;
  const C = K + 1;
  const beta = o.discount;
  const anchor = o.anchor;

  // b(i): the anchor, or the forced action where the anchor is infeasible.
  const b = new Int32Array(n);
  let withChoice = 0;
  let anchorCount = 0;
  for (let i = 0; i < n; i++) {
    if (data.feasible[i * A + anchor]) {
      b[i] = anchor;
      withChoice++;
      if (data.action[i] === anchor) anchorCount++;
      continue;
    }
    let found = -1;
    for (let a = 0; a < A; a++) {
      if (!data.feasible[i * A + a]) continue;
      if (found >= 0) {
        throw new InputError(
          `invalid option \`anchorAction\`: "${data.actions[anchor]}" is infeasible at row ${i}, which allows several actions; ` +
            'the anchor must be feasible wherever there is a choice',
        );
      }
      found = a;
    }
    b[i] = found;
  }
  const anchorName = data.actions[anchor];
  if (anchorCount === 0) {
    throw new InputError(`invalid option \`anchorAction\`: "${anchorName}" is never taken in the data (${withChoice} rows with a choice); the anchor must be observed`);
  }
  if (anchorCount < o.minAnchorCount || anchorCount < o.minAnchorShare * withChoice) {
    throw new InputError(
      `invalid option \`anchorAction\`: "${anchorName}" is too rare: taken ${anchorCount} times in ${withChoice} rows with a choice ` +
        `(${((100 * anchorCount) / withChoice).toFixed(2)}%); expected at least ${o.minAnchorCount} times and ${(100 * o.minAnchorShare).toFixed(2)}%`,
    );
  }

  const choice = await tensorBackend(options.backend ? { backend: options.backend } : {});
  const tf = choice.tf;
  const root = rng(o.seed);
  const scaler = fitScaler(data.stateFeatures, D);
  const nets: Mlp[] = [];
  let policyNet: Mlp | undefined;
  const held: TF.Tensor[] = [];
  const keep = <T extends TF.Tensor>(t: T): T => (held.push(t), t);
  try {
    // Rows with identical state features share one network evaluation: every loss below is a
    // sum over rows, rewritten exactly as a count-weighted sum over distinct feature vectors.
    const { unique: uniq, rowToUnique } = distinctRows(data.stateFeatures, D, data.feasible, A);
    const U = uniq.length;
    const xU = new Float64Array(U * D);
    uniq.forEach((i, u) => xU.set(data.stateFeatures.subarray(i * D, (i + 1) * D), u * D));
    const X = keep(tf.tensor2d(scale(xU, scaler), [U, D]));

    // --- P stage -------------------------------------------------------------------------------
    const tp = performance.now();
    const maskAdd = new Float32Array(U * A);
    for (let u = 0; u < U; u++) for (let a = 0; a < A; a++) maskAdd[u * A + a] = data.feasible[uniq[u] * A + a] ? 0 : -1e9;
    const M = keep(tf.tensor2d(maskAdd, [U, A]));
    let logPi: Float64Array;
    let policyLoss = NaN;
    if (options.logPolicy !== undefined) {
      const lp = options.logPolicy;
      if (!(lp instanceof Float64Array) || lp.length !== n * A) throw invalidOption('logPolicy', `a Float64Array of rows·A = ${n * A} log-probabilities`, lp);
      logPi = Float64Array.from(lp);
      policyLoss = 0;
      for (let i = 0; i < n; i++) policyLoss -= logPi[i * A + data.action[i]] / n;
    } else {
      const pNet = mlp(tf, [D, ...o.hidden, A], root.fork(1));
      nets.push(pNet);
      policyNet = pNet;
      const counts = new Float32Array(U * A);
      for (let i = 0; i < n; i++) counts[rowToUnique[i] * A + data.action[i]] += 1 / n;
      const N = keep(tf.tensor2d(counts, [U, A]));
      policyLoss = trainFullBatch(
        tf,
        pNet.variables,
        () => tf.neg(tf.sum(tf.mul(N, tf.logSoftmax(tf.add(pNet.apply(X), M))))) as TF.Scalar,
        {
          steps: o.policySteps,
          learningRate: o.learningRate,
          onStep: progress && ((s, l) => progress({ stage: 'policy', fraction: s / o.policySteps, message: `P stage: step ${s}, cross-entropy ${l.toFixed(4)}` })),
        },
      );
      const lpU = tf.tidy(() => tf.logSoftmax(tf.add(pNet.apply(X), M)).dataSync());
      logPi = new Float64Array(n * A);
      for (let i = 0; i < n; i++) for (let a = 0; a < A; a++) logPi[i * A + a] = lpU[rowToUnique[i] * A + a];
    }
    for (let i = 0; i < n * A; i++) if (!data.feasible[i]) logPi[i] = -Infinity;
    const lpb = new Float64Array(n); // log π(b(i)|x_i): 0 where forced
    for (let i = 0; i < n; i++) lpb[i] = b[i] === anchor ? logPi[i * A + anchor] : 0;
    const secPolicy = (performance.now() - tp) / 1000;

    // --- Q stage -------------------------------------------------------------------------------
    const tq = performance.now();
    const tRows: number[] = [];
    for (let i = 0; i < n; i++) if (data.next[i] >= 0 && data.action[i] === b[i]) tRows.push(i);
    const nT = tRows.length;
    if (nT < 2) throw new InputError(`deepPqr: only ${nT} rows with the anchor (or a forced action) and an observed next month; expected more`);
    const rhs = new Float64Array(nT * C);
    for (let r = 0; r < nT; r++) {
      const i = tRows[r];
      const a = b[i];
      const j = data.next[i];
      if (a === anchor) rhs[r * C] = o.anchorReward - beta * lpb[j];
      else {
        rhs[r * C] = data.offset[i * A + a] - beta * lpb[j];
        for (let k = 0; k < K; k++) rhs[r * C + 1 + k] = data.rewardFeatures[(i * A + a) * K + k];
      }
    }
    let qNet: Mlp | undefined;
    let W: Float64Array;
    // qStage 'model': continuation values Σ p(u'|u,a)·V(u') per distinct state and feasible action
    let contU: Float64Array | undefined;
    let transitionInfo: DeepPqrResult['transitionModel'];
    let modelW: { index: Map<string, number>; values: Float64Array } | undefined;
    const bU = Int32Array.from(uniq, (i) => b[i]);
    if (o.qStage === 'model') {
      const variables = stateVariables(data);
      const V = variables.length;
      const level = new Int32Array(U * V);
      variables.forEach((vr, v) => {
        const index = new Map<string, number>();
        vr.levels.forEach((lv, l) => index.set(Array.from(lv).join(','), l));
        for (let u = 0; u < U; u++) level[u * V + v] = index.get(vr.columns.map((d) => xU[u * D + d]).join(','))!;
      });
      const from: number[] = [];
      const act: number[] = [];
      const to: number[] = [];
      for (let i = 0; i < n; i++) if (data.next[i] >= 0) (from.push(rowToUnique[i]), act.push(data.action[i]), to.push(rowToUnique[data.next[i]]));
      if (from.length < 2) throw new InputError(`deepPqr: only ${from.length} rows with an observed next month; the transition model needs more`);
      const transitions = { from: Int32Array.from(from), action: Int32Array.from(act), to: Int32Array.from(to) };
      const tm = fitTransitionModel({ U, A, variables, level, transitions });
      // every feasible (u, a) where u has a choice; the forced action elsewhere
      const qs: number[] = [];
      const qa: number[] = [];
      const queryOf = new Int32Array(U * A).fill(-1);
      for (let u = 0; u < U; u++) {
        for (let a = 0; a < A; a++) {
          if (!data.feasible[uniq[u] * A + a] || (bU[u] !== anchor && a !== bU[u])) continue;
          queryOf[u * A + a] = qs.length;
          qs.push(u);
          qa.push(a);
        }
      }
      const phiB = new Float64Array(U * K);
      const offsetB = new Float64Array(U);
      const lpbU = new Float64Array(U);
      for (let u = 0; u < U; u++) {
        const i = uniq[u];
        const a = bU[u];
        if (a === anchor) lpbU[u] = logPi[i * A + anchor];
        else (offsetB[u] = data.offset[i * A + a]), phiB.set(data.rewardFeatures.subarray((i * A + a) * K, (i * A + a + 1) * K), u * K);
      }
      const q0 = { state: Int32Array.from(qs), action: Int32Array.from(qa) };
      const observed: ModelInputs = { Ut: U, bU, phiB, offsetB, lpbU, queryOf };
      let closed: ReturnType<typeof closeStateSet> = {
        info: { added: 0, closed: false, note: o.closeStates === 0 ? 'closeStates is 0' : 'the anchor value is given (no Q stage)' },
      };
      if (o.closeStates > 0 && options.anchorValue === undefined) {
        const fill = unvisitedStates({
          variables, U, D, A, K, anchor, xU, level, phiB, offsetB,
          feasibleU: Uint8Array.from({ length: U * A }, (_, k) => data.feasible[uniq[Math.floor(k / A)] * A + (k % A)]),
          anchorStates: policyNet !== undefined,
          maxStates: o.closeStates,
        });
        // log π̂(·|x) of the P network at states nobody visited
        const policyAt = (xs: Float64Array, feas: Uint8Array): Float32Array | Int32Array | Uint8Array =>
          tf.tidy(() => {
            const m = feas.length / A;
            const mask = tf.tensor2d(Float32Array.from(feas, (f) => (f ? 0 : -1e9)), [m, A]);
            return tf.logSoftmax(tf.add(policyNet!.apply(tf.tensor2d(scale(xs, scaler), [m, D])), mask)).dataSync();
          });
        closed = 'reason' in fill ? { info: { added: 0, closed: false, note: fill.reason } } : closeStateSet({ tm, fill, q0, observed, A, anchor, maxStates: o.closeStates, policyAt, progress });
      }
      // an abandoned closure leaves added states in the model: refit it for a clean state set
      const succ = closed.succ ?? (tm.stateCount > U ? fitTransitionModel({ U, A, variables, level, transitions }) : tm).successors(q0);
      const modelInputs = closed.inputs ?? observed;
      transitionInfo = {
        variables: variables.map((vr) => ({ name: vr.name, levels: vr.levels.length, static: vr.static })),
        exclusiveGroups: tm.exclusiveGroups.map((g) => g.map((v) => variables[v].name)),
        transitions: tm.transitions,
        droppedMass: succ.droppedMass,
        successorsPerQuery: succ.state.length / Math.max(1, succ.ptr.length - 1),
        unvisited: closed.info,
      };
      let givenW: Float64Array | undefined;
      if (options.anchorValue !== undefined) {
        const av = checkAnchorValue(options.anchorValue, n * C, C);
        givenW = new Float64Array(U * C);
        for (let u = 0; u < U; u++) givenW.set(av.subarray(uniq[u] * C, (uniq[u] + 1) * C), u * C);
      }
      const mv = modelValues({ U, A, K, beta, anchor, anchorReward: o.anchorReward, succ, ...modelInputs, givenW });
      if (!givenW) {
        const index = new Map<string, number>();
        for (let u = U - 1; u >= 0; u--) index.set(featureRowKey(xU, u, D), u);
        modelW = { index, values: mv.WU };
      }
      W = new Float64Array(n * C);
      for (let i = 0; i < n; i++) W.set(mv.WU.subarray(rowToUnique[i] * C, (rowToUnique[i] + 1) * C), i * C);
      contU = mv.contU;
    } else if (options.anchorValue !== undefined) {
      W = Float64Array.from(checkAnchorValue(options.anchorValue, n * C, C));
    } else {
      // weight of each distinct state among the Q rows (the regression's weights)
      const wT = new Float64Array(U);
      for (const i of tRows) wT[rowToUnique[i]] += 1;
      const usedT: number[] = [];
      for (let u = 0; u < U; u++) if (wT[u] > 0) usedT.push(u);
      const uT = usedT.length;
      const posT = new Int32Array(U).fill(-1);
      usedT.forEach((u, p) => (posT[u] = p));
      const XT = keep(tf.tidy(() => tf.gather(X, tf.tensor1d(Int32Array.from(usedT), 'int32'))));
      const WT = keep(tf.tensor2d(Float32Array.from(usedT, (u) => wT[u] / nT), [uT, 1]));
      const net = mlp(tf, [D, ...o.hidden, C], root.fork(2));
      qNet = net;
      nets.push(net);
      const H = o.hidden[o.hidden.length - 1];
      const headW = net.variables[net.variables.length - 2];
      const headB = net.variables[net.variables.length - 1];
      const H1 = H + 1;
      const lstdHead = () => {
        const h = tf.tidy(() => net.hidden(X).dataSync());
        const Mx = new Float64Array(H1 * H1);
        const Bx = new Float64Array(H1 * C);
        const u = new Float64Array(H1);
        const v = new Float64Array(H1);
        for (let r = 0; r < nT; r++) {
          const i = tRows[r];
          const p = rowToUnique[i] * H;
          const q = rowToUnique[data.next[i]] * H;
          for (let k = 0; k < H; k++) (u[k] = h[p + k]), (v[k] = u[k] - beta * h[q + k]);
          u[H] = 1;
          v[H] = 1 - beta;
          for (let k = 0; k < H1; k++) {
            const uk = u[k];
            for (let l = 0; l < H1; l++) Mx[k * H1 + l] += uk * v[l];
            for (let c = 0; c < C; c++) Bx[k * C + c] += uk * rhs[r * C + c];
          }
        }
        let diag = 0;
        for (let k = 0; k < H1; k++) diag += Math.abs(Mx[k * H1 + k]);
        const ridge = (deepPqrDefaults.ridge * diag) / H1;
        for (let k = 0; k < H1; k++) Mx[k * H1 + k] += ridge;
        const w = solve(matrix(H1, H1, Mx), matrix(H1, C, Bx)).data;
        headW.assign(tf.tensor2d(Float32Array.from(w.subarray(0, H * C)), [H, C]));
        headB.assign(tf.tensor1d(Float32Array.from(w.subarray(H * C))));
      };
      for (let round = 0; round < o.qRounds; round++) {
        lstdHead();
        if (round === o.qRounds - 1 || o.qSteps === 0) break;
        // frozen targets rhs + β W(x'), averaged per distinct state (same minimiser as per row)
        const wNext = tf.tidy(() => net.apply(X).dataSync());
        const tgt = new Float64Array(uT * C);
        for (let r = 0; r < nT; r++) {
          const i = tRows[r];
          const p = posT[rowToUnique[i]];
          const q = rowToUnique[data.next[i]];
          const w = 1 / wT[rowToUnique[i]];
          for (let c = 0; c < C; c++) tgt[p * C + c] += w * (rhs[r * C + c] + beta * wNext[q * C + c]);
        }
        const sdv = new Float32Array(C);
        for (let c = 0; c < C; c++) {
          let m = 0;
          let m2 = 0;
          for (let p = 0; p < uT; p++) (m += tgt[p * C + c] / uT), (m2 += tgt[p * C + c] ** 2 / uT);
          sdv[c] = 1 / Math.max(1e-3, Math.sqrt(Math.max(0, m2 - m * m)));
        }
        const target = tf.tensor2d(Float32Array.from(tgt), [uT, C]);
        const inv = tf.tensor1d(sdv);
        trainFullBatch(tf, net.variables, () => tf.sum(tf.mul(WT, tf.square(tf.mul(tf.sub(net.apply(XT), target), inv)))) as TF.Scalar, {
          steps: o.qSteps,
          learningRate: o.learningRate,
        });
        target.dispose();
        inv.dispose();
        progress?.({ stage: 'q', fraction: (round + 1) / o.qRounds, message: `Q stage: round ${round + 1} of ${o.qRounds}` });
      }
      const wU = tf.tidy(() => net.apply(X).dataSync());
      W = new Float64Array(n * C);
      for (let i = 0; i < n; i++) for (let c = 0; c < C; c++) W[i * C + c] = wU[rowToUnique[i] * C + c];
    }
    const secQ = (performance.now() - tq) / 1000;

    // --- R stage: targets, projection, reward network -------------------------------------------
    const tr = performance.now();
    const rRows: number[] = [];
    // with a transition model every row with a choice has its expected continuation; without,
    // the observed next row stands in for it
    for (let i = 0; i < n; i++) if (b[i] === anchor && (contU !== undefined || data.next[i] >= 0)) rRows.push(i);
    const nR = rRows.length;
    const y0 = new Float64Array(nR);
    const y1 = new Float64Array(nR * K);
    for (let r = 0; r < nR; r++) {
      const i = rRows[r];
      const a = data.action[i];
      y0[r] = W[i * C] + logPi[i * A + a] - logPi[i * A + anchor];
      for (let k = 0; k < K; k++) y1[r * K + k] = W[i * C + 1 + k];
      if (contU) {
        const cu = (rowToUnique[i] * A + a) * C;
        y0[r] -= beta * contU[cu];
        for (let k = 0; k < K; k++) y1[r * K + k] -= beta * contU[cu + 1 + k];
      } else {
        const j = data.next[i];
        y0[r] -= beta * (W[j * C] - lpb[j]);
        for (let k = 0; k < K; k++) y1[r * K + k] -= beta * W[j * C + 1 + k];
      }
    }
    // per-customer sums of z (φ − y1)ᵀ and z (y0 − offset), rows with a ≠ anchor
    const custOf = new Map<number, number>();
    for (const i of rRows) if (!custOf.has(data.id[i])) custOf.set(data.id[i], custOf.size);
    for (let i = 0; i < n; i++) if (!custOf.has(data.id[i])) custOf.set(data.id[i], custOf.size);
    const nc = custOf.size;
    const zx = new Float64Array(nc * K * K);
    const zy = new Float64Array(nc * K);
    let nonAnchor = 0;
    for (let r = 0; r < nR; r++) {
      const i = rRows[r];
      const a = data.action[i];
      if (a === anchor) continue;
      nonAnchor++;
      const c = custOf.get(data.id[i])!;
      const phi = (i * A + a) * K;
      const y = y0[r] - data.offset[i * A + a];
      let weight = 1;
      if (o.projectionWeights === 'balanced') {
        const pa = Math.exp(logPi[i * A + a]);
        const pA = Math.exp(logPi[i * A + anchor]);
        weight = (pa * pA) / (pa + pA);
      }
      for (let k = 0; k < K; k++) {
        const z = weight * data.rewardFeatures[phi + k];
        zy[c * K + k] += z * y;
        for (let l = 0; l < K; l++) zx[(c * K + k) * K + l] += z * (data.rewardFeatures[phi + l] - y1[r * K + l]);
      }
    }
    const project = (weights: Float64Array | null): Float64Array => {
      const ZX = new Float64Array(K * K);
      const ZY = new Float64Array(K);
      for (let c = 0; c < nc; c++) {
        const w = weights ? weights[c] : 1;
        if (w === 0) continue;
        for (let k = 0; k < K; k++) {
          ZY[k] += w * zy[c * K + k];
          for (let l = 0; l < K; l++) ZX[k * K + l] += w * zx[(c * K + k) * K + l];
        }
      }
      try {
        return solve(matrix(K, K, ZX), ZY);
      } catch {
        return new Float64Array(K).fill(NaN);
      }
    };
    const theta = project(null);
    if (theta.some((v) => !Number.isFinite(v))) {
      throw new InputError(
        `deepPqr: the reward features (${data.rewardFeatureNames.join(', ')}) are collinear on the ${nonAnchor} non-anchor rows; the projection is not identified`,
      );
    }
    // reward network on (x, onehot a), target y0 + y1·θ̂ on every row with a choice, averaged
    // per distinct (x, a) with count weights (the same minimiser as the per-row squared loss)
    const rNet = mlp(tf, [D + A, ...o.hidden, 1], root.fork(3));
    nets.push(rNet);
    const cellOf = new Map<number, number>();
    const cellKey: number[] = [];
    const rowCell = new Int32Array(nR);
    for (let r = 0; r < nR; r++) {
      const key = rowToUnique[rRows[r]] * A + data.action[rRows[r]];
      let c = cellOf.get(key);
      if (c === undefined) (c = cellKey.length), cellOf.set(key, c), cellKey.push(key);
      rowCell[r] = c;
    }
    const nCell = cellKey.length;
    const cellSum = new Float64Array(nCell);
    const cellN = new Float64Array(nCell);
    let rMean = 0;
    for (let r = 0; r < nR; r++) {
      let v = y0[r];
      for (let k = 0; k < K; k++) v += y1[r * K + k] * theta[k];
      cellSum[rowCell[r]] += v;
      cellN[rowCell[r]] += 1;
      rMean += v / nR;
    }
    let rVar = 0;
    for (let c = 0; c < nCell; c++) rVar += (cellN[c] * (cellSum[c] / cellN[c] - rMean) ** 2) / nR;
    const rScale = Math.max(1e-6, Math.sqrt(rVar));
    const XR = keep(
      tf.tidy(() =>
        tf.concat([
          tf.gather(X, tf.tensor1d(Int32Array.from(cellKey, (k) => Math.floor(k / A)), 'int32')),
          tf.oneHot(tf.tensor1d(Int32Array.from(cellKey, (k) => k % A), 'int32'), A).toFloat(),
        ], 1) as TF.Tensor2D,
      ),
    );
    const YR = keep(tf.tensor2d(Float32Array.from(cellSum, (s, c) => (s / cellN[c] - rMean) / rScale), [nCell, 1]));
    const WR = keep(tf.tensor2d(Float32Array.from(cellN, (v) => v / nR), [nCell, 1]));
    if (o.rewardSteps > 0) {
      trainFullBatch(tf, rNet.variables, () => tf.sum(tf.mul(WR, tf.square(tf.sub(rNet.apply(XR), YR)))) as TF.Scalar, {
        steps: o.rewardSteps,
        learningRate: o.learningRate,
        onStep: progress && ((s) => progress({ stage: 'reward', fraction: s / o.rewardSteps, message: `R stage: step ${s}` })),
      });
    }
    const rHatCell = tf.tidy(() => rNet.apply(XR).dataSync());
    let ssr = 0;
    let sst = 0;
    let mean = 0;
    for (let r = 0; r < nR; r++) if (data.action[rRows[r]] !== anchor) mean += (rHatCell[rowCell[r]] * rScale + rMean) / nonAnchor;
    for (let r = 0; r < nR; r++) {
      const i = rRows[r];
      const a = data.action[i];
      if (a === anchor) continue;
      const v = rHatCell[rowCell[r]] * rScale + rMean;
      let fit = data.offset[i * A + a];
      for (let k = 0; k < K; k++) fit += data.rewardFeatures[(i * A + a) * K + k] * theta[k];
      ssr += (v - fit) ** 2;
      sst += (v - mean) ** 2;
    }
    const secReward = (performance.now() - tr) / 1000;

    // --- bootstrap of the projection over customers ---------------------------------------------
    const tb = performance.now();
    const reps: Float64Array[] = [];
    const weights = new Float64Array(nc);
    const idOf = new Int32Array(nc);
    for (const [id, c] of custOf) idOf[c] = id;
    let failed = 0;
    for (let rep = 0; rep < o.bootstrap; rep++) {
      const r = root.fork(100 + rep);
      if (o.bootstrapRefit === 'all') {
        // every stage refitted on the resampled customers (same seed, hence same initial weights)
        const pick = new Int32Array(nc);
        for (let c = 0; c < nc; c++) pick[c] = idOf[randomInt(r, nc)];
        try {
          const sample = resampleCustomerRows(data, pick);
          const perRow = (arr: Float64Array | undefined, width: number): Float64Array | undefined => {
            if (!arr) return undefined;
            const out = new Float64Array(sample.rows.length * width);
            sample.rows.forEach((i, r) => out.set(arr.subarray(i * width, (i + 1) * width), r * width));
            return out;
          };
          const fit = await deepPqr(sample.data, {
            ...options,
            bootstrap: 0,
            onProgress: undefined,
            logPolicy: perRow(options.logPolicy, A),
            anchorValue: perRow(options.anchorValue, C),
          });
          if (fit.estimates.every(Number.isFinite)) reps.push(Float64Array.from(fit.estimates));
          fit.dispose();
        } catch (e) {
          if (!(e instanceof InputError)) throw e;
          failed++;
        }
        progress?.({ stage: 'bootstrap', fraction: (rep + 1) / o.bootstrap, message: `bootstrap replicate ${rep + 1} of ${o.bootstrap} (all stages refitted)` });
        continue;
      }
      weights.fill(0);
      for (let c = 0; c < nc; c++) weights[randomInt(r, nc)]++;
      const th = project(weights);
      if (th.every(Number.isFinite)) reps.push(th);
      if (progress && rep % 50 === 0) progress({ stage: 'bootstrap', fraction: rep / o.bootstrap, message: `bootstrap replicate ${rep}` });
    }
    const covariance = new Float64Array(K * K).fill(reps.length > 1 ? 0 : NaN);
    const standardErrors = new Float64Array(K).fill(NaN);
    const lower = new Float64Array(K).fill(NaN);
    const upper = new Float64Array(K).fill(NaN);
    if (reps.length > 1) {
      const m = new Float64Array(K);
      for (const th of reps) for (let k = 0; k < K; k++) m[k] += th[k] / reps.length;
      for (const th of reps) for (let k = 0; k < K; k++) for (let l = 0; l < K; l++) covariance[k * K + l] += ((th[k] - m[k]) * (th[l] - m[l])) / (reps.length - 1);
      const col = new Float64Array(reps.length);
      for (let k = 0; k < K; k++) {
        standardErrors[k] = Math.sqrt(covariance[k * K + k]);
        reps.forEach((th, r) => (col[r] = th[k]));
        const q = quantile(col, [(1 - o.level) / 2, (1 + o.level) / 2]);
        lower[k] = q[0];
        upper[k] = q[1];
      }
    }
    const secBoot = (performance.now() - tb) / 1000;
    const total = (performance.now() - t0) / 1000;
    const estimation: EstimationResult = {
      method: 'Deep PQR',
      model: 'irl',
      parameterNames: [...data.rewardFeatureNames],
      estimates: Float64Array.from(theta),
      standardErrors: Float64Array.from(standardErrors),
      covariance: Float64Array.from(covariance),
      logLikelihood: -policyLoss * n,
      observations: nR,
      iterations: options.anchorValue ? 0 : o.qRounds,
      seconds: total,
      converged: true,
      message:
        o.bootstrapRefit === 'all'
          ? `P/Q/R stages on ${choice.name}; SEs: customer bootstrap with every stage refitted (${reps.length} replicates${failed ? `, ${failed} failed` : ''})`
          : `P/Q/R stages on ${choice.name}; SEs: customer bootstrap of the projection (${reps.length} replicates), P and Q stages held fixed`,
    };
    for (const t of held.splice(0)) t.dispose();
    const toX = (sf: Float64Array): TF.Tensor2D => {
      if (!(sf instanceof Float64Array) || sf.length % D !== 0) throw invalidOption('stateFeatures', `a Float64Array of rows × ${D} state features`, sf);
      return tf.tensor2d(scale(sf, scaler as Scaler), [sf.length / D, D]);
    };
    let disposed = false;
    const alive = () => {
      if (disposed) throw new InputError('deepPqr result: the networks were disposed');
    };
    return {
      method: 'Deep PQR',
      backend: choice.name,
      anchorAction: anchor,
      actions: [...data.actions],
      parameterNames: [...data.rewardFeatureNames],
      estimates: theta,
      standardErrors,
      covariance,
      qStage: o.qStage,
      bootstrapRefit: o.bootstrapRefit,
      projectionWeights: o.projectionWeights,
      replicates: Float64Array.from(reps.flatMap((th) => Array.from(th))),
      lower,
      upper,
      level: o.level,
      bootstrap: reps.length,
      estimation,
      rows: { policy: n, q: nT, reward: nR, customers: nc },
      policyLoss,
      projectionR2: sst > 0 ? 1 - ssr / sst : NaN,
      transitionModel: transitionInfo,
      seconds: { policy: secPolicy, q: secQ, reward: secReward, bootstrap: secBoot, total },
      predictPolicy(sf, feasible) {
        alive();
        if (!policyNet) throw new InputError('deepPqr result: no P network (the policy was given as `logPolicy`)');
        const pNet = policyNet;
        const m = sf.length / D;
        const mask = new Float32Array(m * A);
        if (feasible) {
          if (feasible.length !== m * A) throw invalidOption('feasible', `${m * A} flags`, feasible.length);
          for (let i = 0; i < m * A; i++) mask[i] = feasible[i] ? 0 : -1e9;
        }
        const out = Float64Array.from(tf.tidy(() => tf.logSoftmax(tf.add(pNet.apply(toX(sf)), tf.tensor2d(mask, [m, A]))).dataSync()));
        if (feasible) for (let i = 0; i < m * A; i++) if (!feasible[i]) out[i] = -Infinity;
        return out;
      },
      predictReward(sf, action) {
        alive();
        const m = sf.length / D;
        if (!(action instanceof Int32Array) || action.length !== m) throw invalidOption('action', `an Int32Array of ${m} actions`, action);
        const out = tf.tidy(() => rNet.apply(tf.concat([toX(sf), tf.oneHot(tf.tensor1d(action, 'int32'), A).toFloat()], 1) as TF.Tensor2D).dataSync());
        return Float64Array.from(out, (v) => v * rScale + rMean);
      },
      predictAnchorValue(sf, th = theta) {
        alive();
        if (th.length !== K) throw invalidOption('theta', `${K} values`, th.length);
        const m = sf.length / D;
        let w: ArrayLike<number>;
        if (modelW) {
          // qStage 'model': W is known on the observed states; NaN elsewhere
          const mw = modelW;
          const out = new Float64Array(m * C).fill(NaN);
          if (!(sf instanceof Float64Array) || sf.length % D !== 0) throw invalidOption('stateFeatures', `a Float64Array of rows × ${D} state features`, sf);
          for (let i = 0; i < m; i++) {
            const u = mw.index.get(featureRowKey(sf, i, D));
            if (u !== undefined) out.set(mw.values.subarray(u * C, (u + 1) * C), i * C);
          }
          w = out;
        } else {
          if (!qNet) throw new InputError('deepPqr result: no Q network (the anchor value was given as `anchorValue`)');
          const net = qNet;
          w = tf.tidy(() => net.apply(toX(sf)).dataSync());
        }
        const out = new Float64Array(m);
        for (let i = 0; i < m; i++) {
          let v = w[i * C];
          for (let k = 0; k < K; k++) v += w[i * C + 1 + k] * th[k];
          out[i] = v;
        }
        return out;
      },
      dispose() {
        if (disposed) return;
        disposed = true;
        for (const net of nets) net.dispose();
      },
    };
  } catch (e) {
    for (const t of held) t.dispose();
    for (const net of nets) net.dispose();
    throw e;
  }
}
