import assert from 'node:assert/strict';
import { causalForest, confounded, knnCate, wagerAthey } from '../../src/forest';
import { assertClose } from '../helpers/assert';

describe('forest/causalForest', () => {
  for (const d of [2, 8]) {
    it(`causalForest on the Wager–Athey design (d = ${d}, n = 5,000, 500 trees): MSE of τ̂ below 10-NN matching, 95% CI coverage ≥ 0.85`, () => {
      const train = wagerAthey({ n: 5000, d: d, seed: 21 });
      const test = wagerAthey({ n: 1000, d: d, seed: 22 });
      const cf = causalForest(train.x, train.y, train.w, { numTrees: 500, seed: 5, numThreads: 2 });
      const p = cf.predict(test.x);
      const knn = knnCate(train.x, train.y, train.w, test.x, 10);
      let mse = 0;
      let mseKnn = 0;
      let covered = 0;
      for (let i = 0; i < 1000; i++) {
        mse += (p.estimate[i] - test.tau[i]) ** 2 / 1000;
        mseKnn += (knn[i] - test.tau[i]) ** 2 / 1000;
        if (test.tau[i] >= p.lower[i] && test.tau[i] <= p.upper[i]) covered += 1 / 1000;
      }
      // measured (seed 5): d = 2: MSE 0.021, 10-NN 0.218, coverage 0.947; d = 8: MSE 0.022, 10-NN 0.302, coverage 0.939
      assert.ok(mse < mseKnn, `MSE ${mse} vs 10-NN ${mseKnn}`);
      assert.ok(covered >= 0.85, `coverage ${covered}`);
    });
  }

  it('averageTreatmentEffect() (AIPW) is within 3 SE of the true ATE on a confounded design', () => {
    const data = confounded({ n: 4000, seed: 31 });
    const cf = causalForest(data.x, data.y, data.w, { numTrees: 400, seed: 2 });
    const ate = cf.averageTreatmentEffect();
    assert.ok(Math.abs(ate.estimate - data.ate) <= 3 * ate.se, `ATE ${ate.estimate} ± ${ate.se} vs ${data.ate}`);
    // the naive difference in means is off by much more
    let t = 0;
    let c = 0;
    let nt = 0;
    for (let i = 0; i < data.y.length; i++) data.w[i] === 1 ? ((t += data.y[i]), nt++) : (c += data.y[i]);
    const naive = t / nt - c / (data.y.length - nt);
    assert.ok(Math.abs(naive - data.ate) > 6 * ate.se, `naive ${naive}`);
    assert.ok(ate.lower < ate.estimate && ate.estimate < ate.upper);
  });

  const small = wagerAthey({ n: 1000, d: 3, seed: 41 });
  const query = wagerAthey({ n: 50, d: 3, seed: 42 });

  it('causalForest(x, y + c, w) leaves τ̂ unchanged (to 1e-9) at a fixed seed', () => {
    const a = causalForest(small.x, small.y, small.w, { numTrees: 100, seed: 1, numThreads: 1 });
    const shifted = small.y.map((v) => v + 100);
    const b = causalForest(small.x, shifted, small.w, { numTrees: 100, seed: 1, numThreads: 1 });
    const pa = a.predict(query.x);
    const pb = b.predict(query.x);
    for (let i = 0; i < 50; i++) {
      assertClose(pb.estimate[i], pa.estimate[i], 1e-9);
      assertClose(pb.variance[i], pa.variance[i], 1e-9);
    }
    const oa = a.predict().estimate;
    const ob = b.predict().estimate;
    for (let i = 0; i < 1000; i++) assertClose(ob[i], oa[i], 1e-9);
  });

  it('causalForest(..., {seed}) is identical with 1 and 2 worker threads', () => {
    const a = causalForest(small.x, small.y, small.w, { numTrees: 60, seed: 3, numThreads: 1 });
    const b = causalForest(small.x, small.y, small.w, { numTrees: 60, seed: 3, numThreads: 2 });
    assert.deepEqual(a.yHat, b.yHat);
    assert.deepEqual(a.wHat, b.wHat);
    assert.deepEqual(a.predict(query.x), b.predict(query.x));
  });

  it('predict() gives positive little-bag variances; ciGroupSize 1 gives NaN variance', () => {
    const a = causalForest(small.x, small.y, small.w, { numTrees: 100, seed: 1 });
    const p = a.predict(query.x, { level: 0.9 });
    assert.equal(p.level, 0.9);
    for (let i = 0; i < 50; i++) assert.ok(p.variance[i] > 0 && p.lower[i] < p.estimate[i] && p.estimate[i] < p.upper[i]);
    const b = causalForest(small.x, small.y, small.w, { numTrees: 50, ciGroupSize: 1, seed: 1 });
    assert.ok(Number.isNaN(b.predict(query.x).variance[0]));
  });

  it('causalForest with a continuous treatment recovers a linear dose effect', () => {
    const n = 2000;
    const x0 = new Float64Array(n);
    const w = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      x0[i] = (i % 100) / 100;
      w[i] = ((i * 7919) % 1000) / 1000;
      y[i] = (x0[i] > 0.5 ? 2 : 0) * w[i] + x0[i];
    }
    const cf = causalForest({ x0 }, y, w, { treatment: 'continuous', numTrees: 100, seed: 1 });
    const p = cf.predict({ x0: [0.2, 0.8] }).estimate;
    assertClose(p[0], 0, 0.2);
    assertClose(p[1], 2, 0.2);
  });
});
