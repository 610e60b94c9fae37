import assert from 'node:assert/strict';
import {
  matrix,
  fromRows,
  toRows,
  identity,
  matmul,
  matvec,
  transpose,
  cholesky,
  choleskySolve,
  lu,
  luSolve,
  solve,
  inverse,
  inverseSpd,
  determinant,
} from '../../src/core/linalg';
import { DataError } from '../../src/core/errors';
import { rng } from '../../src/core/rng';
import { fillNormal } from '../../src/core/random';
import { assertAllClose, assertClose, assertThrowsError } from '../helpers/assert';

describe('core/linalg', () => {
  it('matrix(rows, cols, data) copies row-major data; fromRows/toRows round-trip', () => {
    const data = [1, 2, 3, 4, 5, 6];
    const m = matrix(2, 3, data);
    data[0] = 99;
    assert.equal(m.data[0], 1);
    assert.deepEqual(toRows(m), [
      [1, 2, 3],
      [4, 5, 6],
    ]);
    assert.deepEqual(fromRows(toRows(m)), m);
    assert.deepEqual(Array.from(matrix(2, 2).data), [0, 0, 0, 0]);
    assert.deepEqual(toRows(identity(2)), [
      [1, 0],
      [0, 1],
    ]);
  });

  it('matmul(a, b), matvec and transpose match hand-computed products', () => {
    const a = fromRows([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const b = fromRows([
      [7, 8],
      [9, 10],
      [11, 12],
    ]);
    assert.deepEqual(toRows(matmul(a, b)), [
      [58, 64],
      [139, 154],
    ]);
    assert.deepEqual(Array.from(matvec(a, [1, 0, -1])), [-2, -2]);
    assert.deepEqual(toRows(transpose(a)), [
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    assert.deepEqual(matmul(identity(2), a), a);
  });

  it('solve(a, b) solves a 2×2 system exactly and a 3×3 one that needs pivoting', () => {
    // [[2, 1], [1, 3]] x = [3, 5] → x = [0.8, 1.4]
    assertAllClose(solve(fromRows([[2, 1], [1, 3]]), [3, 5]), [0.8, 1.4], 1e-15);
    // A zero in the (0, 0) position requires a row swap: solution [1, 2, 3].
    const a = fromRows([
      [0, 2, 1],
      [1, 1, 1],
      [2, 1, 0],
    ]);
    assertAllClose(solve(a, [7, 6, 4]), [1, 2, 3], 1e-14);
    // Second column: a⁻¹e₂ = adj(a)e₂ / det(a) = [1, −2, 4] / 3.
    const X = solve(a, fromRows([[7, 0], [6, 1], [4, 0]]));
    assertAllClose(X.data, [1, 1 / 3, 2, -2 / 3, 3, 4 / 3], 1e-14);
  });

  it('inverse(a) matches a known inverse; determinant matches by hand', () => {
    // [[4, 7], [2, 6]]⁻¹ = (1/10)[[6, −7], [−2, 4]]
    const a = fromRows([
      [4, 7],
      [2, 6],
    ]);
    assertAllClose(inverse(a).data, [0.6, -0.7, -0.2, 0.4], 1e-15);
    assertClose(determinant(a), 10, 1e-14);
    // Cofactor expansion along row 0: 0·(0 − 1) − 2·(0 − 2) + 1·(1 − 2) = 3
    assertClose(determinant(fromRows([[0, 2, 1], [1, 1, 1], [2, 1, 0]])), 3, 1e-14);
    assert.equal(determinant(fromRows([[1, 2], [2, 4]])), 0);
  });

  it('cholesky(a) gives the textbook factor of [[4, 12, −16], [12, 37, −43], [−16, −43, 98]]', () => {
    const a = fromRows([
      [4, 12, -16],
      [12, 37, -43],
      [-16, -43, 98],
    ]);
    const L = cholesky(a);
    assert.deepEqual(toRows(L), [
      [2, 0, 0],
      [6, 1, 0],
      [-8, 5, 3],
    ]);
    assertAllClose(matmul(L, transpose(L)).data, a.data, 1e-12);
    // a·[1, 1, 1] = [0, 6, 39]
    assertAllClose(choleskySolve(L, [0, 6, 39]), [1, 1, 1], 1e-12);
  });

  it('inverseSpd(a) equals inverse(a) on a random 20×20 SPD matrix and is exactly symmetric', () => {
    const n = 20;
    const g = matrix(n, n, fillNormal(rng('spd'), new Float64Array(n * n)));
    const a = matmul(g, transpose(g));
    for (let i = 0; i < n; i++) a.data[i * n + i] += n;
    const inv = inverseSpd(a);
    assertAllClose(inv.data, inverse(a).data, 1e-12);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) assert.equal(inv.data[i * n + j], inv.data[j * n + i]);
    assertAllClose(matmul(a, inv).data, identity(n).data, 1e-12);
  });

  it('lu(a) / luSolve reproduce PA = LU and solve', () => {
    const a = fromRows([
      [0, 2, 1],
      [1, 1, 1],
      [2, 1, 0],
    ]);
    const f = lu(a);
    assert.equal(f.pivots[0], 2);
    assertAllClose(luSolve(f, [7, 6, 4]), [1, 2, 3], 1e-14);
  });

  it('cholesky of a non-positive-definite matrix throws DataError naming the pivot', () => {
    assertThrowsError(() => cholesky(fromRows([[1, 2], [2, 1]])), DataError, /matrix is not positive definite \(pivot k = 1/);
    assertThrowsError(() => cholesky(fromRows([[-1, 0], [0, 1]])), DataError, /not positive definite \(pivot k = 0/);
    assertThrowsError(() => inverseSpd(fromRows([[1, 1], [1, 1]])), DataError, /not positive definite/);
    assertThrowsError(() => cholesky(fromRows([[2, 1], [0, 2]])), DataError, /not symmetric/);
  });

  it('solve/inverse of a singular matrix throw DataError, also when singular only up to rounding', () => {
    assertThrowsError(() => solve(fromRows([[1, 2], [2, 4]]), [1, 2]), DataError, /matrix is singular \(pivot k = 1\)/);
    assertThrowsError(
      () =>
        inverse(
          fromRows([
            [1, 2, 3],
            [4, 5, 6],
            [7, 8, 9],
          ]),
        ),
      DataError,
      /matrix is singular/,
    );
    // Badly scaled but regular: fine.
    assertAllClose(solve(fromRows([[1e-20, 0], [0, 1]]), [1e-20, 2]), [1, 2], 1e-15);
  });
});
