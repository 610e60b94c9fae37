import assert from 'node:assert/strict';
import { InputError } from '../../src/core/errors';
import { largeMembershipWorld, nfxpCost, panelSharesAt, sharesAt } from '../../src/irl';
import { populationPath } from '../../src/membership/paths';

describe('irl: large-state membership scenario', () => {
  it('membership-continuous at 4 levels (8,064 states): the truth solve converges and 4,000 simulated customers (seed 7) match the exact month-12 shares within 4 binomial SEs', () => {
    const w = largeMembershipWorld({ levels: 4 });
    assert.equal(w.model.states.size, 3 * 3 * 14 * 4 ** 3);
    assert.ok(w.solution.residual < 1e-9, `residual ${w.solution.residual}`);
    assert.ok(Math.abs(w.initial.reduce((s, v) => s + v, 0) - 1) < 1e-12);
    const panel = w.simulate({ customers: 4000, months: 12, seed: 7 });
    const exact = sharesAt(populationPath(w.model, w.solution.probabilities, w.initial, 12), 12);
    const sim = panelSharesAt(panel, 11);
    assert.equal(sim.n, 4000);
    for (const k of ['none', 'monthly', 'annual'] as const) {
      const se = Math.sqrt((exact[k] * (1 - exact[k])) / sim.n);
      assert.ok(Math.abs(sim[k] - exact[k]) < 4 * se, `${k}: simulated ${sim[k]} vs exact ${exact[k]} (SE ${se})`);
    }
    // the world's own counterfactual from its initial population: baseline = populationPath
    const cf = w.counterfactual({ kind: 'price', plan: 'monthly', delta: 3 }, { horizon: 12 });
    assert.ok(Math.abs(cf.baseline.estimate.monthly[11] - exact.monthly) < 1e-12);
    assert.ok(cf.effect.estimate.monthly[11] < 0, 'a higher monthly price lowers the monthly share');
    const cost = nfxpCost(w, { evaluations: 50 });
    assert.ok(cost.evaluationSeconds > 0 && Math.abs(cost.projectedSeconds - 50 * cost.evaluationSeconds) < 1e-12);
  });

  it('bad input → InputError naming the field and value', () => {
    const cases: [string, () => unknown, RegExp][] = [
      ['levels 1', () => largeMembershipWorld({ levels: 1 }), /levels.*1/],
      ['levels 30', () => largeMembershipWorld({ levels: 30 }), /levels.*30/],
      ['burnIn −1', () => largeMembershipWorld({ levels: 3, burnIn: -1 }), /burnIn.*-1/],
      ['unknown scenario', () => largeMembershipWorld({ scenario: 'membership-nope' }), /membership-nope/],
      ['unknown option', () => largeMembershipWorld({ level: 3 } as never), /level/],
      ['nfxpCost evaluations 0', () => nfxpCost({} as never, { evaluations: 0 }), /evaluations.*0/],
    ];
    for (const [name, f, re] of cases) assert.throws(f, (e: Error) => e instanceof InputError && re.test(e.message), name);
  });
});
