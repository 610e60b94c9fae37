/**
 * Substitutes graphs (weighted, undirected, compressed sparse rows), their validation, Louvain
 * clustering and the cut weight of a clustering.
 */
import { InputError, invalidOption } from '../core/errors';
import { checkNumber } from '../core/validate';
import type { Rng } from '../core/rng';
import { rng as makeRng } from '../core/rng';

/** A weighted undirected graph in CSR form: node i's neighbours are `targets[offsets[i] .. offsets[i+1])`. */
export interface SubstitutesGraph {
  /** Number of nodes (products). */
  n: number;
  /** Row offsets, length n + 1. */
  offsets: Int32Array;
  /** Neighbour ids, each undirected edge stored in both directions. */
  targets: Int32Array;
  /** Positive edge weights aligned with `targets`. */
  weights: Float64Array;
}

/** One undirected edge for {@link substitutesGraph}. */
export interface Edge {
  source: number;
  target: number;
  /** Positive weight (default 1). */
  weight?: number;
}

/**
 * Builds a graph from undirected edges, validating every edge: endpoints must be known nodes
 * (integers in [0, n)), no self-loops, weights positive. Repeated edges add their weights.
 * @param n number of nodes
 * @param edges edges as objects, or columns `{ source, target, weight? }`
 */
export function substitutesGraph(
  n: number,
  edges: readonly Edge[] | { source: ArrayLike<number>; target: ArrayLike<number>; weight?: ArrayLike<number> },
): SubstitutesGraph {
  checkNumber('n', n, { min: 1, integer: true });
  let src: ArrayLike<number>;
  let dst: ArrayLike<number>;
  let wt: ArrayLike<number> | undefined;
  if (Array.isArray(edges)) {
    const m = edges.length;
    const s = new Float64Array(m);
    const d = new Float64Array(m);
    const w = new Float64Array(m);
    for (let e = 0; e < m; e++) {
      const ed = edges[e] as Edge;
      if (ed === null || typeof ed !== 'object') throw invalidOption(`edges[${e}]`, 'an edge { source, target, weight? }', ed);
      s[e] = ed.source;
      d[e] = ed.target;
      w[e] = ed.weight ?? 1;
    }
    src = s;
    dst = d;
    wt = w;
  } else if (edges && typeof edges === 'object' && 'source' in edges && 'target' in edges) {
    src = edges.source;
    dst = edges.target;
    wt = edges.weight;
    if (src.length !== dst.length || (wt && wt.length !== src.length)) {
      throw new InputError(`invalid option \`edges\`: columns source (${src.length}), target (${dst.length}) and weight must have equal lengths`);
    }
  } else {
    throw invalidOption('edges', 'an array of edges or columns { source, target, weight }', edges);
  }
  const m = src.length;
  const deg = new Int32Array(n + 1);
  for (let e = 0; e < m; e++) {
    const a = src[e];
    const b = dst[e];
    const w = wt ? wt[e] : 1;
    if (!Number.isInteger(a) || a < 0 || a >= n) throw new InputError(`invalid option \`edges\`: edge ${e} names unknown node ${a} (source); nodes are integers 0..${n - 1}`);
    if (!Number.isInteger(b) || b < 0 || b >= n) throw new InputError(`invalid option \`edges\`: edge ${e} names unknown node ${b} (target); nodes are integers 0..${n - 1}`);
    if (a === b) throw new InputError(`invalid option \`edges\`: edge ${e} is a self-loop on node ${a}; a product is not its own substitute`);
    if (!(typeof w === 'number' && Number.isFinite(w) && w > 0)) throw new InputError(`invalid option \`edges\`: edge ${e} has weight ${w}; expected a positive number`);
    deg[a + 1]++;
    deg[b + 1]++;
  }
  for (let i = 0; i < n; i++) deg[i + 1] += deg[i];
  const fill = deg.slice(0, n);
  const t = new Int32Array(2 * m);
  const ww = new Float64Array(2 * m);
  for (let e = 0; e < m; e++) {
    const a = src[e];
    const b = dst[e];
    const w = wt ? wt[e] : 1;
    t[fill[a]] = b;
    ww[fill[a]++] = w;
    t[fill[b]] = a;
    ww[fill[b]++] = w;
  }
  return mergeDuplicates({ n, offsets: deg, targets: t, weights: ww });
}

function mergeDuplicates(g: SubstitutesGraph): SubstitutesGraph {
  const { n, offsets, targets, weights } = g;
  const last = new Int32Array(n).fill(-1);
  const pos = new Int32Array(n);
  const off = new Int32Array(n + 1);
  const t: number[] = [];
  const w: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let k = offsets[i]; k < offsets[i + 1]; k++) {
      const j = targets[k];
      if (last[j] === i) w[pos[j]] += weights[k];
      else {
        last[j] = i;
        pos[j] = t.length;
        t.push(j);
        w.push(weights[k]);
      }
    }
    off[i + 1] = t.length;
  }
  return { n, offsets: off, targets: Int32Array.from(t), weights: Float64Array.from(w) };
}

/** Checks that a value is a well-formed {@link SubstitutesGraph} on `n` nodes (shape, ids, symmetric use). */
export function checkGraph(name: string, g: unknown, n?: number): SubstitutesGraph {
  const gg = g as SubstitutesGraph;
  if (!gg || typeof gg !== 'object' || !(gg.offsets instanceof Int32Array) || !(gg.targets instanceof Int32Array) || !(gg.weights instanceof Float64Array)) {
    throw invalidOption(name, 'a SubstitutesGraph from substitutesGraph(...)', g);
  }
  if (n !== undefined && gg.n !== n) throw invalidOption(`${name}.n`, `${n} nodes (one per product)`, gg.n);
  if (gg.offsets.length !== gg.n + 1 || gg.targets.length !== gg.weights.length || gg.offsets[gg.n] !== gg.targets.length) {
    throw new InputError(`invalid option \`${name}\`: inconsistent CSR arrays`);
  }
  for (let i = 0; i < gg.n; i++) {
    for (let k = gg.offsets[i]; k < gg.offsets[i + 1]; k++) {
      const j = gg.targets[k];
      if (!(j >= 0 && j < gg.n)) throw new InputError(`invalid option \`${name}\`: node ${i} links to unknown node ${j}`);
      if (j === i) throw new InputError(`invalid option \`${name}\`: self-loop on node ${i}`);
      if (!(gg.weights[k] > 0)) throw new InputError(`invalid option \`${name}\`: edge ${i}–${j} has weight ${gg.weights[k]}; expected > 0`);
    }
  }
  return gg;
}

/** Total weight of undirected edges, and of those joining different clusters. */
export interface CutWeight {
  total: number;
  cut: number;
  /** cut / total. */
  fraction: number;
  /** Number of clusters. */
  clusters: number;
}

/** Cut weight of a clustering: the weight of edges whose endpoints lie in different clusters. */
export function cutWeight(g: SubstitutesGraph, clusters: ArrayLike<number>): CutWeight {
  if (clusters.length !== g.n) throw invalidOption('clusters', `an array of length ${g.n}`, clusters);
  let total = 0;
  let cut = 0;
  const seen = new Set<number>();
  for (let i = 0; i < g.n; i++) {
    seen.add(clusters[i]);
    for (let k = g.offsets[i]; k < g.offsets[i + 1]; k++) {
      const j = g.targets[k];
      if (j <= i) continue;
      total += g.weights[k];
      if (clusters[i] !== clusters[j]) cut += g.weights[k];
    }
  }
  return { total, cut, fraction: total > 0 ? cut / total : 0, clusters: seen.size };
}

/** Options of {@link louvain}. */
export interface LouvainOptions {
  /** Resolution γ of the modularity Q = Σ_c [w_in(c)/m − γ (deg(c)/2m)²] (default 1; larger → smaller clusters). */
  resolution?: number;
  /** Seed of the node visiting order (default 0). */
  seed?: number | string;
  /** Largest allowed cluster, in nodes (default Infinity): moves that would exceed it are skipped. */
  maxClusterSize?: number;
}

/** Result of {@link louvain}. */
export interface Clustering {
  /** Cluster id of each node, 0..k−1. */
  cluster: Int32Array;
  /** Number of clusters k. */
  k: number;
  /** Modularity of the final partition (at the given resolution). */
  modularity: number;
  /** The cut weight of the partition. */
  cut: CutWeight;
}

/**
 * Louvain community detection: local moves that raise modularity, then aggregation of the
 * communities into nodes, repeated until no move helps. Isolated nodes stay singletons.
 * Reference: Blondel, Guillaume, Lambiotte and Lefebvre (2008), J. Stat. Mech. P10008.
 */
export function louvain(graph: SubstitutesGraph, options: LouvainOptions = {}): Clustering {
  const g0 = checkGraph('graph', graph);
  const gamma = checkNumber('resolution', options.resolution ?? 1, { min: 0, minExclusive: true });
  const maxSize = options.maxClusterSize === undefined || options.maxClusterSize === Infinity ? Infinity : checkNumber('maxClusterSize', options.maxClusterSize, { min: 1, integer: true });
  const r: Rng = makeRng(options.seed ?? 0);
  const n0 = g0.n;
  let membership = new Int32Array(n0);
  for (let i = 0; i < n0; i++) membership[i] = i;
  let g = g0;
  let size = new Float64Array(n0).fill(1);
  let m2 = 0;
  for (let k = 0; k < g0.weights.length; k++) m2 += g0.weights[k];
  if (m2 === 0) return { cluster: membership, k: n0, modularity: 0, cut: cutWeight(g0, membership) };
  for (let level = 0; level < 20; level++) {
    const n = g.n;
    const comm = new Int32Array(n);
    for (let i = 0; i < n; i++) comm[i] = i;
    const k = new Float64Array(n);
    const selfW = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      for (let e = g.offsets[i]; e < g.offsets[i + 1]; e++) {
        if (g.targets[e] === i) selfW[i] += g.weights[e];
        k[i] += g.weights[e];
      }
    }
    const tot = k.slice();
    const csize = size.slice();
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(r.nextFloat() * (i + 1));
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    const wTo = new Float64Array(n);
    const touched: number[] = [];
    let moved = true;
    let anyMove = false;
    for (let pass = 0; pass < 50 && moved; pass++) {
      moved = false;
      for (let oi = 0; oi < n; oi++) {
        const i = order[oi];
        const ci = comm[i];
        touched.length = 0;
        for (let e = g.offsets[i]; e < g.offsets[i + 1]; e++) {
          const j = g.targets[e];
          if (j === i) continue;
          const cj = comm[j];
          if (wTo[cj] === 0) touched.push(cj);
          wTo[cj] += g.weights[e];
        }
        tot[ci] -= k[i];
        csize[ci] -= size[i];
        let best = ci;
        let bestGain = wTo[ci] - (gamma * tot[ci] * k[i]) / m2;
        for (const c of touched) {
          if (c === ci || csize[c] + size[i] > maxSize) continue;
          const gain = wTo[c] - (gamma * tot[c] * k[i]) / m2;
          if (gain > bestGain + 1e-12) {
            bestGain = gain;
            best = c;
          }
        }
        tot[best] += k[i];
        csize[best] += size[i];
        comm[i] = best;
        if (best !== ci) {
          moved = true;
          anyMove = true;
        }
        for (const c of touched) wTo[c] = 0;
        wTo[ci] = 0;
      }
    }
    if (!anyMove) break;
    // renumber and aggregate
    const id = new Int32Array(n).fill(-1);
    let nc = 0;
    for (let i = 0; i < n; i++) if (id[comm[i]] < 0) id[comm[i]] = nc++;
    for (let v = 0; v < n0; v++) membership[v] = id[comm[membership[v]]];
    const newSize = new Float64Array(nc);
    for (let i = 0; i < n; i++) newSize[id[comm[i]]] += size[i];
    const agg = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const a = id[comm[i]];
      for (let e = g.offsets[i]; e < g.offsets[i + 1]; e++) {
        const b = id[comm[g.targets[e]]];
        const key = a * nc + b;
        agg.set(key, (agg.get(key) ?? 0) + g.weights[e]);
      }
    }
    const keys = Array.from(agg.keys()).sort((x, y) => x - y);
    const off = new Int32Array(nc + 1);
    const tg = new Int32Array(keys.length);
    const wg = new Float64Array(keys.length);
    keys.forEach((key, idx) => {
      const a = Math.floor(key / nc);
      off[a + 1]++;
      tg[idx] = key - a * nc;
      wg[idx] = agg.get(key) as number;
    });
    for (let i = 0; i < nc; i++) off[i + 1] += off[i];
    g = { n: nc, offsets: off, targets: tg, weights: wg };
    size = newSize;
    membership = membership.slice();
  }
  // modularity on the original graph
  let nk = 0;
  for (let i = 0; i < n0; i++) if (membership[i] + 1 > nk) nk = membership[i] + 1;
  const inW = new Float64Array(nk);
  const degC = new Float64Array(nk);
  for (let i = 0; i < n0; i++) {
    for (let e = g0.offsets[i]; e < g0.offsets[i + 1]; e++) {
      degC[membership[i]] += g0.weights[e];
      if (membership[g0.targets[e]] === membership[i]) inW[membership[i]] += g0.weights[e];
    }
  }
  let q = 0;
  for (let c = 0; c < nk; c++) q += inW[c] / m2 - gamma * (degC[c] / m2) ** 2;
  return { cluster: membership, k: nk, modularity: q, cut: cutWeight(g0, membership) };
}
