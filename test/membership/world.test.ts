import assert from 'node:assert/strict';
import { InputError } from '../../src/core/errors';
import { ddcModel, flowUtility } from '../../src/membership/ddc/model';
import {
  addMembershipColumns,
  firstStage,
  loadMembershipScenario,
  membershipModel,
  membershipStates,
  validateMembershipConfig,
} from '../../src/membership/world';
import { assertClose, assertThrowsError } from '../helpers/assert';
import { defaultWorld } from './fits';

describe('membership world', () => {
  const config = loadMembershipScenario();
  const model = membershipModel(config);
  const S = model.states.size;
  const A = 3;
  const K = model.featureNames.length;

  it('loadMembershipScenario() gives the documented default: 2,268 states, 7 parameters, $14.99 / $139', () => {
    assert.equal(S, 2 * 3 * 14 * 27);
    assert.deepEqual(model.featureNames, ['shipping', 'video', 'music', 'annualTaste', 'joinCost', 'cancelCost', 'price']);
    assert.deepEqual(model.actions, ['none', 'monthly', 'annual']);
    assert.equal(config.priceRegimes.monthly[0], 14.99);
    assert.equal(config.priceRegimes.annual[0], 139);
  });

  it("membershipModel(): 'none' has zero flow utility in every state, for any θ", () => {
    for (let s = 0; s < S; s++) {
      assert.equal(model.offset[s * A], 0);
      for (let k = 0; k < K; k++) assert.equal(model.features[(s * A) * K + k], 0);
    }
    const u = flowUtility(model, [0.3, -1, 2, 5, -3, 7, 0.9]);
    for (let s = 0; s < S; s++) if (model.feasible[s * A]) assert.equal(u[s * A], 0);
  });

  it('membershipModel(): a locked annual member (annual:k, k ≥ 1) can only stay on annual; free states allow all three', () => {
    const plan = model.states.componentIndex('plan');
    for (let s = 0; s < S; s++) {
      const st = model.states.value(s, plan);
      const f = [0, 1, 2].map((a) => model.feasible[s * A + a]);
      assert.deepEqual(f, st >= 3 ? [0, 0, 1] : [1, 1, 1], `state ${s} (plan ${model.states.components[plan].labels![st]})`);
    }
  });

  it('membershipModel(): price paid is the regime price for monthly, the annual price when starting or renewing, 0 while locked', () => {
    const st = model.states;
    for (const [regime, planIdx] of [[0, 0], [1, 1], [2, 2], [0, 5]]) {
      const s = st.index({ segment: 0, regime, plan: planIdx, shipping: 1, video: 0, music: 2 });
      assert.equal(model.pricePaid[s * A + 1], planIdx >= 3 ? 0 : config.priceRegimes.monthly[regime]);
      assert.equal(model.pricePaid[s * A + 2], planIdx >= 3 ? 0 : config.priceRegimes.annual[regime]);
    }
  });

  it('membershipModel(): transitions are valid, stochastic in engagement and regime, deterministic in plan', () => {
    ddcModel(model); // validates rows sum to 1, non-negative
    const plan = model.states.componentIndex('plan');
    let multi = 0;
    for (let a = 0; a < A; a++) {
      const F = model.transitions[a];
      for (let s = 0; s < S; s++) {
        if (F.rowPtr[s + 1] - F.rowPtr[s] > 1) multi++;
        const st = model.states.value(s, plan);
        const expected = a === 0 ? 0 : a === 1 ? 1 : st >= 3 ? st - 1 : 13;
        for (let j = F.rowPtr[s]; j < F.rowPtr[s + 1]; j++) assert.equal(model.states.value(F.colIdx[j], plan), expected);
      }
    }
    assert.equal(multi, A * S, 'every row has more than one successor');
  });

  it('world.simulate({ seed }) is reproducible, differs across seeds, and adds pricePaid', () => {
    const w = defaultWorld();
    const a = w.simulate({ customers: 200, months: 12, seed: 5 });
    const b = w.simulate({ customers: 200, months: 12, seed: 5 });
    const c = w.simulate({ customers: 200, months: 12, seed: 6 });
    assert.deepEqual(a.state, b.state);
    assert.deepEqual(a.action, b.action);
    assert.notDeepEqual(a.action, c.action);
    assert.equal(a.length, 2400);
    const price = a.extra!.pricePaid as Float64Array;
    for (let i = 0; i < a.length; i++) assert.equal(price[i], w.model.pricePaid[a.state[i] * A + a.action[i]]);
    assert.deepEqual(addMembershipColumns(w.model, a).extra!.pricePaid, price);
  });

  it('world.stationary is a distribution with segments at their shares', () => {
    const w = defaultWorld();
    let total = 0;
    const seg = [0, 0];
    for (let s = 0; s < S; s++) (total += w.stationary[s], (seg[w.model.states.value(s, 'segment')] += w.stationary[s]));
    assertClose(total, 1, 1e-12);
    assertClose(seg[0], 0.55, 1e-9);
  });

  it('firstStage(config, panel) recovers the regime chain and engagement rates by frequency (seed 7, 2,000 × 36, tol 0.02)', () => {
    const w = defaultWorld();
    const panel = w.simulate({ customers: 2000, months: 36, seed: 7 });
    const fs = firstStage(w.config, panel);
    fs.config.priceRegimes.transition.forEach((row, r) => row.forEach((p, r2) => assertClose(p, config.priceRegimes.transition[r][r2], 0.02)));
    const est = fs.config.segments[0].dynamics.shipping;
    const tru = config.segments[0].dynamics.shipping;
    assertClose(est.upMember, tru.upMember, 0.02);
    assertClose(est.downNonMember, tru.downNonMember, 0.02);
    assert.equal(fs.gamma.length, fs.gammaNames.length);
    assert.equal(fs.gammaCovariance.length, fs.gamma.length ** 2);
    assert.ok(fs.gammaCovariance[0] > 0);
  });

  it('membership-large has ≥ 10,000 states', () => {
    const large = loadMembershipScenario('membership-large');
    assert.ok(membershipStates(large).size >= 10000, `${membershipStates(large).size} states`);
  });

  describe('validateMembershipConfig() names the field, the value and what was expected', () => {
    const base = () => JSON.parse(JSON.stringify(config));
    const cases: [string, (c: any) => void, RegExp][] = [
      ['discount ≥ 1', (c) => (c.discount = 1.2), /`discount`: expected a number in \[0, 1\), got 1\.2/],
      ['a transition row not summing to 1', (c) => (c.priceRegimes.transition[1] = [0.5, 0.6, 0]), /`priceRegimes\.transition\[1\]`: expected a row of probabilities summing to 1/],
      ['a negative price', (c) => (c.priceRegimes.monthly[2] = -1), /`priceRegimes\.monthly\[2\]`: expected a non-negative number, got -1/],
      ['an unknown benefit in dynamics', (c) => (c.segments[0].dynamics.podcasts = {}), /segments\[0\]\.dynamics\.podcasts.*unknown benefit "podcasts"; expected one of "shipping", "video", "music"/],
      ['a missing rate', (c) => delete c.segments[1].dynamics.video.upMember, /`segments\[1\]\.dynamics\.video\.upMember`: expected a number in \[0, 1\], got undefined/],
      ['shares not summing to 1', (c) => (c.segments[0].share = 0.9), /`segments\[\*\]\.share`: expected shares summing to 1/],
      ['a misspelt key', (c) => (c.discont = 0.9), /unknown option `discont` in scenario/],
      ['a non-integer commitment', (c) => (c.commitmentMonths = 11.5), /`commitmentMonths`: expected an integer in \[1, 60\], got 11\.5/],
      ['usage of the wrong length', (c) => (c.engagement.usage = [0, 1]), /`engagement\.usage`: expected an array of 3 entries/],
      ['a duplicate benefit', (c) => (c.benefits[1].name = 'shipping'), /`benefits\[1\]\.name`: expected a unique benefit name, got "shipping"/],
    ];
    for (const [label, mutate, pattern] of cases) {
      it(label, () => {
        const c = base();
        mutate(c);
        assertThrowsError(() => validateMembershipConfig(c), InputError, pattern);
      });
    }
    it('an unknown scenario name lists the known ones', () => {
      assertThrowsError(() => loadMembershipScenario('membership-nope'), InputError, /unknown scenario "membership-nope".*"membership-default"/);
    });
  });
});
