import assert from 'node:assert/strict';
import { friedman1, regressionForest, orderCategories } from '../../src/forest';
import { assertClose } from '../helpers/assert';

function mse(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return s / a.length;
}

/**
 * Reference: scikit-learn 1.2.1 (Debian python3-sklearn) RandomForestRegressor(n_estimators=500),
 * other settings default, on exactly these data (written to CSV by scratch/forest/friedman_csv.ts);
 * test MSE on noisy y over random_state 0–4: 3.2692, 3.2857, 3.2746, 3.2546, 3.2601 (mean 3.2689).
 * See test/fixtures/README.md.
 */
const SKLEARN_FRIEDMAN_MSE = 3.2689;

describe('forest/regressionForest', () => {
  const train = friedman1({ n: 2000, noise: 1, seed: 1 });
  const test = friedman1({ n: 2000, noise: 1, seed: 2 });

  it('regressionForest on Friedman #1 (n = 2,000, sd 1, 500 trees): test MSE within 10% of scikit-learn RandomForestRegressor', () => {
    // Breiman-like settings (as sklearn's defaults): no honesty, ~bootstrap-sized subsamples
    // (0.632 n without replacement), all features per split, leaves down to 1.
    const rf = regressionForest(train.x, train.y, { numTrees: 500, honesty: false, sampleFraction: 0.632, minNodeSize: 1, seed: 7, numThreads: 2 });
    const ours = mse(rf.predict(test.x), test.y);
    assert.ok(ours <= 1.1 * SKLEARN_FRIEDMAN_MSE, `test MSE ${ours.toFixed(4)} vs sklearn ${SKLEARN_FRIEDMAN_MSE}`);
    // measured 3.41 at seed 7
    // Out-of-bag predictions estimate the test error.
    const oob = mse(rf.predict(), train.y);
    assert.ok(Math.abs(oob - ours) / ours < 0.15, `OOB MSE ${oob.toFixed(3)} vs test ${ours.toFixed(3)}`);
  });

  const honest = regressionForest(train.x, train.y, { numTrees: 100, seed: 3 });

  it('regressionForest(x, y) with grf defaults (honest) predicts Friedman #1 far better than the mean', () => {
    const pred = honest.predict(test.x);
    const base = mse(new Float64Array(test.y.length).fill(train.y.reduce((a, b) => a + b) / train.y.length), test.y);
    assert.ok(mse(pred, test.y) < 0.25 * base);
  });

  it('predict(x) equals Σ α_i(x) y_i with the forest weights, which sum to 1', () => {
    const q = { x0: [0.2, 0.7], x1: [0.5, 0.1], x2: [0.3, 0.9], x3: [0.1, 0.5], x4: [0.6, 0.4], x5: [0, 1], x6: [0.5, 0.5], x7: [0.5, 0.5], x8: [0.5, 0.5], x9: [0.5, 0.5] };
    const pred = honest.predict(q);
    const weights = honest.weights(q);
    for (let r = 0; r < 2; r++) {
      let s = 0;
      let total = 0;
      for (let k = 0; k < weights[r].index.length; k++) {
        s += weights[r].weight[k] * train.y[weights[r].index[k]];
        total += weights[r].weight[k];
      }
      assertClose(total, 1, 1e-12);
      assertClose(pred[r], s, 1e-10);
    }
  });

  it('leaves(x) and leafSamples(tree, leaf) expose leaf membership (honest leaves are never empty)', () => {
    const q = [[0.2, 0.5, 0.3, 0.1, 0.6, 0, 0.5, 0.5, 0.5, 0.5]];
    const leaves = honest.leaves(q);
    assert.equal(leaves.length, honest.trees.length);
    for (let b = 0; b < honest.trees.length; b++) {
      const members = honest.leafSamples(b, leaves[b]);
      assert.ok(members.length > 0);
      assert.equal(honest.trees[b].feature[leaves[b]], -1);
    }
  });

  it('variableImportance() ranks the five signal features of Friedman #1 above the five noise features', () => {
    const imp = honest.variableImportance();
    assertClose(imp.reduce((a, b) => a + b, 0), 1, 1e-12);
    const minSignal = Math.min(...Array.from(imp.subarray(0, 5)).filter((_, j) => j !== 2));
    const maxNoise = Math.max(...imp.subarray(5));
    assert.ok(minSignal > maxNoise, `importance ${Array.from(imp).map((v) => v.toFixed(3)).join(' ')}`);
    const freq = honest.splitFrequencies(2);
    assert.equal(freq[0].reduce((a, b) => a + b, 0), honest.trees.filter((t) => t.feature[0] >= 0).length);
  });

  it('regressionForest(x, y, {seed}) gives the same trees with 1 and 2 worker threads', () => {
    const a = regressionForest(train.x, train.y, { numTrees: 40, seed: 9, numThreads: 1 });
    const b = regressionForest(train.x, train.y, { numTrees: 40, seed: 9, numThreads: 2 });
    assert.equal(a.trees.length, b.trees.length);
    for (let t = 0; t < a.trees.length; t++) {
      assert.deepEqual(a.trees[t].feature, b.trees[t].feature);
      assert.deepEqual(a.trees[t].threshold, b.trees[t].threshold);
      assert.deepEqual(a.trees[t].leafSamples, b.trees[t].leafSamples);
    }
    assert.deepEqual(a.predict(test.x), b.predict(test.x));
    const c = regressionForest(train.x, train.y, { numTrees: 40, seed: 10, numThreads: 1 });
    assert.notDeepEqual(a.predict(test.x), c.predict(test.x));
  });

  it('missing feature values (NaN) are split on and routed at prediction', () => {
    const n = 1000;
    const x0 = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      x0[i] = i % 4 === 0 ? NaN : (i % 97) / 97;
      y[i] = Number.isNaN(x0[i]) ? 5 : x0[i];
    }
    const rf = regressionForest({ x0 }, y, { numTrees: 50, seed: 1 });
    const p = rf.predict({ x0: [NaN, 0.25] });
    assertClose(p[0], 5, 0.05);
    assertClose(p[1], 0.25, 0.05);
  });

  it('orderCategories(levels, y) codes levels by mean outcome so ordered splits separate them', () => {
    const levels = ['b', 'a', 'c', 'b', 'a', 'c'];
    const { codes, mapping } = orderCategories(levels, [5, 1, 3, 5, 1, 3]);
    assert.deepEqual([...mapping.entries()], [['a', 0], ['c', 1], ['b', 2]]);
    assert.deepEqual(Array.from(codes), [2, 0, 1, 2, 0, 1]);
  });
});
