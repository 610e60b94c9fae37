import { strict as assert } from 'node:assert';
import { assertClose } from '../helpers/assert';
import { coverage, forecastDataset, mase, parseLevel, quantileForecast, quantileLoss, scoreForecasts, weightedQuantileLoss } from '../../src/forecast';

describe('forecast: metrics against hand-computed values', () => {
  const y = [10, 0, 5];
  const yhat = [7, 2, 5];
  it('quantileLoss(y, ŷ, 0.9) = 0.9·3 + 0.1·2 = 2.9', () => {
    assertClose(quantileLoss(y, yhat, 0.9), 2.9, 1e-12);
  });
  it('quantileLoss(y, ŷ, "p25") = 0.25·3 + 0.75·2 = 2.25', () => {
    assertClose(quantileLoss(y, yhat, 'p25'), 2.25, 1e-12);
  });
  it('weightedQuantileLoss = 2·Σ|(ŷ−y)(1{y≤ŷ}−q)| / Σ|y| = 2·2.9/15', () => {
    assertClose(weightedQuantileLoss(y, yhat, 0.9), (2 * 2.9) / 15, 1e-12);
    // at q = 0.5 wQL is Σ|y − ŷ| / Σ|y|
    assertClose(weightedQuantileLoss(y, yhat, '0.5'), 5 / 15, 1e-12);
  });
  it('coverage counts points inside [lower, upper], ends included', () => {
    assert.equal(coverage([1, 2, 3, 4], [1, 0, 3.5, 0], [2, 1, 4, 4]), 0.5);
  });
  it('mase divides by the in-sample seasonal-naive MAE', () => {
    // history with period 2: |3−1|, |2−2|, |6−3| → mean 5/3; forecast error mean (1 + 3)/2 = 2
    assertClose(mase([4, 5], [5, 2], [1, 2, 3, 2, 6], 2), 2 / (5 / 3), 1e-12);
  });
  it('scoreForecasts pools wQL over series and reads actuals by id and start', () => {
    const data = forecastDataset({ target: [[1, 1, 10, 0], [2, 2, 2, 4]], ids: ['a', 'b'], period: 1 });
    const f = [
      quantileForecast({ id: 'b', start: 2, levels: [0.1, 0.9], values: [1, 3, 1, 3] }),
      quantileForecast({ id: 'a', start: 2, levels: [0.1, 0.9], values: [7, 7, 2, 2] }),
    ];
    const s = scoreForecasts(f, data);
    // level 0.1 losses: b: y=2,ŷ=1 → 0.1; y=4,ŷ=1 → 0.3; a: y=10,ŷ=7 → 0.3; y=0,ŷ=2 → 1.8 → Σ 2.5
    // level 0.9 losses: b: y=2,ŷ=3 → 0.1; y=4,ŷ=3 → 0.9; a: y=10,ŷ=7 → 2.7; y=0,ŷ=2 → 0.2 → Σ 3.9
    assertClose(s.wql[0], (2 * 2.5) / 16, 1e-12);
    assertClose(s.wql[1], (2 * 3.9) / 16, 1e-12);
    assertClose(s.meanWql, (2 * 2.5 + 2 * 3.9) / 32, 1e-12);
    assert.equal(s.coverage, 1 / 4);
  });
});

describe('forecast: QuantileForecast', () => {
  const f = quantileForecast({ id: 'x', start: 0, levels: ['p90', 0.1, '0.5'], values: [1, 2, 4, 10, 20, 30] });
  it('levels parse from 0.1, "0.1" and "p10" and are sorted', () => {
    assert.deepEqual(f.levels, [0.1, 0.5, 0.9]);
    assert.equal(parseLevel('q', 'P2.5'), 0.025);
    assert.equal(parseLevel('q', ' 0.25 '), 0.25);
  });
  it('quantile(q) interpolates linearly between levels and is flat outside them', () => {
    assert.deepEqual(Array.from(f.quantile(0.3)), [1.5, 15]);
    assert.deepEqual(Array.from(f.quantile('p70')), [3, 25]);
    assert.deepEqual(Array.from(f.quantile(0.01)), [1, 10]);
    assert.deepEqual(Array.from(f.quantile(0.99)), [4, 30]);
  });
  it('the mean defaults to the median and values are sorted per step (non-crossing)', () => {
    assert.deepEqual(Array.from(f.mean), [2, 20]);
    const g = quantileForecast({ id: 'y', start: 0, levels: [0.1, 0.9], values: [5, 3] });
    assert.deepEqual(Array.from(g.values), [3, 5]);
  });
});
