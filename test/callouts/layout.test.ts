import assert from 'node:assert/strict';
import { InputError } from '../../src/core/errors';
import { rng } from '../../src/core/rng';
import { fillNormal } from '../../src/core/random';
import { normalCdf } from '../../src/core/stats';
import { assertThrowsError } from '../helpers/assert';
import { enumerateBest, featureEncoder, hillClimber, layoutSpace, loggedData, type LayoutSpaceOptions } from '../../src/callouts';

const components48 = [
  { name: 'headline', variants: ['benefit', 'price'] },
  { name: 'image', variants: ['photo', 'icon'] },
  { name: 'body', variants: ['short', 'medium', 'long'] },
  { name: 'proof', variants: ['none', 'stars'] },
  { name: 'cta', variants: ['join', 'try'] },
];

describe('callouts/layout', () => {
  it('layoutSpace({components}) indexes 2×2×3×2×2 = 48 layouts and round-trips indexOf/layoutAt', () => {
    const s = layoutSpace({ components: components48 });
    assert.equal(s.size, 48);
    assert.equal(s.totalVariants, 11);
    const buf = new Int32Array(5);
    for (let i = 0; i < 48; i++) assert.equal(s.indexOf(s.layoutAt(i, buf)), i);
    assert.deepEqual(Array.from(s.layoutAt(47)), [1, 1, 2, 1, 1]);
    assert.deepEqual(s.describe(s.layoutAt(0)), { headline: 'benefit', image: 'photo', body: 'short', proof: 'none', cta: 'join' });
    assert.equal(s.indexOf(s.parse({ headline: 'price', image: 'icon', body: 'long', proof: 'stars', cta: 'try' })), 47);
    assert.equal(s.label(s.layoutAt(0)), 'benefit·photo·short·none·join');
  });

  it('masks: an excluded variant and an excluded pair remove exactly those layouts', () => {
    const s = layoutSpace({ components: components48, exclude: [{ body: 'long' }, { headline: 'price', cta: 'try' }] });
    // 48 − 16 (long body) = 32, minus pairs (price, try) among them: 2·2·2 = 8 → 24
    assert.equal(s.allowedCount(), 24);
    assert.equal(s.isAllowed(s.parse({ headline: 'price', image: 'icon', body: 'short', proof: 'stars', cta: 'try' })), false);
    assert.equal(s.isAllowed(s.parse({ headline: 'price', image: 'icon', body: 'short', proof: 'stars', cta: 'join' })), true);
  });

  it('featureEncoder: dimension 1 + Σ N + Σ N_i N_j (+ context terms), and sparse score equals w·x', () => {
    const s = layoutSpace({ components: components48 });
    const e = featureEncoder(s, { contexts: [[0], [1]] });
    assert.equal(e.dim, 1 + 11 + 48 + 1 + 11);
    const w = fillNormal(rng(3), new Float64Array(e.dim));
    const idx = new Int32Array(e.maxActive);
    const val = new Float64Array(e.maxActive);
    for (let a = 0; a < 48; a++) {
      for (const c of [0, 1]) {
        const L = s.layoutAt(a);
        const n = e.encode(L, c, idx, val);
        let dot = 0;
        for (let k = 0; k < n; k++) dot += w[idx[k]] * val[k];
        assert.ok(Math.abs(dot - e.score(w, L, c)) < 1e-12);
      }
    }
    assert.equal(e.featureName(e.pairBase), 'headline=benefit × image=photo');
    assert.equal(featureEncoder(s, { pairwise: false }).dim, 12);
  });

  /** Fraction of random models (main and pairwise weights N(0, 0.3²), intercept −2) where hill-climbing is within 1% of the optimum. */
  function hillVsEnumeration(components: { name: string; variants: string[] }[], restarts: number, trials: number, exclude?: LayoutSpaceOptions['exclude']) {
    const s = layoutSpace({ components, exclude });
    const e = featureEncoder(s);
    const hc = hillClimber(e, { restarts, steps: 5 });
    const r = rng(11);
    const w = new Float64Array(e.dim);
    const a = new Int32Array(s.dimension);
    const b = new Int32Array(s.dimension);
    let within = 0;
    let sumRatio = 0;
    for (let trial = 0; trial < trials; trial++) {
      fillNormal(r.fork(trial), w, 0, 0.3);
      w[0] = -2; // click rates of a few percent
      const ratio = normalCdf(hc.search(w, 0, r, a)) / normalCdf(enumerateBest(e, w, 0, b));
      assert.ok(s.isAllowed(a), 'hill-climbing returned an excluded layout');
      if (ratio >= 0.99) within++;
      sumRatio += ratio;
    }
    return { within: within / trials, meanRatio: sumRatio / trials };
  }

  it('hillClimber (defaults: S = 5, K = 5, pair moves) is within 1% of the enumerated optimum on ≥ 98% of 500 random 48-layout models, mean ratio ≥ 0.997 (seed 11)', () => {
    // Measured 98.95% of 2,000 models (96.55% without pair moves); local search has no guarantee.
    const { within, meanRatio } = hillVsEnumeration(components48, 5, 500);
    assert.ok(within >= 0.98, `within 1%: ${within}`);
    assert.ok(meanRatio >= 0.997, `mean ratio ${meanRatio}`);
  });

  it('hillClimber with S = 20 finds the optimum within 1% on all 500 random 48-layout models and ≥ 99% of 300 random 4^6 models (seed 11)', () => {
    assert.equal(hillVsEnumeration(components48, 20, 500).within, 1);
    const comps = Array.from({ length: 6 }, (_, d) => ({ name: `c${d}`, variants: ['a', 'b', 'c', 'd'] }));
    const { within, meanRatio } = hillVsEnumeration(comps, 20, 300);
    assert.ok(within >= 0.99, `within 1%: ${within}`);
    assert.ok(meanRatio >= 0.999, `mean ratio ${meanRatio}`);
  });

  it('hillClimber respects masks: on a 4^6 space with an excluded variant and three excluded pairs, S = 20, it returns allowed layouts, within 1% on ≥ 98% of 300 models (seed 11)', () => {
    const comps = Array.from({ length: 6 }, (_, d) => ({ name: `c${d}`, variants: ['a', 'b', 'c', 'd'] }));
    const exclude: Record<string, string>[] = [{ c0: 'd' }, { c0: 'a', c1: 'b' }, { c2: 'c', c3: 'c' }, { c4: 'a', c5: 'a' }];
    const { within } = hillVsEnumeration(comps, 20, 300, exclude);
    assert.ok(within >= 0.98, `within 1%: ${within}`);
  });

  it('hillClimber works on 8^10 (≈1.07e9 layouts) without enumerating: its layout is a local optimum for every one- and two-component change', () => {
    const s = layoutSpace({ components: Array.from({ length: 10 }, (_, d) => ({ name: `c${d}`, variants: 'abcdefgh'.split('') })) });
    assert.equal(s.size, 8 ** 10);
    const e = featureEncoder(s);
    assert.equal(e.dim, 1 + 80 + 45 * 64);
    const hc = hillClimber(e);
    const out = new Int32Array(10);
    const r = rng(6);
    for (let trial = 0; trial < 3; trial++) {
      const w = fillNormal(rng(5).fork(trial), new Float64Array(e.dim), 0, 0.3);
      const sc = hc.search(w, 0, r, out);
      assert.ok(Math.abs(e.score(w, out, 0) - sc) < 1e-9);
      const probe = Int32Array.from(out);
      for (let d = 0; d < 10; d++) {
        for (let j = d; j < 10; j++) {
          for (let v = 0; v < 8; v++) {
            for (let u = 0; u < 8; u++) {
              probe.set(out);
              probe[d] = v;
              probe[j] = u;
              assert.ok(e.score(w, probe, 0) <= sc + 1e-9, `changing c${d}, c${j} improves the layout`);
            }
          }
        }
      }
    }
  });

  describe('bad input → InputError naming the problem', () => {
    const table: Array<[string, () => unknown, RegExp]> = [
      ['duplicate variant names', () => layoutSpace({ components: [{ name: 'headline', variants: ['bold', 'bold'] }] }), /duplicate variant name "bold" in component `headline`/],
      ['an empty component', () => layoutSpace({ components: [{ name: 'image', variants: [] }] }), /component `image` has no variants/],
      ['duplicate component names', () => layoutSpace({ components: [{ name: 'a', variants: ['x'] }, { name: 'a', variants: ['y'] }] }), /duplicate component name "a"/],
      ['no components', () => layoutSpace({ components: [] } as LayoutSpaceOptions), /invalid option `components`/],
      ['unknown option', () => layoutSpace({ components: components48, exlude: [] } as unknown as LayoutSpaceOptions), /unknown option `exlude`/],
      ['exclusion of an unknown variant', () => layoutSpace({ components: components48, exclude: [{ body: 'huge' }] }), /unknown variant "huge" of component `body`/],
      ['every variant excluded', () => layoutSpace({ components: components48, exclude: [{ cta: 'join' }, { cta: 'try' }] }), /component `cta` has every variant excluded/],
      ['propensity 0', () => loggedData({ action: [0, 1], reward: [0, 1], propensity: [0.5, 0] }), /propensity 0 at row 1 is not in \(0, 1\]/],
      ['propensity > 1', () => loggedData({ action: [0, 1], reward: [0, 1], propensity: [1.5, 0.5] }), /propensity 1.5 at row 0 is not in \(0, 1\]/],
      ['negative propensity', () => loggedData({ action: [0], reward: [0], propensity: [-0.1] }), /propensity -0.1 at row 0/],
      ['logged action outside the space', () => loggedData({ action: [3, 48], reward: [0, 1], propensity: [0.5, 0.5], nActions: 48 }), /logged action 48 at row 1 is outside the action space 0..47/],
      ['column length mismatch', () => loggedData({ action: [1, 2], reward: [0], propensity: [0.5, 0.5] }), /column `reward` has 1 rows, expected 2/],
      ['layout index outside the space', () => layoutSpace({ components: components48 }).layoutAt(48), /layout index 48 is outside the space of 48 layouts/],
    ];
    for (const [what, fn, re] of table) it(what, () => assertThrowsError(fn, InputError, re));
  });
});
