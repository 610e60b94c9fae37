import assert from 'node:assert/strict';
import { heteroscedastic, quantileForest } from '../../src/forest';
import { weightedQuantile } from '../../src/core/stats';

describe('forest/quantileForest', () => {
  const train = heteroscedastic({ n: 2000, seed: 11 });
  const test = heteroscedastic({ n: 2000, seed: 12 });
  // grf defaults (honest, min node size 5), 500 trees, seed 3.
  const qf = quantileForest(train.x, train.y, { numTrees: 500, seed: 3 });

  it('quantileForest on heteroscedastic data: the 10–90% interval covers 0.80 ± 0.03 of test outcomes', () => {
    const [lo, hi] = qf.predict(test.x, [0.1, 0.9]);
    let covered = 0;
    for (let i = 0; i < test.y.length; i++) if (test.y[i] >= lo[i] && test.y[i] <= hi[i]) covered++;
    const coverage = covered / test.y.length;
    assert.ok(Math.abs(coverage - 0.8) <= 0.03, `coverage ${coverage}`); // measured 0.815
    // The interval widens with the true spread (sd = 0.25 + 1.5 x1).
    let wideHi = 0;
    let wideLo = 0;
    let nHi = 0;
    let nLo = 0;
    for (let i = 0; i < test.y.length; i++) {
      if (test.x.x1[i] > 0.8) (wideHi += hi[i] - lo[i]), nHi++;
      if (test.x.x1[i] < 0.2) (wideLo += hi[i] - lo[i]), nLo++;
    }
    assert.ok(wideHi / nHi > 1.5 * (wideLo / nLo), `width ratio ${(wideHi / nHi) / (wideLo / nLo)}`);
  });

  it('predict(x, probs) never crosses and equals weightedQuantile(y, forest weights, p)', () => {
    const probs = [0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95];
    const rows = { x0: test.x.x0.subarray(0, 20), x1: test.x.x1.subarray(0, 20), x2: test.x.x2.subarray(0, 20), x3: test.x.x3.subarray(0, 20), x4: test.x.x4.subarray(0, 20) };
    const out = qf.predict(rows, probs);
    const weights = qf.weights(rows);
    for (let r = 0; r < 20; r++) {
      for (let k = 1; k < probs.length; k++) assert.ok(out[k][r] >= out[k - 1][r]);
      const ys = Array.from(weights[r].index, (i) => train.y[i]);
      const expected = weightedQuantile(ys, weights[r].weight, probs);
      for (let k = 0; k < probs.length; k++) assert.equal(out[k][r], expected[k]);
    }
    assert.equal(qf.predict(rows, 0.5)[3], out[3][3]);
  });

  it('predict() without x gives out-of-bag quantiles of the training rows', () => {
    const [lo, hi] = qf.predict(undefined, [0.1, 0.9]);
    let covered = 0;
    for (let i = 0; i < train.y.length; i++) if (train.y[i] >= lo[i] && train.y[i] <= hi[i]) covered++;
    assert.ok(Math.abs(covered / train.y.length - 0.8) < 0.04, `OOB coverage ${covered / train.y.length}`);
  });
});
