import assert from 'node:assert/strict';
import { minimize, numericalGradient, numericalHessian, type IterationInfo } from '../../src/core/optimize';
import { inverseSpd, matrix } from '../../src/core/linalg';
import { rng } from '../../src/core/rng';
import { normal, bernoulli } from '../../src/core/random';
import { assertAllClose, assertClose, assertThrowsError } from '../helpers/assert';
import { InputError } from '../../src/core/errors';

const rosenbrock = (x: Float64Array): number => 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2;
const rosenbrockGradient = (x: Float64Array, out: Float64Array): void => {
  out[0] = -400 * x[0] * (x[1] - x[0] ** 2) - 2 * (1 - x[0]);
  out[1] = 200 * (x[1] - x[0] ** 2);
};

// --- logistic regression fixture ------------------------------------------------------------------

const N = 2000;
const P = 3;
const BETA_TRUE = [-0.5, 1, -2];

/** Design [1, x1, x2] with x ~ N(0, 1) and y ~ Bernoulli(σ(Xβ)), all from rng('logit-mle'). */
function logisticData(): { X: Float64Array; y: Float64Array } {
  const r = rng('logit-mle');
  const X = new Float64Array(N * P);
  const y = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    X[i * P] = 1;
    X[i * P + 1] = normal(r);
    X[i * P + 2] = normal(r);
    let eta = 0;
    for (let j = 0; j < P; j++) eta += X[i * P + j] * BETA_TRUE[j];
    y[i] = bernoulli(r, 1 / (1 + Math.exp(-eta)));
  }
  return { X, y };
}

/** Negative log-likelihood Σ log(1 + e^η) − yη, written with log1p for stability. */
function negLogLik(X: Float64Array, y: Float64Array) {
  return (b: Float64Array): number => {
    let s = 0;
    for (let i = 0; i < N; i++) {
      let eta = 0;
      for (let j = 0; j < P; j++) eta += X[i * P + j] * b[j];
      s += (eta > 0 ? eta + Math.log1p(Math.exp(-eta)) : Math.log1p(Math.exp(eta))) - y[i] * eta;
    }
    return s;
  };
}

function negLogLikGradient(X: Float64Array, y: Float64Array) {
  return (b: Float64Array, out: Float64Array): void => {
    out.fill(0);
    for (let i = 0; i < N; i++) {
      let eta = 0;
      for (let j = 0; j < P; j++) eta += X[i * P + j] * b[j];
      const r = 1 / (1 + Math.exp(-eta)) - y[i];
      for (let j = 0; j < P; j++) out[j] += r * X[i * P + j];
    }
  };
}

/** Fisher information XᵀWX with W = diag(p(1 − p)). */
function information(X: Float64Array, b: ArrayLike<number>): Float64Array {
  const I = new Float64Array(P * P);
  for (let i = 0; i < N; i++) {
    let eta = 0;
    for (let j = 0; j < P; j++) eta += X[i * P + j] * b[j];
    const p = 1 / (1 + Math.exp(-eta));
    const w = p * (1 - p);
    for (let j = 0; j < P; j++) for (let k = 0; k < P; k++) I[j * P + k] += w * X[i * P + j] * X[i * P + k];
  }
  return I;
}

/** Independent solution: Newton–Raphson / IRLS with a 3×3 Gaussian elimination written here. */
function irls(X: Float64Array, y: Float64Array): Float64Array {
  const b = new Float64Array(P);
  for (let iter = 0; iter < 50; iter++) {
    const I = information(X, b);
    const score = new Float64Array(P);
    for (let i = 0; i < N; i++) {
      let eta = 0;
      for (let j = 0; j < P; j++) eta += X[i * P + j] * b[j];
      const r = y[i] - 1 / (1 + Math.exp(-eta));
      for (let j = 0; j < P; j++) score[j] += r * X[i * P + j];
    }
    // Solve I·delta = score (no pivoting needed: I is positive definite).
    const A = Array.from({ length: P }, (_, i) => [...I.subarray(i * P, i * P + P), score[i]]);
    for (let k = 0; k < P; k++) {
      for (let i = k + 1; i < P; i++) {
        const f = A[i][k] / A[k][k];
        for (let j = k; j <= P; j++) A[i][j] -= f * A[k][j];
      }
    }
    const delta = new Float64Array(P);
    for (let i = P - 1; i >= 0; i--) {
      let s = A[i][P];
      for (let j = i + 1; j < P; j++) s -= A[i][j] * delta[j];
      delta[i] = s / A[i][i];
    }
    let step = 0;
    for (let j = 0; j < P; j++) {
      b[j] += delta[j];
      step = Math.max(step, Math.abs(delta[j]));
    }
    if (step < 1e-13) break;
  }
  return b;
}

describe('core/optimize', () => {
  describe('minimize on Rosenbrock', () => {
    for (const method of ['bfgs', 'lbfgs'] as const) {
      it(`minimize(rosenbrock, [-1.2, 1], {method: '${method}', gradient}) reaches (1, 1) within 1e-6`, () => {
        const r = minimize(rosenbrock, [-1.2, 1], { method, gradient: rosenbrockGradient });
        assert.equal(r.converged, true);
        assert.equal(r.reason, 'gradient-tolerance');
        assertAllClose(r.x, [1, 1], 1e-6);
        assert.ok(r.value < 1e-12);
        assert.ok(r.iterations < 100, `${r.iterations} iterations`);
        assert.equal(r.inverseHessian === undefined, method === 'lbfgs');
      });

      it(`minimize(rosenbrock, [-1.2, 1], {method: '${method}'}) with a numerical gradient reaches (1, 1) within 1e-6`, () => {
        const r = minimize(rosenbrock, [-1.2, 1], { method });
        assert.equal(r.converged, true);
        assertAllClose(r.x, [1, 1], 1e-6);
        assert.ok(r.evaluations > r.iterations * 4, 'numerical gradients cost f calls');
      });
    }

    it('minimize(f, x0, {maxIterations}) stops with converged = false, reason max-iterations', () => {
      const r = minimize(rosenbrock, [-1.2, 1], { gradient: rosenbrockGradient, maxIterations: 5 });
      assert.equal(r.converged, false);
      assert.equal(r.reason, 'max-iterations');
      assert.equal(r.iterations, 5);
      assert.match(r.message, /maxIterations = 5/);
    });

    it('minimize calls onIteration once per iteration with non-increasing values', () => {
      const seen: IterationInfo[] = [];
      const r = minimize(rosenbrock, [-1.2, 1], {
        gradient: rosenbrockGradient,
        onIteration: (info) => seen.push({ ...info, x: Float64Array.from(info.x) }),
      });
      assert.equal(seen.length, r.iterations);
      for (let i = 1; i < seen.length; i++) assert.ok(seen[i].value <= seen[i - 1].value);
      assert.equal(seen[seen.length - 1].iteration, r.iterations);
    });

    it('minimize on an L-BFGS-sized problem (100-d chained Rosenbrock from 0) converges', () => {
      const n = 100;
      const f = (x: Float64Array): number => {
        let s = 0;
        for (let i = 0; i < n - 1; i++) s += 100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2;
        return s;
      };
      const g = (x: Float64Array, out: Float64Array): void => {
        out.fill(0);
        for (let i = 0; i < n - 1; i++) {
          const t = x[i + 1] - x[i] ** 2;
          out[i] += -400 * x[i] * t - 2 * (1 - x[i]);
          out[i + 1] += 200 * t;
        }
      };
      const r = minimize(f, new Float64Array(n), { method: 'lbfgs', gradient: g, maxIterations: 2000 });
      assert.equal(r.converged, true);
      for (let i = 0; i < n; i++) assertClose(r.x[i], 1, 1e-5);
    });
  });

  describe('minimize: stopping rules and robustness', () => {
    const quad = (x: Float64Array): number => 1.5 * x[0] ** 2 + x[0] * x[1] + x[1] ** 2 - x[0];
    const quadGrad = (x: Float64Array, o: Float64Array): void => {
      o[0] = 3 * x[0] + x[1] - 1;
      o[1] = x[0] + 2 * x[1];
    };

    it('minimize on a quadratic converges to the solution of Ax = b', () => {
      // ∇f = A x − b with A = [[3, 1], [1, 2]], b = [1, 0] → x = [0.4, −0.2]
      const r = minimize(quad, [5, 5], { gradient: quadGrad });
      assertAllClose(r.x, [0.4, -0.2], 1e-7);
      assert.equal(r.inverseHessian?.length, 4);
    });

    it('minimize returns at iteration 0 when x0 already meets the gradient tolerance', () => {
      const r = minimize(quad, [0.4, -0.2], { gradient: quadGrad });
      assert.equal(r.iterations, 0);
      assert.equal(r.reason, 'gradient-tolerance');
    });

    it('minimize honours functionTolerance and stepTolerance when set', () => {
      const a = minimize(rosenbrock, [-1.2, 1], { gradient: rosenbrockGradient, gradientTolerance: 0, functionTolerance: 1e-3 });
      assert.equal(a.reason, 'function-tolerance');
      assert.equal(a.converged, true);
      const b = minimize(rosenbrock, [-1.2, 1], { gradient: rosenbrockGradient, gradientTolerance: 0, stepTolerance: 1e-3 });
      assert.equal(b.reason, 'step-tolerance');
    });

    it('minimize backs off from non-finite values in the line search', () => {
      // f = 0.9(x − 1)² but NaN below 0.8: the first step from 1.5 lands at 0.6.
      const f = (x: Float64Array): number => (x[0] < 0.8 ? NaN : 0.9 * (x[0] - 1) ** 2);
      const g = (x: Float64Array, o: Float64Array): void => {
        o[0] = 1.8 * (x[0] - 1);
      };
      const r = minimize(f, [1.5], { gradient: g });
      assert.equal(r.converged, true);
      assertClose(r.x[0], 1, 1e-6);
    });

    it("minimize reports 'non-finite' when f is not finite anywhere but x0", () => {
      const f = (x: Float64Array): number => (x[0] === 2 ? 1 : NaN);
      const r = minimize(f, [2], { gradient: (_x, o) => (o[0] = 1) });
      assert.equal(r.converged, false);
      assert.equal(r.reason, 'non-finite');
      assert.deepEqual(Array.from(r.x), [2]);
    });

    it("minimize reports 'line-search-failed' when no step decreases f (a wrong gradient)", () => {
      // f(x) = x but the gradient claims −1: every step along +x increases f.
      const r = minimize((x) => x[0], [1], { gradient: (_x, o) => (o[0] = -1) });
      assert.equal(r.converged, false);
      assert.equal(r.reason, 'line-search-failed');
      assert.deepEqual(Array.from(r.x), [1]);
    });

    it('minimize(f, x0) with a non-finite f(x0) throws InputError', () => {
      assertThrowsError(() => minimize(() => NaN, [0]), InputError, /invalid option `x0`: expected a point where f is finite, got NaN/);
      assertThrowsError(() => minimize(() => Infinity, [0]), InputError, /got Infinity/);
    });
  });

  describe('logistic-regression MLE', () => {
    const { X, y } = logisticData();
    const f = negLogLik(X, y);
    const g = negLogLikGradient(X, y);
    const reference = irls(X, y);

    for (const method of ['bfgs', 'lbfgs'] as const) {
      it(`minimize(negLogLik, 0, {method: '${method}'}) matches Newton–Raphson (IRLS) to 1e-6 with ~0 gradient`, () => {
        const r = minimize(f, new Float64Array(P), { method, gradient: g });
        assert.equal(r.converged, true, r.message);
        const grad = new Float64Array(P);
        g(r.x, grad);
        for (const v of grad) assert.ok(Math.abs(v) <= 1e-6, `gradient ${grad}`);
        assertAllClose(r.x, reference, 1e-6);
      });
    }

    it('minimize(negLogLik) with a numerical gradient also matches IRLS to 1e-6', () => {
      const r = minimize(f, new Float64Array(P));
      assertAllClose(r.x, reference, 1e-6);
    });

    it('the truth lies within 3 SE from inverseSpd(numericalHessian) at the MLE', () => {
      const r = minimize(f, new Float64Array(P), { gradient: g });
      const H = numericalHessian(f, r.x);
      // The numerical Hessian agrees with the analytic information XᵀWX.
      assertAllClose(H, information(X, r.x), { abs: 1e-3, rel: 1e-5 });
      const cov = inverseSpd(matrix(P, P, H));
      for (let j = 0; j < P; j++) {
        const se = Math.sqrt(cov.data[j * P + j]);
        assert.ok(se > 0.01 && se < 0.2, `se ${se}`);
        assert.ok(Math.abs(r.x[j] - BETA_TRUE[j]) < 3 * se, `β${j}: ${r.x[j]} vs ${BETA_TRUE[j]} (se ${se})`);
      }
      // From the gradient, the Hessian is more accurate still.
      const Hg = numericalHessian(f, r.x, { gradient: g });
      assertAllClose(Hg, information(X, r.x), { abs: 1e-6, rel: 1e-7 });
    });
  });

  describe('finite differences', () => {
    const f = (x: Float64Array): number => Math.exp(x[0]) * Math.sin(x[1]) + x[0] * x[1] ** 3;
    const grad = (x: number[]): number[] => [Math.exp(x[0]) * Math.sin(x[1]) + x[1] ** 3, Math.exp(x[0]) * Math.cos(x[1]) + 3 * x[0] * x[1] ** 2];
    const hess = (x: number[]): number[] => [
      Math.exp(x[0]) * Math.sin(x[1]),
      Math.exp(x[0]) * Math.cos(x[1]) + 3 * x[1] ** 2,
      Math.exp(x[0]) * Math.cos(x[1]) + 3 * x[1] ** 2,
      -Math.exp(x[0]) * Math.sin(x[1]) + 6 * x[0] * x[1],
    ];

    it('numericalGradient(f, x) matches the analytic gradient to ~1e-9', () => {
      const x = [0.3, -1.2];
      assertAllClose(numericalGradient(f, x), grad(x), { abs: 1e-9, rel: 1e-9 });
      const out = new Float64Array(2);
      assert.equal(numericalGradient(f, x, out), out);
      // The step scales with |x_i|, so large coordinates keep relative accuracy.
      const h = (z: Float64Array): number => z[0] ** 2 * 1e-3 + z[1] ** 2;
      assertAllClose(numericalGradient(h, [1e6, -2e4]), [2e3, -4e4], { rel: 1e-9 });
    });

    it('numericalHessian(f, x) is symmetric and matches the analytic Hessian to ~1e-6', () => {
      const x = [0.3, -1.2];
      const H = numericalHessian(f, x);
      assert.equal(H[1], H[2]);
      assertAllClose(H, hess(x), { abs: 1e-6, rel: 1e-6 });
      const Hg = numericalHessian(f, x, {
        gradient: (z, o) => {
          const v = grad([z[0], z[1]]);
          o[0] = v[0];
          o[1] = v[1];
        },
      });
      assert.equal(Hg[1], Hg[2]);
      assertAllClose(Hg, hess(x), { abs: 1e-8, rel: 1e-8 });
    });
  });
});
