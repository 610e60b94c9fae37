import assert from 'node:assert/strict';
import * as path from 'node:path';
import { InputError } from '../../src/core/errors';
import { rng } from '../../src/core/rng';
import { mean, variance } from '../../src/core/stats';
import { assertThrowsError } from '../helpers/assert';
import {
  calloutWorld, collectLog, drEstimate, evaluateOffPolicy, ipwEstimate, layoutSpace, readOpenBanditCsv, snipwEstimate,
  tablePolicy, tabularRewardModel, dmEstimate, sndrEstimate, switchDrEstimate, parseOpenBanditCsv,
} from '../../src/callouts';

const space48 = layoutSpace({
  components: [
    { name: 'headline', variants: ['benefit', 'price'] },
    { name: 'image', variants: ['photo', 'icon'] },
    { name: 'body', variants: ['short', 'medium', 'long'] },
    { name: 'proof', variants: ['none', 'stars'] },
    { name: 'cta', variants: ['join', 'try'] },
  ],
});

/** A softmax table over the world's true rates (temperature tau) mixed with uniform, per context. */
function softTable(world: ReturnType<typeof calloutWorld>, tau: number, mix: number, shift: number): number[][] {
  return world.contexts.map((_, c) => {
    const u = Array.from({ length: 48 }, (_, a) => world.probabilityOfIndex((a + shift) % 48, c) / tau);
    const m = Math.max(...u);
    const e = u.map((x) => Math.exp(x - m));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((x) => (1 - mix) * (x / s) + mix / 48);
  });
}

describe('callouts/ope', () => {
  const world = calloutWorld(space48, {
    seed: 21, baseRate: 0.05, mainScale: 0.2, pairwiseScale: 0.1,
    contexts: [{ name: 'visitor', features: [0], weight: 0.7 }, { name: 'member', features: [1], weight: 0.3 }],
  });
  const logging = softTable(world, 0.05, 0.3, 7); // a different preference than the target's
  const target = softTable(world, 0.02, 0.05, 0);
  const pi = Float64Array.from(target.flat());
  const truth = world.value(pi);

  it('over 200 simulated logs (2,000 rows each), IPW and DR are unbiased within 2 SE; DR variance < IPW variance with a good reward model', () => {
    // good reward model: the true rates with small multiplicative noise (seed 3)
    const r = rng(3);
    const good = new Float64Array(2 * 48);
    for (let c = 0; c < 2; c++) for (let a = 0; a < 48; a++) good[c * 48 + a] = world.probabilityOfIndex(a, c) * (1 + 0.1 * (r.nextFloat() - 0.5));
    const est: Record<string, number[]> = { IPW: [], DR: [], SNIPW: [], SNDR: [], DM: [], 'Switch-DR': [] };
    for (let k = 0; k < 200; k++) {
      const log = collectLog(world, tablePolicy(space48, { probabilities: logging, seed: k }), { impressions: 2000, seed: 1000 + k });
      const input = { data: log, policy: pi, rewardModel: good };
      est.IPW.push(ipwEstimate(input));
      est.DR.push(drEstimate(input));
      est.SNIPW.push(snipwEstimate(input));
      est.SNDR.push(sndrEstimate(input));
      est.DM.push(dmEstimate(input));
      est['Switch-DR'].push(switchDrEstimate(input));
    }
    for (const name of ['IPW', 'DR']) {
      const m = mean(est[name]);
      const se = Math.sqrt(variance(est[name]) / 200);
      assert.ok(Math.abs(m - truth) < 2 * se, `${name}: mean ${m}, truth ${truth}, SE ${se}`);
    }
    assert.ok(variance(est.DR) < variance(est.IPW), `var DR ${variance(est.DR)} vs IPW ${variance(est.IPW)}`);
    assert.ok(Math.abs(mean(est.SNDR) - truth) < 0.1 * truth);
  });

  it('evaluateOffPolicy: bootstrap CIs cover the truth, ESS in (0, n], DR with a cross-fitted tabular model', () => {
    const log = collectLog(world, tablePolicy(space48, { probabilities: logging, seed: 1 }), { impressions: 5000, seed: 5 });
    const other = collectLog(world, tablePolicy(space48, { probabilities: logging, seed: 2 }), { impressions: 5000, seed: 6 });
    const q = tabularRewardModel(other);
    const res = evaluateOffPolicy({ data: log, policy: pi, rewardModel: q }, { replicates: 300, seed: 1 });
    assert.deepEqual(res.map((r) => r.estimator), ['DM', 'IPW', 'SNIPW', 'DR', 'SNDR', 'Switch-DR']);
    for (const r of res) {
      assert.ok(r.ess > 0 && r.ess <= 5000 + 1e-9, `${r.estimator} ess ${r.ess}`);
      assert.ok(r.ci[0] <= r.estimate && r.estimate <= r.ci[1]);
      // DM and Switch-DR carry the tabular model's bias; the unbiased family must cover the truth
      if (['IPW', 'SNIPW', 'DR', 'SNDR'].includes(r.estimator)) assert.ok(r.ci[0] - 0.01 < truth && truth < r.ci[1] + 0.01, `${r.estimator} ${r.ci} vs ${truth}`);
    }
    const ipw = res.find((r) => r.estimator === 'IPW')!;
    const w = Array.from({ length: log.n }, (_, i) => pi[log.context[i] * 48 + log.action[i]] / log.propensity[i]);
    const s = w.reduce((a, b) => a + b, 0);
    const s2 = w.reduce((a, b) => a + b * b, 0);
    assert.ok(Math.abs(ipw.ess - (s * s) / s2) < 1e-6);
  });

  it('readOpenBanditCsv reads the Open Bandit Dataset format: items, 0-based positions, contexts from user features', () => {
    const { data, contexts, userFeatures } = readOpenBanditCsv(path.join(__dirname, 'fixtures', 'obd-tiny.csv'));
    assert.equal(data.n, 8);
    assert.deepEqual(Array.from(data.action), [2, 0, 1, 3, 2, 0, 1, 3]);
    assert.deepEqual(Array.from(data.position), [0, 1, 2, 0, 1, 2, 0, 1]);
    assert.deepEqual(Array.from(data.reward), [0, 1, 0, 0, 0, 0, 1, 0]);
    assert.deepEqual(Array.from(data.context), [0, 0, 0, 1, 1, 1, 0, 0]);
    assert.equal(contexts.length, 2);
    assert.deepEqual(userFeatures, ['user_feature_0', 'user_feature_1']);
    assert.equal(data.nActions, 4);
    assert.ok(Math.abs(data.propensity[3] - 0.25) < 1e-12);
    // IPW of the uniform policy over 4 items on this log
    const uni = new Float64Array(2 * 4).fill(0.25);
    assert.ok(Number.isFinite(ipwEstimate({ data, policy: uni })));
    assert.ok(Number.isFinite(data.time![0]));
  });

  it('Open Bandit CSV bad input: items outside the space, propensity 0, a missing column → InputError naming them', () => {
    const head = ',timestamp,item_id,position,click,propensity_score,user_feature_0\n';
    assertThrowsError(() => parseOpenBanditCsv(head + '0,1,5,1,0,0.5,a\n', { nActions: 4 }), InputError, /logged action 5 at row 0 is outside the action space 0..3/);
    assertThrowsError(() => parseOpenBanditCsv(head + '0,1,1,1,0,0,a\n1,2,1,1,0,0.5,a\n'), InputError, /propensity 0 at row 0 is not in \(0, 1\]/);
    assertThrowsError(() => parseOpenBanditCsv(',timestamp,item_id,click,propensity_score\n0,1,1,0,0.5\n'), InputError, /missing column `position`/);
    assertThrowsError(() => ipwEstimate({ data: collectLog(world, tablePolicy(space48, { probabilities: logging }), { impressions: 10 }), policy: new Float64Array(3) }), InputError, /invalid option `policy`/);
  });
});
