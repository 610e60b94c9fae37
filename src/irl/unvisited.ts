/**
 * States nobody in the data visited, for Deep PQR's model Q stage: the transition model puts some
 * next-state mass on combinations of variable levels that no row holds (a locked annual member
 * whose engagement moved to a level no locked member of that month had). Dropping that mass and
 * renormalising biases the anchor value towards the visited states; this module supplies what the
 * anchor equation needs at such a state, read off the visited ones, so the state set can be closed
 * under the model instead:
 *
 * - its state features: each variable's level gives its columns' values;
 * - its feasible actions: from a variable whose level determines feasibility on every visited
 *   state (the plan status), else the closure is not attempted;
 * - where the anchor is infeasible (a forced action b), the forced action's reward features
 *   φ(s, b) and offset(s, b): an affine map of the state features per feasibility pattern, used
 *   only if it reproduces every visited state of that pattern to 1e-8 and is fitted on at least
 *   twice as many visited states as it has coefficients (an exact fit on few states would
 *   extrapolate arbitrarily) — otherwise such states are refused (their mass dropped, as before);
 * - where the anchor is feasible, the caller values log π̂(anchor | s) with the P network (states
 *   are refused when there is none: a given `logPolicy` covers only the data's rows).
 */
import { matrix, solve } from '../core/linalg';
import type { StateVariable } from './transitions';

/** The unvisited states accepted so far (in the order the transition model numbers them). */
export interface UnvisitedStates {
  /** Offers a next state (levels per variable); true when it can be valued (it is then recorded). */
  offer(levels: Int32Array): boolean;
  /** States recorded. */
  readonly count: number;
  /** State features, count × D. */
  features(): Float64Array;
  /** Feasible actions, count × A. */
  feasible(): Uint8Array;
  /** The anchor, or the forced action where the anchor is infeasible. */
  action(): Int32Array;
  /** φ(s, b) (count × K) and offset(s, b) of the forced action b (zeros where b is the anchor). */
  forcedReward(): { features: Float64Array; offset: Float64Array };
}

/**
 * Builds the filler from the visited distinct states (U of them: features `xU` U × D, variable
 * levels `level` U × V, feasibility U × A, and where the anchor is infeasible the forced
 * action's φ `phiB` U × K and `offsetB`), or a reason why unvisited states cannot be valued.
 */
export function unvisitedStates(args: {
  variables: StateVariable[];
  U: number;
  D: number;
  A: number;
  K: number;
  anchor: number;
  xU: Float64Array;
  level: Int32Array;
  feasibleU: Uint8Array;
  phiB: Float64Array;
  offsetB: Float64Array;
  /** Whether states where the anchor is feasible can be valued (a P network exists). */
  anchorStates: boolean;
  /** Refuse every state after this many (the caller then abandons the closure). */
  maxStates: number;
}): UnvisitedStates | { reason: string } {
  const { variables, U, D, A, K, anchor, xU, level, feasibleU, phiB, offsetB } = args;
  const V = variables.length;
  // a variable whose level determines the feasible actions
  let patternOf: Map<number, number> | undefined;
  let by = -1;
  const patterns: string[] = [];
  const feasibilityOf = Array.from({ length: U }, (_, u) => Array.from(feasibleU.subarray(u * A, (u + 1) * A)).join(''));
  for (let v = 0; v < V && by < 0; v++) {
    const m = new Map<number, string>();
    let ok = true;
    for (let u = 0; u < U && ok; u++) {
      const p = feasibilityOf[u];
      const l = level[u * V + v];
      const seen = m.get(l);
      if (seen === undefined) m.set(l, p);
      else if (seen !== p) ok = false;
    }
    if (!ok) continue;
    by = v;
    patternOf = new Map();
    for (const [l, p] of m) {
      let k = patterns.indexOf(p);
      if (k < 0) (k = patterns.length), patterns.push(p);
      patternOf.set(l, k);
    }
  }
  if (!patternOf) return { reason: 'no state variable determines the feasible actions' };
  const patternOfState = (u: number) => patternOf!.get(level[u * V + by])!;
  // affine maps [x, 1] ↦ (φ(s, b), offset(s, b)) per pattern with a forced action
  const P = D + 1;
  const maps = patterns.map((p, k): Float64Array | undefined => {
    if (p[anchor] === '1') return undefined;
    const members: number[] = [];
    for (let u = 0; u < U; u++) if (patternOfState(u) === k) members.push(u);
    if (members.length < 2 * P) return undefined;
    const C = K + 1;
    const G = new Float64Array(P * P);
    const B = new Float64Array(P * C);
    const row = new Float64Array(P);
    const target = (u: number, c: number) => (c < K ? phiB[u * K + c] : offsetB[u]);
    for (const u of members) {
      row.set(xU.subarray(u * D, (u + 1) * D));
      row[D] = 1;
      for (let i = 0; i < P; i++) {
        for (let j = 0; j < P; j++) G[i * P + j] += row[i] * row[j];
        for (let c = 0; c < C; c++) B[i * C + c] += row[i] * target(u, c);
      }
    }
    // one-hot groups make [x, 1] collinear: a tiny ridge picks one exact solution among many
    let diag = 0;
    for (let i = 0; i < P; i++) diag += G[i * P + i] / P;
    for (let i = 0; i < P; i++) G[i * P + i] += 1e-10 * Math.max(diag, 1e-300);
    const coef = solve(matrix(P, P, G), matrix(P, C, B)).data;
    for (const u of members) {
      for (let c = 0; c < C; c++) {
        let pred = coef[D * C + c];
        for (let d = 0; d < D; d++) pred += xU[u * D + d] * coef[d * C + c];
        const y = target(u, c);
        if (!(Math.abs(pred - y) <= 1e-8 * (1 + Math.abs(y)))) return undefined;
      }
    }
    return Float64Array.from(coef);
  });
  const forcedOf = patterns.map((p) => (p[anchor] === '1' ? anchor : p.indexOf('1')));
  const feats: number[] = [];
  const feas: number[] = [];
  const acts: number[] = [];
  const phi: number[] = [];
  const off: number[] = [];
  const x = new Float64Array(D);
  let count = 0;
  return {
    offer(levels) {
      if (count >= args.maxStates) return false;
      const k = patternOf!.get(levels[by]);
      if (k === undefined) return false;
      const b = forcedOf[k];
      const map = maps[k];
      if (b === anchor ? !args.anchorStates : !map) return false;
      variables.forEach((vr, v) => vr.columns.forEach((d, j) => (x[d] = vr.levels[levels[v]][j])));
      for (let d = 0; d < D; d++) feats.push(x[d]);
      for (let a = 0; a < A; a++) feas.push(patterns[k][a] === '1' ? 1 : 0);
      acts.push(b);
      const C = K + 1;
      for (let c = 0; c < C; c++) {
        let value = 0;
        if (map) {
          value = map[D * C + c];
          for (let d = 0; d < D; d++) value += x[d] * map[d * C + c];
        }
        if (c < K) phi.push(value);
        else off.push(value);
      }
      count++;
      return true;
    },
    get count() {
      return count;
    },
    features: () => Float64Array.from(feats),
    feasible: () => Uint8Array.from(feas),
    action: () => Int32Array.from(acts),
    forcedReward: () => ({ features: Float64Array.from(phi), offset: Float64Array.from(off) }),
  };
}
