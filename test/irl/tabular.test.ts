import assert from 'node:assert/strict';
import { tabularPqr } from '../../src/irl';
import { membershipWorld } from '../../src/membership/world';
import { busModel } from '../../src/membership/bus';
import { flowUtility } from '../../src/membership/ddc/model';
import { solveDdc } from '../../src/membership/ddc/solve';

function maxError(a: Float64Array, b: Float64Array): number {
  let e = 0;
  for (let i = 0; i < a.length; i++) if (Number.isFinite(b[i])) e = Math.max(e, Math.abs(a[i] - b[i]));
  return e;
}

describe('irl: tabularPqr', () => {
  it('tabularPqr(membership-default, true policy) recovers every reward and θ to 1e-6 (forced annual states through the projection)', () => {
    const w = membershipWorld('membership-default');
    const r = tabularPqr(w.model, w.solution.probabilities, { anchorAction: 0 });
    assert.ok(r.forcedStates > 0);
    assert.ok(maxError(r.reward, flowUtility(w.model, w.theta)) < 1e-6, `max error ${maxError(r.reward, flowUtility(w.model, w.theta))}`);
    for (let k = 0; k < w.theta.length; k++) assert.ok(Math.abs(r.theta[k] - w.theta[k]) < 1e-6);
    assert.ok(r.projectionResidual < 1e-6);
    assert.ok(maxError(r.value, w.solution.value) < 1e-6);
  });

  it('tabularPqr(bus, β = 0.95) with the anchor "replace" at its known reward −RC recovers the keep cost to 1e-6', () => {
    const model = busModel({ discount: 0.95 });
    const theta = [10, 2.293];
    const sol = solveDdc(model, theta);
    const u = flowUtility(model, theta);
    const S = model.states.size;
    const anchorReward = Float64Array.from({ length: S }, (_, s) => u[s * 2 + 1]);
    const r = tabularPqr(model, sol.probabilities, { anchorAction: 1, anchorReward });
    assert.equal(r.forcedStates, 0);
    assert.ok(maxError(r.reward, u) < 1e-6, `max error ${maxError(r.reward, u)}`);
  });

  it('a wrong constant anchor reward c shifts every recovered reward by exactly c (shaping with h = c/(1−β))', () => {
    const model = busModel({ discount: 0.95 });
    const theta = [10, 2.293];
    const sol = solveDdc(model, theta);
    const u = flowUtility(model, theta);
    const S = model.states.size;
    const c = 0.5;
    const anchorReward = Float64Array.from({ length: S }, (_, s) => u[s * 2 + 1] + c);
    const r = tabularPqr(model, sol.probabilities, { anchorAction: 1, anchorReward });
    assert.ok(maxError(r.reward, u.map((v) => v + c)) < 1e-6);
  });
});
