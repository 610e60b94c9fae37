import * as pr from '../../src/pricing';
import { DataError, InputError } from '../../src/core/errors';
import { assertThrowsError } from '../helpers/assert';

describe('pricing: bad input', () => {
  const world = pr.pricingWorld({ products: 20, days: 60, categories: 2 });
  const ok = pr.drawSchedule(pr.timeBound(), world, 1);
  const table: [string, () => unknown, new (...a: never[]) => Error, RegExp][] = [
    ['schedule naming a product outside the panel', () => pr.customSchedule({ products: 5, days: 10, treated: [{ product: 5, from: 2 }] }), InputError, /`treated\[0\]\.product`: product 5 is outside the panel \(products 0\.\.4\)/],
    ['schedule naming a day outside the panel', () => pr.customSchedule({ products: 5, days: 10, treated: [{ product: 1, from: 12 }] }), InputError, /`treated\[0\]\.from`: day 12 is outside the panel \(days 0\.\.9\)/],
    ['blackout span past the panel', () => pr.customSchedule({ products: 5, days: 10, treated: [], blackout: [{ product: 1, from: 2, to: 11 }] }), InputError, /`blackout\[0\]\.to`: day 11 must be in \(2, 10\]/],
    ['schedule of another panel size', () => pr.simulatePanel(world, pr.drawSchedule(pr.timeBound(), { products: 10, days: 60 }, 1)), InputError, /covers 10 products × 60 days, the panel has 20 × 60/],
    ['crossover blackout longer than a period', () => pr.drawSchedule(pr.crossover({ blackout: 15 }), world, 1), InputError, /`blackout`: 15 days is not shorter than a period \(15 days\)/],
    ['random-days blackout as long as the period', () => pr.drawSchedule(pr.randomDays({ blackout: 1 }), world, 1), InputError, /`blackout`: 1 days is not shorter than a period \(1 day\)/],
    ['Bojinov order too long for the experiment', () => pr.drawSchedule(pr.bojinovSwitchback({ order: 8 }), world, 1), InputError, /needs an experiment of at least 4m days; 30 days < 4 × 8/],
    ['unknown design kind', () => pr.drawSchedule({ kind: 'zigzag' } as never, world, 1), InputError, /`design\.kind`: expected one of .*got "zigzag"/],
    ['clusters of the wrong length', () => pr.drawSchedule(pr.clustered(pr.timeBound(), [0, 1, 2]), world, 1), InputError, /`clusters`: expected an array of 20 cluster ids/],
    ['graph self-loop', () => pr.substitutesGraph(4, [{ source: 2, target: 2 }]), InputError, /edge 0 is a self-loop on node 2/],
    ['graph edge to an unknown node', () => pr.substitutesGraph(4, [{ source: 0, target: 1 }, { source: 1, target: 7 }]), InputError, /edge 1 names unknown node 7 \(target\); nodes are integers 0\.\.3/],
    ['graph edge with a negative weight', () => pr.substitutesGraph(4, [{ source: 0, target: 1, weight: -1 }]), InputError, /edge 0 has weight -1; expected a positive number/],
    ['non-positive base price', () => pr.pricingWorld({ products: 3, categories: 1, basePrices: [1, 0, 2] }), InputError, /`basePrices`: prices must be positive, got 0 for product 1/],
    ['negative base price', () => pr.pricingWorld({ products: 3, categories: 1, basePrices: [1, 2, -3] }), InputError, /prices must be positive, got -3 for product 2/],
    ['price cut of 100%', () => pr.pricingWorld({ maxCut: 1 }), InputError, /invalid option `maxCut`/],
    ['unknown world option', () => pr.pricingWorld({ prodcts: 5 } as never), InputError, /unknown option `prodcts`/],
    ['carryover share without an order', () => pr.pricingWorld({ carryoverOrder: 0 }), InputError, /`carryoverShare`: expected 0 when `carryoverOrder` is 0, got 0.3/],
    ['unknown estimator', () => pr.compareDesigns({ estimators: ['ols' as never] }), InputError, /`estimators\[0\]`: expected one of "dim", "did", "hpte", "ht", got "ols"/],
    ['hpte bootstrapMode unknown', () => pr.hpte(pr.simulatePanel(world, ok), { bootstrapMode: 'jackknife' as never }), InputError, /`bootstrapMode`: expected one of "outliers", "refit", got "jackknife"/],
    ['hpte dayEffects not a boolean', () => pr.hpte(pr.simulatePanel(world, ok), { dayEffects: 'yes' as never }), InputError, /`dayEffects`: expected a boolean, got "yes"/],
    ['graph of another size for louvain', () => pr.cutWeight(world.graph, [0, 1]), InputError, /`clusters`: expected an array of length 20/],
  ];
  for (const [what, fn, cls, pattern] of table) {
    it(`${what} → ${cls.name}`, async () => {
      let thrown: unknown = null;
      try {
        await fn();
      } catch (e) {
        thrown = e;
      }
      assertThrowsError(() => {
        if (thrown) throw thrown;
      }, cls, pattern);
    });
  }

  it('hpte without a pre-period → DataError', async () => {
    const s = pr.drawSchedule(pr.timeBound({ start: 0 }), world, 1);
    const panel = pr.simulatePanel(world, s, { seed: 1 });
    let err: unknown = null;
    await pr.hpte(panel).catch((e: unknown) => (err = e));
    assertThrowsError(() => {
      throw err;
    }, DataError, /needs a pre-period/);
  });

  it('exposureHT without probabilities or design → InputError', () => {
    const panel = pr.simulatePanel(world, ok, { seed: 1 });
    assertThrowsError(() => pr.exposureHT(panel), InputError, /needs `probabilities` or the `design`/);
  });
});
