/**
 * Finding the best layout under a weight vector: hill-climbing with restarts (Hill et al. 2017),
 * cost S·K·Σ N_d·D score terms, and exhaustive enumeration (cost N^D·p) to check it on small spaces.
 */
import type { Rng } from '../core/rng';
import { invalidOption } from '../core/errors';
import { checkKnownKeys, checkNumber } from '../core/validate';
import type { FeatureEncoder } from './layout';

/** Options of {@link hillClimber}. */
export interface HillClimbOptions {
  /** Number of random starting layouts S (default 5). */
  restarts?: number;
  /** Maximum number of passes K over the components per start (default 5); a pass that changes nothing stops early. */
  steps?: number;
}

/** Defaults of {@link hillClimber}. */
export const hillClimbDefaults = { restarts: 5, steps: 5 } as const;

/** A reusable hill-climbing search over one encoder's layouts (buffers allocated once). */
export interface HillClimber {
  /**
   * Writes into `out` the best layout found for weights `w` and context `context`, never
   * enumerating: S starts (the first from the best main effects alone, the others random), then up to K passes, each setting one component at a time to
   * its best compatible variant with the others fixed. Returns the score w·x of the layout.
   */
  search(w: Float64Array, context: number, rng: Rng, out: Int32Array): number;
}

/** Makes a {@link HillClimber} for an encoder (S restarts × K passes). */
export function hillClimber(encoder: FeatureEncoder, options: HillClimbOptions = {}): HillClimber {
  checkKnownKeys('hill-climbing options', options, ['restarts', 'steps']);
  const S = checkNumber('restarts', options.restarts ?? hillClimbDefaults.restarts, { min: 1, integer: true });
  const K = checkNumber('steps', options.steps ?? hillClimbDefaults.steps, { min: 1, integer: true });
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

  return {
    search(w, context, rng, out) {
      encoder.effectiveMain(w, context, eff);
      let best = -Infinity;
      for (let s = 0; s < S; s++) {
        if (s === 0) mainEffectsStart(rng);
        else randomStart(rng);
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
        }
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
