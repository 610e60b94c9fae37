import assert from 'node:assert/strict';
import { deepPqr, irlDataFromPanel, tabularPqr, type IrlData } from '../../src/irl';
import { InputError } from '../../src/core/errors';
import { membershipWorld } from '../../src/membership/world';

const tiny = { hidden: [8], policySteps: 20, qRounds: 2, qSteps: 10, rewardSteps: 10, bootstrap: 5 };

function smallData(): IrlData {
  const w = membershipWorld('membership-default');
  return irlDataFromPanel(w.model, w.simulate({ customers: 150, months: 12, seed: 5 }));
}

describe('irl: deepPqr', () => {
  const data = smallData();

  it('deepPqr(data, { seed: 3 }) is reproducible: same seed and backend → same estimates and SEs', async () => {
    const a = await deepPqr(data, { anchorAction: 'none', discount: 0.98, seed: 3, ...tiny });
    const b = await deepPqr(data, { anchorAction: 'none', discount: 0.98, seed: 3, ...tiny });
    assert.deepEqual(Array.from(a.estimates), Array.from(b.estimates));
    assert.deepEqual(Array.from(a.standardErrors), Array.from(b.standardErrors));
    assert.equal(a.estimation.parameterNames.length, 7);
    assert.ok(a.estimates.every(Number.isFinite));
    a.dispose();
    b.dispose();
  });

  it('noise floor: true π (logPolicy) and true anchor value (anchorValue) on 1,000 customers × 24 months (seed 21), row targets (qStage "fitted") → every θ̂ within 3 bootstrap SEs of the truth', async () => {
    // Only the R stage runs: its targets are unbiased for r(s,a) given the true W and π, so the
    // projection must centre on the true θ up to next-state noise (3 SEs: a 7-parameter family).
    const w = membershipWorld('membership-default');
    const panel = w.simulate({ customers: 1000, months: 24, seed: 21 });
    const d = irlDataFromPanel(w.model, panel);
    const { model } = w;
    const A = model.actions.length;
    const K = w.theta.length;
    const C = K + 1;
    const beta = model.discount;
    const P = w.solution.probabilities;
    const Wstate = tabularPqr(model, P, { anchorAction: 0 }).anchorValue;
    const anchorValue = new Float64Array(panel.length * C);
    const logPolicy = new Float64Array(panel.length * A);
    for (let i = 0; i < panel.length; i++) {
      const s = panel.state[i];
      anchorValue.set(Wstate.subarray(s * C, (s + 1) * C), i * C);
      for (let a = 0; a < A; a++) logPolicy[i * A + a] = Math.log(P[s * A + a]);
    }
    const fit = await deepPqr(d, { anchorAction: 'none', discount: beta, seed: 4, ...tiny, bootstrap: 200, bootstrapRefit: 'projection', logPolicy, anchorValue, qStage: 'fitted' });
    for (let k = 0; k < K; k++) {
      const z = (fit.estimates[k] - w.theta[k]) / fit.standardErrors[k];
      assert.ok(Math.abs(z) <= 3, `${fit.parameterNames[k]}: ${fit.estimates[k]} vs ${w.theta[k]} (SE ${fit.standardErrors[k]}, z ${z})`);
    }
    assert.throws(() => fit.predictAnchorValue(d.stateFeatures), InputError);
    fit.dispose();
  });

  it('bootstrapRefit "all" (the default) refits every stage per replicate: reproducible, B × K replicates, wider than the projection-only bootstrap', async () => {
    const opts = { anchorAction: 'none', discount: 0.98, seed: 3, ...tiny, bootstrap: 4 } as const;
    const all = await deepPqr(data, opts);
    const again = await deepPqr(data, { ...opts, bootstrapRefit: 'all' });
    const proj = await deepPqr(data, { ...opts, bootstrapRefit: 'projection' });
    assert.equal(all.replicates.length, 4 * 7);
    assert.deepEqual(Array.from(all.replicates), Array.from(again.replicates));
    assert.deepEqual(Array.from(all.estimates), Array.from(proj.estimates));
    assert.match(all.estimation.message, /every stage refitted \(4 replicates\)/);
    // the point estimate is the same fit; the refitted spread includes the P stage's noise
    const sum = (x: Float64Array) => x.reduce((a, v) => a + v, 0);
    assert.ok(sum(all.standardErrors) > sum(proj.standardErrors), `${Array.from(all.standardErrors)} vs ${Array.from(proj.standardErrors)}`);
    for (const f of [all, again, proj]) f.dispose();
  });

  it('bad input → InputError naming the field and value', async () => {
    const noAnchor: IrlData = { ...data, action: data.action.map((a) => (a === 0 ? 1 : a)) };
    // keep feasibility consistent: actions moved to monthly are feasible wherever none was
    const rare: IrlData = { ...data, action: Int32Array.from(data.action, (a, i) => (a === 0 && i % 40 !== 0 ? 1 : a)) };
    const nan: IrlData = { ...data, stateFeatures: Float64Array.from(data.stateFeatures, (v, i) => (i === 3 * data.stateFeatureNames.length + 2 ? NaN : v)) };
    const cases: [string, IrlData, object, RegExp][] = [
      ['anchor never taken', noAnchor, {}, /anchorAction.*"none" is never taken/],
      ['anchor too rare', rare, {}, /anchorAction.*"none" is too rare/],
      ['discount 1', data, { discount: 1 }, /`discount`: expected a number in \[0, 1\), got 1/],
      ['discount −0.1', data, { discount: -0.1 }, /`discount`.*got -0.1/],
      ['unknown anchor', data, { anchorAction: 'cancel' }, /`anchorAction`: unknown action "cancel"/],
      ['NaN state feature', nan, {}, /state feature column `monthlyPrice`: NaN at row 3/],
      ['bad hidden', data, { hidden: [0] }, /`hidden`/],
      ['anchorValue wrong length', data, { anchorValue: new Float64Array(3) }, /`anchorValue`: expected a Float64Array of rows·\(K \+ 1\)/],
      ['unknown qStage', data, { qStage: 'lstd' }, /`qStage`: expected one of "model", "fitted", got "lstd"/],
      ['unknown bootstrapRefit', data, { bootstrapRefit: 'everything' }, /`bootstrapRefit`: expected one of "projection", "all"/],
      ['unknown projectionWeights', data, { projectionWeights: 'equal' }, /`projectionWeights`: expected one of "balanced", "rows"/],
      ['closeStates −1', data, { closeStates: -1 }, /`closeStates`.*got -1/],
      ['closeStates 2.5', data, { closeStates: 2.5 }, /`closeStates`.*got 2.5/],
    ];
    for (const [name, d, extra, re] of cases) {
      await assert.rejects(deepPqr(d, { anchorAction: 'none', discount: 0.98, ...tiny, ...extra }), (e: Error) => {
        assert.ok(e instanceof InputError, `${name}: ${e}`);
        assert.match(e.message, re, name);
        return true;
      });
    }
  });
});
