/**
 * One tree: growth on ranks with a relabeling strategy (regression or causal gradient), honest
 * re-population of the leaves, pruning of empty honest leaves, and traversal.
 *
 * A tree is flat typed arrays (structured-clone friendly, so workers can return them).
 * Split search is sort-based: for each candidate feature, the node's samples are keyed by
 * `rank · size + position` in a Float64Array and sorted natively (no comparator), then one
 * sweep evaluates every threshold between distinct values.
 *
 * Splitting rules (grf, Athey, Tibshirani and Wager 2019, "Generalized random forests", Ann.
 * Statist. 47(2)):
 * - regression: relabel ρ_i = Y_i − Ȳ_P; maximise Σ_children (Σρ)² / n_child; each child holds
 *   ≥ max(minNodeSize, ⌈α·n_P⌉) samples.
 * - causal: with Z_i = W_i − W̄_P, τ̂_P = ΣZ(Y − Ȳ_P)/ΣZ², relabel ρ_i = Z_i[(Y_i − Ȳ_P) − τ̂_P Z_i]
 *   and maximise the same criterion; each child holds ≥ minNodeSize samples with W below the
 *   parent mean and ≥ minNodeSize at or above it, and Σ_child (Z − Z̄_child)² ≥ α·ΣZ².
 */
import type { Rng } from '../core/rng';
import type { ForestData } from './data';

/** A fitted tree. Node 0 is the root; `feature[node] < 0` marks a leaf. */
export interface Tree {
  left: Int32Array;
  right: Int32Array;
  /** Split feature, −1 at leaves. */
  feature: Int32Array;
  /** Go left when x ≤ threshold. */
  threshold: Float64Array;
  /** 1: a missing value goes left. */
  missingLeft: Uint8Array;
  /** Leaf node k holds training rows `leafSamples[leafStart[k] .. leafStart[k + 1])` (honest ones when honest). */
  leafStart: Int32Array;
  leafSamples: Int32Array;
  /** Per-node leaf statistics, `stride` values per node (regression: mean Y; causal: means of Y, W, YW, WW). */
  stats: Float64Array;
  /** Bitset of the rows drawn for this tree (split and estimation halves), for out-of-bag predictions. */
  inBag: Uint32Array;
}

/** Relabeling kinds. */
export const KIND_REGRESSION = 0;
export const KIND_CAUSAL = 1;

/** Growth settings shared by every tree of a forest. */
export interface GrowSettings {
  kind: number;
  mtry: number;
  minNodeSize: number;
  maxDepth: number;
  alpha: number;
  honesty: boolean;
  honestyFraction: number;
  pruneEmpty: boolean;
}

/** Reusable buffers for growing trees (one per worker). */
export interface Workspace {
  keys: Float64Array;
  rho: Float64Array;
  z: Float64Array;
  tmp: Int32Array;
  features: Int32Array;
  stack: Int32Array;
}

/** Buffers for trees over `n` rows and `p` features. */
export function workspace(n: number, p: number): Workspace {
  return {
    keys: new Float64Array(n),
    rho: new Float64Array(n),
    z: new Float64Array(n),
    tmp: new Int32Array(n),
    features: new Int32Array(p).map((_, j) => j),
    stack: new Int32Array(3 * (2 * n + 2)),
  };
}

/** Unbiased integer in [0, n) (rejection sampling on 32-bit draws). */
export function drawInt(r: Rng, n: number): number {
  const limit = 4294967296 - (4294967296 % n);
  let x = r.nextUint32();
  while (x >= limit) x = r.nextUint32();
  return x % n;
}

/** Stats stride per kind. */
export function statsStride(kind: number): number {
  return kind === KIND_CAUSAL ? 4 : 1;
}

const REL_TOL = 1e-10;

/**
 * Grows a tree on `splitIdx` (permuted in place) and fills its leaves with `estIdx` (honesty)
 * or with the split samples themselves.
 */
export function growTree(
  data: ForestData,
  y: Float64Array,
  w: Float64Array | null,
  s: GrowSettings,
  ws: Workspace,
  splitIdx: Int32Array,
  estIdx: Int32Array | null,
  inBag: Uint32Array,
  r: Rng,
): Tree {
  const { n, p, rank, values, valueStart } = data;
  const m = splitIdx.length;
  const cap = 2 * m + 1;
  let left = new Int32Array(cap);
  let right = new Int32Array(cap);
  let feature = new Int32Array(cap).fill(-1);
  let threshold = new Float64Array(cap);
  let missingLeft = new Uint8Array(cap);
  const segStart = new Int32Array(cap);
  const segEnd = new Int32Array(cap);
  let nodes = 1;
  segStart[0] = 0;
  segEnd[0] = m;
  const { keys, rho, z, tmp, features, stack } = ws;
  const causal = s.kind === KIND_CAUSAL;
  const mtry = Math.min(s.mtry, p);
  for (let j = 0; j < p; j++) features[j] = j; // each tree starts from the same order
  let sp = 0;
  stack[sp++] = 0; // node
  stack[sp++] = 0; // depth
  while (sp > 0) {
    const depth = stack[--sp];
    const node = stack[--sp];
    const start = segStart[node];
    const end = segEnd[node];
    const size = end - start;
    if (size < 2 * s.minNodeSize || depth >= s.maxDepth || size < 2) continue;
    // --- relabel: rho[k], z[k] for positions k in the segment ---
    let total2 = 0;
    let nodeZ2 = 0;
    let nBelow = 0;
    if (causal) {
      let sy = 0;
      let sw = 0;
      for (let k = 0; k < size; k++) {
        const i = splitIdx[start + k];
        sy += y[i];
        sw += (w as Float64Array)[i];
      }
      const yb = sy / size;
      const wb = sw / size;
      let szy = 0;
      for (let k = 0; k < size; k++) {
        const i = splitIdx[start + k];
        const zk = (w as Float64Array)[i] - wb;
        z[k] = zk;
        nodeZ2 += zk * zk;
        szy += zk * (y[i] - yb);
        if (zk < 0) nBelow++;
      }
      if (!(nodeZ2 > 0)) continue;
      const tau = szy / nodeZ2;
      for (let k = 0; k < size; k++) {
        const i = splitIdx[start + k];
        const zk = z[k];
        const v = zk * (y[i] - yb - tau * zk);
        rho[k] = v;
        total2 += v * v;
      }
    } else {
      let sy = 0;
      for (let k = 0; k < size; k++) sy += y[splitIdx[start + k]];
      const yb = sy / size;
      for (let k = 0; k < size; k++) {
        const v = y[splitIdx[start + k]] - yb;
        rho[k] = v;
        total2 += v * v;
      }
    }
    if (!(total2 > 0)) continue;
    let totalRho = 0;
    let totalZ = 0;
    for (let k = 0; k < size; k++) totalRho += rho[k];
    if (causal) for (let k = 0; k < size; k++) totalZ += z[k];
    const minChild = causal ? s.minNodeSize : Math.max(s.minNodeSize, Math.ceil(s.alpha * size));
    const minZ2 = s.alpha * nodeZ2;
    const minGain = 1e-12 * total2;
    // --- choose features (partial Fisher–Yates) ---
    for (let a = 0; a < mtry; a++) {
      const b = a + drawInt(r, p - a);
      const t = features[a];
      features[a] = features[b];
      features[b] = t;
    }
    let bestGain = minGain;
    let bestFeature = -1;
    let bestRank = 0;
    let bestMissingLeft = 0;
    let bestHasMissing = false;
    for (let a = 0; a < mtry; a++) {
      const j = features[a];
      const off = j * n;
      let c = 0;
      let mCnt = 0;
      let mSum = 0;
      let mBelow = 0;
      let mZ = 0;
      let mZ2 = 0;
      for (let k = 0; k < size; k++) {
        const rk = rank[off + splitIdx[start + k]];
        if (rk < 0) {
          mCnt++;
          mSum += rho[k];
          if (causal) {
            const zk = z[k];
            if (zk < 0) mBelow++;
            mZ += zk;
            mZ2 += zk * zk;
          }
        } else {
          keys[c++] = rk * size + k;
        }
      }
      if (c === 0) continue;
      const sorted = keys.subarray(0, c).sort();
      let lCnt = 0;
      let lSum = 0;
      let lBelow = 0;
      let lZ = 0;
      let lZ2 = 0;
      let rk = Math.floor(sorted[0] / size);
      for (let q = 0; q < c; q++) {
        const key = sorted[q];
        const k = key - rk * size;
        const v = rho[k];
        lCnt++;
        lSum += v;
        if (causal) {
          const zk = z[k];
          if (zk < 0) lBelow++;
          lZ += zk;
          lZ2 += zk * zk;
        }
        let rNext = -1;
        if (q + 1 < c) {
          rNext = Math.floor(sorted[q + 1] / size);
          if (rNext === rk) continue;
        }
        // candidate splits after rank rk: (present ≤ rk) | rest, missing right or left
        for (let side = 0; side < 2; side++) {
          if (side === 1 && mCnt === 0) break;
          if (rNext < 0 && side === 0 && mCnt === 0) break; // nothing on the right
          if (rNext < 0 && side === 1) break; // all present + missing left: no right child
          const nL = side === 1 ? lCnt + mCnt : lCnt;
          const nR = size - nL;
          if (nL < minChild || nR < minChild) continue;
          const sL = side === 1 ? lSum + mSum : lSum;
          const sR = totalRho - sL;
          if (causal) {
            const bL = side === 1 ? lBelow + mBelow : lBelow;
            if (bL < minChild || nL - bL < minChild) continue;
            const bR = nBelow - bL;
            if (bR < minChild || nR - bR < minChild) continue;
            const zL = side === 1 ? lZ + mZ : lZ;
            const z2L = side === 1 ? lZ2 + mZ2 : lZ2;
            const zR = totalZ - zL;
            const z2R = nodeZ2 - z2L;
            if (z2L - (zL * zL) / nL < minZ2 || z2R - (zR * zR) / nR < minZ2) continue;
          }
          const gain = (sL * sL) / nL + (sR * sR) / nR;
          if (gain > bestGain + REL_TOL * bestGain) {
            bestGain = gain;
            bestFeature = j;
            bestRank = rNext < 0 ? -2 : rk;
            bestMissingLeft = side;
            bestHasMissing = mCnt > 0;
          }
        }
        rk = rNext;
      }
    }
    if (bestFeature < 0) continue;
    // --- partition the segment: left first, stable ---
    const off = bestFeature * n;
    let nl = 0;
    for (let k = start; k < end; k++) {
      const i = splitIdx[k];
      const rk = rank[off + i];
      const goLeft = rk < 0 ? bestMissingLeft === 1 : bestRank === -2 || rk <= bestRank;
      if (goLeft) tmp[nl++] = i;
    }
    let nr = nl;
    for (let k = start; k < end; k++) {
      const i = splitIdx[k];
      const rk = rank[off + i];
      const goLeft = rk < 0 ? bestMissingLeft === 1 : bestRank === -2 || rk <= bestRank;
      if (!goLeft) tmp[nr++] = i;
    }
    for (let k = 0; k < size; k++) splitIdx[start + k] = tmp[k];
    const vs = valueStart[bestFeature];
    let thr: number;
    if (bestRank === -2) thr = Infinity;
    else {
      const lo = values[vs + bestRank];
      const hi = values[vs + bestRank + 1];
      thr = lo + (hi - lo) / 2;
      if (!(thr < hi)) thr = lo;
    }
    const l = nodes++;
    const rgt = nodes++;
    feature[node] = bestFeature;
    threshold[node] = thr;
    missingLeft[node] = bestHasMissing ? bestMissingLeft : nl >= size - nl ? 1 : 0;
    left[node] = l;
    right[node] = rgt;
    segStart[l] = start;
    segEnd[l] = start + nl;
    segStart[rgt] = start + nl;
    segEnd[rgt] = end;
    stack[sp++] = rgt;
    stack[sp++] = depth + 1;
    stack[sp++] = l;
    stack[sp++] = depth + 1;
  }

  // --- populate leaves ---
  const count = new Int32Array(nodes);
  let leafOf: Int32Array;
  let members: Int32Array;
  if (estIdx) {
    members = estIdx;
    leafOf = new Int32Array(estIdx.length);
    for (let e = 0; e < estIdx.length; e++) {
      const i = estIdx[e];
      let node = 0;
      while (feature[node] >= 0) {
        const v = data.x[feature[node] * n + i];
        node = v !== v ? (missingLeft[node] === 1 ? left[node] : right[node]) : v <= threshold[node] ? left[node] : right[node];
      }
      leafOf[e] = node;
      count[node]++;
    }
  } else {
    members = splitIdx;
    leafOf = new Int32Array(m);
    for (let node = 0; node < nodes; node++) {
      if (feature[node] >= 0) continue;
      for (let k = segStart[node]; k < segEnd[node]; k++) leafOf[k] = node;
      count[node] = segEnd[node] - segStart[node];
    }
  }

  // --- prune empty leaves (grf's honesty.prune.leaves) and renumber breadth-first ---
  let root = 0;
  if (estIdx && s.pruneEmpty) {
    const prune = (node: number): number => {
      if (feature[node] < 0) return node;
      const l = prune(left[node]);
      const rr = prune(right[node]);
      left[node] = l;
      right[node] = rr;
      if (feature[l] < 0 && count[l] === 0) return rr;
      if (feature[rr] < 0 && count[rr] === 0) return l;
      return node;
    };
    root = prune(0);
  }
  const newId = new Int32Array(nodes).fill(-1);
  const order = new Int32Array(nodes);
  let head = 0;
  let tail = 0;
  order[tail++] = root;
  newId[root] = 0;
  while (head < tail) {
    const node = order[head++];
    if (feature[node] >= 0) {
      newId[left[node]] = tail;
      order[tail++] = left[node];
      newId[right[node]] = tail;
      order[tail++] = right[node];
    }
  }
  const N = tail;
  const nLeft = new Int32Array(N);
  const nRight = new Int32Array(N);
  const nFeature = new Int32Array(N);
  const nThreshold = new Float64Array(N);
  const nMissing = new Uint8Array(N);
  const leafStart = new Int32Array(N + 1);
  for (let k = 0; k < N; k++) {
    const node = order[k];
    nFeature[k] = feature[node];
    if (feature[node] >= 0) {
      nLeft[k] = newId[left[node]];
      nRight[k] = newId[right[node]];
      nThreshold[k] = threshold[node];
      nMissing[k] = missingLeft[node];
      leafStart[k + 1] = leafStart[k];
    } else {
      leafStart[k + 1] = leafStart[k] + count[node];
    }
  }
  const fill = leafStart.slice(0, N);
  const leafSamples = new Int32Array(leafStart[N]);
  for (let e = 0; e < members.length; e++) {
    const id = newId[leafOf[e]];
    if (id >= 0) leafSamples[fill[id]++] = members[e];
  }
  // --- leaf statistics ---
  const stride = statsStride(s.kind);
  const stats = new Float64Array(N * stride);
  for (let k = 0; k < N; k++) {
    const a = leafStart[k];
    const b = leafStart[k + 1];
    if (nFeature[k] >= 0 || b === a) continue;
    const inv = 1 / (b - a);
    if (s.kind === KIND_CAUSAL) {
      let sy = 0;
      let sw = 0;
      let syw = 0;
      let sww = 0;
      for (let t = a; t < b; t++) {
        const i = leafSamples[t];
        const yi = y[i];
        const wi = (w as Float64Array)[i];
        sy += yi;
        sw += wi;
        syw += yi * wi;
        sww += wi * wi;
      }
      stats[4 * k] = sy * inv;
      stats[4 * k + 1] = sw * inv;
      stats[4 * k + 2] = syw * inv;
      stats[4 * k + 3] = sww * inv;
    } else {
      let sy = 0;
      for (let t = a; t < b; t++) sy += y[leafSamples[t]];
      stats[k] = sy * inv;
    }
  }
  // free the growth arrays early
  left = right = feature = new Int32Array(0);
  threshold = new Float64Array(0);
  missingLeft = new Uint8Array(0);
  return {
    left: nLeft,
    right: nRight,
    feature: nFeature,
    threshold: nThreshold,
    missingLeft: nMissing,
    leafStart,
    leafSamples,
    stats,
    inBag,
  };
}

/** The leaf reached by row `q` of a column-major query matrix with `nq` rows. */
export function findLeaf(t: Tree, x: Float64Array, nq: number, q: number): number {
  const feature = t.feature;
  let node = 0;
  while (feature[node] >= 0) {
    const v = x[feature[node] * nq + q];
    node = v !== v ? (t.missingLeft[node] === 1 ? t.left[node] : t.right[node]) : v <= t.threshold[node] ? t.left[node] : t.right[node];
  }
  return node;
}

/** True when row i was drawn (split or estimation half) for the tree. */
export function isInBag(t: Tree, i: number): boolean {
  return (t.inBag[i >>> 5] & (1 << (i & 31))) !== 0;
}
