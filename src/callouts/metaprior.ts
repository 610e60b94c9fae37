/**
 * Empirical-Bayes meta-prior (Nabi, Nassif, Hong, Mamani, Imbens, Management Science 2022):
 * features are grouped (intercept, main effects, pairwise interactions, context terms); past
 * campaigns — each with its own creatives, so individual weights do not carry over — tell how
 * large each group's effects tend to be. Each group g gets a prior N(μ_g, τ²_g) estimated from
 * the past campaigns' posteriors by EM for the hierarchical model w ~ N(μ_g, τ²_g):
 *   refit every campaign with the current prior (probit ADF), then
 *   μ_g ← mean of posterior means m_f,  τ²_g ← mean of (m_f − μ_g)² + s²_f  over f ∈ g, all campaigns.
 * A new campaign starts from it: main effects get a wider prior than interactions, so they are
 * learned first (the decoupled learning rates of Nabi et al.), and the intercept starts near the
 * typical click rate instead of at 50%.
 */
import { InputError, invalidOption } from '../core/errors';
import { checkKnownKeys, checkNumber, checkOneOf } from '../core/validate';
import { featureEncoder, featureGroups, checkLayoutSpace, type FeatureGroup, type LayoutSpace } from './layout';
import { flatPrior, probitPosterior, type GroupPrior, type GroupPriors } from './mvt';
import type { LoggedData } from './ope';

/** One past campaign: its layout space, its contexts' features and its log (actions are layout indices). */
export interface PastCampaign {
  /** The campaign's layout space (variants may differ from the new campaign's). */
  space: LayoutSpace;
  /** The log of that campaign. */
  log: LoggedData;
  /** Context feature vectors (default one featureless context). */
  contexts?: number[][];
}

/** Options of {@link learnMetaPrior}. */
export interface MetaPriorOptions {
  /** Model the campaigns with pairwise interactions ('pairwise', default) or main effects only ('none'). */
  interactions?: 'pairwise' | 'none';
  /** EM iterations (default 5). */
  iterations?: number;
  /** Smallest variance a group may get (default 1e-4). */
  minVariance?: number;
  /** Prior of the first fit (default the flat prior N(0, 1)). */
  initialPrior?: GroupPriors;
}

/** Defaults of {@link learnMetaPrior}. */
export const metaPriorDefaults = { interactions: 'pairwise', iterations: 5, minVariance: 1e-4 } as const;

/** A learned meta-prior: the prior per group and what it was estimated from. */
export interface MetaPrior {
  /** Prior per feature group, ready for `mvtThompson(space, { prior })`. */
  prior: Record<FeatureGroup, GroupPrior>;
  /** Per group: number of weights pooled, estimated mean and variance. */
  groups: { group: string[]; weights: Float64Array; mean: Float64Array; variance: Float64Array };
}

/** Learns a per-group prior (mean, variance) from past campaign logs by empirical Bayes (EM). */
export function learnMetaPrior(campaigns: PastCampaign[], options: MetaPriorOptions = {}): MetaPrior {
  checkKnownKeys('learnMetaPrior options', options, ['interactions', 'iterations', 'minVariance', 'initialPrior']);
  if (!Array.isArray(campaigns) || campaigns.length === 0) throw invalidOption('campaigns', 'a non-empty array of past campaigns', campaigns);
  const interactions = checkOneOf('interactions', options.interactions ?? metaPriorDefaults.interactions, ['pairwise', 'none'] as const);
  const iterations = checkNumber('iterations', options.iterations ?? metaPriorDefaults.iterations, { min: 1, integer: true });
  const minVar = checkNumber('minVariance', options.minVariance ?? metaPriorDefaults.minVariance, { min: 0, minExclusive: true });
  const encoders = campaigns.map((c, i) => {
    if (!c || typeof c !== 'object') throw invalidOption(`campaigns[${i}]`, 'a { space, log } object', c);
    checkLayoutSpace(`campaigns[${i}].space`, c.space);
    if (!c.log || !(c.log.action instanceof Int32Array)) throw invalidOption(`campaigns[${i}].log`, 'a LoggedData', c.log);
    if (c.log.nActions > c.space.size) {
      throw new InputError(`campaigns[${i}]: the log has ${c.log.nActions} actions but the space only ${c.space.size} layouts`);
    }
    return featureEncoder(c.space, { pairwise: interactions === 'pairwise', contexts: c.contexts ?? [[]] });
  });
  let prior: Record<FeatureGroup, GroupPrior> = { ...flatPrior, ...(options.initialPrior ?? {}) } as Record<FeatureGroup, GroupPrior>;
  const G = featureGroups.length;
  const cnt = new Float64Array(G);
  const mu = new Float64Array(G);
  const tau2 = new Float64Array(G);
  for (let it = 0; it < iterations; it++) {
    const sumM = new Float64Array(G);
    const sumM2S = new Float64Array(G);
    cnt.fill(0);
    const posts = campaigns.map((c, i) => {
      const enc = encoders[i];
      const post = probitPosterior(enc, { prior });
      const idx = new Int32Array(enc.maxActive);
      const val = new Float64Array(enc.maxActive);
      const layout = new Int32Array(c.space.dimension);
      const log = c.log;
      for (let r = 0; r < log.n; r++) {
        c.space.layoutAt(log.action[r], layout);
        const n = enc.encode(layout, log.context[r], idx, val);
        post.observe(idx, val, n, log.reward[r] > 0);
      }
      return post;
    });
    for (let i = 0; i < campaigns.length; i++) {
      const enc = encoders[i];
      const post = posts[i];
      for (let f = 0; f < enc.dim; f++) {
        const g = enc.group[f];
        sumM[g] += post.mean[f];
        cnt[g] += 1;
      }
    }
    for (let g = 0; g < G; g++) mu[g] = cnt[g] > 0 ? sumM[g] / cnt[g] : 0;
    for (let i = 0; i < campaigns.length; i++) {
      const enc = encoders[i];
      const post = posts[i];
      for (let f = 0; f < enc.dim; f++) {
        const g = enc.group[f];
        const dm = post.mean[f] - mu[g];
        sumM2S[g] += dm * dm + post.variance[f];
      }
    }
    const next = { ...prior };
    for (let g = 0; g < G; g++) {
      if (cnt[g] === 0) continue;
      tau2[g] = Math.max(minVar, sumM2S[g] / cnt[g]);
      // the one-hot encoding with an intercept is redundant, so main and interaction means are
      // not centred at 0: keep each group's estimated mean
      next[featureGroups[g]] = { mean: mu[g], variance: tau2[g] };
    }
    prior = next;
  }
  const used = featureGroups.map((_, g) => g).filter((g) => cnt[g] > 0);
  return {
    prior,
    groups: {
      group: used.map((g) => featureGroups[g]),
      weights: Float64Array.from(used.map((g) => cnt[g])),
      mean: Float64Array.from(used.map((g) => prior[featureGroups[g]].mean)),
      variance: Float64Array.from(used.map((g) => tau2[g])),
    },
  };
}
