import assert from 'node:assert/strict';
import { InputError } from '../../src/core/errors';
import {
  compareCounterfactual,
  counterfactual,
  counterfactualTable,
  counterfactualTraces,
  lastMonthDistribution,
} from '../../src/membership/counterfactual';
import { applyChange } from '../../src/membership/paths';
import { assertThrowsError } from '../helpers/assert';
import { defaultWorld, fitsAt, recoverySeeds } from './fits';

describe('membership counterfactuals', () => {
  it('world.counterfactual(zero change) reproduces the baseline exactly', () => {
    const w = defaultWorld();
    for (const change of [{ kind: 'price', plan: 'annual', delta: 0 }, { kind: 'benefit', benefit: 'video', scale: 1 }] as const) {
      const r = w.counterfactual(change, { horizon: 24 });
      assert.deepEqual(r.counterfactual.estimate, r.baseline.estimate);
      assert.ok(r.effect.estimate.members.every((x) => x === 0));
    }
  });

  it('counterfactual(fit, zero change) reproduces the baseline exactly, draws included (seed 3, 20 draws)', () => {
    const f = fitsAt(recoverySeeds[0]);
    const r = counterfactual({ config: f.first.config, result: f.nplCorrected, panel: f.panel }, { kind: 'price', plan: 'monthly', delta: 0 }, { draws: 20, seed: 3 });
    assert.deepEqual(r.counterfactual, r.baseline);
  });

  it('the truth from the stationary population: shares sum to 1 and stay stationary without a change', () => {
    const r = defaultWorld().counterfactual({ kind: 'price', plan: 'annual', delta: 0 }, { horizon: 24 });
    const p = r.baseline.estimate;
    for (let m = 0; m < 24; m++) {
      assert.ok(Math.abs(p.none[m] + p.monthly[m] + p.annual[m] - 1) < 1e-12);
      assert.ok(Math.abs(p.members[m] - p.members[0]) < 1e-8, 'stationary');
    }
  });

  it('annual price +$10: estimated 24-month plan shares within 1 pp of the truth (mean over seeds 101, 102) and the truth inside the 95% interval (100 draws, seed 11)', () => {
    const w = defaultWorld();
    const change = { kind: 'price', plan: 'annual', delta: 10 } as const;
    const errors = { none: 0, monthly: 0, annual: 0 };
    for (const seed of recoverySeeds) {
      const f = fitsAt(seed);
      const est = counterfactual({ config: f.first.config, result: f.nfxpCorrected, panel: f.panel }, change, { draws: 100, seed: 11 });
      const truth = w.counterfactual(change, { initial: est.initial });
      const cmp = compareCounterfactual(est, truth);
      for (const plan of ['none', 'monthly', 'annual'] as const) {
        errors[plan] += Math.abs(cmp.errors[plan]) / recoverySeeds.length;
        assert.ok(cmp.covered[plan], `seed ${seed}, ${plan}: truth ${truth.counterfactual.estimate[plan][23]} outside [${est.counterfactual.lower[plan][23]}, ${est.counterfactual.upper[plan][23]}]`);
      }
      // the price rise moves customers from annual to monthly and none
      assert.ok(truth.effect.estimate.annual[23] < -0.05 && est.effect.estimate.annual[23] < -0.05);
    }
    for (const plan of ['none', 'monthly', 'annual'] as const) assert.ok(errors[plan] < 0.01, `${plan}: mean |error| ${errors[plan]}`);
  });

  it('other changes move the truth in the expected direction', () => {
    const w = defaultWorld();
    const members = (c: Parameters<typeof w.counterfactual>[0]) => w.counterfactual(c, { horizon: 24 }).effect.estimate.members[23];
    assert.ok(members({ kind: 'benefit', benefit: 'video', scale: 0 }) < -0.01);
    assert.ok(members({ kind: 'newBenefit', name: 'games', value: 0.5 }) > 0.01);
    assert.ok(members({ kind: 'discount', discount: 0.95 }) !== 0);
    const noMonthly = w.counterfactual({ kind: 'removePlan', plan: 'monthly' }, { horizon: 3 });
    assert.ok(noMonthly.counterfactual.estimate.monthly.every((x) => x === 0));
  });

  it('counterfactualTable() and counterfactualTraces() give aligned columns and plotly traces', () => {
    const w = defaultWorld();
    const truth = w.counterfactual({ kind: 'price', plan: 'annual', delta: 10 });
    const cols = counterfactualTable(truth, truth, { months: [1, 24] });
    const n = cols.scenario.length;
    assert.equal(n, 3 * 6 * 2);
    for (const c of Object.values(cols)) assert.equal(c.length, n);
    const traces = counterfactualTraces(truth, truth);
    assert.equal(traces.length, 6); // no bands for the truth (draws 0): estimate + truth per plan
    assert.equal((traces[0].x as number[]).length, 24);
  });

  it('changes are validated: unknown plan, benefit, segment or kind → InputError listing the valid ones', () => {
    const config = defaultWorld().config;
    const table: [unknown, RegExp][] = [
      [{ kind: 'price', plan: 'weekly', delta: 1 }, /unknown plan "weekly"; expected one of "monthly", "annual"/],
      [{ kind: 'benefit', benefit: 'podcasts', scale: 2 }, /unknown benefit "podcasts"; expected one of "shipping", "video", "music"/],
      [{ kind: 'newBenefit', name: 'games', value: 1, segments: ['gamers'] }, /unknown segment "gamers"; expected one of "deliveryHeavy", "digitalHeavy"/],
      [{ kind: 'removePlan', plan: 'lifetime' }, /`change\.plan`: unknown plan "lifetime"/],
      [{ kind: 'discount', discount: 1 }, /`change\.discount`: expected a number in \[0, 1\), got 1/],
      [{ kind: 'teleport' }, /unknown change kind "teleport"; expected one of "price", "benefit", "newBenefit", "removePlan", "discount"/],
      [{ kind: 'price', plan: 'monthly', delta: -20 }, /`change\.delta`: expected a change leaving every monthly price ≥ 0/],
    ];
    for (const [change, pattern] of table) assertThrowsError(() => applyChange(config, change as never), InputError, pattern);
  });

  it('lastMonthDistribution(model, panel) is the empirical distribution of the last month', () => {
    const w = defaultWorld();
    const panel = w.simulate({ customers: 100, months: 4, seed: 2 });
    const d = lastMonthDistribution(w.model, panel);
    assert.ok(Math.abs(d.reduce((a, b) => a + b, 0) - 1) < 1e-12);
    assert.equal(Math.round(d.filter((x) => x > 0).reduce((a, b) => a + b, 0) * 100), 100);
  });
});
