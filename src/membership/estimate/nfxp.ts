/**
 * Nested fixed point (NFXP) maximum likelihood for logit dynamic discrete-choice models.
 *
 * Log-likelihood (the partial likelihood of the choices, transitions taken as given):
 *   ℓ(θ) = Σ_{s,a} n(s,a) · log P(a|s; θ),   log P(a|s) = v(s,a) − V(s),
 * with V the fixed point of the Bellman operator at θ (inner loop: {@link solveDdc}, warm-started
 * from the previous V). Analytic gradient through the fixed point (implicit function theorem):
 *   ∂V/∂θ = (I − β P_σ)⁻¹ Σ_a π(a|s) φ(s,a),   ∂v(s,a)/∂θ = φ(s,a) + β P_a ∂V/∂θ,
 *   ∂ log P(a|s)/∂θ = ∂v(s,a)/∂θ − Σ_a' P(a'|s) ∂v(s,a')/∂θ.
 * Outer loop: BHHH (Berndt, Hall, Hall and Hausman 1974) — steps I(θ)⁻¹ ∇ℓ with the outer product
 * of per-observation scores I = Σ n(s,a) g g', halving the step until ℓ increases — or BFGS
 * (core `minimize`). Standard errors: √diag I(θ̂)⁻¹ (BHHH / outer product of the gradients), the
 * ones reported; `hessianStandardErrors` come from the inverse of the negative Hessian (central
 * differences of the analytic gradient).
 *
 * Transition probabilities are taken from the model: supply them, or estimate them first (e.g.
 * `estimateBusTransitions` — Rust's two-step). The SEs then ignore first-stage noise (Rust's
 * third step, a full-likelihood BHHH step over (θ, p), would account for it).
 *
 * References: J. Rust, "Optimal replacement of GMC bus engines", Econometrica 55(5), 1987, and the
 * NFXP manual (2000); F. Iskhakov, J. Lee, J. Rust, B. Schjerning, K. Seo, Econometrica 84(1), 2016.
 */
import { ConvergenceError, DataError, InputError, invalidOption, warn } from '../../core/errors';
import { inverseSpd } from '../../core/linalg';
import { minimize } from '../../core/optimize';
import { checkFunction, checkKnownKeys, checkNumber, checkOneOf } from '../../core/validate';
import type { DdcModel } from '../ddc/model';
import { choiceCounts, type Panel } from '../ddc/panel';
import { solveDdc, type Solution } from '../ddc/solve';
import type { EstimationResult } from './result';

/** Progress passed to `onIteration` after every outer iteration. */
export interface NfxpIteration {
  iteration: number;
  theta: Float64Array;
  logLikelihood: number;
  /** ‖∇ℓ‖∞. */
  gradientNorm: number;
  /** Accepted step length (BHHH: 1, ½, ¼, …). */
  step: number;
}

/** Options of {@link nfxp}. */
export interface NfxpOptions {
  /** Starting θ (default zeros). */
  start?: ArrayLike<number>;
  /** Outer optimiser: 'bhhh' (default; hands over to BFGS after `nfxpDefaults.bhhhIterations`) or 'bfgs'. */
  method?: 'bhhh' | 'bfgs';
  /** Stop when the sup-norm of the gradient of the mean log-likelihood ℓ/N is ≤ this (default 1e-8). */
  gradientTolerance?: number;
  /** Most outer iterations (default 200). */
  maxIterations?: number;
  /** Called after every outer iteration. */
  onIteration?: (info: NfxpIteration) => void;
  /** Also compute Hessian-based standard errors (default true; costs 2K gradient evaluations). */
  hessian?: boolean;
  /** Inner fixed-point tolerance (default 1e-11). */
  innerTolerance?: number;
}

/** Defaults of {@link nfxp}. */
export const nfxpDefaults = {
  method: 'bhhh',
  /** On the sup-norm of the gradient of ℓ/N (the mean log-likelihood). */
  gradientTolerance: 1e-8,
  maxIterations: 200,
  hessian: true,
  innerTolerance: 1e-11,
  /** Most step halvings in one BHHH iteration. */
  maxHalvings: 40,
  /** BHHH iterations before the rest is handed to BFGS. */
  bhhhIterations: 30,
} as const;

/** What {@link nfxp} returns: the common result plus the solved model at θ̂. */
export interface NfxpResult extends EstimationResult {
  /** The model solved at the estimates (value function, choice probabilities, ∂V/∂θ). */
  solution: Solution;
  /** ∇ℓ at the estimates. */
  gradient: Float64Array;
  /** SEs from the inverse negative Hessian (NaN if not computed or not negative definite). */
  hessianStandardErrors: Float64Array;
  /** Which covariance `standardErrors` come from. */
  covarianceType: 'outer-product (BHHH)';
  /** Inner Newton–Kantorovich steps over all solves. */
  newtonSteps: number;
}

interface Evaluation {
  theta: Float64Array;
  logLikelihood: number;
  gradient: Float64Array;
  /** Σ n g g', K×K. */
  opg: Float64Array;
  solution: Solution;
}

/** Checks the panel against the model and returns the choice counts n(s,a). */
function panelCounts(model: DdcModel, panel: Panel): { counts: Float64Array; observations: number } {
  if (panel === null || typeof panel !== 'object' || !(panel.state instanceof Int32Array) || !(panel.action instanceof Int32Array)) {
    throw invalidOption('panel', 'a Panel (columns id, t, state, action, nextState)', panel);
  }
  const S = model.states.size;
  const A = model.actions.length;
  for (let i = 0; i < panel.length; i++) {
    const s = panel.state[i];
    const a = panel.action[i];
    if (!(s >= 0 && s < S)) throw new InputError(`invalid value in column \`state\` at row ${i + 1}: ${s} is not a state index in [0, ${S - 1}]`);
    if (!(a >= 0 && a < A)) throw new InputError(`invalid value in column \`action\` at row ${i + 1}: ${a} is not an action index in [0, ${A - 1}]`);
    if (!model.feasible[s * A + a]) {
      throw new InputError(`invalid value in column \`action\` at row ${i + 1}: action "${model.actions[a]}" is not feasible in state ${s}`);
    }
  }
  if (panel.length < 1) throw new DataError('nfxp: the panel has no rows');
  return { counts: choiceCounts(model, panel), observations: panel.length };
}

/**
 * The NFXP log-likelihood Σ n(s,a) log P(a|s;θ), its analytic gradient and the BHHH outer
 * product Σ n(s,a) g g' at θ (one inner solve with derivatives).
 * @param counts n(s,a), length S·A (from `choiceCounts`)
 */
export function nfxpLogLikelihood(
  model: DdcModel,
  counts: Float64Array,
  theta: ArrayLike<number>,
  options: { warmStart?: Float64Array; tolerance?: number } = {},
): { logLikelihood: number; gradient: Float64Array; opg: Float64Array; solution: Solution } {
  const S = model.states.size;
  const A = model.actions.length;
  const K = model.featureNames.length;
  const beta = model.discount;
  const sol = solveDdc(model, theta, { warmStart: options.warmStart, tolerance: options.tolerance, derivatives: true });
  const dV = sol.valueDerivative!;
  const { features, transitions } = model;
  const v = sol.choiceValue;
  const P = sol.probabilities;
  let ll = 0;
  const grad = new Float64Array(K);
  const opg = new Float64Array(K * K);
  const dv = new Float64Array(A * K); // ∂v(s,a)/∂θ for one state
  const mean = new Float64Array(K);
  const g = new Float64Array(K);
  for (let s = 0; s < S; s++) {
    let ns = 0;
    for (let a = 0; a < A; a++) ns += counts[s * A + a];
    if (ns === 0) continue;
    mean.fill(0);
    for (let a = 0; a < A; a++) {
      const p = P[s * A + a];
      const base = (s * A + a) * K;
      if (p === 0 && counts[s * A + a] === 0) continue;
      const { rowPtr, colIdx, values } = transitions[a];
      for (let k = 0; k < K; k++) dv[a * K + k] = features[base + k];
      for (let j = rowPtr[s]; j < rowPtr[s + 1]; j++) {
        const w = beta * values[j];
        const row = colIdx[j] * K;
        for (let k = 0; k < K; k++) dv[a * K + k] += w * dV[row + k];
      }
      for (let k = 0; k < K; k++) mean[k] += p * dv[a * K + k];
    }
    for (let a = 0; a < A; a++) {
      const n = counts[s * A + a];
      if (n === 0) continue;
      ll += n * (v[s * A + a] - sol.value[s]);
      for (let k = 0; k < K; k++) {
        g[k] = dv[a * K + k] - mean[k];
        grad[k] += n * g[k];
      }
      for (let k = 0; k < K; k++) for (let l = 0; l < K; l++) opg[k * K + l] += n * g[k] * g[l];
    }
  }
  return { logLikelihood: ll, gradient: grad, opg, solution: sol };
}

function normInf(x: Float64Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}

/** Solves a small SPD system by Cholesky (via inverseSpd); falls back to a ridge if needed. */
function spdSolve(M: Float64Array, b: Float64Array, K: number): Float64Array {
  let inv: Float64Array;
  try {
    inv = inverseSpd({ rows: K, cols: K, data: M }).data;
  } catch {
    const ridge = Float64Array.from(M);
    let scale = 0;
    for (let k = 0; k < K; k++) scale = Math.max(scale, M[k * K + k]);
    for (let k = 0; k < K; k++) ridge[k * K + k] += 1e-8 * (scale || 1);
    inv = inverseSpd({ rows: K, cols: K, data: ridge }).data;
  }
  const x = new Float64Array(K);
  for (let i = 0; i < K; i++) {
    let acc = 0;
    for (let j = 0; j < K; j++) acc += inv[i * K + j] * b[j];
    x[i] = acc;
  }
  return x;
}

/**
 * NFXP maximum likelihood of θ from a panel (Rust 1987): inner Bellman fixed point with
 * Newton–Kantorovich steps, outer BHHH (default) or BFGS, analytic gradients through the fixed
 * point; SEs from the inverse outer-product information. Transitions are taken from `model`.
 * @param panel observed choices (state, action per row); only n(s,a) enters the likelihood
 */
export function nfxp(model: DdcModel, panel: Panel, options: NfxpOptions = {}): NfxpResult {
  const t0 = performance.now();
  checkKnownKeys('nfxp options', options, ['start', 'method', 'gradientTolerance', 'maxIterations', 'onIteration', 'hessian', 'innerTolerance']);
  const K = model.featureNames.length;
  const method = checkOneOf('method', options.method ?? nfxpDefaults.method, ['bhhh', 'bfgs'] as const);
  const gtol = checkNumber('gradientTolerance', options.gradientTolerance ?? nfxpDefaults.gradientTolerance, { min: 0 });
  const maxIterations = checkNumber('maxIterations', options.maxIterations ?? nfxpDefaults.maxIterations, { min: 0, integer: true });
  const innerTolerance = checkNumber('innerTolerance', options.innerTolerance ?? nfxpDefaults.innerTolerance, { min: 0, minExclusive: true });
  const onIteration = options.onIteration === undefined ? undefined : checkFunction<(i: NfxpIteration) => void>('onIteration', options.onIteration);
  const start = new Float64Array(K);
  if (options.start !== undefined) {
    const s = options.start;
    if (!(Array.isArray(s) || ArrayBuffer.isView(s)) || s.length !== K) {
      throw invalidOption('start', `${K} numbers (${model.featureNames.join(', ')})`, s);
    }
    for (let k = 0; k < K; k++) {
      if (!Number.isFinite(s[k])) throw new InputError(`invalid option \`start\`: expected finite numbers, got ${s[k]} for "${model.featureNames[k]}"`);
      start[k] = s[k];
    }
  }
  const { counts, observations: N } = panelCounts(model, panel);
  let warm: Float64Array | undefined;
  let newtonSteps = 0;
  const evaluate = (theta: Float64Array): Evaluation => {
    const r = nfxpLogLikelihood(model, counts, theta, { warmStart: warm, tolerance: innerTolerance });
    newtonSteps += r.solution.newtonSteps;
    if (Number.isFinite(r.logLikelihood)) warm = r.solution.value;
    return { theta: Float64Array.from(theta), ...r };
  };
  const scaledTol = gtol * N; // gradient of ℓ (a sum over N observations)

  // BFGS on the mean negative log-likelihood, from `from`, for at most `budget` iterations.
  const runBfgs = (from: Float64Array, budget: number, offset: number) => {
    let cache: Evaluation | undefined;
    const at = (x: Float64Array): Evaluation => {
      if (cache && cache.theta.every((v, k) => v === x[k])) return cache;
      cache = evaluate(x);
      return cache;
    };
    const result = minimize(
      (x) => {
        try {
          return -at(x).logLikelihood / N;
        } catch (err) {
          if (err instanceof ConvergenceError) return Infinity;
          throw err;
        }
      },
      from,
      {
        gradient: (x, out) => {
          const e = at(x);
          for (let k = 0; k < K; k++) out[k] = -e.gradient[k] / N;
        },
        gradientTolerance: gtol,
        maxIterations: budget,
        onIteration: (info) => {
          const e = at(info.x);
          onIteration?.({ iteration: offset + info.iteration, theta: Float64Array.from(info.x), logLikelihood: e.logLikelihood, gradientNorm: normInf(e.gradient), step: info.step });
        },
      },
    );
    return { best: at(result.x), result };
  };

  let best: Evaluation;
  let iterations = 0;
  let converged = false;
  let message = '';
  if (method === 'bhhh') {
    best = evaluate(start);
    if (!Number.isFinite(best.logLikelihood)) throw invalidOption('start', 'a θ with a finite log-likelihood', Array.from(start));
    for (;;) {
      const gnorm = normInf(best.gradient);
      if (gnorm <= scaledTol) {
        converged = true;
        message = `converged: ‖∇ℓ‖∞ = ${gnorm.toExponential(2)} ≤ ${scaledTol.toExponential(2)} after ${iterations} BHHH iterations`;
        break;
      }
      if (iterations >= maxIterations) {
        message = `stopped after maxIterations = ${maxIterations} BHHH iterations with ‖∇ℓ‖∞ = ${gnorm.toExponential(2)}`;
        break;
      }
      if (iterations >= nfxpDefaults.bhhhIterations) {
        // BHHH can crawl where the outer product is a poor Hessian; finish with BFGS, as Rust's NFXP does.
        const run = runBfgs(best.theta, maxIterations - iterations, iterations);
        const bhhhDone = iterations;
        best = run.best;
        iterations += run.result.iterations;
        converged = run.result.converged;
        message = `${bhhhDone} BHHH iterations, then BFGS: ${run.result.message}`;
        break;
      }
      const dir = spdSolve(best.opg, best.gradient, K);
      let decrement = 0;
      for (let k = 0; k < K; k++) decrement += dir[k] * best.gradient[k];
      let step = 1;
      let accepted: Evaluation | undefined;
      for (let h = 0; h <= nfxpDefaults.maxHalvings; h++) {
        const trial = new Float64Array(K);
        for (let k = 0; k < K; k++) trial[k] = best.theta[k] + step * dir[k];
        let e: Evaluation | undefined;
        try {
          e = evaluate(trial);
        } catch (err) {
          if (!(err instanceof ConvergenceError)) throw err;
        }
        if (e && Number.isFinite(e.logLikelihood) && e.logLikelihood >= best.logLikelihood + 1e-4 * step * decrement) {
          accepted = e;
          break;
        }
        step /= 2;
      }
      iterations++;
      if (!accepted) {
        // no increase possible along the BHHH direction: at the optimum up to rounding?
        converged = decrement <= 1e-8 * Math.max(1, Math.abs(best.logLikelihood));
        message = converged
          ? `converged: no further increase of ℓ (Newton decrement ${decrement.toExponential(2)}) after ${iterations} BHHH iterations`
          : `line search failed after ${iterations} BHHH iterations (‖∇ℓ‖∞ = ${normInf(best.gradient).toExponential(2)})`;
        break;
      }
      best = accepted;
      onIteration?.({ iteration: iterations, theta: best.theta, logLikelihood: best.logLikelihood, gradientNorm: normInf(best.gradient), step });
    }
  } else {
    const run = runBfgs(start, maxIterations, 0);
    best = run.best;
    iterations = run.result.iterations;
    converged = run.result.converged;
    message = `BFGS: ${run.result.message}`;
  }

  // covariance: inverse outer product of the scores (BHHH)
  const opgInfo = { rows: K, cols: K, data: Float64Array.from(best.opg) };
  let covariance: Float64Array;
  try {
    covariance = inverseSpd(opgInfo).data;
  } catch {
    warn(`nfxp: the outer-product information of ${model.name} is singular at the estimates; standard errors are NaN`);
    covariance = new Float64Array(K * K).fill(NaN);
  }
  const standardErrors = new Float64Array(K);
  for (let k = 0; k < K; k++) standardErrors[k] = Math.sqrt(covariance[k * K + k]);

  const hessianStandardErrors = new Float64Array(K).fill(NaN);
  if (options.hessian ?? nfxpDefaults.hessian) {
    const H = new Float64Array(K * K);
    const x = Float64Array.from(best.theta);
    for (let k = 0; k < K; k++) {
      const h = 1e-5 * Math.max(1, Math.abs(x[k]));
      x[k] = best.theta[k] + h;
      const gp = nfxpLogLikelihood(model, counts, x, { warmStart: best.solution.value, tolerance: innerTolerance }).gradient;
      x[k] = best.theta[k] - h;
      const gm = nfxpLogLikelihood(model, counts, x, { warmStart: best.solution.value, tolerance: innerTolerance }).gradient;
      x[k] = best.theta[k];
      for (let l = 0; l < K; l++) H[l * K + k] = -(gp[l] - gm[l]) / (2 * h);
    }
    for (let k = 0; k < K; k++) {
      for (let l = k + 1; l < K; l++) {
        const m = (H[k * K + l] + H[l * K + k]) / 2;
        H[k * K + l] = m;
        H[l * K + k] = m;
      }
    }
    try {
      const inv = inverseSpd({ rows: K, cols: K, data: H }).data;
      for (let k = 0; k < K; k++) hessianStandardErrors[k] = Math.sqrt(inv[k * K + k]);
    } catch {
      warn(`nfxp: the negative Hessian of the log-likelihood of ${model.name} is not positive definite at the estimates`);
    }
  }
  if (!converged) warn(`nfxp (${model.name}): ${message}`);
  return {
    method: 'NFXP',
    model: model.name,
    parameterNames: [...model.featureNames],
    estimates: Float64Array.from(best.theta),
    standardErrors,
    covariance,
    logLikelihood: best.logLikelihood,
    observations: N,
    iterations,
    seconds: (performance.now() - t0) / 1000,
    converged,
    message,
    solution: best.solution,
    gradient: best.gradient,
    hessianStandardErrors,
    covarianceType: 'outer-product (BHHH)',
    newtonSteps,
  };
}
