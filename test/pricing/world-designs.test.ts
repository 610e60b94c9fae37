import { strict as assert } from 'node:assert';
import * as pr from '../../src/pricing';
import { assertClose } from '../helpers/assert';

describe('pricing: world', () => {
  const world = pr.pricingWorld({ products: 120, days: 40, categories: 4 });

  it('pricingWorld(spec) is reproducible and its truth matches the definition', () => {
    const again = pr.pricingWorld({ products: 120, days: 40, categories: 4 });
    assert.deepEqual(Array.from(again.elasticity), Array.from(world.elasticity));
    // direct = mean ε_i u_i; total adds Σ_j γ_ij u_j (hand-computed from the exposed arrays)
    let dir = 0;
    let tot = 0;
    const g = world.graph;
    for (let i = 0; i < world.products; i++) {
      dir += world.elasticity[i] * world.priceChange[i];
      tot += world.elasticity[i] * world.priceChange[i];
      for (let e = g.offsets[i]; e < g.offsets[i + 1]; e++) tot += world.crossElasticity[e] * world.priceChange[g.targets[e]];
    }
    assertClose(world.truth.direct, dir / world.products, 1e-12);
    assertClose(world.truth.total, tot / world.products, 1e-12);
    assert.ok(world.truth.direct > 0 && world.truth.total < world.truth.direct, 'price cuts raise own demand; substitutes lose some');
  });

  it('cross elasticities sum to diversion·|ε_i| per product with neighbours', () => {
    const g = world.graph;
    for (let i = 0; i < world.products; i++) {
      if (g.offsets[i + 1] === g.offsets[i]) continue;
      let s = 0;
      for (let e = g.offsets[i]; e < g.offsets[i + 1]; e++) s += world.crossElasticity[e];
      assertClose(s, 0.4 * Math.abs(world.elasticity[i]), 1e-12);
    }
  });

  it('simulatePanel adds exactly the own, carryover and spillover effects to the baseline', () => {
    const T = world.days;
    const s = pr.customSchedule({ products: 120, days: T, treated: [{ product: 0, from: 20, to: 22 }] });
    const base = pr.simulateBaseline(world, 3);
    const panel = pr.simulatePanel(world, s, { baseline: base });
    const e0 = world.elasticity[0];
    const u0 = world.priceChange[0];
    const sh = 0.3;
    const k = world.carryoverWeights; // m = 3
    assertClose(panel.logUnits[20] - base[20], e0 * (1 - sh) * u0, 1e-12);
    assertClose(panel.logUnits[21] - base[21], e0 * ((1 - sh) * u0 + sh * k[0] * u0), 1e-12);
    assertClose(panel.logUnits[22] - base[22], e0 * sh * (k[0] + k[1]) * u0, 1e-12);
    assertClose(panel.logUnits[25] - base[25], 0, 1e-12);
    // a neighbour of product 0 loses γ_j0·u_0 on day 20
    const g = world.graph;
    const j = g.targets[g.offsets[0]];
    let gamma = 0;
    for (let e = g.offsets[j]; e < g.offsets[j + 1]; e++) if (g.targets[e] === 0) gamma = world.crossElasticity[e];
    assertClose(panel.logUnits[j * T + 20] - base[j * T + 20], gamma * u0, 1e-12);
    assert.ok(Math.abs(panel.price[20] / world.basePrice[20] - Math.exp(u0)) < 1e-12);
  });

  it('simulateBaseline(world, seed) is reproducible and has the stated noise sd (seed 4, ±15%)', () => {
    const w = pr.pricingWorld({ products: 400, days: 200, categories: 4, arSd: 0, dayShockSd: 0, categoryDayShockSd: 0, stockoutRate: 0, trendSd: 0, weeklyAmplitude: 0, yearlyAmplitude: 0, costDriftSd: 0, baseLogSd: 0, noiseSd: 0.25 });
    const a = pr.simulateBaseline(w, 4);
    assert.deepEqual(Array.from(a.slice(0, 50)), Array.from(pr.simulateBaseline(w, 4).slice(0, 50)));
    // residual around each product's mean
    let ss = 0;
    for (let i = 0; i < 400; i++) {
      let m = 0;
      for (let t = 0; t < 200; t++) m += a[i * 200 + t];
      m /= 200;
      for (let t = 0; t < 200; t++) ss += (a[i * 200 + t] - m) ** 2;
    }
    assertClose(Math.sqrt(ss / (400 * 199)), 0.25, { rel: 0.15 });
  });
});

describe('pricing: designs', () => {
  const dims = { products: 40, days: 60 };

  it('time-bound treats half the products from start to the end', () => {
    const s = pr.drawSchedule(pr.timeBound(), dims, 1);
    assert.equal(s.start, 30);
    let treated = 0;
    for (let i = 0; i < 40; i++) {
      const a = s.arm[i * 60 + 30];
      treated += a;
      for (let t = 0; t < 60; t++) assert.equal(s.arm[i * 60 + t], t >= 30 ? a : 0);
    }
    assert.equal(treated, 20);
  });

  it('crossover swaps at the midpoint and blacks out `blackout` days after each switch', () => {
    const s = pr.drawSchedule(pr.crossover({ blackout: 3 }), dims, 2);
    for (let i = 0; i < 40; i++) {
      assert.equal(s.arm[i * 60 + 30], 1 - s.arm[i * 60 + 45]);
      for (let t = 0; t < 60; t++) {
        const b = (t >= 30 && t < 33) || (t >= 45 && t < 48) ? 1 : 0;
        assert.equal(s.blackout[i * 60 + t], b, `day ${t}`);
      }
    }
  });

  it('bojinovRandomizationPoints(L = n·m, m) = {0, 2m, 3m, ..., (n−2)m} (Bojinov et al. 2023, Thm 3)', () => {
    assert.deepEqual(Array.from(pr.bojinovRandomizationPoints(24, 3)), [0, 6, 9, 12, 15, 18]);
    assert.deepEqual(Array.from(pr.bojinovRandomizationPoints(16, 4)), [0, 8]);
  });

  it('Bojinov schedule: constant within epochs, blackout exactly where the last m days differ', () => {
    const s = pr.drawSchedule(pr.bojinovSwitchback({ order: 3, start: 36 }), { products: 20, days: 60 }, 3);
    const pts = [0, 6, 9, 12, 15, 18];
    for (let i = 0; i < 20; i++) {
      for (let t = 36; t < 60; t++) {
        const off = t - 36;
        if (!pts.includes(off)) assert.equal(s.arm[i * 60 + t], s.arm[i * 60 + t - 1]);
        let same = true;
        for (let k = 1; k <= 3; k++) if (s.arm[i * 60 + t - k] !== s.arm[i * 60 + t]) same = false;
        assert.equal(s.blackout[i * 60 + t], same ? 0 : 1);
      }
    }
  });

  it('random-days randomises each product-day with p = 0.5 (seed 5, ±4 sd)', () => {
    const s = pr.drawSchedule(pr.randomDays(), { products: 200, days: 100 }, 5);
    let n = 0;
    for (let i = 0; i < 200; i++) for (let t = 50; t < 100; t++) n += s.arm[i * 100 + t];
    assert.ok(Math.abs(n / 10000 - 0.5) < 4 * Math.sqrt(0.25 / 10000));
  });

  it('clustered designs assign a cluster together', () => {
    const clusters = Array.from({ length: 40 }, (_, i) => Math.floor(i / 4));
    const s = pr.drawSchedule(pr.clustered(pr.randomDays(), clusters), dims, 6);
    assert.equal(s.design, 'random-days (clustered)');
    for (let i = 0; i < 40; i++) for (let t = 30; t < 60; t++) assert.equal(s.arm[i * 60 + t], s.arm[(i - (i % 4)) * 60 + t]);
  });

  it('louvain splits two cliques joined by a bridge and reports the bridge as the cut weight', () => {
    const edges: pr.Edge[] = [];
    for (const off of [0, 5]) for (let a = 0; a < 5; a++) for (let b = a + 1; b < 5; b++) edges.push({ source: off + a, target: off + b, weight: 2 });
    edges.push({ source: 4, target: 5, weight: 0.5 });
    const g = pr.substitutesGraph(10, edges);
    const c = pr.louvain(g, { seed: 1 });
    assert.equal(c.k, 2);
    assertClose(c.cut.cut, 0.5, 1e-12);
    assertClose(c.cut.total, 40.5, 1e-12);
    // modularity by hand: m = 40.5; each clique: w_in = 20 + (edges counted twice)...
    const m = 40.5;
    const deg = 2 * 20 + 0.5;
    assertClose(c.modularity, 2 * (20 / m - (deg / (2 * m)) ** 2), 1e-12);
  });
});
