/**
 * A learned transition model for Deep PQR's model-based Q stage: P(x' | x, a) over the state
 * features, estimated from every observed transition (all actions), so rare moves (an engagement
 * level that changes 1–5% of months) are pooled across states instead of being read off the few
 * transitions that leave each state (what makes the paper's fitted iteration noisy at β = 0.98).
 *
 * **State variables.** The D feature columns are grouped into variables:
 * - a one-hot group — columns named `prefix=…` with 0/1 values and exactly one 1 in every row —
 *   is one variable (e.g. `plan=…`, `segment=…`);
 * - columns that determine each other (as many distinct joint values as the larger column has
 *   alone, e.g. a regime's monthly and annual price) are one variable;
 * - a variable that never changes from a row to its next row is static (copied, not modelled).
 * Each variable takes the joint values observed in the data (at most `maxLevels`; more means a
 * truly continuous feature, for which use the fitted Q stage).
 *
 * **Model (a factored first stage).** Each non-static variable moves independently given the
 * state and action, and its next value depends only on its own value, the action and the static
 * variables: P(x'_v | x, a) = P(x'_v | x_v, a, statics), estimated by frequency. This is the
 * structure of Rust-style first stages (engagement moves by segment, member status and level; a
 * price regime follows its own chain; the plan status follows the action) and pools every
 * transition with the same (x_v, a, statics). Joint moves get the product of their marginals (a
 * second-order error when moves are rare), except for variables the data show moving one at a
 * time (never together although independence predicts ≥ 10 co-moves; membership-default's three
 * engagement levels): within such a group either one variable moves, with its marginal
 * probability, or none does. That keeps every marginal and removes the spurious joint moves
 * (28.4 → 11.1 successors per (state, action) on membership-default; the counterfactual shares
 * moved by < 0.1 pp there, so the independence error was small). Cells never observed fall back
 * to (x_v, a) pooled over the statics, then to x_v, then to staying put. A neural classifier of x'_v given the
 * whole (x, a) was tried first and dropped: on membership-default (5,000 customers × 36 months)
 * its mean total-variation distance to the true transitions was 0.07–0.10 against rare moves of
 * 1–5% a month.
 *
 * **Successors.** The product of the levels each variable can move to is enumerated and mapped to
 * known states: the states observed in the data, and — when the caller passes `addState` (Deep
 * PQR does, see ./unvisited) — states nobody visited, which are added and get successors of
 * their own, closing the state set under the model. Mass on combinations refused is dropped (the
 * rest renormalised) and reported. On membership-default (5,000 customers × 36 months) the mass
 * on unvisited states is 3.2% per (state, action) — 0.07% of the rows' true next-state mass, but
 * on the anchor's counterfactual paths (locked annual members whose engagement moved): dropping
 * it biased the counterfactual monthly share by +0.4 to +0.6 pp over 13 panels (mean error with
 * the P network +1.02 → +0.46 pp once ~180 unvisited states are added; with a given true policy,
 * which covers only the rows, so that only forced states can be added, +0.70 → +0.32 pp). Two
 * cheaper remedies were tried and dropped: mapping an unseen successor to the nearest observed
 * state (θ further from the truth), and adding only the unvisited states where the anchor is
 * feasible (0.1–0.4 pp). On the 217,728-state scenario (2,000 customers ×
 * 36 months) 47% of the mass falls on unvisited states: dropping it left θ off by up to 6× and
 * the month-12 shares after monthly +$3 off by 1.7–4.0 pp (seeds 1–6); the closure adds
 * 181,000–186,000 states (about 60 s more) and brings them to 0.1–1.3 pp, θ within 0.13–0.72.
 * Closing only the first 20,000 states reached was erratic (5.5 and 1.4 pp on seeds 1 and 2).
 */
import { InputError } from '../core/errors';
import { featureRowKey, type IrlData } from './data';

/** One modelled state variable: a group of feature columns and its observed joint values. */
export interface StateVariable {
  name: string;
  columns: number[];
  /** Joint values of the columns, one Float64Array per level. */
  levels: Float64Array[];
  /** True when the variable never changes between a row and its next row (copied). */
  static: boolean;
}

/** Groups the state feature columns into variables (see the module comment). */
export function stateVariables(data: IrlData, maxLevels = 64): StateVariable[] {
  const D = data.stateFeatureNames.length;
  const names = data.stateFeatureNames;
  // the grouping only needs the distinct feature vectors
  const seenRows = new Set<string>();
  const distinctX: number[] = [];
  for (let i = 0; i < data.length; i++) {
    const key = featureRowKey(data.stateFeatures, i, D);
    if (seenRows.has(key)) continue;
    seenRows.add(key);
    for (let d = 0; d < D; d++) distinctX.push(data.stateFeatures[i * D + d]);
  }
  const x = Float64Array.from(distinctX);
  const n = x.length / D;
  const parent = Array.from({ length: D }, (_, d) => d);
  const find = (d: number): number => (parent[d] === d ? d : (parent[d] = find(parent[d])));
  const union = (a: number, b: number) => (parent[find(a)] = find(b));
  // one-hot groups by name prefix
  const byPrefix = new Map<string, number[]>();
  names.forEach((nm, d) => {
    const eq = nm.indexOf('=');
    if (eq > 0) (byPrefix.get(nm.slice(0, eq)) ?? byPrefix.set(nm.slice(0, eq), []).get(nm.slice(0, eq))!).push(d);
  });
  for (const cols of byPrefix.values()) {
    if (cols.length < 2) continue;
    let ok = true;
    for (let i = 0; i < n && ok; i++) {
      let sum = 0;
      for (const d of cols) {
        const v = x[i * D + d];
        if (v !== 0 && v !== 1) ok = false;
        sum += v;
      }
      if (sum !== 1) ok = false;
    }
    if (ok) for (const d of cols.slice(1)) union(d, cols[0]);
  }
  // columns that determine each other
  const distinct = (cols: number[]): number => {
    const seen = new Set<string>();
    for (let i = 0; i < n; i++) {
      seen.add(cols.map((d) => x[i * D + d]).join(','));
      if (seen.size > maxLevels * maxLevels) break;
    }
    return seen.size;
  };
  const single = Array.from({ length: D }, (_, d) => distinct([d]));
  for (let a = 0; a < D; a++) {
    for (let b = a + 1; b < D; b++) {
      if (find(a) === find(b) || single[a] < 2 || single[b] < 2) continue;
      if (distinct([a, b]) === Math.max(single[a], single[b])) union(a, b);
    }
  }
  const groups = new Map<number, number[]>();
  for (let d = 0; d < D; d++) (groups.get(find(d)) ?? groups.set(find(d), []).get(find(d))!).push(d);
  const variables: StateVariable[] = [];
  for (const cols of groups.values()) {
    const index = new Map<string, number>();
    const levels: Float64Array[] = [];
    for (let i = 0; i < n; i++) {
      const key = cols.map((d) => x[i * D + d]).join(',');
      if (!index.has(key)) {
        if (levels.length >= maxLevels) {
          throw new InputError(
            `deepPqr qStage 'model': state feature ${cols.map((d) => `\`${names[d]}\``).join(' + ')} takes more than ${maxLevels} distinct values; ` +
              "the learned transition model needs discrete features (use qStage: 'fitted' for continuous ones)",
          );
        }
        index.set(key, levels.length);
        levels.push(Float64Array.from(cols, (d) => x[i * D + d]));
      }
    }
    let isStatic = true;
    const xs = data.stateFeatures;
    for (let i = 0; i < data.length && isStatic; i++) {
      const j = data.next[i];
      if (j < 0) continue;
      for (const d of cols) if (xs[i * D + d] !== xs[j * D + d]) isStatic = false;
    }
    const eq = names[cols[0]].indexOf('=');
    const name = cols.length > 1 && eq > 0 && cols.every((d) => names[d].startsWith(names[cols[0]].slice(0, eq + 1))) ? names[cols[0]].slice(0, eq) : cols.map((d) => names[d]).join('+');
    variables.push({ name, columns: cols, levels, static: isStatic });
  }
  return variables;
}

/** Successor lists: for query q, states `state[ptr[q] … ptr[q+1])` with probabilities `prob`. */
export interface Successors {
  ptr: Int32Array;
  state: Int32Array;
  prob: Float64Array;
  /** Mean over queries of the model's mass on states not observed in the data (dropped, the rest renormalised). */
  droppedMass: number;
}

/** A fitted factored transition model over the distinct observed states of a data set. */
export interface TransitionModel {
  variables: StateVariable[];
  /** Transitions it was estimated from. */
  transitions: number;
  /**
   * Successors of (state u, action a) among the known states: the observed distinct ones, and
   * those added by `addState`. A next state not known is offered to `addState` (its variables'
   * levels) when given: if it returns true the state is added — index {@link stateCount} − 1 —
   * and kept as a successor, otherwise (and without `addState`) its mass is dropped.
   */
  successors(
    queries: { state: Int32Array; action: Int32Array },
    options?: { maxSuccessors?: number; addState?: (levels: Int32Array) => boolean },
  ): Successors;
  /** Number of known states: the U observed ones, then the added ones. */
  readonly stateCount: number;
  /** The variables' levels of known state u (a copy). */
  levelsOf(u: number): Int32Array;
  /** P(x'_v = level | u, a) for variable v (all levels); u any known state. */
  marginal(u: number, a: number, v: number): Float64Array;
  /** Groups of variables (indices) found to move one at a time (see {@link fitTransitionModel}). */
  exclusiveGroups: number[][];
}

/**
 * Estimates the factored transition model (see the module comment) on U distinct states:
 * `level[u·V + v]` is the level of variable v in state u, `transitions` the observed moves
 * (u, a, u'), one per row.
 */
export function fitTransitionModel(args: {
  U: number;
  A: number;
  variables: StateVariable[];
  level: Int32Array;
  transitions: { from: Int32Array; action: Int32Array; to: Int32Array };
}): TransitionModel {
  const { U, A, variables, level } = args;
  const V = variables.length;
  const statics = variables.map((v, i) => (v.static ? i : -1)).filter((i) => i >= 0);
  const staticKey = (u: number) => statics.map((v) => level[u * V + v]).join(',');
  const staticKeyOf = (t: ArrayLike<number>) => statics.map((v) => t[v]).join(',');
  // counts per (variable, own level, action, statics) → next level, and two pooled back-offs
  const full = variables.map(() => new Map<string, Float64Array>());
  const pooled = variables.map(() => new Map<string, Float64Array>());
  const own = variables.map(() => new Map<number, Float64Array>());
  const tr = args.transitions;
  const bump = <K>(m: Map<K, Float64Array>, key: K, size: number, l: number) => {
    let c = m.get(key);
    if (!c) m.set(key, (c = new Float64Array(size)));
    c[l] += 1;
  };
  for (let t = 0; t < tr.from.length; t++) {
    const u = tr.from[t];
    const a = tr.action[t];
    const sk = staticKey(u);
    variables.forEach((vr, v) => {
      if (vr.static) return;
      const l = level[u * V + v];
      const l2 = level[tr.to[t] * V + v];
      const size = vr.levels.length;
      bump(full[v], `${l}|${a}|${sk}`, size, l2);
      bump(pooled[v], `${l}|${a}`, size, l2);
      bump(own[v], l, size, l2);
    });
  }
  const marginalOf = (t: ArrayLike<number>, a: number, v: number): Float64Array => {
    const vr = variables[v];
    const l = t[v];
    const out = new Float64Array(vr.levels.length);
    if (vr.static) return (out[l] = 1), out;
    const c = full[v].get(`${l}|${a}|${staticKeyOf(t)}`) ?? pooled[v].get(`${l}|${a}`) ?? own[v].get(l);
    if (!c) return (out[l] = 1), out;
    let sum = 0;
    for (let j = 0; j < c.length; j++) sum += c[j];
    for (let j = 0; j < c.length; j++) out[j] = c[j] / sum;
    return out;
  };
  // levels of the known states: the U observed ones, then those added through `successors`
  let known = level.subarray(0, U * V);
  let stateCount = U;
  const levelsAt = (u: number): Int32Array => known.subarray(u * V, (u + 1) * V);
  const marginal = (u: number, a: number, v: number): Float64Array => marginalOf(levelsAt(u), a, v);
  const exclusiveGroups = findExclusiveGroups(V, variables, level, tr, marginal);
  const groupOf = new Int32Array(V).fill(-1);
  exclusiveGroups.forEach((g, k) => g.forEach((v) => (groupOf[v] = k)));
  const stateOf = new Map<string, number>();
  for (let u = U - 1; u >= 0; u--) stateOf.set(Array.from(levelsAt(u)).join(','), u);
  const refused = new Set<string>();
  const addKnown = (tuple: Int32Array, key: string): number => {
    if ((stateCount + 1) * V > known.length) {
      const grown = new Int32Array(Math.max(2 * known.length, (stateCount + 1) * V));
      grown.set(known);
      known = grown;
    }
    known.set(tuple, stateCount * V);
    stateOf.set(key, stateCount);
    return stateCount++;
  };
  type Factor = { vars: number[]; levels: number[][]; p: number[] };
  const freeFactor = (u: number, a: number, v: number): Factor => {
    const m = marginal(u, a, v);
    const f: Factor = { vars: [v], levels: [], p: [] };
    for (let l = 0; l < m.length; l++) if (m[l] > 0) (f.levels.push([l]), f.p.push(m[l]));
    return f;
  };
  return {
    variables,
    transitions: tr.from.length,
    marginal,
    exclusiveGroups,
    get stateCount() {
      return stateCount;
    },
    levelsOf: (u) => Int32Array.from(levelsAt(u)),
    successors(queries, options = {}) {
      const maxSuccessors = options.maxSuccessors ?? 1 << 16;
      const Q = queries.state.length;
      const ptr = new Int32Array(Q + 1);
      const outState: number[] = [];
      const outProb: number[] = [];
      let dropped = 0;
      const tuple = new Int32Array(V);
      const acc = new Map<number, number>();
      for (let q = 0; q < Q; q++) {
        const u = queries.state[q];
        const a = queries.action[q];
        // factors: a free variable (its levels) or an exclusive group (stay, or one member moves)
        const factors: Factor[] = [];
        const groupFactor = new Map<number, Factor>();
        let combos = 1;
        // a copy: adding a state below may reallocate the level store under a view
        const lu = Int32Array.from(levelsAt(u));
        for (let v = 0; v < V; v++) {
          tuple[v] = lu[v];
          if (variables[v].static) continue;
          const g = groupOf[v];
          if (g < 0) {
            factors.push(freeFactor(u, a, v));
            continue;
          }
          const m = marginal(u, a, v);
          let f = groupFactor.get(g);
          if (!f) {
            const members = exclusiveGroups[g];
            f = { vars: members, levels: [members.map((w) => lu[w])], p: [1] };
            groupFactor.set(g, f);
            factors.push(f);
          }
          const at = f.vars.indexOf(v);
          for (let l = 0; l < m.length; l++) {
            if (l === lu[v] || m[l] <= 0) continue;
            const lv = f.levels[0].slice();
            lv[at] = l;
            f.levels.push(lv);
            f.p.push(m[l]);
            f.p[0] -= m[l];
          }
        }
        for (const f of groupFactor.values()) {
          if (f.p[0] >= -1e-12) {
            f.p[0] = Math.max(0, f.p[0]);
            continue;
          }
          // marginals too large to be exclusive (only possible in sparse cells): independent moves
          factors.splice(factors.indexOf(f), 1, ...f.vars.map((v) => freeFactor(u, a, v)));
        }
        for (const f of factors) combos *= f.p.length;
        if (combos > maxSuccessors) {
          throw new InputError(`deepPqr qStage 'model': a state has ${combos} possible next states (more than ${maxSuccessors}); the state features are too fine for the transition model`);
        }
        acc.clear();
        let found = 0;
        for (let c = 0; c < combos; c++) {
          let p = 1;
          let rest = c;
          for (const f of factors) {
            const j = rest % f.p.length;
            rest = Math.floor(rest / f.p.length);
            const lv = f.levels[j];
            for (let k = 0; k < f.vars.length; k++) tuple[f.vars[k]] = lv[k];
            p *= f.p[j];
          }
          if (p <= 0) continue;
          const key = tuple.join(',');
          let s = stateOf.get(key);
          if (s === undefined) {
            if (!options.addState || refused.has(key) || !options.addState(tuple)) {
              refused.add(key);
              continue;
            }
            s = addKnown(tuple, key);
          }
          found += p;
          acc.set(s, (acc.get(s) ?? 0) + p);
        }
        dropped += 1 - found;
        if (found <= 0) (outState.push(u), outProb.push(1));
        else for (const [s, p] of acc) (outState.push(s), outProb.push(p / found));
        ptr[q + 1] = outState.length;
      }
      return { ptr, state: Int32Array.from(outState), prob: Float64Array.from(outProb), droppedMass: Q > 0 ? dropped / Q : 0 };
    },
  };
}

/**
 * Variables that move one at a time: a pair (v, w) is exclusive when the data never show both
 * changing in the same transition although independent moves would predict at least
 * `minExpected` such co-moves (Σ over transitions of P(v moves)·P(w moves), from the fitted
 * marginals; P(0 | Poisson(10)) < 5e-5). Groups are built greedily from pairwise-exclusive
 * variables; a group of one is dropped.
 */
function findExclusiveGroups(
  V: number,
  variables: StateVariable[],
  level: Int32Array,
  tr: { from: Int32Array; action: Int32Array; to: Int32Array },
  marginal: (u: number, a: number, v: number) => Float64Array,
  minExpected = 10,
): number[][] {
  const moving = variables.map((vr, v) => (vr.static ? -1 : v)).filter((v) => v >= 0);
  if (moving.length < 2) return [];
  const M = moving.length;
  const observed = new Float64Array(M * M);
  const expected = new Float64Array(M * M);
  const pMove = new Float64Array(M);
  const moved = new Uint8Array(M);
  const cache = new Map<string, number>();
  for (let t = 0; t < tr.from.length; t++) {
    const u = tr.from[t];
    const a = tr.action[t];
    for (let m = 0; m < M; m++) {
      const v = moving[m];
      const key = `${u}|${a}|${v}`;
      let pm = cache.get(key);
      if (pm === undefined) cache.set(key, (pm = 1 - marginal(u, a, v)[level[u * V + v]]));
      pMove[m] = pm;
      moved[m] = level[u * V + v] !== level[tr.to[t] * V + v] ? 1 : 0;
    }
    for (let i = 0; i < M; i++) {
      for (let j = i + 1; j < M; j++) {
        expected[i * M + j] += pMove[i] * pMove[j];
        if (moved[i] && moved[j]) observed[i * M + j]++;
      }
    }
  }
  const exclusive = (i: number, j: number): boolean => (i < j ? observed[i * M + j] === 0 && expected[i * M + j] >= minExpected : exclusive(j, i));
  const groups: number[][] = [];
  for (let i = 0; i < M; i++) {
    const g = groups.find((gr) => gr.every((j) => exclusive(i, j)));
    if (g) g.push(i);
    else groups.push([i]);
  }
  return groups.filter((g) => g.length > 1).map((g) => g.map((i) => moving[i]));
}
