import assert from 'node:assert/strict';
import {
  runningStats,
  mean,
  variance,
  sd,
  quantile,
  median,
  weightedQuantile,
  logSumExp,
  softmax,
  logSoftmax,
  bootstrap,
  erf,
  erfc,
  normalCdf,
  normalPdf,
  normalQuantile,
  logGamma,
} from '../../src/core/stats';
import { rng } from '../../src/core/rng';
import { fillNormal, fillUniform } from '../../src/core/random';
import { assertAllClose, assertClose } from '../helpers/assert';

describe('core/stats', () => {
  describe('moments', () => {
    it('mean(x) and variance(x) match hand-computed values', () => {
      assert.equal(mean([1, 2, 3, 4]), 2.5);
      assertClose(variance([2, 4, 4, 4, 5, 5, 7, 9]), 32 / 7, 1e-15);
      assertClose(sd([2, 4, 4, 4, 5, 5, 7, 9]), Math.sqrt(32 / 7), 1e-15);
    });

    it('variance(x) is exact under a large offset (Welford, no cancellation)', () => {
      // 1e9 + {4, 7, 13, 16}: variance 30 exactly; the naive Σx² − n·mean² formula loses it.
      assertClose(variance([1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16]), 30, 1e-6);
    });

    it('mean(x) uses compensated summation', () => {
      assert.equal(mean([1e16, 1, -1e16]), 1 / 3);
      assert.equal(mean([1, Infinity]), Infinity);
    });

    it('mean/variance of degenerate input give NaN, not an error', () => {
      assert.ok(Number.isNaN(mean([])));
      assert.ok(Number.isNaN(variance([3])));
      assert.ok(Number.isNaN(variance([])));
    });

    it('runningStats() matches mean/variance/min/max of the whole array', () => {
      const x = fillNormal(rng(1), new Float64Array(1001), 5, 2);
      const s = runningStats();
      for (const v of x) s.push(v);
      assert.equal(s.count, 1001);
      assertClose(s.mean, mean(x), 1e-12);
      assertClose(s.variance, variance(x), 1e-12);
      assertClose(s.sd, sd(x), 1e-12);
      assert.equal(s.min, Math.min(...x));
      assert.equal(s.max, Math.max(...x));
    });

    it('runningStats().merge(other) equals pushing everything into one accumulator', () => {
      const x = fillUniform(rng(2), new Float64Array(500));
      const a = runningStats();
      const b = runningStats();
      a.pushAll(x.subarray(0, 123));
      b.pushAll(x.subarray(123));
      a.merge(b);
      assert.equal(a.count, 500);
      assertClose(a.mean, mean(x), 1e-14);
      assertClose(a.variance, variance(x), 1e-14);
      assert.equal(a.min, Math.min(...x));
    });

    it('runningStats() of fewer than 2 values has NaN variance (and NaN everything when empty)', () => {
      const s = runningStats();
      assert.ok(Number.isNaN(s.mean) && Number.isNaN(s.variance) && Number.isNaN(s.min));
      s.push(3);
      assert.equal(s.mean, 3);
      assert.ok(Number.isNaN(s.variance) && Number.isNaN(s.sd));
    });
  });

  describe('quantile', () => {
    it('quantile(x, p) matches R type 7 on a hand-worked example', () => {
      // h = (n − 1)p = 0.3 → x[0] + 0.3·(x[1] − x[0]) = 1.3
      assertClose(quantile([1, 2, 3, 4], 0.1), 1.3, 1e-15);
      assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
      assertAllClose(quantile([4, 1, 3, 2], [0, 0.25, 0.75, 1]), [1, 1.75, 3.25, 4], 1e-15);
    });

    it('quantile(x, p) matches numpy.quantile (default, = R-7) on unsorted data', () => {
      // numpy 2.4: np.quantile([3.1, -2, 7.5, 0, 4.4, 10, 1], [0, .1, .33, .5, .9, 1])
      const x = [3.1, -2, 7.5, 0, 4.4, 10, 1];
      const expected = [-2, -0.7999999999999998, 0.98, 3.1, 8.5, 10];
      const ps = [0, 0.1, 0.33, 0.5, 0.9, 1];
      assertAllClose(quantile(x, ps), expected, 1e-14);
      ps.forEach((p, i) => assertClose(quantile(x, p), expected[i], 1e-14, `p = ${p}`));
      assert.deepEqual(x, [3.1, -2, 7.5, 0, 4.4, 10, 1], 'input is not modified');
    });

    it('quantile(x, p) by selection equals the sorted definition on 5001 values with ties', () => {
      const raw = fillNormal(rng(3), new Float64Array(5001));
      const x = raw.map((v) => Math.round(v * 20) / 20); // many ties
      const sorted = Float64Array.from(x).sort();
      for (let k = 0; k <= 50; k++) {
        const p = k / 50;
        const h = (x.length - 1) * p;
        const lo = Math.floor(h);
        const expected = lo >= x.length - 1 ? sorted[lo] : sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]);
        assertClose(quantile(x, p), expected, 1e-12, `p = ${p}`);
      }
      assert.equal(median([5, 1, 3]), 3);
      assert.equal(quantile([7], 0.3), 7);
    });

    it('weightedQuantile(x, w, p) gives the lower weighted quantile, hand-worked', () => {
      // Sorted by x: 1 (w 2), 1 (w 1), 3 (w 1), 4 (w 1), 5 (w 5); total 10.
      // Cumulative share: x ≤ 1 → 0.3, ≤ 3 → 0.4, ≤ 4 → 0.5, ≤ 5 → 1.
      const x = [3, 1, 4, 1, 5];
      const w = [1, 2, 1, 1, 5];
      const cases: [number, number][] = [
        [0, 1],
        [0.3, 1],
        [0.31, 3],
        [0.4, 3],
        [0.45, 4],
        [0.5, 4],
        [0.51, 5],
        [1, 5],
      ];
      for (const [p, q] of cases) assert.equal(weightedQuantile(x, w, p), q, `p = ${p}`);
      assert.deepEqual(Array.from(weightedQuantile(x, w, [0.51, 0, 0.45])), [5, 1, 4]);
    });

    it('weightedQuantile ignores zero weights and does not need normalised weights', () => {
      assert.equal(weightedQuantile([-100, 2, 3], [0, 1, 1], 0), 2);
      assert.equal(weightedQuantile([-100, 2, 3, 99], [0, 1, 1, 0], 1), 3);
      assert.equal(weightedQuantile([1, 2], [1e-300, 3e-300], 0.25), 1);
      assert.equal(weightedQuantile([1, 2], [1e-300, 3e-300], 0.26), 2);
    });

    it('weightedQuantile with equal weights is numpy’s inverted_cdf quantile', () => {
      // numpy 2.4: np.quantile([3,1,4,1,5,9,2,6], [.2,.5,.8], method='inverted_cdf') = [1, 3, 6]
      const x = [3, 1, 4, 1, 5, 9, 2, 6];
      assertAllClose(weightedQuantile(x, new Float64Array(8).fill(0.7), [0.2, 0.5, 0.8]), [1, 3, 6], 0);
    });
  });

  describe('logSumExp and softmax', () => {
    it('logSumExp(x) is stable on extreme inputs', () => {
      assertClose(logSumExp([1000, 1000]), 1000 + Math.LN2, 1e-12);
      assertClose(logSumExp([-1000, -1000]), -1000 + Math.LN2, 1e-12);
      assert.equal(logSumExp([-Infinity, -Infinity]), -Infinity);
      assert.equal(logSumExp([]), -Infinity);
      assert.equal(logSumExp([1, Infinity, 3]), Infinity);
      assert.ok(Number.isNaN(logSumExp([1, NaN])));
      assert.ok(Number.isNaN(logSumExp([NaN, Infinity])));
      assert.equal(logSumExp([5, -Infinity]), 5);
      assertClose(logSumExp([0, -50]), Math.log1p(Math.exp(-50)), 1e-30); // keeps the tiny term
    });

    it('logSumExp(x) equals log(Σ exp x) on moderate inputs', () => {
      const x = [0.5, -1.25, 2, 3.5];
      assertClose(logSumExp(x), Math.log(x.reduce((s, v) => s + Math.exp(v), 0)), 1e-14);
      assertClose(logSumExp(Float64Array.from(x)), logSumExp(x), 0);
    });

    it('softmax(x) is invariant to adding a constant and sums to 1', () => {
      // Dyadic values, so that x + c is exact and only exp() rounds.
      const x = [0.25, -2, 1.75, 0];
      const p = softmax(x);
      assertAllClose(softmax(x.map((v) => v + 1234.5)), p, 1e-15);
      assertAllClose(softmax(x.map((v) => v - 1e6)), p, 1e-15);
      assertClose(p.reduce((s, v) => s + v, 0), 1, 1e-15);
    });

    it('softmax([1000, 1001]) is [1/(1+e), e/(1+e)]', () => {
      assertAllClose(softmax([1000, 1001]), [1 / (1 + Math.E), Math.E / (1 + Math.E)], 1e-15);
    });

    it('softmax(x, out) writes into out, also in place', () => {
      const out = new Float64Array(3);
      assert.equal(softmax([1, 2, 3], out), out);
      const x = Float64Array.from([1, 2, 3]);
      softmax(x, x);
      assertAllClose(x, out, 0);
    });

    it('softmax handles infinities: +Infinity shares the mass, all −Infinity is NaN', () => {
      assert.deepEqual(Array.from(softmax([Infinity, 0, Infinity])), [0.5, 0, 0.5]);
      assert.deepEqual(Array.from(softmax([-Infinity, 0])), [0, 1]);
      assert.ok(softmax([-Infinity, -Infinity]).every(Number.isNaN));
      assert.ok(softmax([1, NaN]).every(Number.isNaN));
    });

    it('logSoftmax(x) equals log(softmax(x)) without underflow', () => {
      const x = [0, -800, 3];
      const l = logSoftmax(x);
      assertClose(l[1], -800 - logSumExp(x), 1e-12);
      assertClose(l[0], Math.log(softmax(x)[0]), 1e-14);
    });
  });

  describe('bootstrap', () => {
    const data = fillNormal(rng('boot-data'), new Float64Array(200), 3, 2);

    it('bootstrap(data, mean, {seed}) is reproducible and seed-dependent', () => {
      const a = bootstrap(data, mean, { replicates: 300, seed: 7 });
      const b = bootstrap(data, mean, { replicates: 300, seed: 7 });
      const c = bootstrap(data, mean, { replicates: 300, seed: 8 });
      assert.deepEqual(a.replicates, b.replicates);
      assert.notDeepEqual(a.replicates, c.replicates);
      assert.equal(a.replicates.length, 300);
      assert.equal(a.level, 0.95);
    });

    it('bootstrap(data, mean) recovers se ≈ sd/√n and a CI around the estimate', () => {
      const r = bootstrap(data, mean, { replicates: 2000, seed: 1 });
      assert.equal(r.estimate, mean(data));
      const seTheory = sd(data) / Math.sqrt(data.length);
      // The bootstrap se of a mean is sd·sqrt((n−1)/n)/√n, up to Monte Carlo error (~1.6% for B = 2000).
      assertClose(r.se, seTheory, { rel: 0.06 });
      assert.ok(r.ci[0] < r.estimate && r.estimate < r.ci[1]);
      assertClose(r.ci[1] - r.ci[0], 2 * 1.96 * seTheory, { rel: 0.1 });
      assertClose(r.bias, 0, 3 * (r.se / Math.sqrt(2000)) + 1e-12);
    });

    it('bootstrap(n, stat) resamples the same rows as bootstrap(data, stat)', () => {
      const byData = bootstrap(data, mean, { replicates: 50, seed: 3 });
      const byIndex = bootstrap(
        data.length,
        (idx) => {
          let s = 0;
          for (let i = 0; i < idx.length; i++) s += data[idx[i]];
          return s / idx.length;
        },
        { replicates: 50, seed: 3 },
      );
      assertAllClose(byIndex.replicates, byData.replicates, 1e-12);
    });

    it('bootstrap(n, stat) supports multi-column statistics (a correlation)', () => {
      const n = 300;
      const xs = fillNormal(rng(4), new Float64Array(n));
      const ys = xs.map((x, i) => 0.6 * x + 0.8 * fillNormal(rng(5).fork(i), new Float64Array(1))[0]);
      const corr = (idx: Int32Array): number => {
        let mx = 0;
        let my = 0;
        for (const i of idx) {
          mx += xs[i];
          my += ys[i];
        }
        mx /= idx.length;
        my /= idx.length;
        let sxy = 0;
        let sxx = 0;
        let syy = 0;
        for (const i of idx) {
          sxy += (xs[i] - mx) * (ys[i] - my);
          sxx += (xs[i] - mx) ** 2;
          syy += (ys[i] - my) ** 2;
        }
        return sxy / Math.sqrt(sxx * syy);
      };
      const r = bootstrap(n, corr, { replicates: 500, seed: 9, level: 0.9 });
      assert.ok(r.ci[0] < 0.6 && 0.6 < r.ci[1], `ci ${r.ci}`);
      assert.equal(r.level, 0.9);
    });

    it('bootstrap({rng}) uses rng.fork(b) per replicate', () => {
      const a = bootstrap(data, mean, { replicates: 20, rng: rng(7) });
      const b = bootstrap(data, mean, { replicates: 20, seed: 7 });
      assert.deepEqual(a.replicates, b.replicates);
    });
  });

  describe('special functions', () => {
    it('erf/erfc match 20-digit references (mpmath) to ~1e-15 relative', () => {
      const erfcRef: [number, number][] = [
        [0.5, 0.47950012218695346232],
        [1, 0.15729920705028513066],
        [2.5, 0.00040695201744495893956],
        [4, 1.5417257900280018852e-8],
        [6, 2.1519736712498913117e-17],
        [10, 2.088487583762544757e-45],
        [26, 5.6631924088561428465e-296],
      ];
      for (const [x, v] of erfcRef) assertClose(erfc(x), v, { abs: 0, rel: 5e-15 }, `erfc(${x})`);
      const erfRef: [number, number][] = [
        [0.1, 0.1124629160182848984],
        [0.5, 0.52049987781304653768],
        [1.5, 0.96610514647531072707],
        [3, 0.99997790950300141456],
      ];
      for (const [x, v] of erfRef) {
        assertClose(erf(x), v, { abs: 0, rel: 2e-15 }, `erf(${x})`);
        assertClose(erf(-x), -v, { abs: 0, rel: 2e-15 }, `erf(${-x})`);
      }
      assert.equal(erfc(-Infinity), 2);
      assert.equal(erfc(30), 0);
      assertClose(erfc(-1), 2 - 0.15729920705028513066, 1e-15);
    });

    it('normalCdf(z) matches references, with relative accuracy in the far lower tail', () => {
      const ref: [number, number][] = [
        [-37, 5.7255712225245768227e-300],
        [-20, 2.7536241186062336951e-89],
        [-8, 6.2209605742717841235e-16],
        [-3, 0.0013498980316300945267],
        [-1.96, 0.024997895148220436213],
        [0, 0.5],
        [1, 0.84134474606854294859],
        [3, 0.99865010196836990547],
      ];
      for (const [z, v] of ref) assertClose(normalCdf(z), v, { abs: 0, rel: 2e-13 }, `Φ(${z})`);
      assertClose(normalCdf(7, 1, 2), normalCdf(3), 0);
      assertClose(normalPdf(0), 1 / Math.sqrt(2 * Math.PI), 1e-16);
    });

    it('normalQuantile(p) inverts normalCdf to full precision', () => {
      const ref: [number, number][] = [
        [1e-10, -6.3613409024040562047],
        [0.025, -1.9599639845400542355],
        [0.3, -0.52440051270804078404],
        [0.975, 1.9599639845400542355],
      ];
      for (const [p, q] of ref) assertClose(normalQuantile(p), q, { abs: 0, rel: 1e-14 }, `q(${p})`);
      // scipy.special.ndtri at the doubles 1e-300 and 0.999999 (the decimal 0.999999 is not a double:
      // the exact quantile of the decimal, 4.75342430882290, differs by 6e-12).
      assertClose(normalQuantile(1e-300), -37.0470962993612, { rel: 1e-13 });
      assertClose(normalQuantile(0.999999), 4.753424308817087, { rel: 1e-14 });
      assert.equal(normalQuantile(0), -Infinity);
      assert.equal(normalQuantile(1), Infinity);
      assert.equal(normalQuantile(0.5, 3, 2), 3);
      for (const z of [-5, -1, 0.25, 2]) assertClose(normalQuantile(normalCdf(z)), z, 1e-13);
    });

    it('logGamma(x) matches references and log-factorials', () => {
      const ref: [number, number][] = [
        [0.5, 0.57236494292470008707],
        [1e-5, 11.512919692895825707],
        [3.7, 1.4280723266653879219],
        [10, 12.801827480081469611],
        [100, 359.13420536957539878],
        [1e5, 1051287.7089736568949],
        [-0.5, 1.2655121234846453965],
        [-2.5, -0.056243716497674050673],
      ];
      for (const [x, v] of ref) assertClose(logGamma(x), v, { abs: 1e-14, rel: 1e-15 }, `logGamma(${x})`);
      let logFact = 0;
      for (let k = 1; k <= 30; k++) {
        logFact += Math.log(k);
        assertClose(logGamma(k + 1), logFact, { abs: 1e-13, rel: 1e-15 }, `log ${k}!`);
      }
      assert.equal(logGamma(0), Infinity);
      assert.equal(logGamma(-3), Infinity);
    });
  });
});
