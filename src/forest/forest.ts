/**
 * Public forests: regression, quantile (Meinshausen) and causal (grf-style) forests sharing one
 * tree engine (relabeling + splitting rule + prediction strategy, as grf's core).
 */
import { DataError, InputError, invalidOption, warn } from '../core/errors';
import { normalQuantile } from '../core/stats';
import { checkKnownKeys, checkNumber, checkOneOf, checkPositiveInteger } from '../core/validate';
import { checkOutcome, forestData, toColumnMajor, type FeatureInput, type ForestData, type QueryData } from './data';
import {
  causalPredict,
  forestWeights,
  leafMatrix,
  normalInterval,
  quantilePredict,
  regressionPredict,
  splitFrequencies,
  variableImportance,
  type ForestWeights,
} from './predictor';
import { defaultThreads, trainForest, type TrainJob } from './trainer';
import { KIND_CAUSAL, KIND_REGRESSION, type GrowSettings, type Tree } from './tree';

export type { FeatureInput, ForestData, QueryData } from './data';
export type { ForestWeights, CausalPrediction } from './predictor';
export type { Tree } from './tree';

/** Options shared by every forest (grf's defaults). */
export interface ForestOptions {
  /** Number of trees (default 2000). */
  numTrees?: number;
  /** Fraction of rows drawn without replacement for each tree (default 0.5). */
  sampleFraction?: number;
  /** Features tried per split; default (null) min(⌈√p + 20⌉, p). */
  mtry?: number | null;
  /** Each child of a split holds at least this many splitting samples (default 5). */
  minNodeSize?: number;
  /** Maximum tree depth (default Infinity). */
  maxDepth?: number;
  /** Split on one part of each subsample and fill the leaves from the other (default true). */
  honesty?: boolean;
  /** Share of each subsample used to choose splits when honest (default 0.5). */
  honestyFraction?: number;
  /** Prune splits whose honest leaf received no estimation sample (default true). */
  honestyPruneLeaves?: boolean;
  /** Imbalance bound α: each child holds ≥ α of the parent (default 0.05). */
  alpha?: number;
  /** Seed; tree (or little-bag group) g uses `rng(seed).fork(g)` (default 0). */
  seed?: number | string;
  /** Worker threads; 0 = one per core (default 0). Results do not depend on it. */
  numThreads?: number;
}

const commonDefaults = {
  numTrees: 2000,
  sampleFraction: 0.5,
  mtry: null,
  minNodeSize: 5,
  maxDepth: Infinity,
  honesty: true,
  honestyFraction: 0.5,
  honestyPruneLeaves: true,
  alpha: 0.05,
  seed: 0,
  numThreads: 0,
} as const;

/** Defaults of {@link regressionForest} (grf's). */
export const regressionForestDefaults = { ...commonDefaults } as const;

/** Defaults of {@link quantileForest}: grf's, and the quantiles `predict` returns when none are given. */
export const quantileForestDefaults = { ...commonDefaults, quantiles: [0.1, 0.5, 0.9] as readonly number[] } as const;

/** Defaults of {@link causalForest} (grf's causal_forest). */
export const causalForestDefaults = {
  ...commonDefaults,
  /** Trees per little bag (2: variance estimates; 1: none). */
  ciGroupSize: 2,
  /** `binary` (0/1, enables AIPW) or `continuous`. */
  treatment: 'binary' as 'binary' | 'continuous',
  /** Trees of each nuisance forest; null = max(50, numTrees / 4). */
  nuisanceTrees: null as number | null,
  /** Level of the intervals from `predict` and `averageTreatmentEffect`. */
  level: 0.95,
} as const;

/** Options of {@link quantileForest}. */
export interface QuantileForestOptions extends ForestOptions {
  /** Default probabilities for `predict` (default [0.1, 0.5, 0.9]). */
  quantiles?: readonly number[];
}

/** Options of {@link causalForest}. */
export interface CausalForestOptions extends ForestOptions {
  /** Trees per little bag for variance (default 2; 1 disables variance). */
  ciGroupSize?: number;
  /** Treatment type (default `binary`: 0/1 values, both present). */
  treatment?: 'binary' | 'continuous';
  /** Trees of each nuisance (Ŷ, Ŵ) regression forest; default max(50, numTrees / 4). */
  nuisanceTrees?: number | null;
  /** Precomputed E[Y | X] per row (skips the Y forest). */
  yHat?: ArrayLike<number> | null;
  /** Precomputed E[W | X] per row (skips the W forest). */
  wHat?: ArrayLike<number> | null;
  /** Interval level (default 0.95). */
  level?: number;
}

const COMMON_KEYS = Object.keys(commonDefaults);

interface Resolved {
  numTrees: number;
  sampleFraction: number;
  settings: GrowSettings;
  seed: number | string;
  threads: number;
  autoThreads: boolean;
  ciGroupSize: number;
}

function resolveCommon(
  options: ForestOptions & { ciGroupSize?: number },
  p: number,
  n: number,
  kind: number,
  ciGroupSizeDefault: number,
): Resolved {
  const o = { ...commonDefaults, ciGroupSize: ciGroupSizeDefault, ...options };
  const ciGroupSize = checkPositiveInteger('ciGroupSize', o.ciGroupSize);
  const numTrees = checkPositiveInteger('numTrees', o.numTrees);
  if (numTrees % ciGroupSize !== 0) {
    throw invalidOption('numTrees', `a multiple of \`ciGroupSize\` (${ciGroupSize})`, numTrees);
  }
  const sampleFraction = checkNumber('sampleFraction', o.sampleFraction, {
    min: 0,
    minExclusive: true,
    max: ciGroupSize > 1 ? 0.5 : 1,
  });
  const mtry = o.mtry === null || o.mtry === undefined ? Math.min(Math.ceil(Math.sqrt(p) + 20), p) : checkNumber('mtry', o.mtry, { min: 1, max: p, integer: true });
  const minNodeSize = checkPositiveInteger('minNodeSize', o.minNodeSize);
  const maxDepth = o.maxDepth === Infinity ? Infinity : checkPositiveInteger('maxDepth', o.maxDepth);
  if (typeof o.honesty !== 'boolean') throw invalidOption('honesty', 'a boolean', o.honesty);
  if (typeof o.honestyPruneLeaves !== 'boolean') throw invalidOption('honestyPruneLeaves', 'a boolean', o.honestyPruneLeaves);
  const honestyFraction = checkNumber('honestyFraction', o.honestyFraction, { min: 0, max: 1, minExclusive: true, maxExclusive: true });
  const alpha = checkNumber('alpha', o.alpha, { min: 0, max: 0.25, maxExclusive: true });
  if (!(typeof o.seed === 'string' || (typeof o.seed === 'number' && Number.isFinite(o.seed)))) {
    throw invalidOption('seed', 'a finite number or a string', o.seed);
  }
  const nt = checkNumber('numThreads', o.numThreads, { min: 0, integer: true });
  if (n < minNodeSize) {
    throw new DataError(`\`x\` has ${n} row${n === 1 ? '' : 's'}, fewer than \`minNodeSize\` (${minNodeSize})`);
  }
  const perTree = Math.floor(sampleFraction * (ciGroupSize > 1 ? Math.floor(n / 2) * 2 : n));
  if (perTree < 2) {
    throw new DataError(`\`x\` has ${n} rows: with \`sampleFraction\` ${sampleFraction} each tree would draw fewer than 2`);
  }
  return {
    numTrees,
    sampleFraction,
    seed: o.seed,
    threads: nt === 0 ? defaultThreads() : nt,
    autoThreads: nt === 0,
    ciGroupSize,
    settings: {
      kind,
      mtry,
      minNodeSize,
      maxDepth,
      alpha,
      honesty: o.honesty,
      honestyFraction,
      pruneEmpty: o.honestyPruneLeaves,
    },
  };
}

function prepare(name: string, x: unknown): ForestData {
  return forestData(toColumnMajor(name, x));
}

function grow(data: ForestData, y: Float64Array, w: Float64Array | null, r: Resolved, path: number[], numTrees = r.numTrees, groupSize = r.ciGroupSize): Tree[] {
  const job: TrainJob = {
    data,
    y,
    w,
    settings: r.settings,
    sampleFraction: r.sampleFraction,
    ciGroupSize: groupSize,
    numTrees,
    seed: r.seed,
    path,
  };
  // With the automatic thread count, small jobs stay on this thread: not worth a worker start-up
  // (~50 ms with compiled JS, more under tsx). An explicit `numThreads` is always honoured.
  const threads = r.autoThreads && numTrees * data.n < 200_000 ? 1 : r.threads;
  return trainForest(job, threads);
}

/** The common surface of fitted forests. */
export interface Forest {
  /** Number of training rows. */
  readonly n: number;
  /** Number of features. */
  readonly p: number;
  /** Feature names (`x0`, `x1`, ... for row input). */
  readonly featureNames: string[];
  /** The trees (flat typed arrays). */
  readonly trees: Tree[];
  /** Leaf of every (query row, tree), `out[q * numTrees + b]`; node ids index `trees[b]`. */
  leaves(x: FeatureInput): Int32Array;
  /** Training rows in leaf `leaf` of tree `tree` (the honest estimation rows when honest). */
  leafSamples(tree: number, leaf: number): Int32Array;
  /** Forest weights α_i(x) per query row; without `x`, out-of-bag weights of the training rows. */
  weights(x?: FeatureInput): ForestWeights[];
  /** Split counts by depth: `[d][j]`, depth 0 = root (default maxDepth 4). */
  splitFrequencies(maxDepth?: number): number[][];
  /** grf's split-frequency importance per feature (sums to 1; defaults maxDepth 4, decayExponent 2). */
  variableImportance(options?: { maxDepth?: number; decayExponent?: number }): Float64Array;
}

abstract class BaseForest implements Forest {
  readonly n: number;
  readonly p: number;
  readonly featureNames: string[];

  constructor(
    protected readonly data: ForestData,
    readonly trees: Tree[],
  ) {
    this.n = data.n;
    this.p = data.p;
    this.featureNames = data.names;
  }

  protected query(x: FeatureInput | undefined): { q: QueryData; oob: boolean } {
    if (x === undefined) return { q: { n: this.data.n, p: this.data.p, x: this.data.x }, oob: true };
    const cm = toColumnMajor('x', x, this.p, this.featureNames);
    return { q: cm, oob: false };
  }

  leaves(x: FeatureInput): Int32Array {
    if (x === undefined) throw invalidOption('x', 'features to locate', x);
    return leafMatrix(this.trees, this.query(x).q);
  }

  leafSamples(tree: number, leaf: number): Int32Array {
    checkNumber('tree', tree, { min: 0, max: this.trees.length - 1, integer: true });
    const t = this.trees[tree];
    checkNumber('leaf', leaf, { min: 0, max: t.feature.length - 1, integer: true });
    return t.leafSamples.slice(t.leafStart[leaf], t.leafStart[leaf + 1]);
  }

  weights(x?: FeatureInput): ForestWeights[] {
    const { q, oob } = this.query(x);
    return forestWeights(this.trees, q, this.n, oob);
  }

  splitFrequencies(maxDepth = 4): number[][] {
    checkPositiveInteger('maxDepth', maxDepth);
    return splitFrequencies(this.trees, this.p, maxDepth);
  }

  variableImportance(options: { maxDepth?: number; decayExponent?: number } = {}): Float64Array {
    checkKnownKeys('options', options, ['maxDepth', 'decayExponent']);
    const maxDepth = checkPositiveInteger('maxDepth', options.maxDepth ?? 4);
    const decay = checkNumber('decayExponent', options.decayExponent ?? 2, { min: 0 });
    return variableImportance(this.trees, this.p, maxDepth, decay);
  }
}

// --- regression ---------------------------------------------------------------------------------

/** A fitted regression forest. */
export interface RegressionForest extends Forest {
  readonly kind: 'regression';
  /** Predicted E[Y | X = x] per row; without `x`, out-of-bag predictions for the training rows. */
  predict(x?: FeatureInput): Float64Array;
}

class RegressionForestImpl extends BaseForest implements RegressionForest {
  readonly kind = 'regression' as const;
  predict(x?: FeatureInput): Float64Array {
    const { q, oob } = this.query(x);
    return regressionPredict(this.trees, q, oob);
  }
}

/**
 * Regression forest (grf's regression_forest: honest, subsampled CART-style trees).
 * Prediction μ̂(x) = Σ_i α_i(x) Y_i. Reference: Athey, Tibshirani and Wager (2019), Ann. Statist. 47(2).
 * @param x features, n rows × p (rows or named columns; NaN = missing)
 * @param y outcomes, length n
 */
export function regressionForest(x: FeatureInput, y: ArrayLike<number>, options: ForestOptions = {}): RegressionForest {
  checkKnownKeys('options', options, COMMON_KEYS);
  const data = prepare('x', x);
  const yy = checkOutcome('y', y, data.n);
  const r = resolveCommon(options, data.p, data.n, KIND_REGRESSION, 1);
  return new RegressionForestImpl(data, grow(data, yy, null, r, []));
}

// --- quantile -----------------------------------------------------------------------------------

/** A fitted quantile regression forest. */
export interface QuantileForest extends Forest {
  readonly kind: 'quantile';
  /** Conditional quantiles at probability `p` per row (one array), or per probability (an array of arrays); without `x`, out of bag. */
  predict(x?: FeatureInput, p?: number): Float64Array;
  predict(x: FeatureInput | undefined, p: readonly number[]): Float64Array[];
  /** Conditional mean Σ α_i Y_i per row; without `x`, out of bag. */
  predictMean(x?: FeatureInput): Float64Array;
}

class QuantileForestImpl extends BaseForest implements QuantileForest {
  readonly kind = 'quantile' as const;
  private readonly yOrder: Int32Array;
  private readonly yPos: Int32Array;

  constructor(
    data: ForestData,
    trees: Tree[],
    private readonly y: Float64Array,
    private readonly defaultQuantiles: readonly number[],
  ) {
    super(data, trees);
    const n = y.length;
    this.yOrder = new Int32Array(n).map((_, i) => i).sort((a, b) => y[a] - y[b] || a - b);
    this.yPos = new Int32Array(n);
    for (let k = 0; k < n; k++) this.yPos[this.yOrder[k]] = k;
  }

  predict(x?: FeatureInput, p?: number): Float64Array;
  predict(x: FeatureInput | undefined, p: readonly number[]): Float64Array[];
  predict(x?: FeatureInput, p?: number | readonly number[]): Float64Array | Float64Array[] {
    const probs = p === undefined ? this.defaultQuantiles : typeof p === 'number' ? [p] : p;
    checkProbabilities('p', probs);
    const { q, oob } = this.query(x);
    const out = quantilePredict(this.trees, q, this.y, this.yOrder, this.yPos, probs, oob);
    return typeof p === 'number' ? out[0] : out;
  }

  predictMean(x?: FeatureInput): Float64Array {
    const { q, oob } = this.query(x);
    return regressionPredict(this.trees, q, oob);
  }
}

function checkProbabilities(name: string, probs: unknown): readonly number[] {
  if (!Array.isArray(probs) || probs.length === 0) throw invalidOption(name, 'a probability or a non-empty array of them', probs);
  for (const v of probs) {
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw invalidOption(name, 'probabilities in [0, 1]', v);
  }
  return probs as number[];
}

/**
 * Quantile regression forest (Meinshausen 2006): regression splits, all training outcomes kept
 * in the leaves, and any quantile at prediction time from the forest-weighted empirical
 * distribution F̂(y | x) = Σ_i α_i(x) 1{Y_i ≤ y} (lower quantile; quantiles never cross).
 * References: N. Meinshausen, "Quantile regression forests", JMLR 7 (2006); grf's quantile_forest.
 * @param x features, n rows × p
 * @param y outcomes, length n
 */
export function quantileForest(x: FeatureInput, y: ArrayLike<number>, options: QuantileForestOptions = {}): QuantileForest {
  checkKnownKeys('options', options, [...COMMON_KEYS, 'quantiles']);
  const data = prepare('x', x);
  const yy = checkOutcome('y', y, data.n);
  const quantiles = checkProbabilities('quantiles', options.quantiles ?? quantileForestDefaults.quantiles);
  const { quantiles: _q, ...rest } = options;
  const r = resolveCommon(rest, data.p, data.n, KIND_REGRESSION, 1);
  return new QuantileForestImpl(data, grow(data, yy, null, r, []), yy, quantiles.slice());
}

// --- causal -------------------------------------------------------------------------------------

/** CATE predictions with intervals. */
export interface CausalEffects {
  /** τ̂(x). */
  estimate: Float64Array;
  /** Little-bag variance of τ̂(x) (NaN when `ciGroupSize` is 1). */
  variance: Float64Array;
  /** Standard error √variance. */
  se: Float64Array;
  /** Normal interval at `level`. */
  lower: Float64Array;
  upper: Float64Array;
  level: number;
}

/** An average treatment effect with its standard error. */
export interface AverageEffect {
  estimate: number;
  se: number;
  lower: number;
  upper: number;
  level: number;
  /** Number of rows averaged. */
  n: number;
}

/** A fitted causal forest. */
export interface CausalForest extends Forest {
  readonly kind: 'causal';
  /** Ŷ = E[Y | X] per training row (out of bag, or as given). */
  readonly yHat: Float64Array;
  /** Ŵ = E[W | X] per training row (out of bag, or as given). */
  readonly wHat: Float64Array;
  /** CATE τ̂(x) with little-bag variance and intervals; without `x`, out of bag for the training rows. */
  predict(x?: FeatureInput, options?: { level?: number }): CausalEffects;
  /** AIPW average treatment effect over the training rows (binary treatment), with SE. */
  averageTreatmentEffect(options?: { level?: number }): AverageEffect;
}

class CausalForestImpl extends BaseForest implements CausalForest {
  readonly kind = 'causal' as const;
  private oobCache: CausalEffects | null = null;

  constructor(
    data: ForestData,
    trees: Tree[],
    private readonly y: Float64Array,
    private readonly w: Float64Array,
    readonly yHat: Float64Array,
    readonly wHat: Float64Array,
    private readonly groupSize: number,
    private readonly level: number,
    private readonly binary: boolean,
  ) {
    super(data, trees);
  }

  predict(x?: FeatureInput, options: { level?: number } = {}): CausalEffects {
    checkKnownKeys('options', options, ['level']);
    const level = checkNumber('level', options.level ?? this.level, { min: 0, max: 1, minExclusive: true, maxExclusive: true });
    if (x === undefined && this.oobCache && level === this.oobCache.level) return this.oobCache;
    const { q, oob } = this.query(x);
    const { estimate, variance } = causalPredict(this.trees, q, this.groupSize, oob, this.groupSize > 1);
    const { lower, upper } = normalInterval(estimate, variance, level);
    const out = { estimate, variance, se: variance.map(Math.sqrt), lower, upper, level };
    if (x === undefined) this.oobCache = out;
    return out;
  }

  averageTreatmentEffect(options: { level?: number } = {}): AverageEffect {
    checkKnownKeys('options', options, ['level']);
    const level = checkNumber('level', options.level ?? this.level, { min: 0, max: 1, minExclusive: true, maxExclusive: true });
    if (!this.binary) {
      throw new InputError('averageTreatmentEffect needs a binary treatment (fit with `treatment: "binary"`)');
    }
    const tau = this.predict(undefined, { level: this.level }).estimate;
    const n = this.n;
    let sum = 0;
    let sum2 = 0;
    let m = 0;
    let extreme = 0;
    for (let i = 0; i < n; i++) {
      if (Number.isNaN(tau[i])) continue;
      const e = this.wHat[i];
      if (e < 0.05 || e > 0.95) extreme++;
      const ec = Math.min(Math.max(e, 1e-3), 1 - 1e-3);
      const resid = this.y[i] - this.yHat[i] - (this.w[i] - e) * tau[i];
      const g = tau[i] + ((this.w[i] - e) / (ec * (1 - ec))) * resid;
      sum += g;
      sum2 += g * g;
      m++;
    }
    if (extreme > 0) warn(`causalForest: ${extreme} propensity estimate(s) outside [0.05, 0.95]; overlap is weak and the AIPW ATE unstable`);
    const estimate = sum / m;
    const v = m > 1 ? (sum2 - m * estimate * estimate) / (m - 1) : NaN;
    const se = Math.sqrt(v / m);
    const z = normalQuantile(0.5 + level / 2);
    return { estimate, se, lower: estimate - z * se, upper: estimate + z * se, level, n: m };
  }
}

function checkTreatment(w: Float64Array, mode: 'binary' | 'continuous'): void {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < w.length; i++) {
    const v = w[i];
    if (mode === 'binary' && v !== 0 && v !== 1) {
      throw new DataError(`invalid option \`w\`: a binary treatment must be 0 or 1, got ${v} at index ${i} (use \`treatment: "continuous"\` otherwise)`);
    }
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min === max) throw new DataError(`invalid option \`w\`: the treatment is constant (${min}); no effect can be estimated`);
}

function checkNuisance(name: string, v: unknown, n: number): Float64Array {
  return checkOutcome(name, v, n);
}

/**
 * Causal forest (grf's causal_forest): R-learner orthogonalisation with out-of-bag regression
 * forests Ŷ(x), Ŵ(x); trees split on the gradient pseudo-outcome of the residualised data and
 * are honest; τ̂(x) solves the forest-weighted residual-on-residual regression
 * τ̂(x) = Σα_i(Y_i−Ŷ_i−Ȳ_α)(W_i−Ŵ_i−W̄_α) / Σα_i(W_i−Ŵ_i−W̄_α)², with variance by the bootstrap
 * of little bags. References: Wager and Athey (2018), JASA 113(523); Athey, Tibshirani and
 * Wager (2019), Ann. Statist. 47(2); Nie and Wager (2021), Biometrika 108(2).
 * @param x features, n rows × p
 * @param y outcomes, length n
 * @param w treatment, length n (0/1 when `treatment` is `binary`)
 */
export function causalForest(x: FeatureInput, y: ArrayLike<number>, w: ArrayLike<number>, options: CausalForestOptions = {}): CausalForest {
  checkKnownKeys('options', options, [...COMMON_KEYS, 'ciGroupSize', 'treatment', 'nuisanceTrees', 'yHat', 'wHat', 'level']);
  const data = prepare('x', x);
  const yy = checkOutcome('y', y, data.n);
  const ww = checkOutcome('w', w, data.n);
  const treatment = checkOneOf('treatment', options.treatment ?? causalForestDefaults.treatment, ['binary', 'continuous'] as const);
  checkTreatment(ww, treatment);
  const level = checkNumber('level', options.level ?? causalForestDefaults.level, { min: 0, max: 1, minExclusive: true, maxExclusive: true });
  const { treatment: _t, nuisanceTrees: nt, yHat: yh, wHat: wh, level: _l, ...rest } = options;
  const r = resolveCommon(rest, data.p, data.n, KIND_CAUSAL, causalForestDefaults.ciGroupSize);
  const nuisanceTrees =
    nt === null || nt === undefined ? Math.max(50, Math.ceil(r.numTrees / 4)) : checkPositiveInteger('nuisanceTrees', nt);
  const nuisance: Resolved = {
    ...r,
    sampleFraction: Math.min(r.sampleFraction, 1),
    ciGroupSize: 1,
    settings: { ...r.settings, kind: KIND_REGRESSION },
  };
  const yHat =
    yh === null || yh === undefined
      ? regressionPredict(grow(data, yy, null, nuisance, [Y_PATH], nuisanceTrees, 1), { n: data.n, p: data.p, x: data.x }, true)
      : checkNuisance('yHat', yh, data.n);
  const wHat =
    wh === null || wh === undefined
      ? regressionPredict(grow(data, ww, null, nuisance, [W_PATH], nuisanceTrees, 1), { n: data.n, p: data.p, x: data.x }, true)
      : checkNuisance('wHat', wh, data.n);
  // Rows that no nuisance tree left out of bag fall back to the overall mean.
  fillNaN(yHat, yy);
  fillNaN(wHat, ww);
  const yRes = new Float64Array(data.n);
  const wRes = new Float64Array(data.n);
  for (let i = 0; i < data.n; i++) {
    yRes[i] = yy[i] - yHat[i];
    wRes[i] = ww[i] - wHat[i];
  }
  const trees = grow(data, yRes, wRes, r, []);
  return new CausalForestImpl(data, trees, yy, ww, yHat, wHat, r.ciGroupSize, level, treatment === 'binary');
}

/** Fork indices of the nuisance forests' seed paths (far from tree indices). */
const Y_PATH = 1_000_000_001;
const W_PATH = 1_000_000_002;

function fillNaN(hat: Float64Array, v: Float64Array): void {
  let mean = 0;
  for (let i = 0; i < v.length; i++) mean += v[i];
  mean /= v.length;
  for (let i = 0; i < hat.length; i++) if (Number.isNaN(hat[i])) hat[i] = mean;
}
