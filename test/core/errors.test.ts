import assert from 'node:assert/strict';
import {
  ChoicelabError,
  InputError,
  DataError,
  ConvergenceError,
  invalidOption,
  warn,
  setWarningHandler,
  resetWarnings,
} from '../../src/core/errors';
import { rng, rngFromState, type RngState, type Rng } from '../../src/core/rng';
import * as random from '../../src/core/random';
import * as stats from '../../src/core/stats';
import { minimize, numericalGradient, numericalHessian } from '../../src/core/optimize';
import * as la from '../../src/core/linalg';
import { assertThrowsError } from '../helpers/assert';

type ErrorClass = new (...args: never[]) => Error;
type Row = [description: string, call: () => unknown, cls: ErrorClass, message: RegExp];

const r = rng(1);
const sq = la.fromRows([
  [1, 0],
  [0, 1],
]);
const rect = la.matrix(2, 3);
const quad = (x: Float64Array): number => x[0] * x[0];

const rows: Row[] = [
  // rng
  ['rng(NaN)', () => rng(NaN), InputError, /^invalid option `seed`: expected a finite number or a string, got NaN$/],
  ['rng(Infinity)', () => rng(Infinity), InputError, /`seed`: expected a finite number or a string, got Infinity/],
  ['rng({})', () => rng({} as unknown as number), InputError, /`seed`.*got \{\}/],
  ['r.fork(-1)', () => r.fork(-1), InputError, /^invalid option `index`: expected a non-negative integer, got -1$/],
  ['r.fork(1.5)', () => r.fork(1.5), InputError, /`index`: expected a non-negative integer, got 1.5/],
  ['r.fork(2 ** 60)', () => r.fork(2 ** 60), InputError, /`index`: expected a non-negative safe integer/],
  ['rngFromState(null)', () => rngFromState(null as unknown as RngState), InputError, /`state`: expected an RngState object, got null/],
  [
    'rngFromState(wrong algorithm)',
    () => rngFromState({ ...r.state(), algorithm: 'mt19937' as 'xoshiro128**' }),
    InputError,
    /`state.algorithm`: expected "xoshiro128\*\*", got "mt19937"/,
  ],
  ['rngFromState(zero state)', () => rngFromState({ ...r.state(), s: [0, 0, 0, 0] }), InputError, /`state.s`: expected a state that is not all zero/],
  ['rngFromState(bad word)', () => rngFromState({ ...r.state(), s: [1, 2, -3, 4] }), InputError, /`state.s`: expected unsigned 32-bit integers, got -3 at index 2/],
  ['rngFromState(bad path)', () => rngFromState({ ...r.state(), path: [1, -2] }), InputError, /`index`: expected a non-negative integer, got -2/],

  // random
  ['gamma(r, -1)', () => random.gamma(r, -1), InputError, /^invalid option `shape`: expected a positive number, got -1$/],
  ['gamma(r, 2, 0)', () => random.gamma(r, 2, 0), InputError, /`scale`: expected a positive number, got 0/],
  ['normal(r, 0, -1)', () => random.normal(r, 0, -1), InputError, /`sd`: expected a non-negative number, got -1/],
  ['normal(r, NaN)', () => random.normal(r, NaN), InputError, /`mean`: expected a finite number, got NaN/],
  ['normal(notAnRng)', () => random.normal({} as Rng), InputError, /`rng`: expected an Rng \(from rng\(seed\)\), got \{\}/],
  ['uniform(r, 2, 1)', () => random.uniform(r, 2, 1), InputError, /`high`: expected a finite number ≥ low \(2\), got 1/],
  ['gumbel(r, 0, 0)', () => random.gumbel(r, 0, 0), InputError, /`scale`: expected a positive number, got 0/],
  ['beta(r, 0, 1)', () => random.beta(r, 0, 1), InputError, /`a`: expected a positive number, got 0/],
  ['beta(r, 1, "2")', () => random.beta(r, 1, '2' as unknown as number), InputError, /`b`: expected a positive number, got "2"/],
  ['poisson(r, -0.5)', () => random.poisson(r, -0.5), InputError, /`lambda`: expected a non-negative number, got -0.5/],
  ['poisson(r, Infinity)', () => random.poisson(r, Infinity), InputError, /`lambda`: expected a non-negative number, got Infinity/],
  ['exponential(r, 0)', () => random.exponential(r, 0), InputError, /`rate`: expected a positive number, got 0/],
  ['randomInt(r, 0)', () => random.randomInt(r, 0), InputError, /`n`: expected an integer ≥ 1|`n`: expected a positive integer/],
  ['bernoulli(r, 1.5)', () => random.bernoulli(r, 1.5), InputError, /`p`: expected a number in \[0, 1\], got 1.5/],
  ['fillNormal(r, [])', () => random.fillNormal(r, [] as unknown as Float64Array), InputError, /`out`: expected a Float64Array, got an array of length 0/],
  ['aliasTable([0, 0])', () => random.aliasTable([0, 0]), InputError, /`weights`: expected weights that are not all zero/],
  ['aliasTable([1, -1])', () => random.aliasTable([1, -1]), InputError, /`weights`: expected non-negative finite numbers, got -1 at index 1/],
  ['aliasTable([1, NaN])', () => random.aliasTable([1, NaN]), InputError, /got NaN at index 1/],
  ['aliasTable([])', () => random.aliasTable([]), InputError, /`weights`: expected a non-empty array/],
  ['categorical(r, {})', () => random.categorical(r, {} as random.AliasTable), InputError, /`table`: expected an AliasTable/],
  ['logitChoice(r, [])', () => random.logitChoice(r, []), InputError, /`utilities`: expected an array of at least 1 number/],
  ['logitChoice(r, [1, NaN])', () => random.logitChoice(r, [1, NaN]), InputError, /`utilities`: expected numbers that are not NaN, got NaN at index 1/],
  ['logitChoice(r, [-Inf])', () => random.logitChoice(r, [-Infinity]), InputError, /`utilities`: expected at least one utility above -Infinity/],
  ['logitChoice(r, [1], 0)', () => random.logitChoice(r, [1], 0), InputError, /`scale`: expected a positive number, got 0/],

  // stats
  ['quantile([], 0.5)', () => stats.quantile([], 0.5), InputError, /`x`: expected an array of at least 1 number, got an array of length 0/],
  ['quantile([1], 1.5)', () => stats.quantile([1], 1.5), InputError, /^invalid option `p`: expected a number in \[0, 1\], got 1.5$/],
  ['quantile([1], [0.5, -1])', () => stats.quantile([1], [0.5, -1]), InputError, /`p`: expected numbers in \[0, 1\], got -1 at index 1/],
  ['quantile([1, NaN], 0.5)', () => stats.quantile([1, NaN], 0.5), InputError, /`x`: expected numbers that are not NaN, got NaN at index 1/],
  ['quantile("abc", 0.5)', () => stats.quantile('abc' as unknown as number[], 0.5), InputError, /`x`: expected an array of numbers, got "abc"/],
  ['weightedQuantile length mismatch', () => stats.weightedQuantile([1, 2], [1], 0.5), InputError, /`w`: expected an array of the same length as `x` \(2\)/],
  ['weightedQuantile([1], [-1])', () => stats.weightedQuantile([1], [-1], 0.5), InputError, /`w`: expected non-negative finite numbers, got -1 at index 0/],
  ['weightedQuantile([1], [0])', () => stats.weightedQuantile([1], [0], 0.5), InputError, /`w`: expected weights that are not all zero/],
  ['mean([1, "a"])', () => stats.mean([1, 'a'] as unknown as number[]), InputError, /`x`: expected numbers, got "a" at index 1/],
  ['softmax(x, wrong out)', () => stats.softmax([1, 2], new Float64Array(3)), InputError, /`out`: expected a Float64Array of length 2/],
  ['logSumExp(null)', () => stats.logSumExp(null as unknown as number[]), InputError, /`x`: expected an array of numbers, got null/],
  ['bootstrap replicates 0', () => stats.bootstrap([1, 2], stats.mean, { replicates: 0 }), InputError, /`replicates`: expected an integer ≥ 1|`replicates`: expected a positive integer/],
  ['bootstrap level 1', () => stats.bootstrap([1, 2], stats.mean, { level: 1 }), InputError, /`level`: expected a number in \(0, 1\), got 1/],
  ['bootstrap non-function', () => stats.bootstrap([1, 2], 3 as unknown as () => number), InputError, /`statistic`: expected a function, got 3/],
  ['bootstrap typo option', () => stats.bootstrap([1, 2], stats.mean, { seeed: 1 } as never), InputError, /unknown option `seeed` in bootstrap options/],
  ['bootstrap([])', () => stats.bootstrap([], stats.mean), InputError, /`data`: expected an array of at least 1 number/],
  ['bootstrap(0, f)', () => stats.bootstrap(0, () => 1), InputError, /`n`: expected/],
  ['bootstrap bad seed', () => stats.bootstrap([1], stats.mean, { seed: NaN }), InputError, /`seed`/],
  ['normalQuantile(2)', () => stats.normalQuantile(2), InputError, /`p`: expected a number in \[0, 1\], got 2/],
  ['normalCdf(0, 0, 0)', () => stats.normalCdf(0, 0, 0), InputError, /`sd`: expected a positive number, got 0/],
  ['runningStats().push("1")', () => stats.runningStats().push('1' as unknown as number), InputError, /`x`: expected a number, got "1"/],

  // optimize
  ['minimize(non-function)', () => minimize(3 as unknown as () => number, [0]), InputError, /^invalid option `f`: expected a function, got 3$/],
  ['minimize(f, [])', () => minimize(quad, []), InputError, /`x0`: expected an array of at least 1 number/],
  ['minimize(f, [NaN])', () => minimize(quad, [NaN]), InputError, /`x0`: expected finite numbers, got NaN at index 0/],
  ['minimize method', () => minimize(quad, [1], { method: 'newton' as 'bfgs' }), InputError, /`method`: expected one of "bfgs", "lbfgs", got "newton"/],
  ['minimize maxIterations', () => minimize(quad, [1], { maxIterations: -1 }), InputError, /`maxIterations`: expected a non-negative integer, got -1/],
  ['minimize memory', () => minimize(quad, [1], { method: 'lbfgs', memory: 0 }), InputError, /`memory`: expected an integer ≥ 1|`memory`: expected a positive integer/],
  ['minimize gradient', () => minimize(quad, [1], { gradient: 'g' as never }), InputError, /`gradient`: expected a function, got "g"/],
  ['minimize unknown option', () => minimize(quad, [1], { tol: 1 } as never), InputError, /unknown option `tol` in minimize options/],
  ['minimize non-finite start', () => minimize(() => NaN, [1]), InputError, /`x0`: expected a point where f is finite, got NaN/],
  ['numericalGradient step', () => numericalGradient(quad, [1], undefined, 0), InputError, /`step`: expected a positive number, got 0/],
  ['numericalHessian(f, [Infinity])', () => numericalHessian(quad, [Infinity]), InputError, /`x`: expected finite numbers, got Infinity at index 0/],

  // linalg
  ['matrix(2, 2, [1])', () => la.matrix(2, 2, [1]), InputError, /`data`: expected an array of length rows·cols = 4, got an array of length 1/],
  ['matrix(-1, 2)', () => la.matrix(-1, 2), InputError, /`rows`: expected a non-negative integer, got -1/],
  ['matmul shape mismatch', () => la.matmul(rect, rect), InputError, /`b`: expected a matrix with 3 rows to multiply a 2×3 matrix, got a 2×3 matrix/],
  ['matmul(non-matrix)', () => la.matmul({} as la.Matrix, sq), InputError, /`a`: expected a matrix \{ rows, cols, data/],
  ['cholesky(rect)', () => la.cholesky(rect), InputError, /`a`: expected a square matrix, got a 2×3 matrix/],
  ['cholesky(non-PD)', () => la.cholesky(la.fromRows([[1, 2], [2, 1]])), DataError, /^matrix is not positive definite \(pivot k = 1/],
  ['choleskySolve(L, wrong length)', () => la.choleskySolve(sq, [1, 2, 3]), InputError, /`b`: expected a vector of length 2, got length 3/],
  ['solve(singular)', () => la.solve(la.fromRows([[1, 1], [1, 1]]), [1, 2]), DataError, /^matrix is singular \(pivot k = 1\)$/],
  ['solve(rect)', () => la.solve(rect, [1, 2]), InputError, /`a`: expected a square matrix, got a 2×3 matrix/],
  ['solve(b rows mismatch)', () => la.solve(sq, la.matrix(3, 1)), InputError, /`b`: expected a matrix with 2 rows to solve with a 2×2 matrix, got a 3×1 matrix/],
  ['inverse(singular)', () => la.inverse(la.matrix(2, 2)), DataError, /matrix is singular \(pivot k = 0\)/],
  ['inverseSpd(non-PD)', () => la.inverseSpd(la.fromRows([[0, 0], [0, 1]])), DataError, /not positive definite \(pivot k = 0/],
  ['fromRows ragged', () => la.fromRows([[1, 2], [3]]), InputError, /`rows\[1\]`: expected a row of length 2/],
];

describe('core/errors', () => {
  describe('bad-input table', () => {
    for (const [description, call, cls, message] of rows) {
      it(`${description} throws ${cls.name} ${message}`, () => {
        const e = assertThrowsError(call, cls, message);
        assert.ok(e instanceof ChoicelabError, 'every deliberate error is a ChoicelabError');
      });
    }
  });

  describe('error classes and helpers', () => {
    it('InputError, DataError and ConvergenceError are ChoicelabErrors with their own names', () => {
      const errors = [new InputError('a'), new DataError('b'), new ConvergenceError('c', { iterations: 3 })];
      for (const e of errors) {
        assert.ok(e instanceof ChoicelabError && e instanceof Error);
        assert.equal(e.name, e.constructor.name);
      }
      assert.deepEqual((errors[2] as ConvergenceError).detail, { iterations: 3 });
    });

    it('invalidOption(name, expected, got) renders the standard message', () => {
      assert.equal(
        invalidOption('discount', 'a number in [0, 1)', 1.2).message,
        'invalid option `discount`: expected a number in [0, 1), got 1.2',
      );
      assert.match(invalidOption('x', 'y', new Float64Array(3)).message, /got a Float64Array of length 3$/);
    });

    it('warn(message) reports each distinct message once', () => {
      const seen: string[] = [];
      const previous = setWarningHandler((m) => seen.push(m));
      try {
        resetWarnings();
        warn('near-singular Hessian');
        warn('near-singular Hessian');
        warn('arm 3 never pulled');
        assert.deepEqual(seen, ['near-singular Hessian', 'arm 3 never pulled']);
      } finally {
        setWarningHandler(previous);
        resetWarnings();
      }
    });

    it('degenerate data gives NaN, not an error', () => {
      assert.ok(Number.isNaN(stats.variance([1])));
      assert.ok(Number.isNaN(stats.mean([])));
      assert.ok(Number.isNaN(stats.runningStats().sd));
    });
  });
});
