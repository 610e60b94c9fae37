import assert from 'node:assert/strict';
import { InputError } from '../../src/core/errors';
import { behaviourCloning, cloningCounterfactual, cloningPolicy, compareEstimators, irlDataFromPanel } from '../../src/irl';
import { lastMonthDistribution } from '../../src/membership/paths';
import { membershipWorld } from '../../src/membership/world';

describe('irl: behaviour cloning and the estimator comparison', () => {
  const world = membershipWorld('membership-default');
  const train = world.simulate({ customers: 400, months: 24, seed: 11 });
  const test = world.simulate({ customers: 400, months: 24, seed: 12 });
  const A = world.model.actions.length;

  it('cloning (400 × 24 customers-months, seed 11) predicts held-out choices (seed 12) far better than the marginal shares, and close to the true policy', async () => {
    const dTrain = irlDataFromPanel(world.model, train);
    const dTest = irlDataFromPanel(world.model, test);
    const clone = await behaviourCloning(dTrain, { seed: 0 });
    // per-row mean log-likelihood on held-out rows with a choice (forced rows contribute 0 to all three)
    const llClone = clone.logLikelihood(dTest);
    const counts = new Float64Array(A);
    for (let i = 0; i < dTrain.length; i++) counts[dTrain.action[i]]++;
    let llMarg = 0;
    let llTrue = 0;
    for (let i = 0; i < dTest.length; i++) {
      let z = 0;
      for (let a = 0; a < A; a++) if (dTest.feasible[i * A + a]) z += counts[a];
      llMarg += Math.log(counts[dTest.action[i]] / z) / dTest.length;
      llTrue += Math.log(world.solution.probabilities[test.state[i] * A + test.action[i]]) / dTest.length;
    }
    // tolerance: cloning must beat the marginal shares by ≥ 0.1 nats/row and be within 0.05 of the truth
    assert.ok(llClone > llMarg + 0.1, `cloning ${llClone} vs marginal ${llMarg}`);
    assert.ok(llClone > llTrue - 0.05, `cloning ${llClone} vs true policy ${llTrue}`);
    // a price change: the cloned policy has no reward, so the counterfactual is the baseline
    const initial = lastMonthDistribution(world.model, train);
    const cf = cloningCounterfactual(clone, world.model, { kind: 'price', plan: 'monthly', delta: 3 }, { horizon: 12, initial });
    for (const k of ['none', 'monthly', 'annual'] as const) {
      assert.ok(cf.effect.estimate[k].every((v) => Math.abs(v) < 1e-12), `cloning effect on ${k} must be 0`);
    }
    const truth = world.counterfactual({ kind: 'price', plan: 'monthly', delta: 3 }, { horizon: 12, initial });
    assert.ok(truth.effect.estimate.monthly[11] < -0.02, 'the true effect is a real drop in the monthly share');
    assert.throws(
      () => cloningCounterfactual(clone, world.model, { kind: 'addPlan', name: 'quarterly', commitmentMonths: 3, prices: 40 }, { initial }),
      (e: Error) => e instanceof InputError && /cannot answer a "addPlan" change/.test(e.message),
    );
    const P = cloningPolicy(clone, world.model);
    assert.equal(P.length, world.model.states.size * A);
    clone.dispose();
  });

  it('compareEstimators: table columns; the oracle tabular PQR row has ~0 parameter, reward and share error; cloning has zero effect', async () => {
    const c = await compareEstimators(world, train, { estimators: ['tabularPqrOracle', 'ccp', 'cloning'], holdout: test, horizon: 12, month: 12 });
    const t = c.table();
    assert.deepEqual(Object.keys(t), ['estimator', 'paramRmse', 'paramMaxErr', 'rewardRmse', 'none@12', 'monthly@12', 'annual@12', 'monthlyEffectPp', 'shareErrPp', 'holdoutLogLik', 'seconds', 'note']);
    assert.deepEqual(t.estimator, ['Truth', 'Tabular PQR (oracle: true policy)', 'CCP (Hotz–Miller)', 'Behaviour cloning']);
    const [oracle, ccpRow, clone] = c.rows;
    assert.ok(oracle.parameterRmse < 1e-8 && oracle.rewardRmse < 1e-8 && oracle.shareErrorPp < 1e-6, `oracle errors ${oracle.parameterRmse} ${oracle.shareErrorPp}`);
    // CCP on 400 × 24: a finite-sample estimate, only sanity-checked (finite, within 1 util)
    assert.ok(ccpRow.parameterMaxError < 1, `ccp max error ${ccpRow.parameterMaxError}`);
    assert.equal(clone.monthlyEffect, 0);
    assert.ok(clone.shareErrorPp > 2, 'cloning misses the true price effect');
    assert.ok(Number.isNaN(clone.parameterRmse));
    assert.deepEqual(Object.keys(c.parameterTable()), ['parameter', 'truth', 'Tabular PQR (oracle: true policy)', 'CCP (Hotz–Miller)']);
  });

  it('bad input → InputError naming the field and value', async () => {
    const data = irlDataFromPanel(world.model, train);
    const cases: [string, () => Promise<unknown>, RegExp][] = [
      ['unknown estimator', () => compareEstimators(world, train, { estimators: ['maxent' as never] }), /estimators.*"maxent"/],
      ['month > horizon', () => compareEstimators(world, train, { horizon: 6, month: 12 }), /month.*12/],
      ['no world', () => compareEstimators(null as never, train), /world/],
      ['empty panel', () => compareEstimators(world, { ...train, length: 0 }), /panel/],
      ['unknown option', () => compareEstimators(world, train, { seeds: 3 } as never), /seeds/],
      ['cloning steps 0', () => behaviourCloning(data, { steps: 0 }), /steps.*0/],
      ['cloning hidden []', () => behaviourCloning(data, { hidden: [] }), /hidden/],
      ['cloning NaN feature', () => behaviourCloning({ ...data, stateFeatures: data.stateFeatures.map((v, i) => (i === 3 ? NaN : v)) }), /state feature column .*NaN/],
    ];
    for (const [name, f, re] of cases) {
      await assert.rejects(f, (e: Error) => e instanceof InputError && re.test(e.message), name);
    }
  });
});
