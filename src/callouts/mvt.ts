/**
 * Multivariate Thompson sampling (Hill, Nassif, Liu, Iyer, Vishwanathan, KDD 2017): a Bayesian
 * probit click model P(click | x) = Φ(w·x / β) over main effects (MVT1) or main effects plus
 * pairwise component interactions (MVT2), with context and context × component terms; each
 * decision draws w from the posterior and hill-climbs to the best layout under the draw.
 *
 * Posterior approximation: assumed-density filtering with a fully factorised Gaussian
 * (the Bayesian linear probit model of Graepel, Quiñonero Candela, Borchert, Herbrich, ICML 2010,
 * used by Hill et al.). Each observation with likelihood L(u), u = w·x, is absorbed by moment
 * matching: with m = Σ x_i μ_i, s² = β² + Σ x_i² σ_i², t = m/s, Z = E[L], α = ∂log Z/∂m and
 * γ = α² − Z''/Z,  μ_i ← μ_i + σ_i² x_i α,  σ_i² ← σ_i² (1 − σ_i² x_i² γ).
 * A click has L = Φ(u/β), a non-click 1 − Φ(u/β), and an impression whose click could only have
 * arrived with probability q (censored by a delay window) 1 − q·Φ(u/β) (Chapelle, KDD 2014).
 * Cost: O(active features) per update, O(p) per posterior draw, O(S·K·Σ N_d·D) per search.
 */
import { InputError, invalidOption } from '../core/errors';
import { fillNormal } from '../core/random';
import { checkKnownKeys, checkNumber, checkOneOf } from '../core/validate';
import { featureEncoder, featureGroups, checkLayoutSpace, type FeatureEncoder, type FeatureGroup, type LayoutSpace } from './layout';
import { hillClimber, enumerateBest, type HillClimber } from './search';
import { checkDelay, feedbackParts, policyRng, type Policy, type PolicyOptions } from './policy';

/** Prior mean and variance of one feature group. */
export interface GroupPrior {
  /** Prior mean of every weight in the group. */
  mean: number;
  /** Prior variance of every weight in the group (> 0). */
  variance: number;
}

/** A prior per feature group (intercept, main, pairwise, context, contextMain). */
export type GroupPriors = Partial<Record<FeatureGroup, GroupPrior>>;

/** The flat prior: every weight N(0, 1). */
export const flatPrior: Readonly<Record<FeatureGroup, GroupPrior>> = {
  intercept: { mean: 0, variance: 1 },
  main: { mean: 0, variance: 1 },
  pairwise: { mean: 0, variance: 1 },
  context: { mean: 0, variance: 1 },
  contextMain: { mean: 0, variance: 1 },
};

/**
 * The default prior of {@link mvtThompson}: a wide intercept and effects of the size that move
 * click rates by a few points on the probit scale — main effects N(0, 0.1), interactions and
 * context × component terms N(0, 0.05), context terms N(0, 0.1). Learn a better one from past
 * campaigns with {@link learnMetaPrior}.
 */
export const defaultMvtPrior: Readonly<Record<FeatureGroup, GroupPrior>> = {
  intercept: { mean: 0, variance: 1 },
  main: { mean: 0, variance: 0.1 },
  pairwise: { mean: 0, variance: 0.05 },
  context: { mean: 0, variance: 0.1 },
  contextMain: { mean: 0, variance: 0.05 },
};

const PHI_NORM = 0.3989422804014327;

/** Standard normal density. */
function phi(t: number): number {
  return PHI_NORM * Math.exp(-0.5 * t * t);
}

/**
 * Standard normal cdf for the hot update loop (no argument checks): Numerical Recipes' erfcc
 * (relative error < 1.2e-7) in the body, Mills' ratio continued fraction beyond |t| = 5.
 */
function Phi(t: number): number {
  if (t < -5) return phi(t) * millsLower(-t);
  if (t > 5) return 1 - phi(t) * millsLower(t);
  return 0.5 * erfcApprox(-t / Math.SQRT2);
}

/** Mills ratio R(x) = (1 − Φ(x))/φ(x) for x ≥ 5 by its continued fraction. */
function millsLower(x: number): number {
  let f = x;
  for (let k = 40; k >= 1; k--) f = x + k / f;
  return 1 / f;
}

/** erfc(x) with relative error < 1.2e-7 (Numerical Recipes erfcc, Chebyshev fit). */
function erfcApprox(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z - 1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** A factorised Gaussian posterior over the weights of a probit click model, updated by ADF. */
export interface ProbitPosterior {
  /** Posterior means (length p). */
  readonly mean: Float64Array;
  /** Posterior variances (length p). */
  readonly variance: Float64Array;
  /** Probit noise scale β. */
  readonly beta: number;
  /**
   * Absorbs one observation of the active features (idx, val, count n): `kind` 1 = click,
   * 0 = no click, or a censored non-click with detection probability `q` in (0, 1].
   */
  observe(idx: Int32Array, val: Float64Array, n: number, click: boolean, q?: number): void;
  /** P(click) under the posterior mean and variance, Φ(m / √(β² + v)). */
  predict(idx: Int32Array, val: Float64Array, n: number): number;
}

/** Options of {@link probitPosterior}. */
export interface ProbitPosteriorOptions {
  /** Prior per feature group (default {@link flatPrior}). */
  prior?: GroupPriors;
  /** Probit noise β (default 1). */
  beta?: number;
  /** Per-update forgetting ε in [0, 1): active weights move ε of the way back to the prior (for drift; default 0). */
  forgetting?: number;
}

/** Defaults of {@link probitPosterior}. */
export const probitPosteriorDefaults = { beta: 1, forgetting: 0 } as const;

function checkPrior(prior: GroupPriors | undefined): Record<FeatureGroup, GroupPrior> {
  const out = { ...flatPrior } as Record<FeatureGroup, GroupPrior>;
  if (prior === undefined) return out;
  if (prior === null || typeof prior !== 'object') throw invalidOption('prior', 'an object of { mean, variance } per feature group', prior);
  checkKnownKeys('prior', prior, featureGroups);
  for (const g of featureGroups) {
    const gp = prior[g];
    if (gp === undefined) continue;
    out[g] = {
      mean: checkNumber(`prior.${g}.mean`, gp.mean ?? 0),
      variance: checkNumber(`prior.${g}.variance`, gp.variance, { min: 0, minExclusive: true }),
    };
  }
  return out;
}

/** A probit ADF posterior for an encoder's features, starting from a per-group prior. */
export function probitPosterior(encoder: FeatureEncoder, options: ProbitPosteriorOptions = {}): ProbitPosterior {
  checkKnownKeys('probitPosterior options', options, ['prior', 'beta', 'forgetting']);
  const prior = checkPrior(options.prior);
  const beta = checkNumber('beta', options.beta ?? probitPosteriorDefaults.beta, { min: 0, minExclusive: true });
  const eps = checkNumber('forgetting', options.forgetting ?? probitPosteriorDefaults.forgetting, { min: 0, max: 1, maxExclusive: true });
  const p = encoder.dim;
  const mean = new Float64Array(p);
  const variance = new Float64Array(p);
  const priorMean = new Float64Array(p);
  const priorVar = new Float64Array(p);
  for (let f = 0; f < p; f++) {
    const gp = prior[featureGroups[encoder.group[f]]];
    mean[f] = priorMean[f] = gp.mean;
    variance[f] = priorVar[f] = gp.variance;
  }
  const beta2 = beta * beta;
  return {
    mean,
    variance,
    beta,
    observe(idx, val, n, click, q = 1) {
      if (eps > 0) {
        for (let k = 0; k < n; k++) {
          const f = idx[k];
          mean[f] = (1 - eps) * mean[f] + eps * priorMean[f];
          variance[f] = (1 - eps) * variance[f] + eps * priorVar[f];
        }
      }
      let m = 0;
      let v = beta2;
      for (let k = 0; k < n; k++) {
        const f = idx[k];
        const x = val[k];
        m += x * mean[f];
        v += x * x * variance[f];
      }
      const s = Math.sqrt(v);
      const t = m / s;
      let alpha: number;
      let gamma: number;
      if (click) {
        // Z = Φ(t): λ = φ/Φ, α = λ/s, γ = λ(λ + t)/s²
        const lam = t < -5 ? 1 / millsLower(-t) : phi(t) / Phi(t);
        alpha = lam / s;
        gamma = (lam * (lam + t)) / v;
      } else if (q >= 1) {
        // Z = Φ(−t): λ = φ/Φ(−t), α = −λ/s, γ = λ(λ − t)/s²
        const lam = t > 5 ? 1 / millsLower(t) : phi(t) / Phi(-t);
        alpha = -lam / s;
        gamma = (lam * (lam - t)) / v;
      } else {
        // Z = 1 − qΦ(t); Z' = −qφ/s; Z'' = qtφ/s²
        const Z = 1 - q * Phi(t);
        const ph = phi(t);
        alpha = (-q * ph) / (s * Z);
        gamma = alpha * alpha - (q * t * ph) / (v * Z);
      }
      for (let k = 0; k < n; k++) {
        const f = idx[k];
        const x = val[k];
        const sv = variance[f];
        mean[f] += sv * x * alpha;
        let nv = sv * (1 - sv * x * x * gamma);
        if (!(nv > 1e-12)) nv = 1e-12;
        variance[f] = nv;
      }
    },
    predict(idx, val, n) {
      let m = 0;
      let v = beta2;
      for (let k = 0; k < n; k++) {
        m += val[k] * mean[idx[k]];
        v += val[k] * val[k] * variance[idx[k]];
      }
      return Phi(m / Math.sqrt(v));
    },
  };
}

/** Options of {@link mvtThompson} (`prior` defaults to {@link defaultMvtPrior}, group by group). */
export interface MvtThompsonOptions extends PolicyOptions, ProbitPosteriorOptions {
  /** 'pairwise' (MVT2, default) or 'none' (MVT1: main effects and context terms only). */
  interactions?: 'pairwise' | 'none';
  /** Context × component terms when contexts have features (default true). */
  contextInteractions?: boolean;
  /** How to find the best layout under a draw: 'hill-climb' (default, never enumerates) or 'enumerate' (checks only). */
  search?: 'hill-climb' | 'enumerate';
  /** Hill-climbing restarts S (default 5). */
  restarts?: number;
  /** Hill-climbing passes K (default 5). */
  steps?: number;
}

/** Defaults of {@link mvtThompson}. */
export const mvtThompsonDefaults = {
  interactions: 'pairwise',
  contextInteractions: true,
  search: 'hill-climb',
  restarts: 5,
  steps: 5,
  beta: 1,
  forgetting: 0,
  seed: 0,
  prior: defaultMvtPrior,
} as const;

/** A multivariate Thompson-sampling policy, with its model exposed for inspection. */
export interface MvtPolicy extends Policy {
  /** The feature encoder of the model. */
  readonly encoder: FeatureEncoder;
  /** The probit ADF posterior. */
  readonly posterior: ProbitPosterior;
}

/**
 * MVT1 / MVT2 Thompson sampling with a Bayesian probit model (ADF posterior) and hill-climbing
 * (S restarts × K passes) over layouts, with context (Hill et al., KDD 2017).
 * Delayed feedback: 'pending-as-negative' absorbs a non-click when served and a click when it
 * arrives. 'delay-aware' absorbs every impression once, at a fixed age a (`delay.decisionAge`,
 * default the mean delay): "clicked by age a" with likelihood F(a)·Φ(w·x/β) ∝ Φ, "not clicked by
 * age a" with the censored likelihood 1 − F(a)·Φ(w·x/β), F the delay CDF; clicks later than a
 * are not used. Absorbing clicks on arrival and non-clicks only when the window closes would let
 * the posterior see the clicks of recent impressions but not their non-clicks, and lean
 * optimistic about the layouts served most recently; a fixed age is unbiased.
 */
export function mvtThompson(space: LayoutSpace, options: MvtThompsonOptions = {}): MvtPolicy {
  checkLayoutSpace('space', space);
  checkKnownKeys('mvtThompson options', options, [
    'seed', 'rng', 'contexts', 'delay', 'name', 'prior', 'beta', 'forgetting', 'interactions', 'contextInteractions', 'search', 'restarts', 'steps',
  ]);
  const d = mvtThompsonDefaults;
  const interactions = checkOneOf('interactions', options.interactions ?? d.interactions, ['pairwise', 'none'] as const);
  const search = checkOneOf('search', options.search ?? d.search, ['hill-climb', 'enumerate'] as const);
  const ctx = options.contexts;
  let contexts: number[][];
  if (ctx === undefined) contexts = [[]];
  else if (typeof ctx === 'number') contexts = Array.from({ length: checkNumber('contexts', ctx, { min: 1, integer: true }) }, () => []);
  else contexts = ctx;
  const encoder = featureEncoder(space, {
    pairwise: interactions === 'pairwise',
    contexts,
    contextInteractions: options.contextInteractions ?? d.contextInteractions,
  });
  const posterior = probitPosterior(encoder, { prior: { ...defaultMvtPrior, ...(options.prior ?? {}) }, beta: options.beta, forgetting: options.forgetting });
  const climber: HillClimber = hillClimber(encoder, { restarts: options.restarts ?? d.restarts, steps: options.steps ?? d.steps });
  const greedyClimber: HillClimber = hillClimber(encoder, { restarts: 4 * (options.restarts ?? d.restarts), steps: options.steps ?? d.steps });
  const delay = checkDelay(options.delay);
  const aware = delay !== undefined && delay.handling === 'delay-aware';
  const age = delay ? delay.decisionAge : 0;
  const qAge = delay ? 1 - Math.exp(-age / delay.meanDelay) : 1;
  const pending = aware ? pendingQueue(space.dimension) : undefined;
  const flatLayout = new Int32Array(space.dimension);
  /** Absorbs every queued impression that has reached the decision age by `time`. */
  const absorbDue = (time: number): void => {
    const q = pending as PendingQueue;
    while (q.size > 0 && q.servedAtOfFirst() + age <= time) {
      const ctx = q.first(flatLayout);
      const clicked = q.clickedOfFirst();
      q.shift();
      const n = encoder.encode(flatLayout, ctx, idx, val);
      posterior.observe(idx, val, n, clicked, clicked ? 1 : qAge);
    }
  };
  const r = policyRng(options);
  const p = encoder.dim;
  const draw = new Float64Array(p);
  const idx = new Int32Array(encoder.maxActive);
  const val = new Float64Array(encoder.maxActive);
  const C = contexts.length;
  const name = options.name ?? (interactions === 'pairwise' ? 'MVT2' : 'MVT1');
  const checkCtx = (c: number): void => {
    if (!(c >= 0 && c < C && Number.isInteger(c))) throw new InputError(`context ${String(c)} is outside 0..${C - 1}`);
  };
  const find = (w: Float64Array, context: number, out: Int32Array, greedy: boolean): Int32Array => {
    if (search === 'enumerate') enumerateBest(encoder, w, context, out);
    else (greedy ? greedyClimber : climber).search(w, context, r, out);
    return out;
  };
  return {
    name,
    space,
    encoder,
    posterior,
    select(context, out) {
      checkCtx(context);
      const o = out ?? new Int32Array(space.dimension);
      fillNormal(r, draw);
      const mu = posterior.mean;
      const vr = posterior.variance;
      for (let f = 0; f < p; f++) draw[f] = mu[f] + Math.sqrt(vr[f]) * draw[f];
      return find(draw, context, o, false);
    },
    update(fb) {
      const { status, time, servedAt } = feedbackParts(fb);
      checkCtx(fb.context);
      const click = fb.reward > 0;
      switch (status) {
        case 'final': {
          const n = encoder.encode(fb.layout, fb.context, idx, val);
          posterior.observe(idx, val, n, click);
          break;
        }
        case 'pending':
          if (aware) (pending as PendingQueue).push(servedAt, fb.context, fb.layout);
          else if (delay) posterior.observe(idx, val, encoder.encode(fb.layout, fb.context, idx, val), false);
          break;
        case 'click':
          // Delay-aware: mark the impression if it is still queued (a later click is not used).
          if (aware) (pending as PendingQueue).markClick(servedAt, fb.context, fb.layout);
          else posterior.observe(idx, val, encoder.encode(fb.layout, fb.context, idx, val), true);
          break;
        case 'closed':
          // Without delay options the label is taken as final when the window closes.
          if (!delay && !click) posterior.observe(idx, val, encoder.encode(fb.layout, fb.context, idx, val), false);
          break;
        default:
          throw invalidOption('feedback.status', 'one of "final", "pending", "click", "closed"', status);
      }
      if (aware) absorbDue(time);
    },
    recommend(context, out) {
      checkCtx(context);
      return find(posterior.mean, context, out ?? new Int32Array(space.dimension), true);
    },
  };
}

/** Impressions waiting for their decision age, in the order served. */
interface PendingQueue {
  readonly size: number;
  push(servedAt: number, context: number, layout: ArrayLike<number>): void;
  /** Marks the queued impression (servedAt, context, layout) as clicked; false if it is not queued. */
  markClick(servedAt: number, context: number, layout: ArrayLike<number>): boolean;
  servedAtOfFirst(): number;
  clickedOfFirst(): boolean;
  /** Copies the first impression's layout into `out` and returns its context. */
  first(out: Int32Array): number;
  shift(): void;
}

function pendingQueue(D: number): PendingQueue {
  let cap = 1024;
  let served = new Float64Array(cap);
  let ctx = new Int32Array(cap);
  let lay = new Int32Array(cap * D);
  let clicked = new Uint8Array(cap);
  let head = 0;
  let tail = 0;
  const grow = (): void => {
    const n = tail - head;
    if (head > 0 && n < cap / 2) {
      served.copyWithin(0, head, tail);
      ctx.copyWithin(0, head, tail);
      lay.copyWithin(0, head * D, tail * D);
      clicked.copyWithin(0, head, tail);
    } else {
      cap *= 2;
      const s2 = new Float64Array(cap);
      s2.set(served.subarray(head, tail));
      const c2 = new Int32Array(cap);
      c2.set(ctx.subarray(head, tail));
      const l2 = new Int32Array(cap * D);
      l2.set(lay.subarray(head * D, tail * D));
      const k2 = new Uint8Array(cap);
      k2.set(clicked.subarray(head, tail));
      served = s2;
      ctx = c2;
      lay = l2;
      clicked = k2;
    }
    tail = n;
    head = 0;
  };
  const sameLayout = (i: number, layout: ArrayLike<number>): boolean => {
    for (let d = 0; d < D; d++) if (lay[i * D + d] !== layout[d]) return false;
    return true;
  };
  return {
    get size() {
      return tail - head;
    },
    push(servedAt, context, layout) {
      if (tail > head && servedAt < served[tail - 1]) {
        throw new InputError(`pending impressions must be reported in serving order: servedAt ${servedAt} after ${served[tail - 1]}`);
      }
      if (tail === cap) grow();
      served[tail] = servedAt;
      ctx[tail] = context;
      for (let d = 0; d < D; d++) lay[tail * D + d] = layout[d];
      clicked[tail] = 0;
      tail++;
    },
    markClick(servedAt, context, layout) {
      // Entries are in serving order: binary search for the first with served ≥ servedAt.
      let lo = head;
      let hi = tail;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (served[mid] < servedAt) lo = mid + 1;
        else hi = mid;
      }
      for (let i = lo; i < tail && served[i] === servedAt; i++) {
        if (!clicked[i] && ctx[i] === context && sameLayout(i, layout)) {
          clicked[i] = 1;
          return true;
        }
      }
      return false;
    },
    servedAtOfFirst: () => served[head],
    clickedOfFirst: () => clicked[head] === 1,
    first(out) {
      for (let d = 0; d < D; d++) out[d] = lay[head * D + d];
      return ctx[head];
    },
    shift() {
      head++;
    },
  };
}
