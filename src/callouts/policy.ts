/**
 * Policies behind one interface — `select(context)` → layout, `update(feedback)` — and the
 * count-based ones: uniform (A/B/n), ε-greedy and Beta-Bernoulli Thompson sampling over all
 * layouts (N^D-MAB), independent per-component Thompson sampling (D-MABs), and a fixed table
 * policy. The Bayesian multivariate policies (MVT1, MVT2) live in mvt.ts.
 *
 * Delayed feedback. The simulator (or a production loop) reports each impression as
 * `status: 'pending'` when served, `'click'` when its click arrives and `'closed'` when its
 * attribution window ends; without delay a single `'final'` event carries the label. With
 * `delay.handling = 'pending-as-negative'` a pending impression counts as a failure at once (the
 * common shortcut, biased against layouts served recently). With `'delay-aware'` (default) an
 * impression of age e counts as F(e) = 1 − exp(−e/mean) of a trial — the expected share of its
 * click that could have arrived — so clicks/Σ F(e_i) is unbiased for the click rate (Vernade,
 * Cappé, Perchet, "Stochastic bandit models for delayed conversions", UAI 2017; the censored
 * likelihood of Chapelle, KDD 2014, gives the same estimating equation for a known delay).
 */
import { InputError, invalidOption } from '../core/errors';
import { rng as makeRng, checkRng, type Rng } from '../core/rng';
import { aliasTable, beta as betaVariate, categorical, type AliasTable } from '../core/random';
import { checkKnownKeys, checkNumber, checkOneOf } from '../core/validate';
import { checkLayoutSpace, type LayoutSpace } from './layout';

/** Stage of an impression's feedback. */
export type FeedbackStatus = 'final' | 'pending' | 'click' | 'closed';

/** One feedback event about an impression. */
export interface Feedback {
  /** Context id of the impression. */
  context: number;
  /** The layout shown. */
  layout: ArrayLike<number>;
  /** 1 for a click, 0 otherwise (for 'pending': 0; for 'closed': the final label). */
  reward: number;
  /** Current time (impression count) when the event is delivered. */
  time: number;
  /** When the impression was served (defaults to `time`). */
  servedAt?: number;
  /** Stage of the feedback; default 'final' (label known at once). */
  status?: FeedbackStatus;
}

/** How a policy treats impressions whose click may still arrive. */
export interface DelayOptions {
  /** 'delay-aware' (default) or 'pending-as-negative'. */
  handling?: 'delay-aware' | 'pending-as-negative';
  /** Mean click delay in impressions (exponential), known or estimated from past logs. */
  meanDelay: number;
  /** Attribution window in impressions (default 3 × meanDelay). */
  window?: number;
  /**
   * MVT policies, 'delay-aware': the age at which every impression is absorbed into the posterior,
   * as "clicked by then" or "not clicked by then" (default meanDelay, at most the window).
   */
  decisionAge?: number;
}

/** A layout policy: decides, learns from feedback, and names its current best guess. */
export interface Policy {
  /** Display name. */
  readonly name: string;
  /** The layout space. */
  readonly space: LayoutSpace;
  /** Chooses a layout for a context, written into `out` (allocated when absent). */
  select(context: number, out?: Int32Array): Int32Array;
  /** Learns from one feedback event. */
  update(feedback: Feedback): void;
  /** The layout the policy currently believes best for a context (no exploration). */
  recommend(context: number, out?: Int32Array): Int32Array;
  /** Exact action distribution over layout indices, when the policy has one in closed form. */
  probabilities?(context: number, out: Float64Array): Float64Array;
}

/** Options shared by every policy factory. */
export interface PolicyOptions {
  /** Seed of the policy's own randomness (default 0); ignored when `rng` is given. */
  seed?: number | string;
  /** The policy's random stream (overrides `seed`). */
  rng?: Rng;
  /** Number of contexts, or their feature vectors (count-based policies keep one table per context). */
  contexts?: number | number[][];
  /** Delayed-feedback handling (needed only when feedback arrives late). */
  delay?: DelayOptions;
  /** Display name. */
  name?: string;
}

const commonKeys = ['seed', 'rng', 'contexts', 'delay', 'name'];

/** @internal the policy's stream from options. */
export function policyRng(options: PolicyOptions): Rng {
  return options.rng !== undefined ? checkRng('rng', options.rng) : makeRng(options.seed ?? 0);
}

/** @internal number of contexts from options. */
export function contextCount(options: PolicyOptions): number {
  const c = options.contexts;
  if (c === undefined) return 1;
  if (typeof c === 'number') return checkNumber('contexts', c, { min: 1, integer: true });
  if (!Array.isArray(c) || c.length === 0) throw invalidOption('contexts', 'a context count or an array of feature vectors', c);
  return c.length;
}

/** @internal validated delay options (undefined when absent). */
export function checkDelay(delay: DelayOptions | undefined): Required<DelayOptions> | undefined {
  if (delay === undefined) return undefined;
  if (delay === null || typeof delay !== 'object') throw invalidOption('delay', 'an object { handling, meanDelay, window, decisionAge }', delay);
  checkKnownKeys('delay', delay, ['handling', 'meanDelay', 'window', 'decisionAge']);
  const handling = checkOneOf('delay.handling', delay.handling ?? 'delay-aware', ['delay-aware', 'pending-as-negative'] as const);
  const meanDelay = checkNumber('delay.meanDelay', delay.meanDelay, { min: 0, minExclusive: true });
  const window = checkNumber('delay.window', delay.window ?? 3 * meanDelay, { min: 0, minExclusive: true });
  const decisionAge = Math.min(window, checkNumber('delay.decisionAge', delay.decisionAge ?? meanDelay, { min: 0, minExclusive: true }));
  return { handling, meanDelay, window, decisionAge };
}

/**
 * Click and trial counts per arm, with delayed feedback. For 'delay-aware', the effective number
 * of trials is Σ_i F(min(age_i, window)) with F(e) = 1 − e^(−e/mean), kept in O(1) per event by a
 * decayed sum of pending impressions.
 */
export class ArmCounts {
  /** Impressions per arm. */
  readonly n: Float64Array;
  /** Clicks seen per arm. */
  readonly clicks: Float64Array;
  private readonly pendingSum: Float64Array;
  private readonly lastTime: Float64Array;
  private readonly closedMass: Float64Array;
  private readonly rate: number;
  private readonly aware: boolean;
  private readonly eWindow: number;

  constructor(arms: number, delay?: Required<DelayOptions>) {
    this.n = new Float64Array(arms);
    this.clicks = new Float64Array(arms);
    this.pendingSum = new Float64Array(arms);
    this.lastTime = new Float64Array(arms);
    this.closedMass = new Float64Array(arms);
    this.rate = delay ? 1 / delay.meanDelay : 0;
    this.aware = delay?.handling === 'delay-aware';
    this.eWindow = delay ? Math.exp(-delay.window * this.rate) : 0;
  }

  /** Records one feedback event for an arm. */
  record(arm: number, status: FeedbackStatus, reward: number, time: number, servedAt: number): void {
    switch (status) {
      case 'final':
        this.n[arm] += 1;
        this.clicks[arm] += reward;
        break;
      case 'pending':
        this.n[arm] += 1;
        if (this.aware) {
          this.pendingSum[arm] = this.decayed(arm, time) + 1;
          this.lastTime[arm] = time;
        }
        break;
      case 'click':
        this.clicks[arm] += 1;
        break;
      case 'closed':
        if (this.aware) {
          const s = this.decayed(arm, time) - Math.exp(-this.rate * (time - servedAt));
          this.pendingSum[arm] = s > 0 ? s : 0;
          this.lastTime[arm] = time;
          this.closedMass[arm] += this.eWindow;
        }
        break;
      default:
        throw invalidOption('feedback.status', 'one of "final", "pending", "click", "closed"', status);
    }
  }

  private decayed(arm: number, time: number): number {
    const dt = time - this.lastTime[arm];
    return dt > 0 ? this.pendingSum[arm] * Math.exp(-this.rate * dt) : this.pendingSum[arm];
  }

  /** Effective trials of an arm at `time` (impressions, or Σ F(age) when delay-aware). */
  trials(arm: number, time: number): number {
    if (!this.aware) return this.n[arm];
    const t = this.n[arm] - this.decayed(arm, time) - this.closedMass[arm];
    return t > 0 ? t : 0;
  }
}

/** @internal the status and times of a feedback event, validated. */
export function feedbackParts(fb: Feedback): { status: FeedbackStatus; time: number; servedAt: number } {
  if (fb === null || typeof fb !== 'object') throw invalidOption('feedback', 'a feedback object', fb);
  const status = fb.status ?? 'final';
  const time = fb.time ?? 0;
  return { status, time, servedAt: fb.servedAt ?? time };
}

function checkContextId(c: number, C: number): void {
  if (!(c >= 0 && c < C && Number.isInteger(c))) throw new InputError(`context ${String(c)} is outside 0..${C - 1}`);
}

function checkEnumerable(space: LayoutSpace, who: string): void {
  if (space.size > 1e6) {
    throw new InputError(`${who} keeps one arm per layout and needs ≤ 1e6 layouts; this space has ${space.size}`);
  }
}

/** 1 for every allowed layout index of an enumerable space, 0 for masked ones. */
function allowedLayoutMask(space: LayoutSpace): Uint8Array {
  const mask = new Uint8Array(space.size);
  const buf = new Int32Array(space.dimension);
  for (let a = 0; a < space.size; a++) mask[a] = space.isAllowed(space.layoutAt(a, buf)) ? 1 : 0;
  return mask;
}

/** The allowed arm with the highest value (the first on ties); values are evaluated in index order. */
function argmaxAllowed(mask: Uint8Array, value: (arm: number) => number): number {
  let best = -1;
  let bv = -Infinity;
  for (let a = 0; a < mask.length; a++) {
    if (!mask[a]) continue;
    const v = value(a);
    if (v > bv) {
      bv = v;
      best = a;
    }
  }
  return best;
}

/** Random allowed layout (rejection on masks). */
function randomLayout(space: LayoutSpace, r: Rng, out: Int32Array): Int32Array {
  const D = space.dimension;
  for (let attempt = 0; attempt < 1000; attempt++) {
    for (let d = 0; d < D; d++) out[d] = Math.floor(r.nextFloat() * space.sizes[d]);
    if (space.isAllowed(out)) return out;
  }
  throw new InputError('could not draw an allowed layout in 1000 tries: the masks exclude almost everything');
}

/** Time of the latest event seen (so that trials can be read at selection time). */
class Clock {
  now = 0;
  see(t: number): void {
    if (t > this.now) this.now = t;
  }
}

// --- uniform ---------------------------------------------------------------------------------

/** Defaults of {@link uniformPolicy}. */
export const uniformPolicyDefaults = { seed: 0, name: 'uniform' } as const;

/** Uniform random layouts (A/B/n); keeps per-layout counts so `recommend` names the empirical winner. */
export function uniformPolicy(space: LayoutSpace, options: PolicyOptions = {}): Policy {
  checkLayoutSpace('space', space);
  checkKnownKeys('uniformPolicy options', options, commonKeys);
  const r = policyRng(options);
  const C = contextCount(options);
  const N = space.size;
  const delay = checkDelay(options.delay);
  const counts = N <= 1e6 ? new ArmCounts(C * N, delay) : undefined;
  const allowed = space.allowedCount();
  const clock = new Clock();
  return {
    name: options.name ?? uniformPolicyDefaults.name,
    space,
    select(context, out) {
      checkContextId(context, C);
      return randomLayout(space, r, out ?? new Int32Array(space.dimension));
    },
    update(fb) {
      const { status, time, servedAt } = feedbackParts(fb);
      clock.see(time);
      if (counts) counts.record(fb.context * N + space.indexOf(fb.layout), status, fb.reward, time, servedAt);
    },
    recommend(context, out) {
      const o = out ?? new Int32Array(space.dimension);
      if (!counts) return randomLayout(space, r, o);
      let best = -1;
      let bv = -Infinity;
      for (let a = 0; a < N; a++) {
        const arm = context * N + a;
        const v = (counts.clicks[arm] + 1) / (counts.trials(arm, clock.now) + 2);
        if (v > bv && (!space.masked || space.isAllowed(space.layoutAt(a, o)))) {
          bv = v;
          best = a;
        }
      }
      return space.layoutAt(best, o);
    },
    probabilities(context, out) {
      const buf = new Int32Array(space.dimension);
      for (let a = 0; a < N; a++) out[a] = !space.masked || space.isAllowed(space.layoutAt(a, buf)) ? 1 / allowed : 0;
      return out;
    },
  };
}

// --- ε-greedy ----------------------------------------------------------------------------------

/** Options of {@link epsilonGreedy}. */
export interface EpsilonGreedyOptions extends PolicyOptions {
  /** Exploration probability ε in [0, 1] (default 0.1). */
  epsilon?: number;
}

/** Defaults of {@link epsilonGreedy}. */
export const epsilonGreedyDefaults = { epsilon: 0.1, seed: 0, name: 'ε-greedy' } as const;

/** ε-greedy over all layouts: a uniform layout with probability ε, else the best posterior mean (Beta(1, 1) smoothing). */
export function epsilonGreedy(space: LayoutSpace, options: EpsilonGreedyOptions = {}): Policy {
  checkLayoutSpace('space', space);
  checkKnownKeys('epsilonGreedy options', options, [...commonKeys, 'epsilon']);
  checkEnumerable(space, 'epsilonGreedy');
  const epsilon = checkNumber('epsilon', options.epsilon ?? epsilonGreedyDefaults.epsilon, { min: 0, max: 1 });
  const r = policyRng(options);
  const C = contextCount(options);
  const N = space.size;
  const counts = new ArmCounts(C * N, checkDelay(options.delay));
  const allowedMask = allowedLayoutMask(space);
  const allowed = space.allowedCount();
  const clock = new Clock();
  const greedy = (context: number): number => {
    const base = context * N;
    return argmaxAllowed(allowedMask, (a) => (counts.clicks[base + a] + 1) / (counts.trials(base + a, clock.now) + 2));
  };
  return {
    name: options.name ?? epsilonGreedyDefaults.name,
    space,
    select(context, out) {
      checkContextId(context, C);
      const o = out ?? new Int32Array(space.dimension);
      if (r.nextFloat() < epsilon) return randomLayout(space, r, o);
      return space.layoutAt(greedy(context), o);
    },
    update(fb) {
      const { status, time, servedAt } = feedbackParts(fb);
      clock.see(time);
      counts.record(fb.context * N + space.indexOf(fb.layout), status, fb.reward, time, servedAt);
    },
    recommend(context, out) {
      return space.layoutAt(greedy(context), out ?? new Int32Array(space.dimension));
    },
    probabilities(context, out) {
      const g = greedy(context);
      for (let a = 0; a < N; a++) out[a] = allowedMask[a] ? epsilon / allowed : 0;
      out[g] += 1 - epsilon;
      return out;
    },
  };
}

// --- Beta-Bernoulli Thompson sampling over layouts (N^D-MAB) --------------------------------------

/** Options of {@link layoutThompson}. */
export interface BetaThompsonOptions extends PolicyOptions {
  /** Beta prior α (default 1). */
  alpha?: number;
  /** Beta prior β (default 1). */
  beta?: number;
}

/** Defaults of {@link layoutThompson}. */
export const layoutThompsonDefaults = { alpha: 1, beta: 1, seed: 0, name: 'N^D-MAB TS' } as const;

/** Beta-Bernoulli Thompson sampling with one arm per layout (the N^D-MAB of Hill et al. 2017). */
export function layoutThompson(space: LayoutSpace, options: BetaThompsonOptions = {}): Policy {
  checkLayoutSpace('space', space);
  checkKnownKeys('layoutThompson options', options, [...commonKeys, 'alpha', 'beta']);
  checkEnumerable(space, 'layoutThompson');
  const a0 = checkNumber('alpha', options.alpha ?? layoutThompsonDefaults.alpha, { min: 0, minExclusive: true });
  const b0 = checkNumber('beta', options.beta ?? layoutThompsonDefaults.beta, { min: 0, minExclusive: true });
  const r = policyRng(options);
  const C = contextCount(options);
  const N = space.size;
  const counts = new ArmCounts(C * N, checkDelay(options.delay));
  const allowedMask = allowedLayoutMask(space);
  const clock = new Clock();
  const pick = (context: number, sample: boolean): number => {
    const base = context * N;
    return argmaxAllowed(allowedMask, (a) => {
      const c = counts.clicks[base + a];
      const f = Math.max(counts.trials(base + a, clock.now) - c, 0);
      return sample ? betaVariate(r, a0 + c, b0 + f) : (a0 + c) / (a0 + b0 + c + f);
    });
  };
  return {
    name: options.name ?? layoutThompsonDefaults.name,
    space,
    select(context, out) {
      checkContextId(context, C);
      return space.layoutAt(pick(context, true), out ?? new Int32Array(space.dimension));
    },
    update(fb) {
      const { status, time, servedAt } = feedbackParts(fb);
      clock.see(time);
      counts.record(fb.context * N + space.indexOf(fb.layout), status, fb.reward, time, servedAt);
    },
    recommend(context, out) {
      return space.layoutAt(pick(context, false), out ?? new Int32Array(space.dimension));
    },
  };
}

// --- D-MABs ---------------------------------------------------------------------------------------

/** Defaults of {@link componentThompson}. */
export const componentThompsonDefaults = { alpha: 1, beta: 1, seed: 0, name: 'D-MABs TS' } as const;

/**
 * Independent Beta-Bernoulli Thompson sampling per component (D-MABs): each component picks its
 * variant from its own bandit, all credited with the layout's click.
 */
export function componentThompson(space: LayoutSpace, options: BetaThompsonOptions = {}): Policy {
  checkLayoutSpace('space', space);
  checkKnownKeys('componentThompson options', options, [...commonKeys, 'alpha', 'beta']);
  const a0 = checkNumber('alpha', options.alpha ?? componentThompsonDefaults.alpha, { min: 0, minExclusive: true });
  const b0 = checkNumber('beta', options.beta ?? componentThompsonDefaults.beta, { min: 0, minExclusive: true });
  const r = policyRng(options);
  const C = contextCount(options);
  const D = space.dimension;
  const M = space.totalVariants;
  const offs = space.variantOffsets;
  const counts = new ArmCounts(C * M, checkDelay(options.delay));
  const clock = new Clock();
  const choose = (context: number, sample: boolean, out: Int32Array): Int32Array => {
    for (let attempt = 0; attempt < 50; attempt++) {
      for (let d = 0; d < D; d++) {
        let bv = -Infinity;
        let best = 0;
        for (let v = 0; v < space.sizes[d]; v++) {
          const m = offs[d] + v;
          if (!space.variantAllowed[m]) continue;
          const arm = context * M + m;
          const c = counts.clicks[arm];
          const f = Math.max(counts.trials(arm, clock.now) - c, 0);
          const val = sample ? betaVariate(r, a0 + c, b0 + f) : (a0 + c) / (a0 + b0 + c + f);
          if (val > bv) {
            bv = val;
            best = v;
          }
        }
        out[d] = best;
      }
      if (space.isAllowed(out)) return out;
      if (!sample) break;
    }
    return randomLayout(space, r, out);
  };
  return {
    name: options.name ?? componentThompsonDefaults.name,
    space,
    select(context, out) {
      checkContextId(context, C);
      return choose(context, true, out ?? new Int32Array(D));
    },
    update(fb) {
      const { status, time, servedAt } = feedbackParts(fb);
      clock.see(time);
      space.indexOf(fb.layout); // validates
      for (let d = 0; d < D; d++) counts.record(fb.context * M + offs[d] + fb.layout[d], status, fb.reward, time, servedAt);
    },
    recommend(context, out) {
      return choose(context, false, out ?? new Int32Array(D));
    },
  };
}

// --- fixed table policy ---------------------------------------------------------------------------

/** Options of {@link tablePolicy}. */
export interface TablePolicyOptions extends PolicyOptions {
  /** Action probabilities per context: C rows of N layout probabilities (each row sums to 1). */
  probabilities: ArrayLike<number>[];
}

/** Defaults of {@link tablePolicy}. */
export const tablePolicyDefaults = { seed: 0, name: 'table' } as const;

/** A fixed stochastic policy given by its action distribution per context (for logging and OPE); it does not learn. */
export function tablePolicy(space: LayoutSpace, options: TablePolicyOptions): Policy {
  checkLayoutSpace('space', space);
  checkKnownKeys('tablePolicy options', options, [...commonKeys, 'probabilities']);
  checkEnumerable(space, 'tablePolicy');
  const N = space.size;
  const rows = options.probabilities;
  if (!Array.isArray(rows) || rows.length === 0) throw invalidOption('probabilities', 'an array of per-context probability rows', rows);
  const tables: AliasTable[] = [];
  const probs: Float64Array[] = [];
  rows.forEach((row, c) => {
    if (!row || row.length !== N) throw invalidOption(`probabilities[${c}]`, `${N} probabilities`, row);
    let s = 0;
    for (let a = 0; a < N; a++) {
      if (!(row[a] >= 0)) throw invalidOption(`probabilities[${c}][${a}]`, 'a non-negative number', row[a]);
      s += row[a];
    }
    if (Math.abs(s - 1) > 1e-6) throw invalidOption(`probabilities[${c}]`, 'probabilities summing to 1', s);
    probs.push(Float64Array.from(row));
    tables.push(aliasTable(row));
  });
  const r = policyRng(options);
  return {
    name: options.name ?? tablePolicyDefaults.name,
    space,
    select(context, out) {
      checkContextId(context, rows.length);
      return space.layoutAt(categorical(r, tables[context]), out ?? new Int32Array(space.dimension));
    },
    update() {
      /* fixed policy */
    },
    recommend(context, out) {
      const p = probs[context];
      let best = 0;
      for (let a = 1; a < N; a++) if (p[a] > p[best]) best = a;
      return space.layoutAt(best, out ?? new Int32Array(space.dimension));
    },
    probabilities(context, out) {
      out.set(probs[context]);
      return out;
    },
  };
}

// --- action distributions --------------------------------------------------------------------------

/** Options of {@link actionDistribution}. */
export interface ActionDistributionOptions {
  /** Monte Carlo selections per context when the policy has no closed form (default 10,000). */
  samples?: number;
  /** Number of contexts (default 1). */
  contexts?: number;
}

/** Defaults of {@link actionDistribution}. */
export const actionDistributionDefaults = { samples: 10_000, contexts: 1 } as const;

/**
 * A policy's action distribution π(a | c) as C × N probabilities (row-major): exact when the
 * policy has `probabilities`, else the frequencies of `samples` selections (Monte Carlo, for
 * Thompson sampling; standard error ≤ 0.5/√samples per entry). The policy is not updated.
 */
export function actionDistribution(policy: Policy, options: ActionDistributionOptions = {}): Float64Array {
  checkKnownKeys('actionDistribution options', options, ['samples', 'contexts']);
  const samples = checkNumber('samples', options.samples ?? actionDistributionDefaults.samples, { min: 1, integer: true });
  const C = checkNumber('contexts', options.contexts ?? actionDistributionDefaults.contexts, { min: 1, integer: true });
  const space = policy.space;
  checkEnumerable(space, 'actionDistribution');
  const N = space.size;
  const out = new Float64Array(C * N);
  const buf = new Int32Array(space.dimension);
  for (let c = 0; c < C; c++) {
    const row = out.subarray(c * N, (c + 1) * N);
    if (policy.probabilities) {
      policy.probabilities(c, row);
      continue;
    }
    for (let s = 0; s < samples; s++) row[space.indexOf(policy.select(c, buf))] += 1 / samples;
  }
  return out;
}
