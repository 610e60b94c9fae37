/**
 * Off-policy evaluation, as in Open Bandit Pipeline (Saito et al., NeurIPS Datasets 2021): a
 * columnar logged-data type (context, action, position, reward, propensity) and the estimators
 * DM, IPW, SNIPW, DR, SNDR and Switch-DR, each with a bootstrap confidence interval and the
 * effective sample size (Σw)²/Σw² of its importance weights w_i = π_e(a_i | x_i) / p_i.
 *
 * The estimators see only the log, the evaluation policy's action distribution and (for DM and
 * the doubly robust family) a reward model q̂(x, a); checking them against the world's ground
 * truth is what the simulator is for.
 */
import { DataError, InputError, invalidOption } from '../core/errors';
import { rng as makeRng, type Rng } from '../core/rng';
import { bootstrap } from '../core/stats';
import { checkKnownKeys, checkNumber } from '../core/validate';
import type { Policy } from './policy';
import type { CalloutWorld } from './world';

/** A log of impressions: one row per impression, columns as typed arrays. */
export interface LoggedData {
  /** Number of rows. */
  readonly n: number;
  /** Context id per row (0..nContexts−1). */
  readonly context: Int32Array;
  /** Action per row: the layout index (or item id), 0..nActions−1. */
  readonly action: Int32Array;
  /** Slot position per row (0 when there is one slot). */
  readonly position: Int32Array;
  /** Observed reward (click 0/1) per row. */
  readonly reward: Float64Array;
  /** Logging policy's probability of the logged action, in (0, 1]. */
  readonly propensity: Float64Array;
  /** Timestamp per row (optional). */
  readonly time?: Float64Array;
  /** Size of the action space. */
  readonly nActions: number;
  /** Number of contexts. */
  readonly nContexts: number;
}

/** Columns and sizes for {@link loggedData}. */
export interface LoggedDataInput {
  /** Context id per row (default all 0). */
  context?: ArrayLike<number>;
  /** Action (layout index) per row. */
  action: ArrayLike<number>;
  /** Position per row (default all 0). */
  position?: ArrayLike<number>;
  /** Reward per row. */
  reward: ArrayLike<number>;
  /** Propensity per row, in (0, 1]. */
  propensity: ArrayLike<number>;
  /** Timestamp per row (optional). */
  time?: ArrayLike<number>;
  /** Size of the action space (default: largest action + 1). */
  nActions?: number;
  /** Number of contexts (default: largest context + 1). */
  nContexts?: number;
}

function listRows(rows: number[]): string {
  const shown = rows.slice(0, 5).join(', ');
  return rows.length > 5 ? `${shown}, ... (${rows.length} rows)` : `${shown}`;
}

/** Validates columns into a {@link LoggedData}: propensities in (0, 1], actions inside the space, equal lengths. */
export function loggedData(input: LoggedDataInput): LoggedData {
  if (input === null || typeof input !== 'object') throw invalidOption('data', 'an object of columns', input);
  checkKnownKeys('loggedData columns', input, ['context', 'action', 'position', 'reward', 'propensity', 'time', 'nActions', 'nContexts']);
  const n = input.action?.length;
  if (typeof n !== 'number') throw invalidOption('action', 'an array of action indices', input.action);
  const col = (name: string, v: ArrayLike<number> | undefined, fill: number): ArrayLike<number> => {
    if (v === undefined) return new Float64Array(n).fill(fill);
    if (v.length !== n) throw new InputError(`column \`${name}\` has ${v.length} rows, expected ${n} (as \`action\`)`);
    return v;
  };
  const actionIn = input.action;
  const contextIn = col('context', input.context, 0);
  const positionIn = col('position', input.position, 0);
  const rewardIn = col('reward', input.reward, NaN);
  const propIn = col('propensity', input.propensity, NaN);
  let maxA = -1;
  let maxC = -1;
  for (let i = 0; i < n; i++) {
    if (actionIn[i] > maxA) maxA = actionIn[i];
    if (contextIn[i] > maxC) maxC = contextIn[i];
  }
  const nActions = input.nActions === undefined ? maxA + 1 : checkNumber('nActions', input.nActions, { min: 1, integer: true });
  const nContexts = input.nContexts === undefined ? Math.max(1, maxC + 1) : checkNumber('nContexts', input.nContexts, { min: 1, integer: true });
  const badAction: number[] = [];
  const badContext: number[] = [];
  const badProp: number[] = [];
  const badReward: number[] = [];
  const action = new Int32Array(n);
  const context = new Int32Array(n);
  const position = new Int32Array(n);
  const reward = new Float64Array(n);
  const propensity = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = actionIn[i];
    if (!(Number.isInteger(a) && a >= 0 && a < nActions)) badAction.push(i);
    const c = contextIn[i];
    if (!(Number.isInteger(c) && c >= 0 && c < nContexts)) badContext.push(i);
    const p = propIn[i];
    if (!(p > 0 && p <= 1)) badProp.push(i);
    const r = rewardIn[i];
    if (!Number.isFinite(r)) badReward.push(i);
    action[i] = a;
    context[i] = c;
    position[i] = positionIn[i];
    reward[i] = r;
    propensity[i] = p;
  }
  if (badAction.length > 0) {
    const i = badAction[0];
    throw new InputError(
      `logged action ${String(actionIn[i])} at row ${i} is outside the action space 0..${nActions - 1} (rows ${listRows(badAction)})`,
    );
  }
  if (badContext.length > 0) {
    const i = badContext[0];
    throw new InputError(`logged context ${String(contextIn[i])} at row ${i} is outside 0..${nContexts - 1} (rows ${listRows(badContext)})`);
  }
  if (badProp.length > 0) {
    const i = badProp[0];
    throw new InputError(
      `propensity ${String(propIn[i])} at row ${i} is not in (0, 1]: propensities must be > 0 and ≤ 1 (rows ${listRows(badProp)})`,
    );
  }
  if (badReward.length > 0) throw new InputError(`reward is not a finite number at rows ${listRows(badReward)}`);
  let time: Float64Array | undefined;
  if (input.time !== undefined) time = Float64Array.from(col('time', input.time, 0));
  return { n, context, action, position, reward, propensity, time, nActions, nContexts };
}

/** Options of {@link collectLog}. */
export interface CollectLogOptions {
  /** Number of impressions (default 10,000). */
  impressions?: number;
  /** Seed (default 0): contexts use fork(0), clicks fork(1). */
  seed?: number | string;
  /** Let the logging policy learn from each click as it goes (default false: a fixed logging policy). */
  learn?: boolean;
}

/** Defaults of {@link collectLog}. */
export const collectLogDefaults = { impressions: 10_000, seed: 0, learn: false } as const;

/**
 * Runs a logging policy with a closed-form action distribution (`probabilities`) in a world and
 * logs (context, layout index, reward, propensity) — the data an OPE estimator sees.
 */
export function collectLog(world: CalloutWorld, policy: Policy, options: CollectLogOptions = {}): LoggedData {
  checkKnownKeys('collectLog options', options, ['impressions', 'seed', 'learn']);
  const T = checkNumber('impressions', options.impressions ?? collectLogDefaults.impressions, { min: 1, integer: true });
  if (!policy.probabilities) throw new InputError(`collectLog: policy \`${policy.name}\` has no closed-form probabilities to log as propensities`);
  if (!world.enumerable) throw new InputError('collectLog needs an enumerable space (≤ 1e6 layouts)');
  const root = makeRng(options.seed ?? collectLogDefaults.seed);
  const ctxRng: Rng = root.fork(0);
  const clickRng: Rng = root.fork(1);
  const N = world.space.size;
  const C = world.contexts.length;
  const probs = new Float64Array(N);
  const layout = new Int32Array(world.space.dimension);
  const context = new Int32Array(T);
  const action = new Int32Array(T);
  const reward = new Float64Array(T);
  const propensity = new Float64Array(T);
  let cached = -1;
  for (let t = 0; t < T; t++) {
    const c = world.sampleContext(ctxRng);
    if (options.learn || cached !== c) {
      policy.probabilities(c, probs);
      cached = c;
    }
    policy.select(c, layout);
    const a = world.space.indexOf(layout);
    const y = clickRng.nextFloat() < world.probabilityOfIndex(a, c, t) ? 1 : 0;
    context[t] = c;
    action[t] = a;
    reward[t] = y;
    propensity[t] = probs[a];
    if (options.learn) policy.update({ context: c, layout, reward: y, time: t });
  }
  return loggedData({ context, action, reward, propensity, nActions: N, nContexts: C });
}

// --- reward models --------------------------------------------------------------------------------

/** Options of {@link tabularRewardModel}. */
export interface TabularRewardModelOptions {
  /** Shrinkage toward the action's pooled mean, in pseudo-observations (default 5). */
  shrinkage?: number;
}

/** Defaults of {@link tabularRewardModel}. */
export const tabularRewardModelDefaults = { shrinkage: 5 } as const;

/**
 * A tabular reward model q̂(c, a) (C × N, row-major) fitted on a log: the mean reward of each
 * (context, action), shrunk toward the action's mean over contexts, itself shrunk toward the
 * overall mean. Fit it on a separate log (cross-fitting) to keep DR's guarantees.
 */
export function tabularRewardModel(data: LoggedData, options: TabularRewardModelOptions = {}): Float64Array {
  checkKnownKeys('tabularRewardModel options', options, ['shrinkage']);
  const k = checkNumber('shrinkage', options.shrinkage ?? tabularRewardModelDefaults.shrinkage, { min: 0 });
  const N = data.nActions;
  const C = data.nContexts;
  const sum = new Float64Array(C * N);
  const cnt = new Float64Array(C * N);
  const aSum = new Float64Array(N);
  const aCnt = new Float64Array(N);
  let total = 0;
  for (let i = 0; i < data.n; i++) {
    const j = data.context[i] * N + data.action[i];
    sum[j] += data.reward[i];
    cnt[j] += 1;
    aSum[data.action[i]] += data.reward[i];
    aCnt[data.action[i]] += 1;
    total += data.reward[i];
  }
  const overall = data.n > 0 ? total / data.n : 0;
  const q = new Float64Array(C * N);
  for (let a = 0; a < N; a++) {
    const am = (aSum[a] + k * overall) / (aCnt[a] + k);
    for (let c = 0; c < C; c++) {
      const j = c * N + a;
      q[j] = (sum[j] + k * am) / (cnt[j] + k);
    }
  }
  return q;
}

// --- estimators -----------------------------------------------------------------------------------

/** The OPE estimators. */
export const opeEstimators = ['DM', 'IPW', 'SNIPW', 'DR', 'SNDR', 'Switch-DR'] as const;
/** An OPE estimator name. */
export type OpeEstimator = (typeof opeEstimators)[number];

/** Inputs every estimator shares. */
export interface OpeInput {
  /** The log. */
  data: LoggedData;
  /** Evaluation policy π_e(a | c) as C × N probabilities (from {@link actionDistribution}). */
  policy: Float64Array;
  /** Reward model q̂(c, a) as C × N (needed by DM, DR, SNDR, Switch-DR). */
  rewardModel?: Float64Array;
  /** Switch-DR threshold τ: rows with weight > τ use the model only (default 10). */
  switchThreshold?: number;
}

/** Options of {@link evaluateOffPolicy}. */
export interface EvaluateOffPolicyOptions {
  /** Estimators to run (default all that the inputs allow). */
  estimators?: OpeEstimator[];
  /** Bootstrap replicates for the CIs (default 500; 0 for none). */
  replicates?: number;
  /** Confidence level (default 0.95). */
  level?: number;
  /** Bootstrap seed (default 0). */
  seed?: number | string;
}

/** Defaults of {@link evaluateOffPolicy} and the estimators. */
export const evaluateOffPolicyDefaults = { replicates: 500, level: 0.95, seed: 0, switchThreshold: 10 } as const;

/** One estimate with its uncertainty, as returned by {@link evaluateOffPolicy}. */
export interface OpeEstimate {
  estimator: OpeEstimator;
  /** Estimated value (expected reward per impression) of the evaluation policy. */
  estimate: number;
  /** Bootstrap standard error. */
  se: number;
  /** Bootstrap percentile interval. */
  ci: [number, number];
  /** Effective sample size (Σw)²/Σw² of the weights it uses (n for DM). */
  ess: number;
}

function checkOpe(input: OpeInput, needModel: boolean): void {
  const { data, policy, rewardModel } = input;
  if (!data || !(data.action instanceof Int32Array)) throw invalidOption('data', 'a LoggedData from loggedData(...)', data);
  const size = data.nContexts * data.nActions;
  if (!(policy instanceof Float64Array) || policy.length !== size) {
    throw invalidOption('policy', `a Float64Array of ${data.nContexts} × ${data.nActions} action probabilities`, policy);
  }
  if (needModel && (!(rewardModel instanceof Float64Array) || rewardModel.length !== size)) {
    throw invalidOption('rewardModel', `a Float64Array of ${data.nContexts} × ${data.nActions} predicted rewards`, rewardModel);
  }
}

/** Per-row pieces of every estimator: weight w_i, reward r_i, model term Σ_a π q̂ and q̂(x_i, a_i). */
interface RowPieces {
  w: Float64Array;
  r: Float64Array;
  dm: Float64Array;
  qa: Float64Array;
  tau: number;
}

function rowPieces(input: OpeInput): RowPieces {
  const { data, policy, rewardModel } = input;
  const N = data.nActions;
  const n = data.n;
  const w = new Float64Array(n);
  const dm = new Float64Array(n);
  const qa = new Float64Array(n);
  const perContext = new Float64Array(data.nContexts).fill(NaN);
  for (let i = 0; i < n; i++) {
    const c = data.context[i];
    const a = data.action[i];
    w[i] = policy[c * N + a] / data.propensity[i];
    if (rewardModel) {
      if (Number.isNaN(perContext[c])) {
        let v = 0;
        for (let b = 0; b < N; b++) v += policy[c * N + b] * rewardModel[c * N + b];
        perContext[c] = v;
      }
      dm[i] = perContext[c];
      qa[i] = rewardModel[c * N + a];
    }
  }
  return { w, r: data.reward, dm, qa, tau: input.switchThreshold ?? evaluateOffPolicyDefaults.switchThreshold };
}

/** An estimator over a subset of rows (all rows when idx is undefined). */
function estimateOn(name: OpeEstimator, pc: RowPieces, idx: Int32Array | undefined): number {
  const { w, r, dm, qa, tau } = pc;
  const n = idx ? idx.length : w.length;
  let s1 = 0;
  let sw = 0;
  let sdm = 0;
  for (let k = 0; k < n; k++) {
    const i = idx ? idx[k] : k;
    const wi = w[i];
    switch (name) {
      case 'IPW':
        s1 += wi * r[i];
        break;
      case 'SNIPW':
        s1 += wi * r[i];
        sw += wi;
        break;
      case 'DM':
        sdm += dm[i];
        break;
      case 'DR':
        sdm += dm[i];
        s1 += wi * (r[i] - qa[i]);
        break;
      case 'SNDR':
        sdm += dm[i];
        s1 += wi * (r[i] - qa[i]);
        sw += wi;
        break;
      case 'Switch-DR':
        sdm += dm[i];
        if (wi <= tau) s1 += wi * (r[i] - qa[i]);
        break;
    }
  }
  switch (name) {
    case 'IPW':
      return s1 / n;
    case 'SNIPW':
      return sw > 0 ? s1 / sw : NaN;
    case 'DM':
      return sdm / n;
    case 'DR':
    case 'Switch-DR':
      return (sdm + s1) / n;
    case 'SNDR':
      return sdm / n + (sw > 0 ? s1 / sw : 0);
  }
}

/** Effective sample size (Σw)²/Σw² of the importance weights used by an estimator. */
function ess(name: OpeEstimator, pc: RowPieces): number {
  const n = pc.w.length;
  if (name === 'DM') return n;
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    let w = pc.w[i];
    if (name === 'Switch-DR' && w > pc.tau) w = 0;
    s += w;
    s2 += w * w;
  }
  return s2 > 0 ? (s * s) / s2 : 0;
}

/** Direct method: V̂ = (1/n) Σ_i Σ_a π_e(a|x_i) q̂(x_i, a). */
export function dmEstimate(input: OpeInput): number {
  checkOpe(input, true);
  return estimateOn('DM', rowPieces(input), undefined);
}

/** Inverse propensity weighting: V̂ = (1/n) Σ_i w_i r_i, w_i = π_e(a_i|x_i)/p_i. References: Horvitz & Thompson (1952). */
export function ipwEstimate(input: OpeInput): number {
  checkOpe(input, false);
  return estimateOn('IPW', rowPieces(input), undefined);
}

/** Self-normalised IPW: V̂ = Σ w_i r_i / Σ w_i. References: Swaminathan & Joachims (2015). */
export function snipwEstimate(input: OpeInput): number {
  checkOpe(input, false);
  return estimateOn('SNIPW', rowPieces(input), undefined);
}

/** Doubly robust: V̂ = (1/n) Σ_i [Σ_a π_e q̂(x_i, a) + w_i (r_i − q̂(x_i, a_i))]. References: Dudík, Langford & Li (2011). */
export function drEstimate(input: OpeInput): number {
  checkOpe(input, true);
  return estimateOn('DR', rowPieces(input), undefined);
}

/** Self-normalised DR: the DM term plus Σ w_i (r_i − q̂_i) / Σ w_i. References: Kallus & Uehara (2019). */
export function sndrEstimate(input: OpeInput): number {
  checkOpe(input, true);
  return estimateOn('SNDR', rowPieces(input), undefined);
}

/** Switch-DR: DR with the correction term dropped where w_i > τ. References: Wang, Agarwal & Dudík (ICML 2017). */
export function switchDrEstimate(input: OpeInput): number {
  checkOpe(input, true);
  return estimateOn('Switch-DR', rowPieces(input), undefined);
}

/** Runs OPE estimators on a log with bootstrap CIs (resampling rows) and effective sample sizes. */
export function evaluateOffPolicy(input: OpeInput, options: EvaluateOffPolicyOptions = {}): OpeEstimate[] {
  checkKnownKeys('evaluateOffPolicy options', options, ['estimators', 'replicates', 'level', 'seed']);
  const hasModel = input.rewardModel !== undefined;
  checkOpe(input, hasModel);
  if (input.switchThreshold !== undefined) checkNumber('switchThreshold', input.switchThreshold, { min: 0, minExclusive: true });
  const names = options.estimators ?? (hasModel ? [...opeEstimators] : (['IPW', 'SNIPW'] as OpeEstimator[]));
  for (const e of names) {
    if (!(opeEstimators as readonly string[]).includes(e)) throw invalidOption('estimators', `names from ${opeEstimators.join(', ')}`, e);
    if (!hasModel && !['IPW', 'SNIPW'].includes(e)) throw new InputError(`estimator ${e} needs a rewardModel`);
  }
  const B = checkNumber('replicates', options.replicates ?? evaluateOffPolicyDefaults.replicates, { min: 0, integer: true });
  const level = options.level ?? evaluateOffPolicyDefaults.level;
  if (input.data.n < 2) throw new DataError(`evaluateOffPolicy needs at least 2 logged rows, got ${input.data.n}`);
  const pc = rowPieces(input);
  return names.map((name) => {
    const estimate = estimateOn(name, pc, undefined);
    let se = NaN;
    let ci: [number, number] = [NaN, NaN];
    if (B > 1) {
      // the same resamples for every estimator (paired comparisons)
      const b = bootstrap(input.data.n, (idx: Int32Array) => estimateOn(name, pc, idx), {
        replicates: B,
        level,
        seed: options.seed ?? evaluateOffPolicyDefaults.seed,
      });
      se = b.se;
      ci = b.ci;
    }
    return { estimator: name, estimate, se, ci, ess: ess(name, pc) };
  });
}
