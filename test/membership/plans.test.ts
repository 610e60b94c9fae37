/**
 * Adding a plan to the menu ({ kind: 'addPlan' }): the model treats it like monthly / annual,
 * the baseline population is mapped into the larger state space, paths and tables report its
 * share, and the estimated counterfactual matches the world's truth.
 */
import assert from 'node:assert/strict';
import { InputError } from '../../src/core/errors';
import { solveDdc } from '../../src/membership/ddc/solve';
import {
  compareCounterfactual,
  counterfactual,
  counterfactualTable,
  counterfactualTraces,
  embedDistribution,
  pathMetrics,
} from '../../src/membership/counterfactual';
import { applyChange, changeKinds, populationPath, type Change } from '../../src/membership/paths';
import { membershipModel, membershipTheta, validateMembershipConfig, type MembershipConfig } from '../../src/membership/world';
import { assertClose, assertThrowsError } from '../helpers/assert';
import { defaultWorld, fitsAt, recoverySeeds } from './fits';

/** A 3-month commitment a little cheaper per month than monthly (3 × $14.99 = $44.97), per regime. */
const quarterly: Change = { kind: 'addPlan', name: 'quarterly', commitmentMonths: 3, prices: [39, 32, 45] };

/** Solves the model with `change` at the true θ; returns the model, solution and a twin-state finder. */
function solved(config: MembershipConfig, change: Change | Change[]) {
  const cf = applyChange(config, change);
  const model = membershipModel(cf.config, cf.options);
  const sol = solveDdc(model, membershipTheta(config));
  const planC = model.layout.plan;
  const labels = model.states.components[planC].labels!;
  const stride = model.states.strides[planC];
  /** The state equal to s but with plan status `label`. */
  const withPlan = (s: number, label: string) => s + (labels.indexOf(label) - model.states.value(s, planC)) * stride;
  return { model, sol, labels, withPlan };
}

describe('membership counterfactuals: adding a plan', () => {
  it("'addPlan' is a change kind; the model gains an action and the plan's statuses, and 'none' keeps zero utility", () => {
    assert.ok((changeKinds as readonly string[]).includes('addPlan'));
    const config = defaultWorld().config;
    const { model, labels } = solved(config, quarterly);
    assert.deepEqual(model.actions, ['none', 'monthly', 'annual', 'quarterly']);
    assert.deepEqual(labels.slice(-4), ['annual:11', 'quarterly:0', 'quarterly:1', 'quarterly:2']);
    assert.equal(model.states.size, 2 * 3 * 17 * 27);
    const A = 4;
    const K = model.featureNames.length;
    for (let s = 0; s < model.states.size; s++) {
      assert.equal(model.offset[s * A], 0);
      for (let k = 0; k < K; k++) assert.equal(model.features[s * A * K + k], 0);
      const st = labels[model.planStatus[s]];
      // locked quarterly members (k ≥ 1) can only stay; they pay nothing until the term ends
      if (st === 'quarterly:1' || st === 'quarterly:2') {
        assert.deepEqual([0, 1, 2, 3].map((a) => model.feasible[s * A + a]), [0, 0, 0, 1]);
        assert.equal(model.pricePaid[s * A + 3], 0);
      } else if (!/^annual:([1-9]|1[01])$/.test(st)) {
        assert.equal(model.feasible[s * A + 3], 1);
        assert.equal(model.pricePaid[s * A + 3], [39, 32, 45][model.states.value(s, 'regime')]);
      }
    }
  });

  it('a duplicate of the annual (or monthly) plan is chosen exactly like it, under either lapse rule (tol 1e-9)', () => {
    const base = defaultWorld().config;
    for (const autoRenews of [false, true]) {
      const config = validateMembershipConfig({ ...base, annualAutoRenews: autoRenews });
      const dupAnnual: Change = { kind: 'addPlan', name: 'annual2', commitmentMonths: 12, prices: config.priceRegimes.annual, taste: config.utility.annualTaste };
      const dupMonthly: Change = { kind: 'addPlan', name: 'monthly2', commitmentMonths: 1, prices: config.priceRegimes.monthly };
      const { model, sol, labels, withPlan } = solved(config, [dupAnnual, dupMonthly]);
      const A = model.actions.length;
      const S = model.states.size;
      for (let s = 0; s < S; s++) {
        const st = labels[model.planStatus[s]];
        if (/^annual:/.test(st)) assertClose(sol.value[s], sol.value[withPlan(s, st.replace('annual', 'annual2'))], 1e-9, `V(${st}) vs twin`);
        if (st === 'monthly') assertClose(sol.value[s], sol.value[withPlan(s, 'monthly2')], 1e-9, 'V(monthly) vs twin');
        if (model.feasible[s * A] === 1) {
          assertClose(sol.probabilities[s * A + 2], sol.probabilities[s * A + 3], 1e-9, `P(annual) vs P(annual2) at ${st}`);
          assertClose(sol.probabilities[s * A + 1], sol.probabilities[s * A + 4], 1e-9, `P(monthly) vs P(monthly2) at ${st}`);
        }
      }
    }
  });

  it('embedDistribution() maps the baseline population into the larger state space with zero mass on the new statuses', () => {
    const w = defaultWorld();
    const { model } = solved(w.config, quarterly);
    const d = embedDistribution(w.model, model, w.stationary);
    assert.equal(d.length, model.states.size);
    assertClose(d.reduce((a, b) => a + b, 0), 1, 1e-12);
    for (let s = 0; s < w.model.states.size; s++) {
      const t = model.states.index(w.model.states.decode(s));
      assert.equal(d[t], w.stationary[s]);
    }
    for (let t = 0; t < model.states.size; t++) if (model.planStatus[t] >= 14) assert.equal(d[t], 0);
    assert.equal(embedDistribution(w.model, w.model, w.stationary), w.stationary, 'same space: unchanged');
    assertThrowsError(() => embedDistribution(w.model, model, new Float64Array(3)), InputError, /`initial`: expected a Float64Array of 2268 probabilities/);
  });

  it('a plan at a prohibitive price ($10,000) takes no share and reproduces the baseline to 1e-9', () => {
    const r = defaultWorld().counterfactual({ kind: 'addPlan', name: 'quarterly', commitmentMonths: 3, prices: 10000 }, { horizon: 24 });
    for (const metric of pathMetrics) {
      for (let m = 0; m < 24; m++) assertClose(r.counterfactual.estimate[metric][m], r.baseline.estimate[metric][m], 1e-9, `${metric}, month ${m + 1}`);
    }
    assert.ok(r.counterfactual.estimate.plans.quarterly.every((x) => x >= 0 && x < 1e-9));
    assert.equal(r.baseline.estimate.plans.quarterly, undefined);
    const p = r.counterfactual.estimate;
    for (let m = 0; m < 24; m++) assertClose(p.none[m] + p.monthly[m] + p.annual[m] + p.plans.quarterly[m], 1, 1e-12);
  });

  it('a cheaper 3-month plan: the truth moves shares, churn and revenue in these directions (month 24)', () => {
    const r = defaultWorld().counterfactual(quarterly, { horizon: 24 });
    const e = r.effect.estimate;
    // The new plan takes a quarter of customers. In absolute terms it draws mostly on the
    // annual plan (−26 pp); monthly GAINS (+3.5 pp: logit taste shocks make a new option attract
    // customers to membership, and quarterly members whose term ends move to monthly without a
    // join cost). Churn RISES (3.2% → 4.0% of plan holders a month): a quarterly term lapses
    // without the cancel hassle every 3 months, as the annual one does every 12.
    assert.ok(e.plans.quarterly[23] > 0.2);
    assert.ok(e.annual[23] < -0.2);
    assert.ok(e.monthly[23] > 0.02);
    assert.ok(e.none[23] < -0.02);
    assert.ok(e.churn[23] > 0.005);
    assert.ok(e.revenue[23] > 0.5);
    const p = r.counterfactual.estimate;
    for (let m = 0; m < 24; m++) assertClose(p.members[m], p.monthly[m] + p.annual[m] + p.plans.quarterly[m], 1e-12);
    // replacing the monthly plan by the quarterly one: nobody is on monthly from month 1
    const swap = defaultWorld().counterfactual([quarterly, { kind: 'removePlan', plan: 'monthly' }], { horizon: 6 });
    assert.ok(swap.counterfactual.estimate.monthly.every((x) => x === 0));
    // former monthly members move to the quarterly plan at once
    assert.ok(swap.counterfactual.estimate.plans.quarterly[0] > r.counterfactual.estimate.plans.quarterly[0] + 0.02);
  });

  it('estimated vs true (seed 101 fit, 100 draws, seed 11): month-24 shares within 1.5 pp, the truth inside the 95% interval, same effect signs', () => {
    const w = defaultWorld();
    const f = fitsAt(recoverySeeds[0]);
    const est = counterfactual({ config: f.first.config, result: f.nfxpCorrected, panel: f.panel }, quarterly, { draws: 100, seed: 11 });
    const truth = w.counterfactual(quarterly, { initial: est.initial });
    const cmp = compareCounterfactual(est, truth);
    for (const k of ['none', 'monthly', 'annual', 'quarterly', 'members']) {
      assert.ok(Math.abs(cmp.errors[k]) < 0.015, `${k}: error ${cmp.errors[k]}`);
      assert.ok(cmp.covered[k], `${k}: truth outside the interval`);
    }
    for (const k of ['none', 'monthly', 'annual', 'members', 'churn', 'revenue'] as const) {
      assert.equal(Math.sign(est.effect.estimate[k][23]), Math.sign(truth.effect.estimate[k][23]), `${k}: effect sign`);
    }
    assert.ok(est.effect.lower.plans.quarterly[23] > 0.2);
    // the table, traces and comparison show the new plan
    const cols = counterfactualTable(est, truth, { months: [1, 24] });
    assert.equal(cols.scenario.length, 3 * 7 * 2);
    const rows = Array.from(cols.metric as string[]).map((m, i) => ({ m, i })).filter((r) => r.m === 'share quarterly');
    assert.equal(rows.length, 6);
    for (const { i } of rows) {
      if (cols.scenario[i] === 'baseline') assert.equal(cols.estimate[i], 0);
      else assert.ok((cols.estimate[i] as number) > 0);
    }
    assert.deepEqual(Array.from(cols.metric as string[]).slice(0, 10), [
      'share none', 'share none', 'share monthly', 'share monthly', 'share annual', 'share annual', 'share quarterly', 'share quarterly', 'share members', 'share members',
    ]);
    assert.equal(counterfactualTraces(est, truth).length, 4 * 4); // band (2) + estimate + truth for none, monthly, annual, quarterly
    assert.equal(counterfactualTraces(truth, truth, { metrics: ['quarterly'] }).length, 2);
    assert.ok(cmp.traces.some((t) => String(t.name).startsWith('share quarterly')));
    assertThrowsError(() => counterfactualTable(est, truth, { metrics: ['weekly'] }), InputError, /unknown metric "weekly"; expected one of .*"quarterly"/);
  });

  it('populationPath() of an added plan model needs its own state space; the baseline initial is rejected', () => {
    const w = defaultWorld();
    const { model, sol } = solved(w.config, quarterly);
    assertThrowsError(() => populationPath(model, sol.probabilities, w.stationary, 3), InputError, /`initial`: expected a Float64Array of 2754 probabilities/);
  });

  it('addPlan is validated: a taken name, a bad commitment, prices of the wrong length or not positive → InputError naming the field and the value', () => {
    const config = defaultWorld().config;
    const plan = { kind: 'addPlan', name: 'quarterly', commitmentMonths: 3, prices: 39 };
    const table: [unknown, RegExp][] = [
      [{ ...plan, name: 'annual' }, /`change\.name`: expected a new plan name \(not none, monthly, annual, .*\), got "annual"/],
      [{ ...plan, name: 'none' }, /`change\.name`: expected a new plan name .*got "none"/],
      [[plan, { ...plan, prices: 50 }], /`change\[1\]\.name`: expected a new plan name \(not .*quarterly\), got "quarterly"/],
      [{ ...plan, name: '3months' }, /`change\.name`: expected a name of letters, digits and _ .*got "3months"/],
      [{ ...plan, commitmentMonths: 2.5 }, /`change\.commitmentMonths`: expected an integer in \[1, 60\], got 2\.5/],
      [{ ...plan, commitmentMonths: 0 }, /`change\.commitmentMonths`: expected an integer in \[1, 60\], got 0/],
      [{ ...plan, commitmentMonths: '3' }, /`change\.commitmentMonths`: expected an integer in \[1, 60\], got "3"/],
      [{ ...plan, prices: [39, 32] }, /`change\.prices`: expected a positive price or one per price regime \(3: regular, promotion, high\), got an array of length 2/],
      [{ ...plan, prices: [39, 0, 45] }, /`change\.prices\[1\]`: expected a positive number, got 0/],
      [{ ...plan, prices: -5 }, /`change\.prices`: expected a positive number, got -5/],
      [{ ...plan, prices: undefined }, /`change\.prices`: expected a positive price or one per price regime .*got undefined/],
      [{ ...plan, taste: Number.NaN }, /`change\.taste`: expected a finite number, got NaN/],
      [{ ...plan, cost: 1 }, /unknown option `cost`/],
    ];
    for (const [change, pattern] of table) assertThrowsError(() => applyChange(config, change as never), InputError, pattern);
    assertThrowsError(() => defaultWorld().counterfactual({ ...plan, prices: [1, 2] } as Change), InputError, /`change\.prices`/);
  });
});
