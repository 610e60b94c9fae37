import { causalForest, quantileForest, regressionForest, wagerAthey } from '../../src/forest';
import { DataError, InputError } from '../../src/core/errors';
import { assertThrowsError } from '../helpers/assert';

describe('forest: bad input', () => {
  const d = wagerAthey({ n: 60, d: 2, seed: 1 });
  const rows = Array.from({ length: 60 }, (_, i) => [d.x.x0[i], d.x.x1[i]]);
  const nanY = Float64Array.from(d.y);
  nanY[7] = NaN;
  const table: [string, () => unknown, new (...a: never[]) => Error, RegExp][] = [
    ['NaN outcome', () => regressionForest(rows, nanY, { numTrees: 2 }), DataError, /invalid option `y`: expected finite numbers, got NaN at index 7/],
    ['NaN outcome (causal)', () => causalForest(rows, nanY, d.w, { numTrees: 2 }), DataError, /`y`.*NaN at index 7/],
    ['constant treatment', () => causalForest(rows, d.y, new Float64Array(60).fill(1), { numTrees: 2 }), DataError, /`w`: the treatment is constant \(1\)/],
    ['non-binary treatment in binary mode', () => causalForest(rows, d.y, d.w.map((v, i) => (i === 3 ? 0.5 : v)), { numTrees: 2 }), DataError, /`w`: a binary treatment must be 0 or 1, got 0.5 at index 3/],
    ['constant continuous treatment', () => causalForest(rows, d.y, new Float64Array(60).fill(2), { treatment: 'continuous', numTrees: 2 }), DataError, /treatment is constant/],
    ['fewer samples than minNodeSize', () => regressionForest(rows.slice(0, 3), [1, 2, 3], { numTrees: 2 }), DataError, /`x` has 3 rows, fewer than `minNodeSize` \(5\)/],
    ['y of the wrong length', () => regressionForest(rows, [1, 2, 3]), InputError, /invalid option `y`: expected an array of length 60/],
    ['ragged rows', () => regressionForest([[1, 2], [3]], [1, 2]), InputError, /invalid option `x`: expected rows of 2 numbers, got an array of length 1 at row 1/],
    ['Infinity in x', () => regressionForest([[1], [Infinity]], [1, 2]), InputError, /`x`: expected finite numbers or NaN \(missing\), got Infinity at row 1, column 0/],
    ['mtry out of range', () => regressionForest(rows, d.y, { mtry: 0 }), InputError, /invalid option `mtry`: expected an integer in \[1, 2\], got 0/],
    ['sampleFraction > 0.5 with little bags', () => causalForest(rows, d.y, d.w, { sampleFraction: 0.8 }), InputError, /invalid option `sampleFraction`: expected a number in \(0, 0.5\], got 0.8/],
    ['numTrees not a multiple of ciGroupSize', () => causalForest(rows, d.y, d.w, { numTrees: 5 }), InputError, /invalid option `numTrees`: expected a multiple of `ciGroupSize` \(2\), got 5/],
    ['unknown option', () => regressionForest(rows, d.y, { seeed: 1 } as never), InputError, /unknown option `seeed`/],
    ['minNodeSize 0', () => regressionForest(rows, d.y, { minNodeSize: 0 }), InputError, /invalid option `minNodeSize`: expected an integer ≥ 1, got 0/],
    ['honestyFraction 1', () => regressionForest(rows, d.y, { honestyFraction: 1 }), InputError, /invalid option `honestyFraction`/],
    ['bad quantile', () => quantileForest(rows, d.y, { quantiles: [1.5] }), InputError, /invalid option `quantiles`: expected probabilities in \[0, 1\], got 1.5/],
    ['wrong feature count at predict', () => regressionForest(rows, d.y, { numTrees: 2 }).predict([[1, 2, 3]]), InputError, /expected rows of 2 features \(as in training\), got 3/],
    ['AIPW with a continuous treatment', () => causalForest(rows, d.y, d.w, { numTrees: 2, treatment: 'continuous' }).averageTreatmentEffect(), InputError, /binary treatment/],
    ['bad treatment mode', () => causalForest(rows, d.y, d.w, { treatment: 'dose' as never }), InputError, /invalid option `treatment`: expected one of "binary", "continuous", got "dose"/],
  ];
  for (const [what, fn, cls, pattern] of table) {
    it(`${what} → ${cls.name}`, () => {
      assertThrowsError(fn, cls, pattern);
    });
  }
});
