import assert from 'node:assert/strict';
import { rng } from '../../src/core/rng';
import {
  uniform,
  normal,
  gumbel,
  gamma,
  beta,
  poisson,
  exponential,
  fillUniform,
  fillNormal,
  fillGumbel,
  fillCategorical,
  aliasTable,
  categorical,
  logitChoice,
  randomInt,
  bernoulli,
  shuffle,
} from '../../src/core/random';
import { normalCdf, erf, softmax, logGamma } from '../../src/core/stats';
import { assertClose, chiSquare, chiSquareCritical, ksCritical, ksStatistic, moments } from '../helpers/assert';

const N = 100000;
const EULER_GAMMA = 0.5772156649015329;

function sample(n: number, draw: () => number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = draw();
  return out;
}

/** Asserts the sample mean is within `k` standard errors of `mean` given the true variance. */
function assertMean(x: Float64Array, mean: number, variance: number, k = 5): void {
  const m = moments(x).mean;
  const se = Math.sqrt(variance / x.length);
  assert.ok(Math.abs(m - mean) < k * se, `mean ${m} vs ${mean} (se ${se})`);
}

/** Asserts the sample variance is within 5% (relative) of `variance`. */
function assertVariance(x: Float64Array, variance: number, rel = 0.05): void {
  const v = moments(x).variance;
  assert.ok(Math.abs(v - variance) < rel * variance, `variance ${v} vs ${variance}`);
}

function assertKs(x: Float64Array, cdf: (v: number) => number): void {
  const d = ksStatistic(x, cdf);
  assert.ok(d < ksCritical(x.length), `KS D = ${d} ≥ ${ksCritical(x.length)} (alpha 0.001)`);
}

// Tolerances: means within 5 standard errors; KS at alpha = 0.001 (critical ≈ 0.00616 for
// n = 1e5); chi-square at alpha = 0.001. Seeds are fixed, so the tests are deterministic.

describe('core/random', () => {
  describe('uniform', () => {
    it('uniform(rng, low, high) is U(low, high): KS and moments at seed 1', () => {
      const r = rng(1);
      const x = sample(N, () => uniform(r, -2, 3));
      assertKs(x, (v) => Math.min(1, Math.max(0, (v + 2) / 5)));
      assertMean(x, 0.5, 25 / 12);
      assertVariance(x, 25 / 12);
      assert.ok(x.every((v) => v >= -2 && v < 3));
    });

    it('fillUniform(rng, out) equals repeated uniform(rng) draws and returns out', () => {
      const out = new Float64Array(100);
      assert.equal(fillUniform(rng(2), out, 1, 2), out);
      const r = rng(2);
      for (let i = 0; i < 100; i++) assert.equal(out[i], uniform(r, 1, 2));
    });

    it('randomInt(rng, n) is uniform on 0..n-1 (chi-square, n = 7)', () => {
      const r = rng(3);
      const counts = new Float64Array(7);
      for (let i = 0; i < 70000; i++) counts[randomInt(r, 7)]++;
      assert.ok(chiSquare(counts, new Float64Array(7).fill(10000)) < chiSquareCritical(6));
      assert.equal(randomInt(r, 1), 0);
      const big = randomInt(r, 2 ** 40);
      assert.ok(Number.isInteger(big) && big >= 0 && big < 2 ** 40);
    });

    it('bernoulli(rng, p) has mean p; shuffle(rng, a) permutes in place', () => {
      const r = rng(4);
      const x = sample(N, () => bernoulli(r, 0.3));
      assertMean(x, 0.3, 0.21);
      const a = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
      const s = shuffle(r, a.slice());
      assert.deepEqual(s.slice().sort((p, q) => p - q), a);
      assert.notDeepEqual(s, a);
      const t = shuffle(r, Int32Array.from(a));
      assert.equal(t.length, 10);
    });
  });

  describe('normal', () => {
    it('normal(rng) is N(0, 1): KS against Φ and moments at seed 42', () => {
      const r = rng(42);
      const x = sample(N, () => normal(r));
      assertKs(x, (v) => normalCdf(v));
      assertMean(x, 0, 1);
      assertVariance(x, 1, 0.03);
    });

    it('normal(rng, mean, sd) shifts and scales', () => {
      const r = rng(43);
      const x = sample(N, () => normal(r, 10, 3));
      assertKs(x, (v) => normalCdf(v, 10, 3));
      assertMean(x, 10, 9);
    });

    it('fillNormal(rng, out) has the right tail mass beyond the ziggurat base (|z| > 3.4426)', () => {
      const out = fillNormal(rng(44), new Float64Array(1_000_000));
      let tail = 0;
      let tail4 = 0;
      for (const v of out) {
        if (Math.abs(v) > 3.442619855899) tail++;
        if (v < -4) tail4++;
      }
      const p = 2 * normalCdf(-3.442619855899); // 5.76e-4 → 576 expected
      const sdCount = Math.sqrt(1e6 * p);
      assert.ok(Math.abs(tail - 1e6 * p) < 5 * sdCount, `tail ${tail} vs ${1e6 * p}`);
      const p4 = normalCdf(-4) * 1e6; // 31.7 expected
      assert.ok(Math.abs(tail4 - p4) < 5 * Math.sqrt(p4), `tail4 ${tail4} vs ${p4}`);
      assertKs(out.subarray(0, N), (v) => normalCdf(v));
    });

    it('fillNormal(rng, out) passes a 1e6-draw KS test and a 400-bin chi-square (catches wedge errors)', () => {
      const x = fillNormal(rng(46), new Float64Array(1_000_000));
      assertKs(x, (v) => normalCdf(v));
      // 400 equiprobable bins by Φ(x): the ziggurat's wedges are narrow, so a local test.
      const bins = 400;
      const counts = new Float64Array(bins);
      for (const v of x) counts[Math.min(bins - 1, Math.floor(normalCdf(v) * bins))]++;
      const chi = chiSquare(counts, new Float64Array(bins).fill(x.length / bins));
      assert.ok(chi < chiSquareCritical(bins - 1), `chi2 ${chi} ≥ ${chiSquareCritical(bins - 1)}`);
    });

    it('fillNormal(rng, out) draws the tail beyond 3.4426 from the truncated normal (KS)', () => {
      const R = 3.442619855899;
      const x = fillNormal(rng(47), new Float64Array(4_000_000));
      const tail = x.filter((v) => v > R || v < -R).map((v) => Math.abs(v));
      const pR = normalCdf(-R);
      assert.ok(tail.length > 2000); // expected 4e6 · 5.76e-4 ≈ 2304
      assertKs(tail, (v) => (pR - normalCdf(-v)) / pR);
    });

    it('fillNormal(rng, out, mean, sd) equals repeated normal() draws', () => {
      const out = fillNormal(rng(45), new Float64Array(1000), 1, 2);
      const r = rng(45);
      for (let i = 0; i < 1000; i++) assert.equal(out[i], normal(r, 1, 2));
    });
  });

  describe('gumbel, exponential', () => {
    it('gumbel(rng, μ, β) has mean μ + γβ, variance π²β²/6, and the Gumbel CDF', () => {
      const r = rng(5);
      const mu = 1.5;
      const b = 2;
      const x = sample(N, () => gumbel(r, mu, b));
      assertMean(x, mu + EULER_GAMMA * b, (Math.PI ** 2 * b * b) / 6);
      assertVariance(x, (Math.PI ** 2 * b * b) / 6);
      assertKs(x, (v) => Math.exp(-Math.exp(-(v - mu) / b)));
    });

    it('fillGumbel(rng, out) equals repeated gumbel() draws and is finite', () => {
      const out = fillGumbel(rng(6), new Float64Array(1000), 0, 0.5);
      const r = rng(6);
      for (let i = 0; i < 1000; i++) assert.equal(out[i], gumbel(r, 0, 0.5));
      assert.ok(out.every(Number.isFinite));
    });

    it('exponential(rng, rate) has mean 1/rate and the exponential CDF', () => {
      const r = rng(7);
      const x = sample(N, () => exponential(r, 4));
      assertMean(x, 0.25, 1 / 16);
      assertKs(x, (v) => 1 - Math.exp(-4 * v));
    });
  });

  describe('gamma, beta', () => {
    it('gamma(rng, 0.5) (shape < 1 boost) matches its CDF erf(√x) and moments', () => {
      const r = rng(8);
      const x = sample(N, () => gamma(r, 0.5));
      // Gamma(1/2, 1) is Z²/2, so P(X ≤ x) = P(|Z| ≤ √(2x)) = erf(√x).
      assertKs(x, (v) => (v <= 0 ? 0 : erf(Math.sqrt(v))));
      assertMean(x, 0.5, 0.5);
    });

    it('gamma(rng, 3, 2) (Erlang) matches its CDF and moments', () => {
      const r = rng(9);
      const x = sample(N, () => gamma(r, 3, 2));
      const cdf = (v: number): number => {
        const t = v / 2;
        return v <= 0 ? 0 : 1 - Math.exp(-t) * (1 + t + (t * t) / 2);
      };
      assertKs(x, cdf);
      assertMean(x, 6, 12);
      assertVariance(x, 12);
    });

    it('gamma(rng, shape, scale) has mean kθ and variance kθ² for shape 0.2 and 7.3', () => {
      for (const [k, theta, seed] of [
        [0.2, 3, 10],
        [7.3, 0.5, 11],
      ]) {
        const r = rng(seed);
        const x = sample(N, () => gamma(r, k, theta));
        assertMean(x, k * theta, k * theta * theta);
        assertVariance(x, k * theta * theta, 0.08);
        assert.ok(x.every((v) => v >= 0));
      }
    });

    it('beta(rng, 2, 5) has mean a/(a+b) and variance ab/((a+b)²(a+b+1))', () => {
      const r = rng(12);
      const x = sample(N, () => beta(r, 2, 5));
      const variance = (2 * 5) / (49 * 8);
      assertMean(x, 2 / 7, variance);
      assertVariance(x, variance);
    });

    it('beta(rng, 0.5, 0.5) (Jöhnk) is the arcsine distribution', () => {
      const r = rng(13);
      const x = sample(N, () => beta(r, 0.5, 0.5));
      assertKs(x, (v) => (2 / Math.PI) * Math.asin(Math.sqrt(Math.min(1, Math.max(0, v)))));
    });

    it('beta(rng, a, b) stays in [0, 1] and finite for tiny shapes', () => {
      const r = rng(14);
      const x = sample(10000, () => beta(r, 0.005, 0.01));
      assert.ok(x.every((v) => v >= 0 && v <= 1));
      // P(X > 1/2) → b/(a+b) = 2/3 as a, b → 0.
      const above = x.filter((v) => v > 0.5).length / x.length;
      assertClose(above, 1 / 3, 0.03);
    });
  });

  describe('poisson', () => {
    it('poisson(rng, 3.5) (inversion) matches the pmf (chi-square) and mean = variance = λ', () => {
      const r = rng(15);
      const lambda = 3.5;
      const x = sample(N, () => poisson(r, lambda));
      assertMean(x, lambda, lambda);
      assertVariance(x, lambda);
      const K = 12; // categories 0..11 and ≥ 12
      const observed = new Float64Array(K + 1);
      for (const v of x) observed[Math.min(v, K)]++;
      const expected = new Float64Array(K + 1);
      let cum = 0;
      for (let k = 0; k < K; k++) {
        const p = Math.exp(-lambda + k * Math.log(lambda) - logGamma(k + 1));
        expected[k] = N * p;
        cum += p;
      }
      expected[K] = N * (1 - cum);
      assert.ok(chiSquare(observed, expected) < chiSquareCritical(K), `chi2 ${chiSquare(observed, expected)}`);
    });

    it('poisson(rng, λ) (PTRS) has mean and variance λ for λ = 10, 50 and 1e4', () => {
      for (const [lambda, seed] of [
        [10, 16],
        [50, 17],
        [1e4, 18],
      ]) {
        const r = rng(seed);
        const x = sample(N, () => poisson(r, lambda));
        assertMean(x, lambda, lambda);
        assertVariance(x, lambda);
        assert.ok(x.every((v) => Number.isInteger(v) && v >= 0));
      }
    });

    it('poisson(rng, 30) matches the pmf near the mode (chi-square over 15..45)', () => {
      const r = rng(19);
      const lambda = 30;
      const x = sample(N, () => poisson(r, lambda));
      const lo = 15;
      const hi = 45;
      const observed = new Float64Array(hi - lo + 3);
      const expected = new Float64Array(hi - lo + 3);
      for (const v of x) observed[v < lo ? 0 : v > hi ? hi - lo + 2 : v - lo + 1]++;
      let inside = 0;
      let below = 0;
      for (let k = 0; k <= hi; k++) {
        const p = Math.exp(-lambda + k * Math.log(lambda) - logGamma(k + 1));
        if (k < lo) below += p;
        else {
          expected[k - lo + 1] = N * p;
          inside += p;
        }
      }
      expected[0] = N * below;
      expected[hi - lo + 2] = N * (1 - below - inside);
      assert.ok(chiSquare(observed, expected) < chiSquareCritical(expected.length - 1));
    });

    it('poisson(rng, 0) is 0', () => {
      assert.equal(poisson(rng(1), 0), 0);
    });
  });

  describe('categorical and logit choice', () => {
    it('aliasTable(weights) normalises weights and categorical() matches them (chi-square)', () => {
      const w = [1, 2, 3, 0, 4, 0.5];
      const table = aliasTable(w);
      const total = w.reduce((a, b) => a + b, 0);
      for (let i = 0; i < w.length; i++) assertClose(table.p[i], w[i] / total, 1e-15);
      const r = rng(20);
      const counts = new Float64Array(w.length);
      for (let i = 0; i < N; i++) counts[categorical(r, table)]++;
      assert.equal(counts[3], 0, 'a zero weight is never drawn');
      const expected = w.map((v) => (N * v) / total);
      assert.ok(chiSquare(counts, expected) < chiSquareCritical(w.length - 2));
    });

    it('fillCategorical(rng, out, table) equals repeated categorical() draws', () => {
      const table = aliasTable(Float64Array.from([0.1, 0.7, 0.2]));
      const out = fillCategorical(rng(21), new Int32Array(500), table);
      const r = rng(21);
      for (let i = 0; i < 500; i++) assert.equal(out[i], categorical(r, table));
    });

    it('aliasTable with one category always draws 0; many skewed categories stay exact', () => {
      assert.equal(categorical(rng(1), aliasTable([5])), 0);
      const w = Float64Array.from({ length: 1000 }, (_, i) => (i + 1) ** 2);
      const t = aliasTable(w);
      // The table encodes the distribution exactly: Σ over columns of the mass sent to each i.
      const mass = new Float64Array(w.length);
      for (let i = 0; i < w.length; i++) {
        mass[i] += t.threshold[i] / w.length;
        mass[t.alias[i]] += (1 - t.threshold[i]) / w.length;
      }
      for (let i = 0; i < w.length; i++) assertClose(mass[i], t.p[i], 1e-12);
    });

    it('logitChoice(rng, u) frequencies match softmax(u), also for huge utilities', () => {
      const u = [1000, 1001, 999.5, 998];
      const p = softmax(u);
      const r = rng(22);
      const counts = new Float64Array(u.length);
      for (let i = 0; i < N; i++) counts[logitChoice(r, u)]++;
      const expected = Array.from(p, (v) => v * N);
      assert.ok(chiSquare(counts, expected) < chiSquareCritical(u.length - 1), `chi2 ${chiSquare(counts, expected)}`);
    });

    it('logitChoice(rng, u, scale) uses softmax(u / scale)', () => {
      const u = [0, 1, 2];
      const scale = 2.5;
      const p = softmax(u.map((v) => v / scale));
      const r = rng(23);
      const counts = new Float64Array(3);
      for (let i = 0; i < N; i++) counts[logitChoice(r, u, scale)]++;
      assert.ok(chiSquare(counts, Array.from(p, (v) => v * N)) < chiSquareCritical(2));
    });

    it('logitChoice never picks −Infinity and picks among +Infinity utilities', () => {
      const r = rng(24);
      for (let i = 0; i < 1000; i++) assert.notEqual(logitChoice(r, [-Infinity, 0, -Infinity]), 0);
      const counts = [0, 0, 0];
      for (let i = 0; i < 3000; i++) counts[logitChoice(r, [Infinity, 5, Infinity])]++;
      assert.equal(counts[1], 0);
      assert.ok(counts[0] > 1300 && counts[2] > 1300);
    });

    it('logitChoice matches the Gumbel-max definition: argmax(u + Gumbel noise)', () => {
      const u = [0.3, -1, 2, 0.7];
      const rA = rng(25);
      const rB = rng(26);
      const a = new Float64Array(4);
      const b = new Float64Array(4);
      for (let i = 0; i < N; i++) {
        a[logitChoice(rA, u)]++;
        let best = -Infinity;
        let arg = 0;
        for (let j = 0; j < 4; j++) {
          const v = u[j] + gumbel(rB);
          if (v > best) {
            best = v;
            arg = j;
          }
        }
        b[arg]++;
      }
      // Two independent samples from the same 4-category distribution: 2x2 homogeneity chi-square.
      let chi = 0;
      for (let j = 0; j < 4; j++) {
        const e = (a[j] + b[j]) / 2;
        chi += ((a[j] - e) ** 2 + (b[j] - e) ** 2) / e;
      }
      assert.ok(chi < chiSquareCritical(3), `chi2 ${chi}`);
    });
  });

  describe('determinism', () => {
    it('every variate is reproducible from the seed', () => {
      const run = (): number[] => {
        const r = rng('det');
        return [
          uniform(r),
          normal(r),
          gumbel(r),
          gamma(r, 0.3),
          gamma(r, 4),
          beta(r, 2, 3),
          beta(r, 0.5, 0.7),
          poisson(r, 2),
          poisson(r, 200),
          exponential(r),
          categorical(r, aliasTable([1, 2])),
          logitChoice(r, [1, 2, 3]),
        ];
      };
      assert.deepEqual(run(), run());
    });
  });
});
