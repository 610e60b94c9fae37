/**
 * The callout world: the true click model P(click | layout, context, t) = g(w·x(layout, context)
 * + drift(t)), with main effects, pairwise component interactions and context × component
 * interactions, an exponential feedback-delay distribution with an attribution window, and the
 * ground-truth value of any policy. Only the world knows these weights; policies and
 * estimators see clicks.
 */
import { InputError, invalidOption } from '../core/errors';
import { rng as makeRng, type Rng } from '../core/rng';
import { aliasTable, categorical, fillNormal, type AliasTable } from '../core/random';
import { normalCdf, normalQuantile } from '../core/stats';
import { checkKnownKeys, checkNumber, checkOneOf } from '../core/validate';
import { featureEncoder, layoutSpace, type FeatureEncoder, type LayoutSpace, type LayoutSpaceOptions } from './layout';
import { hillClimber } from './search';
import type { Policy } from './policy';

/** A kind of visitor: name, feature vector (e.g. [isMember]) and share of traffic. */
export interface ContextSpec {
  /** Name shown in tables, e.g. "member". */
  name: string;
  /** Feature vector (all contexts the same length; may be empty). */
  features: number[];
  /** Share of impressions (normalised over contexts); default 1. */
  weight?: number;
}

/** Feedback delay: exponential with a mean, clicks after the attribution window are never seen. */
export interface DelaySpec {
  /** Mean delay of a click after its impression, in impressions (0: clicks are seen at once). */
  mean: number;
  /** Attribution window, in impressions: a click later than this is lost; default 3 × mean. */
  window?: number;
}

/** Options of {@link calloutWorld}. */
export interface CalloutWorldOptions {
  /** Seed of the true weights (default 0). */
  seed?: number | string;
  /** Link g: 'probit' (Φ) or 'logit' (default 'probit'). */
  link?: 'probit' | 'logit';
  /** Click probability at zero effects, sets the intercept g⁻¹(baseRate) (default 0.04). */
  baseRate?: number;
  /** Standard deviation of the true main effects (default 0.25). */
  mainScale?: number;
  /** Standard deviation of the true pairwise interactions (default 0.2; 0 for none). */
  pairwiseScale?: number;
  /**
   * Double-centre each pair's table of interaction weights (zero mean over each row and column),
   * rescaled so a cell's standard deviation stays `pairwiseScale` (default false). Raw iid cells
   * carry main effects: in a 2 × 2 table three quarters of their variance is intercept and main
   * effects, which a main-effects model (MVT1) captures. Centred tables are interactions in the
   * ANOVA sense, so `pairwiseScale` against `mainScale` then measures how strong they are.
   */
  pureInteractions?: boolean;
  /** Standard deviation of the true context and context × component effects (default 0.2). */
  contextScale?: number;
  /** Visitor contexts (default one context without features). */
  contexts?: ContextSpec[];
  /** Standard deviation of the change of each main effect over `driftHorizon` impressions (default 0: no drift). */
  drift?: number;
  /** Impressions over which main effects move by their drift (linear in t; default 10,000). */
  driftHorizon?: number;
  /** Feedback delay (default `{ mean: 0 }`: immediate). */
  delay?: DelaySpec;
  /** Explicit true weights in the world encoder's order (overrides the random draw). */
  weights?: ArrayLike<number>;
}

/** Defaults of {@link calloutWorld}. */
export const calloutWorldDefaults = {
  seed: 0,
  link: 'probit',
  baseRate: 0.04,
  mainScale: 0.25,
  pairwiseScale: 0.2,
  contextScale: 0.2,
  drift: 0,
  driftHorizon: 10_000,
  delayWindowMultiple: 3,
} as const;

/** What {@link CalloutWorld.best} returns. */
export interface BestLayout {
  /** Layout index. */
  index: number;
  /** The layout. */
  layout: Int32Array;
  /** Its click probability. */
  probability: number;
  /** True when found by enumeration (false: by hill-climbing with many restarts). */
  exact: boolean;
}

/** The true click model of a layout space; answers ground-truth questions. */
export interface CalloutWorld {
  /** The layout space. */
  readonly space: LayoutSpace;
  /** The world's feature encoder (pairwise and context terms). */
  readonly encoder: FeatureEncoder;
  /** True weights (length encoder.dim). */
  readonly weights: Float64Array;
  /** Per-main-effect drift direction (length Σ N_d), zero without drift. */
  readonly driftWeights: Float64Array;
  /** Contexts with normalised weights. */
  readonly contexts: Required<ContextSpec>[];
  /** Context feature vectors (for policies' encoders). */
  readonly contextFeatures: number[][];
  /** Delay model, with its window filled in. */
  readonly delay: Required<DelaySpec>;
  /** True when every layout's probability is tabulated (size ≤ 1e6). */
  readonly enumerable: boolean;
  /**
   * Share of the variance of true layout scores (link scale, context 0, uniform over all layouts
   * of the product space, no drift) that an additive main-effects model cannot explain: 0 without
   * interactions, near 1 when interactions dominate. Needs an enumerable space.
   */
  interactionShare(): number;
  /** JSON-serialisable description, to rebuild the world in a worker thread. */
  readonly spec: { space: LayoutSpaceOptions; options: CalloutWorldOptions };
  /** Click probability of a layout in a context at impression t. */
  probability(layout: ArrayLike<number>, context: number, t?: number): number;
  /** Click probability of a layout index (fast table look-up when enumerable). */
  probabilityOfIndex(index: number, context: number, t?: number): number;
  /** The best layout for a context at impression t (enumeration when enumerable, else hill-climbing). */
  best(context: number, t?: number): BestLayout;
  /** Draws a context id. */
  sampleContext(rng: Rng): number;
  /** Draws a click delay (exponential with the world's mean). */
  sampleDelay(rng: Rng): number;
  /** Value Σ_c w_c Σ_a π(a|c) p(a, c) of an action distribution given as C × N probabilities (row-major). */
  value(distribution: Float64Array, t?: number): number;
  /**
   * Ground-truth value (expected CTR) of a policy, frozen: exact from `policy.probabilities` when it
   * has them, else Monte Carlo over `samples` selections per context (Thompson sampling).
   */
  groundTruthValue(policy: Policy, options?: { samples?: number; t?: number }): number;
}

function linkFn(link: 'probit' | 'logit'): (x: number) => number {
  return link === 'probit' ? (x) => normalCdf(x) : (x) => 1 / (1 + Math.exp(-x));
}

/** Makes the true click model of a layout space (weights drawn from `seed` unless given). */
export function calloutWorld(space: LayoutSpace, options: CalloutWorldOptions = {}): CalloutWorld {
  checkKnownKeys('calloutWorld options', options, [
    'seed', 'link', 'baseRate', 'mainScale', 'pairwiseScale', 'pureInteractions', 'contextScale', 'contexts', 'drift', 'driftHorizon', 'delay', 'weights',
  ]);
  const d = calloutWorldDefaults;
  const seed = options.seed ?? d.seed;
  const link = checkOneOf('link', options.link ?? d.link, ['probit', 'logit'] as const);
  const baseRate = checkNumber('baseRate', options.baseRate ?? d.baseRate, { min: 0, max: 1, minExclusive: true, maxExclusive: true });
  const mainScale = checkNumber('mainScale', options.mainScale ?? d.mainScale, { min: 0 });
  const pairwiseScale = checkNumber('pairwiseScale', options.pairwiseScale ?? d.pairwiseScale, { min: 0 });
  const pureInteractions = options.pureInteractions ?? false;
  if (typeof pureInteractions !== 'boolean') throw invalidOption('pureInteractions', 'true or false', pureInteractions);
  const contextScale = checkNumber('contextScale', options.contextScale ?? d.contextScale, { min: 0 });
  const drift = checkNumber('drift', options.drift ?? d.drift, { min: 0 });
  const driftHorizon = checkNumber('driftHorizon', options.driftHorizon ?? d.driftHorizon, { min: 0, minExclusive: true });
  const ctxIn = options.contexts ?? [{ name: 'all', features: [], weight: 1 }];
  if (!Array.isArray(ctxIn) || ctxIn.length === 0) throw invalidOption('contexts', 'a non-empty array of { name, features, weight }', ctxIn);
  let totalW = 0;
  const contexts = ctxIn.map((c, i) => {
    if (c === null || typeof c !== 'object') throw invalidOption(`contexts[${i}]`, 'an object { name, features, weight }', c);
    const w = checkNumber(`contexts[${i}].weight`, c.weight ?? 1, { min: 0, minExclusive: true });
    totalW += w;
    return { name: String(c.name ?? `context ${i}`), features: Array.from(c.features ?? []), weight: w };
  });
  for (const c of contexts) c.weight /= totalW;
  const contextFeatures = contexts.map((c) => c.features);
  const delayIn = options.delay ?? { mean: 0 };
  if (delayIn === null || typeof delayIn !== 'object') throw invalidOption('delay', 'an object { mean, window }', delayIn);
  checkKnownKeys('delay', delayIn, ['mean', 'window']);
  const delayMean = checkNumber('delay.mean', delayIn.mean ?? 0, { min: 0 });
  const window = delayMean > 0
    ? checkNumber('delay.window', delayIn.window ?? d.delayWindowMultiple * delayMean, { min: 0, minExclusive: true })
    : Infinity;
  const delay = { mean: delayMean, window };

  const encoder = featureEncoder(space, { pairwise: true, contexts: contextFeatures });
  const p = encoder.dim;
  const weights = new Float64Array(p);
  const M = space.totalVariants;
  const driftWeights = new Float64Array(M);
  const root = makeRng(seed);
  if (options.weights !== undefined) {
    const wIn = options.weights;
    if (!wIn || wIn.length !== p) throw invalidOption('weights', `an array of ${p} numbers (the world encoder's features)`, wIn);
    for (let f = 0; f < p; f++) {
      if (!Number.isFinite(wIn[f])) throw invalidOption(`weights[${f}]`, 'a finite number', wIn[f]);
      weights[f] = wIn[f];
    }
  } else {
    const z = fillNormal(root.fork(0), new Float64Array(p));
    const scale = [0, mainScale, pairwiseScale, contextScale, contextScale];
    for (let f = 0; f < p; f++) weights[f] = z[f] * scale[encoder.group[f]];
    weights[0] = link === 'probit' ? normalQuantile(baseRate) : Math.log(baseRate / (1 - baseRate));
    if (pureInteractions) doubleCentrePairs(encoder, weights);
  }
  if (drift > 0) {
    fillNormal(root.fork(1), driftWeights);
    for (let m = 0; m < M; m++) driftWeights[m] *= drift;
  }
  const g = linkFn(link);
  const C = contexts.length;
  const N = space.size;
  const enumerable = N <= 1e6;
  const offs = space.variantOffsets;
  const D = space.dimension;
  const ctxTable: AliasTable = aliasTable(contexts.map((c) => c.weight));

  let scoreTable: Float64Array | undefined;
  let driftTable: Float64Array | undefined;
  let allowed: Uint8Array | undefined;
  let probTable: Float64Array | undefined;
  const bestCache: BestLayout[] = [];
  if (enumerable) {
    scoreTable = new Float64Array(C * N);
    driftTable = new Float64Array(N);
    allowed = new Uint8Array(N);
    const buf = new Int32Array(D);
    for (let a = 0; a < N; a++) {
      space.layoutAt(a, buf);
      allowed[a] = space.isAllowed(buf) ? 1 : 0;
      let dr = 0;
      for (let k = 0; k < D; k++) dr += driftWeights[offs[k] + buf[k]];
      driftTable[a] = dr;
      for (let c = 0; c < C; c++) scoreTable[c * N + a] = encoder.score(weights, buf, c);
    }
    if (drift === 0) probTable = scoreTable.map(g);
  }
  const driftScore = (layout: ArrayLike<number>): number => {
    let dr = 0;
    for (let k = 0; k < D; k++) dr += driftWeights[offs[k] + layout[k]];
    return dr;
  };
  const climber = enumerable ? undefined : hillClimber(encoder, { restarts: 50, steps: 20 });
  const checkContext = (c: number): void => {
    if (!(Number.isInteger(c) && c >= 0 && c < C)) throw new InputError(`context ${String(c)} is outside 0..${C - 1}`);
  };

  const world: CalloutWorld = {
    space,
    encoder,
    weights,
    driftWeights,
    contexts,
    contextFeatures,
    delay,
    enumerable,
    interactionShare() {
      if (!scoreTable) throw new InputError(`interactionShare needs an enumerable space (≤ 1e6 layouts); this one has ${N}`);
      return nonAdditiveShare(space, scoreTable.subarray(0, N));
    },
    spec: {
      space: space.spec,
      options: { ...options, seed, contexts: contexts.map((c) => ({ ...c })), weights: options.weights ? Array.from(options.weights) : undefined },
    },
    probability(layout, context, t = 0) {
      checkContext(context);
      const s = encoder.score(weights, layout, context) + (drift > 0 ? (t / driftHorizon) * driftScore(layout) : 0);
      return g(s);
    },
    probabilityOfIndex(index, context, t = 0) {
      if (probTable) return probTable[context * N + index];
      if (scoreTable && driftTable) {
        const s = scoreTable[context * N + index] + (drift > 0 ? (t / driftHorizon) * driftTable[index] : 0);
        return g(s);
      }
      return world.probability(space.layoutAt(index), context, t);
    },
    best(context, t = 0) {
      checkContext(context);
      if (drift === 0 && bestCache[context]) return bestCache[context];
      let result: BestLayout;
      if (scoreTable && driftTable && allowed) {
        let bi = -1;
        let bs = -Infinity;
        const f = drift > 0 ? t / driftHorizon : 0;
        const base = context * N;
        for (let a = 0; a < N; a++) {
          if (!allowed[a]) continue;
          const s = scoreTable[base + a] + f * driftTable[a];
          if (s > bs) {
            bs = s;
            bi = a;
          }
        }
        result = { index: bi, layout: space.layoutAt(bi), probability: g(bs), exact: true };
      } else {
        const w = weights.slice();
        if (drift > 0) for (let m = 0; m < M; m++) w[encoder.mainBase + m] += (t / driftHorizon) * driftWeights[m];
        const out = new Int32Array(D);
        const s = (climber as ReturnType<typeof hillClimber>).search(w, context, makeRng(seed).fork(2).fork(context), out);
        result = { index: space.indexOf(out), layout: out, probability: g(s), exact: false };
      }
      if (drift === 0) bestCache[context] = result;
      return result;
    },
    sampleContext(r) {
      return C === 1 ? 0 : categorical(r, ctxTable);
    },
    sampleDelay(r) {
      return delayMean > 0 ? -Math.log(1 - r.nextFloat()) * delayMean : 0;
    },
    value(distribution, t = 0) {
      if (!enumerable) throw new InputError('world.value needs an enumerable space (≤ 1e6 layouts); use groundTruthValue');
      if (distribution.length !== C * N) throw invalidOption('distribution', `${C} × ${N} probabilities`, distribution);
      let v = 0;
      for (let c = 0; c < C; c++) {
        let vc = 0;
        for (let a = 0; a < N; a++) {
          const pa = distribution[c * N + a];
          if (pa !== 0) vc += pa * world.probabilityOfIndex(a, c, t);
        }
        v += contexts[c].weight * vc;
      }
      return v;
    },
    groundTruthValue(policy, opts = {}) {
      const samples = checkNumber('samples', opts.samples ?? 2000, { min: 1, integer: true });
      const t = opts.t ?? 0;
      let v = 0;
      if (policy.probabilities && enumerable) {
        const pr = new Float64Array(N);
        for (let c = 0; c < C; c++) {
          policy.probabilities(c, pr);
          let vc = 0;
          for (let a = 0; a < N; a++) if (pr[a] !== 0) vc += pr[a] * world.probabilityOfIndex(a, c, t);
          v += contexts[c].weight * vc;
        }
        return v;
      }
      const buf = new Int32Array(D);
      for (let c = 0; c < C; c++) {
        let vc = 0;
        for (let s = 0; s < samples; s++) vc += world.probability(policy.select(c, buf), c, t);
        v += (contexts[c].weight * vc) / samples;
      }
      return v;
    },
  };
  return world;
}

/** Centres every pair block of `w` over rows and columns, scaled so iid N(0, σ²) cells keep variance σ². */
function doubleCentrePairs(encoder: FeatureEncoder, w: Float64Array): void {
  const { sizes, dimension: D } = encoder.space;
  for (let d = 0; d < D; d++) {
    for (let j = d + 1; j < D; j++) {
      const base = encoder.pairBase + encoder.pairOffset[d * D + j];
      const nd = sizes[d];
      const nj = sizes[j];
      const row = new Float64Array(nd);
      const col = new Float64Array(nj);
      let all = 0;
      for (let v = 0; v < nd; v++) {
        for (let u = 0; u < nj; u++) {
          const x = w[base + v * nj + u];
          row[v] += x / nj;
          col[u] += x / nd;
          all += x / (nd * nj);
        }
      }
      // Var of a centred cell is σ²(1 − 1/nd)(1 − 1/nj); rescale back to σ².
      const k = 1 / Math.sqrt((1 - 1 / nd) * (1 - 1 / nj));
      for (let v = 0; v < nd; v++) for (let u = 0; u < nj; u++) w[base + v * nj + u] = k * (w[base + v * nj + u] - row[v] - col[u] + all);
    }
  }
}

/** 1 − R² of the additive (main-effects) ANOVA projection of scores over the full product space. */
function nonAdditiveShare(space: LayoutSpace, scores: Float64Array): number {
  const { sizes, variantOffsets: offs, dimension: D, size: N } = space;
  const marg = new Float64Array(space.totalVariants);
  let mean = 0;
  const buf = new Int32Array(D);
  for (let a = 0; a < N; a++) {
    space.layoutAt(a, buf);
    mean += scores[a] / N;
    for (let d = 0; d < D; d++) marg[offs[d] + buf[d]] += (scores[a] * sizes[d]) / N;
  }
  let total = 0;
  let resid = 0;
  for (let a = 0; a < N; a++) {
    space.layoutAt(a, buf);
    let fit = mean;
    for (let d = 0; d < D; d++) fit += marg[offs[d] + buf[d]] - mean;
    total += (scores[a] - mean) ** 2;
    resid += (scores[a] - fit) ** 2;
  }
  return total > 0 ? resid / total : 0;
}

/** Rebuilds a world from its {@link CalloutWorld.spec} (used by worker threads). */
export function worldFromSpec(spec: CalloutWorld['spec'], seedOverride?: number | string): CalloutWorld {
  const space = layoutSpace(spec.space);
  const options = { ...spec.options };
  if (options.weights === undefined) delete options.weights;
  if (seedOverride !== undefined) options.seed = seedOverride;
  return calloutWorld(space, options);
}
