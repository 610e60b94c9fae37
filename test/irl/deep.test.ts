import assert from 'node:assert/strict';
import { deepPqr, irlDataFromPanel, type IrlData } from '../../src/irl';
import { InputError } from '../../src/core/errors';
import { membershipWorld } from '../../src/membership/world';

const tiny = { hidden: [8], policySteps: 20, qRounds: 2, qSteps: 10, rewardSteps: 10, bootstrap: 20 };

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
