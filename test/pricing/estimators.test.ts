import { strict as assert } from 'node:assert';
import * as pr from '../../src/pricing';
import { assertClose } from '../helpers/assert';

/** A hand-made panel: y_it = α_i + λ_t + τ·W_it (+ optional noise), with the given arm/blackout. */
function handPanel(N: number, T: number, start: number, arm: Uint8Array, blackout: Uint8Array, tau: number): pr.PricingPanel {
  const y = new Float64Array(N * T);
  for (let i = 0; i < N; i++) for (let t = 0; t < T; t++) y[i * T + t] = 0.3 * i + Math.sin(t) + 0.01 * t + tau * arm[i * T + t];
  const feat = (f: (i: number) => number): Float64Array => Float64Array.from({ length: N }, (_, i) => f(i));
  return {
    products: N,
    days: T,
    start,
    calendarStart: 0,
    logUnits: y,
    price: new Float64Array(N * T).fill(1),
    arm,
    blackout,
    unit: Int32Array.from({ length: N }, (_, i) => i),
    features: { category: feat((i) => i % 3), fineCategory: feat((i) => i % 6), logPrice: feat((i) => (i * 7) % 11), style: feat((i) => (i % 5) / 5), quality: feat((i) => (i % 4) / 4) },
    design: 'hand',
  };
}

describe('pricing: estimators', () => {
  it('did(panel) recovers τ exactly from y = α_i + λ_t + τW with an unbalanced blackout mask', () => {
    const s = pr.drawSchedule(pr.bojinovSwitchback({ order: 2 }), { products: 30, days: 40 }, 1);
    const p = handPanel(30, 40, s.start, s.arm, s.blackout, 0.17);
    const e = pr.did(p);
    assertClose(e.estimate, 0.17, 1e-8);
    assert.ok(e.se < 1e-6);
  });

  it('differenceInMeans(panel) equals ȳ(treated) − ȳ(control) computed by hand', () => {
    const N = 2;
    const T = 3;
    const arm = Uint8Array.from([0, 1, 1, 0, 0, 0]);
    const p = handPanel(N, T, 1, arm, new Uint8Array(6), 0.5);
    const y = p.logUnits;
    const expected = (y[1] + y[2]) / 2 - (y[4] + y[5]) / 2;
    assertClose(pr.differenceInMeans(p).estimate, expected, 1e-12);
  });

  it('trendSeasonalForecaster extrapolates a linear trend + day-of-week series exactly', async () => {
    const H = 28;
    const h = 10;
    const dow = [0.1, -0.2, 0.05, 0.3, 0, -0.1, 0.2];
    const hist = new Float64Array(2 * H);
    const truth = new Float64Array(2 * h);
    for (let i = 0; i < 2; i++) {
      for (let t = 0; t < H + h; t++) {
        const v = 1 + i + 0.02 * (i + 1) * t + dow[(t + 3) % 7];
        if (t < H) hist[i * H + t] = v;
        else truth[i * h + t - H] = v;
      }
    }
    const f = await pr.trendSeasonalForecaster().forecast({ series: 2, historyLength: H, history: hist, horizon: h, startDay: 3, seed: 0 });
    for (let k = 0; k < 2 * h; k++) assertClose(f[k], truth[k], 1e-6); // the default ridge (1e-8 relative) leaves ~1e-7
  });

  it('hpte recovers τ exactly from y = α_i + λ_t + τW in a time-bound design, sync or async forecaster', async () => {
    const s = pr.drawSchedule(pr.timeBound(), { products: 80, days: 40 }, 2);
    const p = handPanel(80, 40, s.start, s.arm, s.blackout, 0.12);
    const e = await pr.hpte(p, { numTrees: 20, bootstrap: 20, outlierConstant: 0 });
    assertClose(e.estimate, 0.12, 1e-6); // forecaster ridge
    const base = pr.trendSeasonalForecaster();
    const asyncFc: pr.UntreatedForecaster = { name: 'async', forecast: async (r) => base.forecast(r) };
    const e2 = await pr.hpte(p, { numTrees: 20, bootstrap: 20, outlierConstant: 0, forecaster: asyncFc });
    assert.equal(e2.estimate, e.estimate);
    assert.equal(e2.forecaster, 'async');
  });

  it('hpte recovers τ exactly in a triggered design, where only the day detrending removes λ_t (units on different days)', async () => {
    // Forecast errors are λ_t's departure from the pre-period fit, common to every product; treated
    // units sit on later days than control units, so without the day effects they bias the contrast.
    const s = pr.drawSchedule(pr.triggered(), { products: 80, days: 40 }, 3);
    const p = handPanel(80, 40, s.start, s.arm, s.blackout, 0.12);
    const e = await pr.hpte(p, { numTrees: 10, bootstrap: 20, outlierConstant: 0 });
    assertClose(e.estimate, 0.12, 1e-6);
    assert.ok(e.se < 1e-6, `se ${e.se}`);
    const raw = await pr.hpte(p, { numTrees: 10, bootstrap: 20, outlierConstant: 0, dayEffects: false });
    assert.ok(Math.abs(raw.estimate - 0.12) > 1e-3, `without day effects ${raw.estimate}`);
  });

  it('exposureProbabilities: random-days with m = 1 gives π = 1/4 inside the experiment and 0 / 1/2 on its first day (400 draws, ±4 sd)', () => {
    const pb = pr.exposureProbabilities(pr.randomDays(), { products: 10, days: 20 }, null, { carryoverOrder: 1, draws: 400, seed: 3 });
    const sd = Math.sqrt((0.25 * 0.75) / 400);
    for (let i = 0; i < 10; i++) {
      assert.equal(pb.treated[i * 20 + 10], 0);
      assert.ok(Math.abs(pb.control[i * 20 + 10] - 0.5) < 4 * Math.sqrt(0.25 / 400));
      for (let t = 11; t < 20; t++) {
        assert.ok(Math.abs(pb.treated[i * 20 + t] - 0.25) < 4 * sd, `π1 ${pb.treated[i * 20 + t]}`);
        assert.ok(Math.abs(pb.control[i * 20 + t] - 0.25) < 4 * sd);
      }
    }
  });

  it('exposureHT recovers τ exactly without noise or interference (Bojinov design, own exposure only)', () => {
    const design = pr.bojinovSwitchback({ order: 2 });
    const s = pr.drawSchedule(design, { products: 50, days: 40 }, 4);
    const p = handPanel(50, 40, s.start, s.arm, s.blackout, 0.2);
    const e = pr.exposureHT(p, { design, carryoverOrder: 2, draws: 200, seed: 1 });
    assertClose(e.estimate, 0.2, 1e-8);
  });
});
