/**
 * Finding the best layout under a weight vector: hill-climbing with restarts (Hill et al. 2017),
 * cost S·K·Σ N_d·D score terms, with a pass of two-component moves that escapes the local optima
 * pairwise interactions create, and exhaustive enumeration (cost N^D·p) to check it on small
 * spaces. Local search cannot promise the optimum (the objective is a MAX-2-CSP, NP-hard in
 * general): more restarts raise the rate at which it finds it.
 */
import type { Rng } from '../core/rng';
import { invalidOption } from '../core/errors';
import { checkKnownKeys, checkNumber } from '../core/validate';
import type { FeatureEncoder } from './layout';

/** Options of {@link hillClimber}. */
export interface HillClimbOptions {
  /** Number of starting layouts S (default 5): the first from the main effects alone, the others random. */
  restarts?: number;

  /** Maximum number of passes K over the components per start (default 5); a pass that changes nothing stops early. */
  steps?: number;
  /**
   * After the single-component passes of a start, try changing two components at once and
   * resume the passes when that improves (default true). Pairwise interactions make layouts
   * where no single change helps but a joint change of two does; the pair pass costs
   * Σ_{d<j} (D·(N_d + N_j) + N_d·N_j) score terms and escapes most of those local optima.
   */
  pairMoves?: boolean;
}

/** Defaults of {@link hillClimber}. */
export const hillClimbDefaults = { restarts: 5, steps: 5, pairMoves: true } as const;

/** A reusable hill-climbing search over one encoder's layouts (buffers allocated once). */
export interface HillClimber {
  /**
   * Writes into `out` the best layout found for weights `w` and context `context`, never
   * enumerating: S starts (the first from the best main effects alone, the others random), then
   * up to K passes, each setting one component at a time to its best compatible variant with the
   * others fixed, alternating with passes of joint two-component moves while they improve.
   * Returns the score w·x of the layout.
   */
  search(w: Float64Array, context: number, rng: Rng, out: Int32Array): number;
}

/** Makes a {@link HillClimber} for an encoder (S restarts × K passes). */
export function hillClimber(encoder: FeatureEncoder, options: HillClimbOptions = {}): HillClimber {
  checkKnownKeys('hill-climbing options', options, ['restarts', 'steps', 'pairMoves']);
  const S = checkNumber('restarts', options.restarts ?? hillClimbDefaults.restarts, { min: 1, integer: true });
  const K = checkNumber('steps', options.steps ?? hillClimbDefaults.steps, { min: 1, integer: true });
  const pairMoves = options.pairMoves ?? hillClimbDefaults.pairMoves;
  if (typeof pairMoves !== 'boolean') throw invalidOption('pairMoves', 'true or false', pairMoves);
  const space = encoder.space;
  const D = space.dimension;
  const sizes = space.sizes;
  const offs = space.variantOffsets;
  const M = space.totalVariants;
  const pairwise = encoder.pairwise;
  const pairBase = encoder.pairBase;
  const pairOffset = encoder.pairOffset;
  const eff = new Float64Array(M);
  const cur = new Int32Array(D);
  const allowedLists: Int32Array[] = [];
  for (let d = 0; d < D; d++) {
    const a: number[] = [];
    for (let v = 0; v < sizes[d]; v++) if (space.variantAllowed[offs[d] + v]) a.push(v);
    allowedLists.push(Int32Array.from(a));
  }
  const hasPairMask = space.excludedPairs.length > 0;
  let maxSize = 0;
  for (let d = 0; d < D; d++) maxSize = Math.max(maxSize, sizes[d]);
  const full = new Float64Array(M);
  const partD = new Float64Array(maxSize);
  const partJ = new Float64Array(maxSize);

  const randomStart = (rng: Rng): void => {
    for (let attempt = 0; attempt < 100; attempt++) {
      for (let d = 0; d < D; d++) {
        const list = allowedLists[d];
        cur[d] = list[Math.floor(rng.nextFloat() * list.length)];
      }
      if (!hasPairMask || space.isAllowed(cur)) return;
    }
  };

  /** The best layout under main (and context × main) effects alone: a good first start. */
  const mainEffectsStart = (rng: Rng): void => {
    for (let d = 0; d < D; d++) {
      const list = allowedLists[d];
      let bv = list[0];
      for (let q = 1; q < list.length; q++) if (eff[offs[d] + list[q]] > eff[offs[d] + bv]) bv = list[q];
      cur[d] = bv;
    }
    if (hasPairMask && !space.isAllowed(cur)) randomStart(rng);
  };

  /** Score of setting component d to v with the others as in cur (only the terms that involve d). */
  const partial = (w: Float64Array, d: number, v: number): number => {
    let s = eff[offs[d] + v];
    if (pairwise) {
      for (let j = 0; j < D; j++) {
        if (j === d) continue;
        s += j > d
          ? w[pairBase + pairOffset[d * D + j] + v * sizes[j] + cur[j]]
          : w[pairBase + pairOffset[j * D + d] + cur[j] * sizes[d] + v];
      }
    }
    return s;
  };

  /** Pair weight between variant v of component d and variant u of component j (d ≠ j). */
  const pairWeight = (w: Float64Array, d: number, v: number, j: number, u: number): number =>
    d < j ? w[pairBase + pairOffset[d * D + j] + v * sizes[j] + u] : w[pairBase + pairOffset[j * D + d] + u * sizes[d] + v];

  /** Single-component passes from cur until none changes or K passes; true if cur changed. */
  const coordinatePasses = (w: Float64Array): boolean => {
    let any = false;
    for (let k = 0; k < K; k++) {
      let changed = false;
      for (let d = 0; d < D; d++) {
        let bv = cur[d];
        let bs = partial(w, d, bv);
        const list = allowedLists[d];
        for (let q = 0; q < list.length; q++) {
          const v = list[q];
          if (v === cur[d]) continue;
          if (hasPairMask && !space.compatible(cur, d, v)) continue;
          const sc = partial(w, d, v);
          if (sc > bs) {
            bs = sc;
            bv = v;
          }
        }
        if (bv !== cur[d]) {
          cur[d] = bv;
          changed = true;
        }
      }
      if (!changed) break;
      any = true;
    }
    return any;
  };

  /** The best joint change of two components (d, j) from cur, applied if it improves; true if applied. */
  const pairPass = (w: Float64Array): boolean => {
    let improved = false;
    // full[d, v]: every score term of component d at v given the other components of cur.
    for (let d = 0; d < D; d++) for (let v = 0; v < sizes[d]; v++) full[offs[d] + v] = partial(w, d, v);
    /** Keeps `full` current when component k moves from variant `from` to `to` (cost M). */
    const moved = (k: number, from: number, to: number): void => {
      for (let m = 0; m < D; m++) {
        if (m === k) continue;
        for (let v = 0; v < sizes[m]; v++) full[offs[m] + v] += pairWeight(w, m, v, k, to) - pairWeight(w, m, v, k, from);
      }
    };
    for (let d = 0; d < D; d++) {
      for (let j = d + 1; j < D; j++) {
        const ld = allowedLists[d];
        const lj = allowedLists[j];
        const vd0 = cur[d];
        const vj0 = cur[j];
        // Terms of d without its pair with j (and of j without d), so the joint score adds that pair once.
        for (let q = 0; q < ld.length; q++) partD[q] = full[offs[d] + ld[q]] - pairWeight(w, d, ld[q], j, vj0);
        for (let q = 0; q < lj.length; q++) partJ[q] = full[offs[j] + lj[q]] - pairWeight(w, j, lj[q], d, vd0);
        const now = full[offs[d] + vd0] + full[offs[j] + vj0] - pairWeight(w, d, vd0, j, vj0);
        let best = now;
        let bd = vd0;
        let bj = vj0;
        for (let q = 0; q < ld.length; q++) {
          for (let r = 0; r < lj.length; r++) {
            const sc = partD[q] + partJ[r] + pairWeight(w, d, ld[q], j, lj[r]);
            if (sc > best + 1e-12 * Math.abs(best)) {
              if (hasPairMask) {
                cur[d] = ld[q];
                cur[j] = lj[r];
                const ok = space.isAllowed(cur);
                cur[d] = vd0;
                cur[j] = vj0;
                if (!ok) continue;
              }
              best = sc;
              bd = ld[q];
              bj = lj[r];
            }
          }
        }
        if (bd !== vd0 || bj !== vj0) {
          cur[d] = bd;
          cur[j] = bj;
          if (bd !== vd0) moved(d, vd0, bd);
          if (bj !== vj0) moved(j, vj0, bj);
          improved = true;
        }
      }
    }
    return improved;
  };

  return {
    search(w, context, rng, out) {
      encoder.effectiveMain(w, context, eff);
      let best = -Infinity;
      for (let s = 0; s < S; s++) {
        if (s === 0) mainEffectsStart(rng);
        else randomStart(rng);
        coordinatePasses(w);
        // Bounded like the single passes: at most K pair passes per start.
        if (pairMoves && pairwise && D > 1) for (let k = 0; k < K && pairPass(w); k++) coordinatePasses(w);
        if (hasPairMask && !space.isAllowed(cur)) continue;
        const sc = encoder.score(w, cur, context);
        if (sc > best) {
          best = sc;
          out.set(cur);
        }
      }
      return best;
    },
  };
}

/** The best allowed layout under `w` by enumerating every layout (cost N^D; for checks on small spaces). Returns its score. */
export function enumerateBest(encoder: FeatureEncoder, w: Float64Array, context: number, out: Int32Array): number {
  const space = encoder.space;
  if (space.size > 5e7) throw invalidOption('space', 'a space of at most 5e7 layouts for enumeration', space.size);
  const buf = new Int32Array(space.dimension);
  let best = -Infinity;
  for (let i = 0; i < space.size; i++) {
    space.layoutAt(i, buf);
    if (space.masked && !space.isAllowed(buf)) continue;
    const s = encoder.score(w, buf, context);
    if (s > best) {
      best = s;
      out.set(buf);
    }
  }
  return best;
}
