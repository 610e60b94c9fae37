/**
 * Layout spaces: components with named variants, masks for unavailable variants or pairs of
 * variants, the mixed-radix layout index, and the sparse feature encoding used by the click
 * models (intercept, main effects, pairwise component interactions, context, context × component).
 *
 * A layout is an `Int32Array` of length D holding one variant index per component. Its index in
 * the space is mixed radix with the first component most significant, so layouts enumerate in
 * lexicographic order.
 */
import { InputError, invalidOption } from '../core/errors';
import { checkKnownKeys } from '../core/validate';
import { describeValue } from '../core/errors';

/** One component of a callout (headline, image, ...) and the names of its variants. */
export interface ComponentSpec {
  /** Component name, unique within the space. */
  name: string;
  /** Variant names, unique within the component, at least one. */
  variants: string[];
}

/** Options of {@link layoutSpace}. */
export interface LayoutSpaceOptions {
  /** The components, in order (the first is the most significant digit of a layout index). */
  components: ComponentSpec[];
  /**
   * Unavailable variants or pairs: each entry maps one or two component names to a variant name,
   * e.g. `{ image: 'video' }` (never show that variant) or `{ headline: 'short', body: 'long' }`
   * (never show the two together). Default none.
   */
  exclude?: Array<Record<string, string>>;
}

/** Defaults of {@link layoutSpace}. */
export const layoutSpaceDefaults = { exclude: [] as Array<Record<string, string>> } as const;

/** A space of callout layouts: one variant per component. */
export interface LayoutSpace {
  /** The components, as given. */
  readonly components: readonly ComponentSpec[];
  /** Number of components D. */
  readonly dimension: number;
  /** Variant count per component. */
  readonly sizes: Int32Array;
  /** Offset of each component's first variant in the concatenated variant list (length D + 1). */
  readonly variantOffsets: Int32Array;
  /** Total number of variants Σ N_d. */
  readonly totalVariants: number;
  /** Number of layouts Π N_d (mask not applied). */
  readonly size: number;
  /** Per concatenated variant: 1 when allowed (masks of single variants). */
  readonly variantAllowed: Uint8Array;
  /** Pairs excluded, as [component i, variant a, component j, variant b] quadruples with i < j. */
  readonly excludedPairs: Int32Array;
  /** True when some variant or pair is excluded. */
  readonly masked: boolean;
  /** The options this space was made from (JSON-serialisable, for worker threads). */
  readonly spec: LayoutSpaceOptions;
  /** Index of a layout (mixed radix, first component most significant). */
  indexOf(layout: ArrayLike<number>): number;
  /** The layout with a given index, written into `out` (allocated when absent). */
  layoutAt(index: number, out?: Int32Array): Int32Array;
  /** True when the layout respects every mask. */
  isAllowed(layout: ArrayLike<number>): boolean;
  /** True when variant `v` of component `d` is compatible with the other components of `layout`. */
  compatible(layout: ArrayLike<number>, d: number, v: number): boolean;
  /** `{ component: variant }` names of a layout. */
  describe(layout: ArrayLike<number>): Record<string, string>;
  /** A layout from `{ component: variant }` names (every component required). */
  parse(names: Record<string, string>): Int32Array;
  /** A short text label of a layout, e.g. "bold·photo·short". */
  label(layout: ArrayLike<number>): string;
  /** Number of allowed layouts (counted by enumeration when masked and size ≤ 1e7, else estimated as size). */
  allowedCount(): number;
}

function checkName(what: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw invalidOption(what, 'a non-empty string', value);
  return value;
}

/** Makes a layout space from components with named variants and optional masks. */
export function layoutSpace(options: LayoutSpaceOptions): LayoutSpace {
  if (options === null || typeof options !== 'object') throw invalidOption('options', 'an options object', options);
  checkKnownKeys('layoutSpace options', options, ['components', 'exclude']);
  const comps = options.components;
  if (!Array.isArray(comps) || comps.length === 0) throw invalidOption('components', 'a non-empty array of components', comps);
  const D = comps.length;
  const sizes = new Int32Array(D);
  const offsets = new Int32Array(D + 1);
  const names = new Map<string, number>();
  const variantIndex: Array<Map<string, number>> = [];
  for (let d = 0; d < D; d++) {
    const c = comps[d];
    if (c === null || typeof c !== 'object') throw invalidOption(`components[${d}]`, 'an object { name, variants }', c);
    const name = checkName(`components[${d}].name`, c.name);
    if (names.has(name)) throw new InputError(`duplicate component name ${JSON.stringify(name)} at components[${d}]`);
    names.set(name, d);
    if (!Array.isArray(c.variants)) throw invalidOption(`components[${d}].variants`, 'an array of variant names', c.variants);
    if (c.variants.length === 0) throw new InputError(`component \`${name}\` has no variants (an empty component)`);
    const vm = new Map<string, number>();
    c.variants.forEach((v, i) => {
      const vn = checkName(`components[${d}].variants[${i}]`, v);
      if (vm.has(vn)) throw new InputError(`duplicate variant name ${JSON.stringify(vn)} in component \`${name}\``);
      vm.set(vn, i);
    });
    variantIndex.push(vm);
    sizes[d] = c.variants.length;
    offsets[d + 1] = offsets[d] + sizes[d];
  }
  let size = 1;
  for (let d = 0; d < D; d++) size *= sizes[d];
  if (!Number.isSafeInteger(size)) throw new InputError(`layout space too large: ${size} layouts exceed 2^53`);
  const M = offsets[D];
  const variantAllowed = new Uint8Array(M).fill(1);
  const pairs: number[] = [];
  const exclude = options.exclude ?? layoutSpaceDefaults.exclude;
  if (!Array.isArray(exclude)) throw invalidOption('exclude', 'an array of { component: variant } records', exclude);
  exclude.forEach((rec, e) => {
    if (rec === null || typeof rec !== 'object') throw invalidOption(`exclude[${e}]`, 'a { component: variant } record', rec);
    const keys = Object.keys(rec);
    if (keys.length < 1 || keys.length > 2) {
      throw invalidOption(`exclude[${e}]`, 'one or two components (a variant or a pair)', rec);
    }
    const pos: Array<[number, number]> = keys.map((k) => {
      const d = names.get(k);
      if (d === undefined) throw new InputError(`invalid option \`exclude[${e}]\`: unknown component ${JSON.stringify(k)}`);
      const v = variantIndex[d].get(rec[k]);
      if (v === undefined) {
        throw new InputError(`invalid option \`exclude[${e}]\`: unknown variant ${describeValue(rec[k])} of component \`${k}\``);
      }
      return [d, v];
    });
    if (pos.length === 1) variantAllowed[offsets[pos[0][0]] + pos[0][1]] = 0;
    else {
      pos.sort((a, b) => a[0] - b[0]);
      pairs.push(pos[0][0], pos[0][1], pos[1][0], pos[1][1]);
    }
  });
  for (let d = 0; d < D; d++) {
    let any = false;
    for (let v = 0; v < sizes[d]; v++) if (variantAllowed[offsets[d] + v]) any = true;
    if (!any) throw new InputError(`component \`${comps[d].name}\` has every variant excluded`);
  }
  const excludedPairs = Int32Array.from(pairs);
  const masked = pairs.length > 0 || variantAllowed.some((a) => a === 0);
  // pairBlocked[(offset(i)+a) * M + offset(j)+b] for fast compatibility checks (M ≤ a few hundred)
  const pairBlocked = pairs.length > 0 && M <= 4096 ? new Uint8Array(M * M) : undefined;
  if (pairBlocked) {
    for (let k = 0; k < excludedPairs.length; k += 4) {
      const u = offsets[excludedPairs[k]] + excludedPairs[k + 1];
      const w = offsets[excludedPairs[k + 2]] + excludedPairs[k + 3];
      pairBlocked[u * M + w] = 1;
      pairBlocked[w * M + u] = 1;
    }
  }
  let allowedCache = -1;
  const spec: LayoutSpaceOptions = {
    components: comps.map((c) => ({ name: c.name, variants: c.variants.slice() })),
    exclude: exclude.map((r) => ({ ...r })),
  };

  const space: LayoutSpace = {
    components: spec.components,
    dimension: D,
    sizes,
    variantOffsets: offsets,
    totalVariants: M,
    size,
    variantAllowed,
    excludedPairs,
    masked,
    spec,
    indexOf(layout) {
      let idx = 0;
      for (let d = 0; d < D; d++) {
        const v = layout[d];
        if (!(v >= 0 && v < sizes[d] && Number.isInteger(v))) {
          throw new InputError(`layout component \`${comps[d].name}\`: variant index ${describeValue(v)} is outside 0..${sizes[d] - 1}`);
        }
        idx = idx * sizes[d] + v;
      }
      return idx;
    },
    layoutAt(index, out) {
      if (!(index >= 0 && index < size && Number.isInteger(index))) {
        throw new InputError(`layout index ${describeValue(index)} is outside the space of ${size} layouts`);
      }
      const o = out ?? new Int32Array(D);
      let r = index;
      for (let d = D - 1; d >= 0; d--) {
        const n = sizes[d];
        const q = Math.floor(r / n);
        o[d] = r - q * n;
        r = q;
      }
      return o;
    },
    isAllowed(layout) {
      if (!masked) return true;
      for (let d = 0; d < D; d++) if (!variantAllowed[offsets[d] + layout[d]]) return false;
      for (let k = 0; k < excludedPairs.length; k += 4) {
        if (layout[excludedPairs[k]] === excludedPairs[k + 1] && layout[excludedPairs[k + 2]] === excludedPairs[k + 3]) return false;
      }
      return true;
    },
    compatible(layout, d, v) {
      const u = offsets[d] + v;
      if (!variantAllowed[u]) return false;
      if (excludedPairs.length === 0) return true;
      if (pairBlocked) {
        const row = u * M;
        for (let j = 0; j < D; j++) if (j !== d && pairBlocked[row + offsets[j] + layout[j]]) return false;
        return true;
      }
      for (let k = 0; k < excludedPairs.length; k += 4) {
        const i = excludedPairs[k];
        const j = excludedPairs[k + 2];
        if (i === d && excludedPairs[k + 1] === v && layout[j] === excludedPairs[k + 3]) return false;
        if (j === d && excludedPairs[k + 3] === v && layout[i] === excludedPairs[k + 1]) return false;
      }
      return true;
    },
    describe(layout) {
      const out: Record<string, string> = {};
      for (let d = 0; d < D; d++) out[comps[d].name] = comps[d].variants[layout[d]];
      return out;
    },
    parse(rec) {
      const out = new Int32Array(D);
      for (let d = 0; d < D; d++) {
        const v = variantIndex[d].get(rec[comps[d].name]);
        if (v === undefined) {
          throw new InputError(`unknown variant ${describeValue(rec[comps[d].name])} of component \`${comps[d].name}\``);
        }
        out[d] = v;
      }
      return out;
    },
    label(layout) {
      const parts: string[] = [];
      for (let d = 0; d < D; d++) parts.push(comps[d].variants[layout[d]]);
      return parts.join('·');
    },
    allowedCount() {
      if (!masked) return size;
      if (allowedCache >= 0) return allowedCache;
      if (size > 1e7) return size;
      const buf = new Int32Array(D);
      let n = 0;
      for (let i = 0; i < size; i++) if (space.isAllowed(space.layoutAt(i, buf))) n++;
      allowedCache = n;
      return n;
    },
  };
  return space;
}

/** Throws an InputError unless `value` looks like a {@link LayoutSpace}. */
export function checkLayoutSpace(name: string, value: unknown): LayoutSpace {
  const s = value as LayoutSpace;
  if (s === null || typeof s !== 'object' || !(s.sizes instanceof Int32Array) || typeof s.layoutAt !== 'function') {
    throw invalidOption(name, 'a LayoutSpace from layoutSpace({ components })', value);
  }
  return s;
}

// --- feature encoding ---------------------------------------------------------------------------

/** Feature groups of an encoding (the meta-prior has one mean and variance per group). */
export const featureGroups = ['intercept', 'main', 'pairwise', 'context', 'contextMain'] as const;
/** A feature group name. */
export type FeatureGroup = (typeof featureGroups)[number];

/** Options of {@link featureEncoder}. */
export interface FeatureEncoderOptions {
  /** Include pairwise component interactions (MVT2); default true. */
  pairwise?: boolean;
  /** Context feature vectors, one per context id (all the same length dc); default `[[]]` (one context, no features). */
  contexts?: ArrayLike<number>[];
  /** Include context × component (main effect) interactions; default true when dc > 0. */
  contextInteractions?: boolean;
}

/** Defaults of {@link featureEncoder}. */
export const featureEncoderDefaults = { pairwise: true, contextInteractions: true } as const;

/**
 * A sparse feature map x(layout, context) of a layout space: intercept, one-hot main effects,
 * one-hot pairwise interactions, context features and context × main-effect products.
 */
export interface FeatureEncoder {
  /** The layout space. */
  readonly space: LayoutSpace;
  /** Number of features p. */
  readonly dim: number;
  /** Whether pairwise terms are included. */
  readonly pairwise: boolean;
  /** Number of context features dc. */
  readonly contextDim: number;
  /** Number of contexts C. */
  readonly contextCount: number;
  /** Context features, C × dc row-major. */
  readonly contextFeatures: Float64Array;
  /** Whether context × component terms are included. */
  readonly contextInteractions: boolean;
  /** Group of each feature, as an index into {@link featureGroups}. */
  readonly group: Uint8Array;
  /** Start of the main-effect block (= 1). */
  readonly mainBase: number;
  /** Start of the pairwise block. */
  readonly pairBase: number;
  /** Offset of pair (i, j), i < j, inside the pairwise block: pairOffset[i·D + j]. */
  readonly pairOffset: Int32Array;
  /** Start of the context block. */
  readonly contextBase: number;
  /** Start of the context × component block. */
  readonly contextMainBase: number;
  /** Maximum number of active features of one row. */
  readonly maxActive: number;
  /** Writes the active features of (layout, context) into idx/val and returns their count. */
  encode(layout: ArrayLike<number>, context: number, idx: Int32Array, val: Float64Array): number;
  /** The linear score w·x(layout, context). */
  score(w: Float64Array, layout: ArrayLike<number>, context: number): number;
  /**
   * Effective main effects for a context, eff[m] = w_main[m] + Σ_k f_k w_cm[k, m], written into
   * `out` (length Σ N_d) — the per-context part that hill-climbing needs.
   */
  effectiveMain(w: Float64Array, context: number, out: Float64Array): Float64Array;
  /** The context-only part of the score: w0 + Σ_k f_k w_ctx[k]. */
  contextScore(w: Float64Array, context: number): number;
  /** A human-readable name of feature f, e.g. "headline=bold × image=photo". */
  featureName(f: number): string;
}

/** Makes the sparse feature encoder of a space (main effects, optional pairwise and context terms). */
export function featureEncoder(space: LayoutSpace, options: FeatureEncoderOptions = {}): FeatureEncoder {
  checkLayoutSpace('space', space);
  checkKnownKeys('featureEncoder options', options, ['pairwise', 'contexts', 'contextInteractions']);
  const pairwise = options.pairwise ?? featureEncoderDefaults.pairwise;
  if (typeof pairwise !== 'boolean') throw invalidOption('pairwise', 'a boolean', pairwise);
  const ctxs = options.contexts ?? [[]];
  if (!Array.isArray(ctxs) || ctxs.length === 0) throw invalidOption('contexts', 'a non-empty array of context feature vectors', ctxs);
  const dc = ctxs[0].length;
  const C = ctxs.length;
  const contextFeatures = new Float64Array(C * dc);
  ctxs.forEach((f, c) => {
    if (!f || f.length !== dc) throw invalidOption(`contexts[${c}]`, `a feature vector of length ${dc}`, f);
    for (let k = 0; k < dc; k++) {
      if (!Number.isFinite(f[k])) throw invalidOption(`contexts[${c}][${k}]`, 'a finite number', f[k]);
      contextFeatures[c * dc + k] = f[k];
    }
  });
  const contextInteractions = dc > 0 && (options.contextInteractions ?? featureEncoderDefaults.contextInteractions);
  const D = space.dimension;
  const sizes = space.sizes;
  const offs = space.variantOffsets;
  const M = space.totalVariants;
  const pairOffset = new Int32Array(D * D).fill(-1);
  let nPair = 0;
  if (pairwise) {
    for (let i = 0; i < D; i++) {
      for (let j = i + 1; j < D; j++) {
        pairOffset[i * D + j] = nPair;
        nPair += sizes[i] * sizes[j];
      }
    }
  }
  const mainBase = 1;
  const pairBase = mainBase + M;
  const contextBase = pairBase + nPair;
  const contextMainBase = contextBase + dc;
  const dim = contextMainBase + (contextInteractions ? dc * M : 0);
  const group = new Uint8Array(dim);
  group.fill(1, mainBase, pairBase);
  group.fill(2, pairBase, contextBase);
  group.fill(3, contextBase, contextMainBase);
  group.fill(4, contextMainBase, dim);
  const maxActive = 1 + D + (pairwise ? (D * (D - 1)) / 2 : 0) + dc + (contextInteractions ? dc * D : 0);

  const enc: FeatureEncoder = {
    space,
    dim,
    pairwise,
    contextDim: dc,
    contextCount: C,
    contextFeatures,
    contextInteractions,
    group,
    mainBase,
    pairBase,
    pairOffset,
    contextBase,
    contextMainBase,
    maxActive,
    encode(layout, context, idx, val) {
      let n = 0;
      idx[n] = 0;
      val[n++] = 1;
      for (let d = 0; d < D; d++) {
        idx[n] = mainBase + offs[d] + layout[d];
        val[n++] = 1;
      }
      if (pairwise) {
        for (let i = 0; i < D; i++) {
          for (let j = i + 1; j < D; j++) {
            idx[n] = pairBase + pairOffset[i * D + j] + layout[i] * sizes[j] + layout[j];
            val[n++] = 1;
          }
        }
      }
      const cb = context * dc;
      for (let k = 0; k < dc; k++) {
        const f = contextFeatures[cb + k];
        idx[n] = contextBase + k;
        val[n++] = f;
      }
      if (contextInteractions) {
        for (let k = 0; k < dc; k++) {
          const f = contextFeatures[cb + k];
          for (let d = 0; d < D; d++) {
            idx[n] = contextMainBase + k * M + offs[d] + layout[d];
            val[n++] = f;
          }
        }
      }
      return n;
    },
    score(w, layout, context) {
      let s = enc.contextScore(w, context);
      const cb = context * dc;
      for (let d = 0; d < D; d++) {
        const m = offs[d] + layout[d];
        s += w[mainBase + m];
        if (contextInteractions) for (let k = 0; k < dc; k++) s += contextFeatures[cb + k] * w[contextMainBase + k * M + m];
      }
      if (pairwise) {
        for (let i = 0; i < D; i++) {
          for (let j = i + 1; j < D; j++) s += w[pairBase + pairOffset[i * D + j] + layout[i] * sizes[j] + layout[j]];
        }
      }
      return s;
    },
    effectiveMain(w, context, out) {
      for (let m = 0; m < M; m++) out[m] = w[mainBase + m];
      if (contextInteractions) {
        const cb = context * dc;
        for (let k = 0; k < dc; k++) {
          const f = contextFeatures[cb + k];
          if (f === 0) continue;
          const base = contextMainBase + k * M;
          for (let m = 0; m < M; m++) out[m] += f * w[base + m];
        }
      }
      return out;
    },
    contextScore(w, context) {
      let s = w[0];
      const cb = context * dc;
      for (let k = 0; k < dc; k++) s += contextFeatures[cb + k] * w[contextBase + k];
      return s;
    },
    featureName(f) {
      const comps = space.components;
      const variantName = (m: number): string => {
        let d = 0;
        while (offs[d + 1] <= m) d++;
        return `${comps[d].name}=${comps[d].variants[m - offs[d]]}`;
      };
      if (f === 0) return 'intercept';
      if (f < pairBase) return variantName(f - mainBase);
      if (f < contextBase) {
        const r = f - pairBase;
        for (let i = 0; i < D; i++) {
          for (let j = i + 1; j < D; j++) {
            const o = pairOffset[i * D + j];
            if (r >= o && r < o + sizes[i] * sizes[j]) {
              const a = Math.floor((r - o) / sizes[j]);
              const b = r - o - a * sizes[j];
              return `${variantName(offs[i] + a)} × ${variantName(offs[j] + b)}`;
            }
          }
        }
      }
      if (f < contextMainBase) return `context[${f - contextBase}]`;
      const r = f - contextMainBase;
      return `context[${Math.floor(r / M)}] × ${variantName(r % M)}`;
    },
  };
  return enc;
}
