import assert from 'node:assert/strict';
import { InputError } from '../../src/core/errors';
import { ccp, ccpValuation } from '../../src/membership/estimate/ccp';
import { confidenceIntervals, type EstimationResult } from '../../src/membership/estimate/result';
import { assertThrowsError } from '../helpers/assert';
import { defaultWorld, fitsAt, recoverySeeds } from './fits';

/** Parameters whose 95% CI misses the truth. */
function misses(result: EstimationResult, truth: ArrayLike<number>): string[] {
  const { lower, upper } = confidenceIntervals(result, 0.95);
  return result.parameterNames.filter((_, k) => !(truth[k] >= lower[k] && truth[k] <= upper[k]));
}

describe('ccp (Hotz–Miller two-step, NPL)', () => {
  it('ccpValuation(model, P_true) reproduces the solved policy exactly (tol 1e-9)', () => {
    const w = defaultWorld();
    const { zt, et } = ccpValuation(w.model, w.solution.probabilities);
    const A = 3;
    const K = w.theta.length;
    let worst = 0;
    for (let s = 0; s < w.model.states.size; s++) {
      const v = [0, 1, 2].map((a) => {
        if (!w.model.feasible[s * A + a]) return -Infinity;
        let x = et[s * A + a];
        for (let k = 0; k < K; k++) x += zt[(s * A + a) * K + k] * w.theta[k];
        return x;
      });
      const m = Math.max(...v);
      const z = v.reduce((acc, x) => acc + Math.exp(x - m), 0);
      for (let a = 0; a < A; a++) worst = Math.max(worst, Math.abs(Math.exp(v[a] - m) / z - w.solution.probabilities[s * A + a]));
    }
    assert.ok(worst < 1e-9, `max |Δp| = ${worst}`);
  });

  for (const seed of recoverySeeds) {
    describe(`recovery on membership-default, 5,000 × 36, seed ${seed}`, () => {
      it('NFXP, NPL and CCP 95% CIs (first-stage corrected SEs) cover the truth for at least 6 of 7 parameters', () => {
        const f = fitsAt(seed);
        const truth = defaultWorld().theta;
        for (const r of [f.nfxpCorrected, f.nplCorrected, f.ccpCorrected]) {
          assert.ok(r.converged, `${r.method}: ${r.message}`);
          const missed = misses(r, truth);
          assert.ok(missed.length <= 1, `${r.method} misses ${missed.join(', ')}: ${Array.from(r.estimates, (e, k) => `${r.parameterNames[k]} ${e.toFixed(3)}±${r.standardErrors[k].toFixed(3)}`).join('; ')}`);
        }
      });

      it('NFXP and CCP agree within their SEs; converged NPL equals NFXP (tol 0.05 SE)', () => {
        const f = fitsAt(seed);
        for (let k = 0; k < f.nfxp.estimates.length; k++) {
          const se = Math.max(f.nfxp.standardErrors[k], f.ccp.standardErrors[k]);
          const name = f.nfxp.parameterNames[k];
          assert.ok(Math.abs(f.ccp.estimates[k] - f.nfxp.estimates[k]) <= se, `${name}: CCP ${f.ccp.estimates[k]} vs NFXP ${f.nfxp.estimates[k]} (SE ${se})`);
          assert.ok(Math.abs(f.npl.estimates[k] - f.nfxp.estimates[k]) <= 0.05 * f.nfxp.standardErrors[k], `${name}: NPL ${f.npl.estimates[k]} vs NFXP ${f.nfxp.estimates[k]}`);
        }
        assert.equal(f.ccp.method, 'CCP');
        assert.match(f.npl.method, /^NPL-\d+$/);
      });

      it('the first-stage correction only widens the SEs', () => {
        const f = fitsAt(seed);
        for (let k = 0; k < f.ccp.standardErrors.length; k++) assert.ok(f.ccpCorrected.standardErrors[k] >= f.ccp.standardErrors[k]);
      });
    });
  }

  it('ccp() rejects an infeasible observed action, naming the row', () => {
    const w = defaultWorld();
    const panel = w.simulate({ customers: 20, months: 3, seed: 1 });
    const locked = w.model.states.index({ segment: 0, regime: 0, plan: 5, shipping: 0, video: 0, music: 0 });
    const bad = { ...panel, state: Int32Array.from(panel.state), action: Int32Array.from(panel.action) };
    bad.state[7] = locked;
    bad.action[7] = 0;
    assertThrowsError(() => ccp(w.model, bad), InputError, /row 7 is "none", which is infeasible/);
    assertThrowsError(() => ccp(w.model, panel, { firstStage: 'kernel' as never }), InputError, /`firstStage`: expected one of "frequency", "logit"/);
  });
});
