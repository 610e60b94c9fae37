/**
 * Prediction strategies over grown trees: leaf membership, forest weights, regression means,
 * weighted quantiles (QRF), causal effects with little-bag variance, and split frequencies.
 *
 * Forest weights (Athey, Tibshirani and Wager 2019, eq. 3; Meinshausen 2006):
 * α_i(x) = (1/B) Σ_b 1{X_i ∈ L_b(x)} / |L_b(x)|, over the trees b whose leaf L_b(x) is non-empty
 * (and, out of bag, whose subsample did not contain the query row).
 */
import { normalCdf, normalQuantile } from '../core/stats';
import type { QueryData } from './data';
import { findLeaf, isInBag, type Tree } from './tree';

/** Leaf of every (query row, tree): `out[q * B + b]`. */
export function leafMatrix(trees: Tree[], q: QueryData): Int32Array {
  const B = trees.length;
  const out = new Int32Array(q.n * B);
  for (let b = 0; b < B; b++) {
    const t = trees[b];
    for (let r = 0; r < q.n; r++) out[r * B + b] = findLeaf(t, q.x, q.n, r);
  }
  return out;
}

/** Sparse forest weights of one query row. */
export interface ForestWeights {
  /** Training rows with positive weight, ascending. */
  index: Int32Array;
  /** Their weights (sum to 1; all zero only when no tree qualifies). */
  weight: Float64Array;
}

/**
 * Accumulates forest weights of query row `r` into `dense` (length n) and lists the touched rows
 * in `touched`; returns the number of touched rows. `oob`: skip trees that drew row `r`.
 */
export function accumulateWeights(
  trees: Tree[],
  q: QueryData,
  r: number,
  oob: boolean,
  dense: Float64Array,
  touched: Int32Array,
): number {
  let nt = 0;
  let used = 0;
  for (let b = 0; b < trees.length; b++) {
    const t = trees[b];
    if (oob && isInBag(t, r)) continue;
    const leaf = findLeaf(t, q.x, q.n, r);
    const a = t.leafStart[leaf];
    const e = t.leafStart[leaf + 1];
    if (e === a) continue;
    used++;
    const inv = 1 / (e - a);
    const s = t.leafSamples;
    for (let k = a; k < e; k++) {
      const i = s[k];
      if (dense[i] === 0) touched[nt++] = i;
      dense[i] += inv;
    }
  }
  if (used > 0) {
    const inv = 1 / used;
    for (let k = 0; k < nt; k++) dense[touched[k]] *= inv;
  }
  return nt;
}

/** Forest weights of every query row. */
export function forestWeights(trees: Tree[], q: QueryData, n: number, oob: boolean): ForestWeights[] {
  const dense = new Float64Array(n);
  const touched = new Int32Array(n);
  const out: ForestWeights[] = [];
  for (let r = 0; r < q.n; r++) {
    const nt = accumulateWeights(trees, q, r, oob, dense, touched);
    const index = touched.slice(0, nt).sort();
    const weight = new Float64Array(nt);
    for (let k = 0; k < nt; k++) {
      weight[k] = dense[index[k]];
      dense[index[k]] = 0;
    }
    out.push({ index, weight });
  }
  return out;
}

/** Regression prediction: the average over trees of the leaf means (= Σ α_i Y_i). NaN if no tree qualifies. */
export function regressionPredict(trees: Tree[], q: QueryData, oob: boolean): Float64Array {
  const out = new Float64Array(q.n);
  const used = new Int32Array(q.n);
  for (let b = 0; b < trees.length; b++) {
    const t = trees[b];
    for (let r = 0; r < q.n; r++) {
      if (oob && isInBag(t, r)) continue;
      const leaf = findLeaf(t, q.x, q.n, r);
      if (t.leafStart[leaf + 1] === t.leafStart[leaf]) continue;
      out[r] += t.stats[leaf];
      used[r]++;
    }
  }
  for (let r = 0; r < q.n; r++) out[r] = used[r] > 0 ? out[r] / used[r] : NaN;
  return out;
}

/**
 * Weighted quantiles of Y under the forest weights (the lower quantile: the smallest y whose
 * cumulative weight reaches p — never crossing across p). Returns one array per probability.
 * @param yOrder training rows sorted by y; `yPos[i]` is row i's position in that order
 */
export function quantilePredict(
  trees: Tree[],
  q: QueryData,
  y: Float64Array,
  yOrder: Int32Array,
  yPos: Int32Array,
  probs: readonly number[],
  oob: boolean,
): Float64Array[] {
  const n = y.length;
  const dense = new Float64Array(n);
  const touched = new Int32Array(n);
  const pos = new Int32Array(n);
  const pOrder = probs.map((_, k) => k).sort((a, b) => probs[a] - probs[b]);
  const out = probs.map(() => new Float64Array(q.n));
  for (let r = 0; r < q.n; r++) {
    const nt = accumulateWeights(trees, q, r, oob, dense, touched);
    if (nt === 0) {
      for (const o of out) o[r] = NaN;
      continue;
    }
    let total = 0;
    for (let k = 0; k < nt; k++) {
      pos[k] = yPos[touched[k]];
      total += dense[touched[k]];
    }
    const sorted = pos.subarray(0, nt).sort();
    const slack = Math.max(1e-12, 4 * nt * 2.220446049250313e-16) * total;
    let k = 0;
    let cum = dense[yOrder[sorted[0]]];
    for (const j of pOrder) {
      const target = probs[j] * total - slack;
      while (cum < target && k < nt - 1) {
        k++;
        cum += dense[yOrder[sorted[k]]];
      }
      out[j][r] = y[yOrder[sorted[k]]];
    }
    for (let t = 0; t < nt; t++) dense[touched[t]] = 0;
  }
  return out;
}

/** Causal predictions with little-bag variance. */
export interface CausalPrediction {
  /** τ̂(x) per query row. */
  estimate: Float64Array;
  /** Estimated variance of τ̂(x) (NaN when no complete group). */
  variance: Float64Array;
}

/**
 * grf's debiased group variance (ObjectiveBayesDebiaser): given the between-group variance and
 * the within-group noise, the posterior mean of a non-negative variance under a flat prior.
 */
export function debiasVariance(varBetween: number, groupNoise: number, numGroups: number): number {
  const initial = varBetween - groupNoise;
  const initialSe = Math.max(varBetween, groupNoise) * Math.sqrt(2 / numGroups);
  if (!(initialSe > 0)) return Math.max(initial, 0);
  const ratio = initial / initialSe;
  const numerator = Math.exp((-ratio * ratio) / 2) / Math.sqrt(2 * Math.PI);
  // 0.5·erfc(−ratio/√2) = Φ(ratio)
  const denominator = normalCdf(ratio);
  return initial + (initialSe * numerator) / denominator;
}

/**
 * τ̂(x) = (E[YW] − E[Y]E[W]) / (E[W²] − E[W]²) from leaf averages of the residualised Y and W
 * averaged over trees; variance by the bootstrap of little bags (Sexton and Laake 2009; grf's
 * InstrumentalPredictionStrategy): ψ_b = (YW_b − W_b·μ − WW_b·τ) − W̄·(Y_b − μ − W_b·τ) with
 * μ = Ȳ − W̄τ; var_between = mean over groups of (mean_g ψ)², var_total = mean ψ²,
 * σ̂² = debias(var_between, (var_total − var_between)/(ℓ − 1)) / (E[W²] − E[W]²)².
 */
export function causalPredict(trees: Tree[], q: QueryData, groupSize: number, oob: boolean, withVariance: boolean): CausalPrediction {
  const B = trees.length;
  const estimate = new Float64Array(q.n);
  const variance = new Float64Array(q.n).fill(NaN);
  const leaves = new Int32Array(B);
  for (let r = 0; r < q.n; r++) {
    let sy = 0;
    let sw = 0;
    let syw = 0;
    let sww = 0;
    let used = 0;
    for (let b = 0; b < B; b++) {
      const t = trees[b];
      if (oob && isInBag(t, r)) {
        leaves[b] = -1;
        continue;
      }
      const leaf = findLeaf(t, q.x, q.n, r);
      if (t.leafStart[leaf + 1] === t.leafStart[leaf]) {
        leaves[b] = -1;
        continue;
      }
      leaves[b] = leaf;
      const st = t.stats;
      sy += st[4 * leaf];
      sw += st[4 * leaf + 1];
      syw += st[4 * leaf + 2];
      sww += st[4 * leaf + 3];
      used++;
    }
    if (used === 0) {
      estimate[r] = NaN;
      continue;
    }
    const Y = sy / used;
    const W = sw / used;
    const YW = syw / used;
    const WW = sww / used;
    const denom = WW - W * W;
    const tau = (YW - W * Y) / denom;
    estimate[r] = tau;
    if (!withVariance || groupSize < 2) continue;
    const main = Y - W * tau;
    let goodGroups = 0;
    let psiSq = 0;
    let groupSq = 0;
    for (let g = 0; g + groupSize <= B; g += groupSize) {
      let good = true;
      for (let j = 0; j < groupSize; j++) if (leaves[g + j] < 0) good = false;
      if (!good) continue;
      goodGroups++;
      let groupPsi = 0;
      for (let j = 0; j < groupSize; j++) {
        const st = trees[g + j].stats;
        const leaf = leaves[g + j];
        const ly = st[4 * leaf];
        const lw = st[4 * leaf + 1];
        const lyw = st[4 * leaf + 2];
        const lww = st[4 * leaf + 3];
        const psi1 = lyw - lw * main - lww * tau;
        const psi2 = ly - main - lw * tau;
        const psi = psi1 - W * psi2;
        psiSq += psi * psi;
        groupPsi += psi;
      }
      groupPsi /= groupSize;
      groupSq += groupPsi * groupPsi;
    }
    if (goodGroups === 0) continue;
    const varBetween = groupSq / goodGroups;
    const varTotal = psiSq / (goodGroups * groupSize);
    const groupNoise = (varTotal - varBetween) / (groupSize - 1);
    variance[r] = debiasVariance(varBetween, groupNoise, goodGroups) / (denom * denom);
  }
  return { estimate, variance };
}

/** Normal interval bounds for a level, from estimates and variances. */
export function normalInterval(estimate: Float64Array, variance: Float64Array, level: number): { lower: Float64Array; upper: Float64Array } {
  const z = normalQuantile(0.5 + level / 2);
  const lower = new Float64Array(estimate.length);
  const upper = new Float64Array(estimate.length);
  for (let i = 0; i < estimate.length; i++) {
    const h = z * Math.sqrt(variance[i]);
    lower[i] = estimate[i] - h;
    upper[i] = estimate[i] + h;
  }
  return { lower, upper };
}

/** Split counts by depth: `out[d][j]` = number of splits on feature j at depth d (root = 0). */
export function splitFrequencies(trees: Tree[], p: number, maxDepth: number): number[][] {
  const out = Array.from({ length: maxDepth }, () => new Array<number>(p).fill(0));
  for (const t of trees) {
    // nodes are numbered breadth-first, so a single pass with a depth array works
    const depth = new Int32Array(t.feature.length);
    for (let node = 0; node < t.feature.length; node++) {
      const j = t.feature[node];
      if (j < 0) continue;
      const d = depth[node];
      if (d < maxDepth) out[d][j]++;
      depth[t.left[node]] = d + 1;
      depth[t.right[node]] = d + 1;
    }
  }
  return out;
}

/**
 * grf's variable importance: a depth-weighted mean of split frequencies,
 * Σ_d w_d · count_dj / Σ_j count_dj with w_d ∝ (d + 1)^−decay, normalised to sum 1 over d.
 */
export function variableImportance(trees: Tree[], p: number, maxDepth: number, decay: number): Float64Array {
  const freq = splitFrequencies(trees, p, maxDepth);
  const out = new Float64Array(p);
  let wSum = 0;
  for (let d = 0; d < maxDepth; d++) {
    const total = freq[d].reduce((a, b) => a + b, 0);
    const wd = Math.pow(d + 1, -decay);
    wSum += wd;
    if (total === 0) continue;
    for (let j = 0; j < p; j++) out[j] += (wd * freq[d][j]) / total;
  }
  for (let j = 0; j < p; j++) out[j] /= wSum;
  return out;
}
