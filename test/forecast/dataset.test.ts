import { strict as assert } from 'node:assert';
import { DataError, InputError } from '../../src/core/errors';
import { assertThrowsError } from '../helpers/assert';
import { forecastDataset, fromCsv, mqcnn, quantileForecast, quantileForestModel, seasonalNaive, simulateDemand, weightedQuantileLoss } from '../../src/forecast';

const CSV = [
  'sku,week,sales,price,promo,category',
  'a,1,10,2.0,0,toys',
  'a,2,12,2.0,1,toys',
  'a,3,11,1.8,0,toys',
  'b,1,5,3.0,0,food',
  'b,2,6,3.0,0,food',
  'b,3,7,3.0,1,food',
  'a,4,,2.0,0,toys',
  'b,4,,2.5,1,food',
].join('\n');
const CSV_OPTS = { id: 'sku', time: 'week', target: 'sales', covariates: ['price', 'promo'], static: ['category'], period: 2 };

describe('forecast: datasets', () => {
  it('fromCsv reads long rows: observed range, future covariate rows, static categories', () => {
    const d = fromCsv(CSV, CSV_OPTS);
    assert.deepEqual(d.ids, ['a', 'b']);
    assert.equal(d.start, 1);
    assert.equal(d.length, 3);
    assert.equal(d.covariateLength, 4);
    assert.deepEqual(Array.from(d.target), [10, 12, 11, 5, 6, 7]);
    assert.deepEqual(Array.from(d.covariates.price), [2, 2, 1.8, 2, 3, 3, 3, 2.5]);
    assert.deepEqual(d.staticLevels.category, ['food', 'toys']);
    assert.deepEqual(Array.from(d.static.category), [1, 0]);
  });
  it('fromCsv maps weekly ISO dates to consecutive steps', () => {
    const d = fromCsv('id,time,target\nx,2024-01-01,1\nx,2024-01-08,2\nx,2024-01-15,3\n');
    assert.equal(d.length, 3);
    assert.deepEqual(Array.from(d.target), [1, 2, 3]);
  });
  it("fill 'previous' and 'zero' fill gaps; the default rejects them", () => {
    const rows = [[1, NaN, 3]];
    assert.deepEqual(Array.from(forecastDataset({ target: rows, fill: 'previous' }).target), [1, 1, 3]);
    assert.deepEqual(Array.from(forecastDataset({ target: rows, fill: 'zero' }).target), [1, 0, 3]);
  });
  it('simulateDemand(seed) is reproducible and matches its stated shape', () => {
    const a = simulateDemand({ series: 5, weeks: 60, seed: 4 });
    const b = simulateDemand({ series: 5, weeks: 60, seed: 4 });
    assert.deepEqual(a.data.target, b.data.target);
    assert.equal(a.data.covariateLength, 73);
    assert.deepEqual(Object.keys(a.data.covariates), ['price', 'promo']);
    // demand follows the true mean: pooled ratio of sums within 5% (Poisson–gamma noise, n = 300 weeks)
    let sy = 0;
    let sm = 0;
    for (let i = 0; i < 5; i++) for (let t = 0; t < 60; t++) {
      sy += a.data.target[i * 60 + t];
      sm += a.truth.mean[i * 73 + t];
    }
    assert.ok(Math.abs(sy / sm - 1) < 0.05, `${sy / sm}`);
  });
});

describe('forecast: bad input', () => {
  const data = fromCsv(CSV, CSV_OPTS);
  const naive = seasonalNaive({ horizon: 1, levels: [0.1, 0.9], period: 1 });
  const table: [string, () => unknown, new (...a: never[]) => Error, RegExp][] = [
    ['duplicate (series, time) rows', () => fromCsv('id,time,target\na,1,1\na,2,2\na,2,3\n'), DataError, /duplicate row for series "a" at time 2 \(lines 3 and 4\)/],
    ['a gap without a fill rule (CSV)', () => fromCsv('id,time,target\na,1,1\na,3,2\nb,1,1\nb,2,1\nb,3,1\n'), DataError, /series "a" has no target at time 2 \(a gap\)/],
    ['a gap without a fill rule (arrays)', () => forecastDataset({ target: [[1, 2], [3, NaN]], ids: ['p', 'q'], start: 10 }), DataError, /series "q" has no target at time 11 \(a gap\)/],
    ['horizon 0', () => seasonalNaive({ horizon: 0 }), InputError, /invalid option `horizon`: expected an integer ≥ 1, got 0/],
    ['negative horizon (forest)', () => quantileForestModel({ horizon: -2 }), InputError, /invalid option `horizon`.*got -2/],
    ['level 1', () => seasonalNaive({ levels: [0.5, 1] }), InputError, /invalid option `levels`: expected a level in \(0, 1\).*got 1/],
    ['level "p0"', () => mqcnn({ levels: ['p0'] }), InputError, /invalid option `levels`.*got "p0"/],
    ['quantile(q) outside (0, 1)', () => quantileForecast({ id: 'a', start: 0, levels: [0.5], values: [1] }).quantile(1.5), InputError, /invalid option `q`.*got 1.5/],
    ['unparseable level', () => weightedQuantileLoss([1], [1], 'ten'), InputError, /invalid option `q`.*got "ten"/],
    ['unknown predict option', () => naive.fit(data).then((m) => m.predict(data, { origin: 3, horizon: 2 } as never)), InputError, /unknown option `horizon`/],
    ['origin past the observed range', () => naive.fit(data).then((m) => m.predict(data, { origin: 4 })), InputError, /invalid option `origin`: expected an integer in \[1, 3\], got 4/],
    ['static feature not constant within a series', () => fromCsv('id,time,target,c\na,1,1,x\na,2,2,y\n', { static: ['c'] }), DataError, /series "a" has static column "c" = "y" at time 2, but "x" earlier/],
    ['non-numeric target', () => fromCsv('id,time,target\na,1,1\na,2,lots\n'), DataError, /series "a" at time 2 \(line 3\): column "target" has "lots"/],
    ['missing column', () => fromCsv('id,time,sales\na,1,1\n'), InputError, /the CSV has no column "target"/],
    ['unknown fill rule', () => forecastDataset({ target: [[1]], fill: 'mean' as never }), InputError, /invalid option `fill`: expected one of "error", "zero", "previous", got "mean"/],
  ];
  for (const [what, fn, cls, pattern] of table) {
    it(`${what} → ${cls.name}`, async () => {
      let err: unknown;
      try {
        await fn();
      } catch (e) {
        err = e;
      }
      assertThrowsError(() => {
        if (err) throw err;
      }, cls, pattern);
    });
  }

  it('future covariates missing in the forecast window → DataError naming the series and time', async () => {
    const m = await seasonalNaive({ horizon: 2, levels: [0.1, 0.9], period: 1 }).fit(data);
    // the CSV's covariates end at week 4: a 2-week forecast from week 4 needs week 5
    assertThrowsError(() => m.predict(data), DataError, /future covariate "price" is missing in the forecast window: series "a" has none at time 5/);
    const holes = { ...data, covariates: { ...data.covariates, promo: Float64Array.from(data.covariates.promo, (v, j) => (j === 7 ? NaN : v)) } };
    const m1 = await seasonalNaive({ horizon: 1, levels: [0.1, 0.9], period: 1 }).fit(holes);
    assertThrowsError(() => m1.predict(holes), DataError, /future covariate "promo" is missing in the forecast window: series "b" at time 4/);
  });
});
