import assert from 'node:assert/strict';
import { busDefaults, busModel, estimateBusTransitions, loadBusScenario, simulateBusPanel } from '../../src/membership/bus';
import { nfxp } from '../../src/membership/estimate/nfxp';
import { ddcModel, sparseFromDense, stateSpace, type DdcModel } from '../../src/membership/ddc/model';
import { choiceWeightedTransition, policyFromValue, solveDdc, solveResolvent } from '../../src/membership/ddc/solve';
import { ConvergenceError, InputError } from '../../src/core/errors';
import { rng } from '../../src/core/rng';
import { assertAllClose, assertClose, assertThrowsError } from '../helpers/assert';
import { syntheticMembershipModel, syntheticTheta } from './synthetic-model';

const busTheta = [busDefaults.RC, busDefaults.theta1];

/** The same model with `c` added to the utility of every feasible action in every state. */
function shifted(model: DdcModel, c: number): DdcModel {
  return { ...model, offset: model.offset.map((o) => o + c) };
}

/** A random model: S states, A actions, K features, dense random transitions (seeded). */
function randomModel(S: number, A: number, K: number, discount: number, seed: number): DdcModel {
  const r = rng(seed);
  const features = new Float64Array(S * A * K).map(() => r.nextFloat() * 2 - 1);
  const transitions = Array.from({ length: A }, () => {
    const dense = new Float64Array(S * S);
    for (let s = 0; s < S; s++) {
      let sum = 0;
      for (let j = 0; j < S; j++) sum += dense[s * S + j] = r.nextFloat() < 0.5 ? r.nextFloat() : 0;
      if (sum === 0) dense[s * S + s] = sum = 1;
      for (let j = 0; j < S; j++) dense[s * S + j] /= sum;
    }
    return sparseFromDense(S, S, dense);
  });
  return ddcModel({
    name: 'random',
    states: stateSpace([{ name: 'x', size: S }]),
    actions: Array.from({ length: A }, (_, a) => `a${a}`),
    featureNames: Array.from({ length: K }, (_, k) => `k${k}`),
    features,
    transitions,
    discount,
  });
}

describe('membership/ddc/solve', () => {
  it('solveDdc(busModel(), θ) reaches a Bellman residual < 1e-10 at β = 0.9999 (checked by an independent Bellman pass)', () => {
    const model = busModel();
    assert.equal(model.discount, 0.9999);
    const sol = solveDdc(model, busTheta);
    assert.ok(sol.residual < 1e-10, `residual ${sol.residual}`);
    const check = policyFromValue(model, busTheta, sol.value);
    assert.ok(check.residual < 1e-10, `independent residual ${check.residual}`);
    assertAllClose(check.probabilities, sol.probabilities, 1e-12);
    assert.ok(sol.newtonSteps >= 1);
    // probabilities are a distribution in every state, and replacement grows with mileage
    for (let x = 0; x < 90; x++) assertClose(sol.probabilities[2 * x] + sol.probabilities[2 * x + 1], 1, 1e-14);
    assert.ok(sol.probabilities[2 * 89 + 1] > sol.probabilities[2 * 10 + 1]);
  });

  it('solveDdc: adding c to every feasible action’s utility leaves π unchanged (1e-12) and shifts V by c/(1 − β)', () => {
    for (const [model, theta, vTol] of [
      [busModel({ discount: 0.9999 }), busTheta, 1e-6], // V error ≤ residual/(1 − β) = 1e-11·1e4
      [busModel({ discount: 0.95 }), busTheta, 1e-9],
      [randomModel(12, 3, 2, 0.9, 7), [0.5, -1], 1e-9],
    ] as [DdcModel, number[], number][]) {
      const c = 0.37;
      const a = solveDdc(model, theta);
      const b = solveDdc(shifted(model, c), theta);
      assertAllClose(b.probabilities, a.probabilities, 1e-12, `π (β = ${model.discount})`);
      const shift = c / (1 - model.discount);
      assertAllClose(b.value.map((v, s) => v - a.value[s]), new Float64Array(a.value.length).fill(shift), { abs: vTol, rel: 1e-14 }, `V shift (β = ${model.discount})`);
    }
  });

  it('solveDdc(…, { derivatives: true }) gives ∂V/∂θ equal to central finite differences (rel. 1e-5)', () => {
    for (const [model, theta] of [
      [busModel({ discount: 0.99 }), busTheta],
      [busModel({ discount: 0.9999 }), busTheta],
      [randomModel(10, 3, 3, 0.95, 11), [0.3, -0.7, 1.1]],
    ] as [DdcModel, number[]][]) {
      const S = model.states.size;
      const K = theta.length;
      const sol = solveDdc(model, theta, { derivatives: true, tolerance: 1e-12 });
      const dV = sol.valueDerivative!;
      assert.equal(dV.length, S * K);
      for (let k = 0; k < K; k++) {
        const h = 1e-4 * Math.max(1, Math.abs(theta[k]));
        const up = theta.slice();
        const dn = theta.slice();
        up[k] += h;
        dn[k] -= h;
        const vu = solveDdc(model, up, { tolerance: 1e-12, warmStart: sol.value }).value;
        const vd = solveDdc(model, dn, { tolerance: 1e-12, warmStart: sol.value }).value;
        let scale = 0;
        for (let s = 0; s < S; s++) scale = Math.max(scale, Math.abs(dV[s * K + k]));
        for (let s = 0; s < S; s++) {
          const fd = (vu[s] - vd[s]) / (2 * h);
          assertClose(dV[s * K + k], fd, { abs: 1e-5 * scale }, `${model.name} β=${model.discount} ∂V(${s})/∂θ${k}`);
        }
      }
    }
  });

  it('NFXP on small bus panels (10 buses × 60 months, seeds 1–10) converges without ConvergenceError at β = 0.9999 (normalised values)', () => {
    // Seed 9 used to throw "Newton steps stalled at 1.455e-11": with |V| large at β = 0.9999 the
    // absolute tolerance 1e-11 sat below ε·‖V‖∞ when T(V) − V was evaluated on V itself.
    const scenario = { ...loadBusScenario(), buses: 10, months: 60 };
    for (let seed = 1; seed <= 10; seed++) {
      const panel = simulateBusPanel(scenario, { seed });
      const first = estimateBusTransitions(panel, { bins: scenario.bins });
      const model = busModel({ bins: scenario.bins, discount: scenario.discount, transitionProbabilities: Array.from(first.probabilities) });
      const fit = nfxp(model, panel);
      assert.ok(fit.estimates.every(Number.isFinite) && Number.isFinite(fit.logLikelihood), `seed ${seed}`);
      assert.ok(fit.solution.residual <= 1e-11, `seed ${seed}: inner residual ${fit.solution.residual}`);
      const check = policyFromValue(model, fit.estimates, fit.solution.value);
      assertAllClose(check.probabilities, fit.solution.probabilities, 1e-12, `seed ${seed} π`);
    }
  });

  it('solveDdc: the residual is measured on the normalised V = c·1 + w, far below ε·‖V‖∞ at β = 0.9999 with large |V|', () => {
    const model = busModel();
    const theta = [40, 20]; // |V| ≈ 1e4, so ε·‖V‖∞ ≈ 2e-12
    const sol = solveDdc(model, theta, { tolerance: 1e-13 });
    let vmax = 0;
    for (const x of sol.value) vmax = Math.max(vmax, Math.abs(x));
    assert.ok(vmax > 5e3, `|V| ${vmax}`);
    assert.ok(sol.residual <= 1e-13, `residual ${sol.residual}`);
    // the rounded V itself is at the rounding floor of a direct evaluation
    assert.ok(policyFromValue(model, theta, sol.value).residual < 64 * Number.EPSILON * vmax);
  });

  it('solveDdc matches brute-force value iteration (5,000 sweeps) on a 4-state, 3-action model at β = 0.9', () => {
    const model = randomModel(4, 3, 2, 0.9, 3);
    const theta = [1.2, -0.4];
    const S = 4;
    const A = 3;
    // brute force: V ← log Σ_a exp(u + β P_a V), dense
    const u = new Float64Array(S * A);
    for (let i = 0; i < S * A; i++) u[i] = model.features[i * 2] * theta[0] + model.features[i * 2 + 1] * theta[1];
    let V = new Float64Array(S);
    for (let it = 0; it < 5000; it++) {
      const next = new Float64Array(S);
      for (let s = 0; s < S; s++) {
        let sum = 0;
        for (let a = 0; a < A; a++) {
          const m = model.transitions[a];
          let ev = 0;
          for (let j = m.rowPtr[s]; j < m.rowPtr[s + 1]; j++) ev += m.values[j] * V[m.colIdx[j]];
          sum += Math.exp(u[s * A + a] + 0.9 * ev);
        }
        next[s] = Math.log(sum);
      }
      V = next;
    }
    const sol = solveDdc(model, theta);
    assertAllClose(sol.value, V, 1e-10);
    for (let s = 0; s < S; s++) {
      let z = 0;
      for (let a = 0; a < A; a++) z += Math.exp(sol.choiceValue[s * A + a]);
      for (let a = 0; a < A; a++) assertClose(sol.probabilities[s * A + a], Math.exp(sol.choiceValue[s * A + a]) / z, 1e-13);
    }
  });

  it('solveDdc marks infeasible actions with v = −Infinity and π = 0', () => {
    const base = randomModel(5, 3, 1, 0.9, 5);
    const feasible = new Uint8Array(15).fill(1);
    feasible[1 * 3 + 2] = 0;
    feasible[4 * 3 + 0] = 0;
    const model = ddcModel({ ...base, feasible });
    const sol = solveDdc(model, [1]);
    assert.equal(sol.choiceValue[1 * 3 + 2], -Infinity);
    assert.equal(sol.probabilities[4 * 3 + 0], 0);
    assertClose(sol.probabilities[4 * 3 + 1] + sol.probabilities[4 * 3 + 2], 1, 1e-14);
    assert.ok(sol.residual < 1e-10);
  });

  it('solveDdc(…, { maxIterations: 2 }) throws ConvergenceError with the residual reached and the iterations', () => {
    const err = assertThrowsError(() => solveDdc(busModel(), busTheta, { maxIterations: 2 }), ConvergenceError, /residual \d\.\d+e[-+]\d+ after 2 iterations/) as ConvergenceError;
    assert.equal(err.detail.iterations, 2);
    assert.ok(err.detail.residual > 1e-10);
  });

  it('solveDdc validates θ (length, finiteness) and options with InputErrors naming them', () => {
    const model = busModel();
    assertThrowsError(() => solveDdc(model, [1]), InputError, /`theta`: expected 2 numbers \(RC, theta1\)/);
    assertThrowsError(() => solveDdc(model, [1, NaN]), InputError, /`theta`: expected finite numbers, got NaN for "theta1"/);
    assertThrowsError(() => solveDdc(model, busTheta, { tolerance: -1 }), InputError, /`tolerance`/);
    assertThrowsError(() => solveDdc(model, busTheta, { warmStart: new Float64Array(3) }), InputError, /`warmStart`/);
  });

  it('solveDdc: dense LU and ILU-preconditioned GMRES give the same solution and derivatives (bus, 300 bins, β = 0.9999)', () => {
    const model = busModel({ bins: 300 });
    const a = solveDdc(model, busTheta, { linearSolver: 'dense', derivatives: true });
    const b = solveDdc(model, busTheta, { linearSolver: 'gmres', derivatives: true });
    assert.ok(a.residual < 1e-10 && b.residual < 1e-10);
    assertAllClose(b.probabilities, a.probabilities, 1e-11);
    assertAllClose(b.value, a.value, { abs: 1e-7, rel: 1e-12 });
    assertAllClose(b.valueDerivative!, a.valueDerivative!, { abs: 0, rel: 1e-8 });
  });

  it('solveDdc solves a membership-sized sparse model (11,664 states, 3 actions, β = 0.99) to residual < 1e-10', () => {
    const model = syntheticMembershipModel(0.99);
    assert.ok(model.states.size >= 10000);
    const sol = solveDdc(model, syntheticTheta);
    assert.ok(sol.residual < 1e-10, `residual ${sol.residual}`);
    assert.ok(policyFromValue(model, syntheticTheta, sol.value).residual < 1e-10);
    // a warm start from the solution needs no update
    const again = solveDdc(model, syntheticTheta, { warmStart: sol.value });
    assert.equal(again.iterations, 0);
  });

  it('solveResolvent(model, π, B, K) solves (I − β P_σ) X = B for several columns (dense and sparse sizes)', () => {
    for (const model of [busModel({ discount: 0.99 }), busModel({ bins: 700, discount: 0.999 })]) {
      const S = model.states.size;
      const sol = solveDdc(model, busTheta);
      const cols = 3;
      const B = new Float64Array(S * cols).map((_, i) => Math.sin(i));
      const X = solveResolvent(model, sol.probabilities, B, cols);
      const P = choiceWeightedTransition(model, sol.probabilities);
      for (let c = 0; c < cols; c++) {
        for (let s = 0; s < S; s++) {
          let acc = 0;
          for (let j = P.rowPtr[s]; j < P.rowPtr[s + 1]; j++) acc += P.values[j] * X[P.colIdx[j] * cols + c];
          assertClose(X[s * cols + c] - model.discount * acc, B[s * cols + c], 1e-9, `S=${S} row ${s} col ${c}`);
        }
      }
    }
    assertThrowsError(() => solveResolvent(busModel(), new Float64Array(3), new Float64Array(90)), InputError, /`probabilities`/);
    assertThrowsError(() => solveResolvent(busModel(), new Float64Array(180).fill(0.5), new Float64Array(89)), InputError, /`rhs`/);
  });
});
