/**
 * Empirical-Bayes meta-prior (Nabi, Nassif, Hong, Mamani, Imbens, Management Science 2022):
 * features are grouped (intercept, main effects, pairwise interactions, context terms); past
 * campaigns — each with its own creatives, so individual weights do not carry over — tell how
 * large each group's effects tend to be. Each group g gets a prior N(μ_g, τ²_g) estimated from
 * the past campaigns' posteriors by EM for the hierarchical model w ~ N(μ_g, τ²_g):
 *   refit every campaign with the current prior, then
 *   μ_g ← mean of posterior means m_f,  τ²_g ← mean of (m_f − μ_g)² + s²_f  over f ∈ g, all campaigns.
 * The refit is a Laplace approximation by default: the probit MAP on the campaign's clicks and
 * impressions aggregated by layout and context, with s²_f from the inverse Fisher information
 * (full covariance). The fully factorised ADF posterior the bandit uses online understates s²_f
 * when features are correlated (the redundant one-hot encoding always is), which made EM learn
 * variances several times too small; 'adf' is kept to show that.
 * A new campaign starts from it: main effects get a wider prior than interactions, so they are
 * learned first (the decoupled learning rates of Nabi et al.), and the intercept starts near the
 * typical click rate instead of at 50%.
 */
import { InputError, invalidOption } from '../core/errors';
import { checkKnownKeys, checkNumber, checkOneOf } from '../core/validate';
import { cholesky, choleskySolve, inverseSpd, matrix } from '../core/linalg';
import { normalCdf, normalPdf } from '../core/stats';
import { featureEncoder, featureGroups, checkLayoutSpace, type FeatureEncoder, type FeatureGroup, type LayoutSpace } from './layout';
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
  /** Most EM iterations (default 200); EM stops earlier once every group's mean and variance move by less than `tolerance`. */
  iterations?: number;
  /** Relative change of every group's prior mean and variance that ends EM (default 1e-4). */
  tolerance?: number;
  /** Smallest variance a group may get (default 1e-4). */
  minVariance?: number;
  /** Prior of the first fit (default the flat prior N(0, 1)). */
  initialPrior?: GroupPriors;
  /** How each campaign is refitted: 'laplace' (default; MAP + inverse Fisher information) or 'adf' (the online factorised posterior). */
  fit?: 'laplace' | 'adf';
}

/** Defaults of {@link learnMetaPrior}. */
export const metaPriorDefaults = { interactions: 'pairwise', iterations: 200, tolerance: 1e-4, minVariance: 1e-4, fit: 'laplace' } as const;

/** A learned meta-prior: the prior per group and what it was estimated from. */
export interface MetaPrior {
  /** Prior per feature group, ready for `mvtThompson(space, { prior })`. */
  prior: Record<FeatureGroup, GroupPrior>;
  /** Per group: number of weights pooled, estimated mean and variance. */
  groups: { group: string[]; weights: Float64Array; mean: Float64Array; variance: Float64Array };
}

/** Learns a per-group prior (mean, variance) from past campaign logs by empirical Bayes (EM). */
export function learnMetaPrior(campaigns: PastCampaign[], options: MetaPriorOptions = {}): MetaPrior {
  checkKnownKeys('learnMetaPrior options', options, ['interactions', 'iterations', 'tolerance', 'minVariance', 'initialPrior', 'fit']);
  const tolerance = checkNumber('tolerance', options.tolerance ?? metaPriorDefaults.tolerance, { min: 0 });
  const fit = checkOneOf('fit', options.fit ?? metaPriorDefaults.fit, ['laplace', 'adf'] as const);
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
  const aggregated = fit === 'laplace' ? campaigns.map((c, i) => aggregate(encoders[i], c)) : [];
  // Each EM step's MAP starts from the campaign's previous one: a few Newton steps instead of many.
  const starts: (Float64Array | undefined)[] = campaigns.map(() => undefined);
  let prior: Record<FeatureGroup, GroupPrior> = { ...flatPrior, ...(options.initialPrior ?? {}) } as Record<FeatureGroup, GroupPrior>;
  const G = featureGroups.length;
  const cnt = new Float64Array(G);
  const mu = new Float64Array(G);
  const tau2 = new Float64Array(G);
  for (let it = 0; it < iterations; it++) {
    const sumM = new Float64Array(G);
    const sumM2S = new Float64Array(G);
    cnt.fill(0);
    const posts = campaigns.map((c, i) => (fit === 'laplace' ? laplaceFit(encoders[i], aggregated[i], prior, starts[i]) : adfFit(encoders[i], c, prior)));
    if (fit === 'laplace') posts.forEach((post, i) => (starts[i] = post.mean));
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
    let change = 0;
    for (let g = 0; g < G; g++) {
      if (cnt[g] === 0) continue;
      tau2[g] = Math.max(minVar, sumM2S[g] / cnt[g]);
      // the one-hot encoding with an intercept is redundant, so main and interaction means are
      // not centred at 0: keep each group's estimated mean
      const old = prior[featureGroups[g]];
      change = Math.max(change, Math.abs(tau2[g] - old.variance) / tau2[g], Math.abs(mu[g] - old.mean) / Math.sqrt(tau2[g]));
      next[featureGroups[g]] = { mean: mu[g], variance: tau2[g] };
    }
    prior = next;
    if (change < tolerance) break;
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

/** Posterior means and marginal variances of one campaign's weights. */
interface CampaignPosterior {
  mean: Float64Array;
  variance: Float64Array;
}

/** A campaign's log folded to one sparse row per (context, layout) with impressions and clicks. */
interface AggregatedLog {
  rows: number;
  /** Row r's active features are idx[r·A .. r·A + nnz[r]) with values val[…] (A = encoder.maxActive). */
  idx: Int32Array;
  val: Float64Array;
  nnz: Int32Array;
  trials: Float64Array;
  clicks: Float64Array;
}

function aggregate(enc: FeatureEncoder, c: PastCampaign): AggregatedLog {
  const log = c.log;
  const rowOf = new Map<number, number>();
  const keys: number[] = [];
  const trials: number[] = [];
  const clicks: number[] = [];
  for (let r = 0; r < log.n; r++) {
    const key = log.context[r] * c.space.size + log.action[r];
    let k = rowOf.get(key);
    if (k === undefined) {
      k = keys.length;
      rowOf.set(key, k);
      keys.push(key);
      trials.push(0);
      clicks.push(0);
    }
    trials[k] += 1;
    if (log.reward[r] > 0) clicks[k] += 1;
  }
  const A = enc.maxActive;
  const rows = keys.length;
  const idx = new Int32Array(rows * A);
  const val = new Float64Array(rows * A);
  const nnz = new Int32Array(rows);
  const layout = new Int32Array(c.space.dimension);
  for (let k = 0; k < rows; k++) {
    const context = Math.floor(keys[k] / c.space.size);
    c.space.layoutAt(keys[k] - context * c.space.size, layout);
    nnz[k] = enc.encode(layout, context, idx.subarray(k * A, (k + 1) * A), val.subarray(k * A, (k + 1) * A));
  }
  return { rows, idx, val, nnz, trials: Float64Array.from(trials), clicks: Float64Array.from(clicks) };
}

/**
 * Laplace approximation of a probit regression with a Gaussian prior: the MAP by Newton steps
 * with the Fisher information (halving a step that lowers the log posterior), then the marginal
 * variances from the inverse information at the MAP.
 */
function laplaceFit(enc: FeatureEncoder, data: AggregatedLog, prior: Record<FeatureGroup, GroupPrior>, start?: Float64Array): CampaignPosterior {
  const p = enc.dim;
  const A = enc.maxActive;
  const m0 = new Float64Array(p);
  const prec0 = new Float64Array(p);
  for (let f = 0; f < p; f++) {
    const g = prior[featureGroups[enc.group[f]]];
    m0[f] = g.mean;
    prec0[f] = 1 / g.variance;
  }
  const w = start ? start.slice() : m0.slice();
  const grad = new Float64Array(p);
  const info = matrix(p, p);
  const h = info.data;
  const trial = new Float64Array(p);
  const logPost = (x: Float64Array): number => {
    let lp = 0;
    for (let f = 0; f < p; f++) lp -= 0.5 * prec0[f] * (x[f] - m0[f]) ** 2;
    for (let r = 0; r < data.rows; r++) {
      let eta = 0;
      for (let q = 0; q < data.nnz[r]; q++) eta += x[data.idx[r * A + q]] * data.val[r * A + q];
      const k = data.clicks[r];
      lp += k * logNormalCdf(eta) + (data.trials[r] - k) * logNormalCdf(-eta);
    }
    return lp;
  };
  let current = logPost(w);
  for (let iter = 0; iter < 100; iter++) {
    h.fill(0);
    for (let f = 0; f < p; f++) {
      grad[f] = -prec0[f] * (w[f] - m0[f]);
      h[f * p + f] = prec0[f];
    }
    for (let r = 0; r < data.rows; r++) {
      const o = r * A;
      let eta = 0;
      for (let q = 0; q < data.nnz[r]; q++) eta += w[data.idx[o + q]] * data.val[o + q];
      const k = data.clicks[r];
      const n = data.trials[r];
      // d/dη of k log Φ(η) + (n − k) log Φ(−η), and the expected information n φ² / (Φ (1 − Φ)).
      const up = inverseMills(eta);
      const down = inverseMills(-eta);
      const score = k * up - (n - k) * down;
      const weight = n * up * down;
      for (let q = 0; q < data.nnz[r]; q++) {
        const fq = data.idx[o + q];
        const vq = data.val[o + q];
        grad[fq] += score * vq;
        for (let u = 0; u < data.nnz[r]; u++) h[fq * p + data.idx[o + u]] += weight * vq * data.val[o + u];
      }
    }
    const step = choleskySolve(cholesky(info), grad);
    let scale = 1;
    let accepted = false;
    for (let half = 0; half < 30; half++) {
      for (let f = 0; f < p; f++) trial[f] = w[f] + scale * step[f];
      const next = logPost(trial);
      if (next >= current - 1e-12 * Math.abs(current)) {
        w.set(trial);
        accepted = next - current > 1e-10 * (1 + Math.abs(current));
        current = next;
        break;
      }
      scale /= 2;
    }
    if (!accepted) break;
  }
  // Inverse information at the MAP (the info matrix of the last Newton step is at w up to one step).
  const cov = inverseSpd(info);
  const variance = new Float64Array(p);
  for (let f = 0; f < p; f++) variance[f] = cov.data[f * p + f];
  return { mean: w, variance };
}

/** φ(x)/Φ(x), stable in both tails. */
function inverseMills(x: number): number {
  if (x > -30) {
    const c = normalCdf(x);
    if (c > 1e-300) return normalPdf(x) / c;
  }
  // Φ(x) ~ φ(x)/|x| (1 − 1/x² + 3/x⁴) for x → −∞.
  const x2 = x * x;
  return -x / (1 - 1 / x2 + 3 / (x2 * x2));
}

/** log Φ(x), stable in the lower tail. */
function logNormalCdf(x: number): number {
  if (x > -30) {
    const c = normalCdf(x);
    if (c > 1e-300) return Math.log(c);
  }
  return -0.5 * x * x - Math.log(-x) - 0.5 * Math.log(2 * Math.PI) + Math.log(1 - 1 / (x * x));
}

/** The online factorised (ADF) posterior after the campaign's log, in log order. */
function adfFit(enc: FeatureEncoder, c: PastCampaign, prior: Record<FeatureGroup, GroupPrior>): CampaignPosterior {
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
  return { mean: post.mean, variance: post.variance };
}
