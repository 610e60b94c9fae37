import { strict as assert } from 'node:assert';
import { assertClose } from '../helpers/assert';
import {
  backtest,
  forecastDataset,
  loadModel,
  mqcnn,
  quantileForestModel,
  rollingOrigins,
  scoreForecasts,
  seasonalNaive,
  simulateDemand,
  untreatedForecaster,
  type FittedModel,
  type QuantileForecast,
} from '../../src/forecast';

// One small simulated world for every model test: 40 series × 156 weeks, seed 3; the last 13 weeks are held out.
const SIM = simulateDemand({ series: 40, weeks: 156, seed: 3 });
const DATA = SIM.data;
const END = 143;
const H = 13;

function assertMonotone(fc: QuantileForecast[], what: string): void {
  const grid = [0.01, 0.05, 0.1, 0.2, 0.3, 0.5, 0.6, 0.75, 0.9, 0.95, 0.99];
  for (const f of fc) {
    const curves = grid.map((q) => f.quantile(q));
    for (let h = 0; h < f.horizon; h++) {
      let prev = -Infinity;
      for (const c of curves) {
        assert.ok(c[h] >= prev, `${what}: quantile not monotone for series ${f.id}, step ${h}`);
        prev = c[h];
      }
    }
  }
}

function sameForecasts(a: QuantileForecast[], b: QuantileForecast[]): void {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.deepEqual(Array.from(a[i].values), Array.from(b[i].values), `series ${a[i].id}`);
}

describe('forecast: seasonal naive', () => {
  it('forecasts y one season back plus the empirical residual quantiles (hand-computed)', async () => {
    // period 2: residuals y_t − y_{t−2} over t = 2..5: [1, 2, 3, 6] → type-7 quantiles at 0.25/0.5/0.75: 1.75, 2.5, 3.75
    const d = forecastDataset({ target: [[1, 5, 2, 7, 5, 13]], period: 2 });
    const m = await seasonalNaive({ horizon: 3, levels: [0.25, 0.5, 0.75] }).fit(d);
    const [f] = m.predict(d);
    // step 0 → y_4 = 5, step 1 → y_5 = 13, step 2 → y_4 = 5 (two seasons back)
    assert.deepEqual(Array.from(f.values), [6.75, 7.5, 8.75, 14.75, 15.5, 16.75, 6.75, 7.5, 8.75]);
    assertClose(f.mean[0], 5 + 3, 1e-12);
    assert.equal(f.start, 6);
  });
});

describe('forecast: models on simulated demand (40 series × 156 weeks, seed 3, horizon 13)', function () {
  this.timeout(300_000);
  let naive: ReturnType<typeof scoreForecasts>;
  let forest: FittedModel;
  let net: FittedModel;
  let forestFc: QuantileForecast[];
  let netFc: QuantileForecast[];

  before(async () => {
    naive = scoreForecasts((await seasonalNaive({ horizon: H }).fit(DATA, { end: END })).predict(DATA, { origin: END }), DATA);
    forest = await quantileForestModel({ horizon: H, numTrees: 60, maxRows: 5000, seed: 5, numThreads: 1 }).fit(DATA, { end: END });
    forestFc = forest.predict(DATA, { origin: END });
    net = await mqcnn({ horizon: H, epochs: 12, batchSize: 8, seed: 5 }).fit(DATA, { end: END });
    netFc = net.predict(DATA, { origin: END });
  });

  // Margins: the acceptance bar (≥ 15% at 500 series) is measured in bench/forecast.bench.ts. On
  // these 40 series (seed 3) the measured improvements are 27% (forest) and 24% (MQ-CNN), with
  // bootstrap SEs over series of about 11 and 12 points (heavy-tailed volumes), so the tests ask
  // for ≥ 10% (about one SE above no improvement at all).
  it('the quantile forest beats seasonal naive on mean wQL by ≥ 10%', () => {
    const s = scoreForecasts(forestFc, DATA);
    assert.ok(s.meanWql < 0.9 * naive.meanWql, `forest ${s.meanWql} vs naive ${naive.meanWql}`);
  });
  it('MQ-CNN beats seasonal naive on mean wQL by ≥ 10%', () => {
    const s = scoreForecasts(netFc, DATA);
    assert.ok(s.meanWql < 0.9 * naive.meanWql, `MQ-CNN ${s.meanWql} vs naive ${naive.meanWql}`);
  });
  it('10–90% intervals cover within 0.80 ± 0.10 of the 520 held-out points', () => {
    for (const [name, fc] of [['forest', forestFc], ['MQ-CNN', netFc]] as const) {
      const c = scoreForecasts(fc, DATA).coverage;
      assert.ok(Math.abs(c - 0.8) <= 0.1, `${name} coverage ${c}`);
    }
  });
  it('quantile(q) is monotone in q for every model', async () => {
    const naiveFc = (await seasonalNaive({ horizon: H }).fit(DATA, { end: END })).predict(DATA, { origin: END });
    assertMonotone(naiveFc, 'seasonal naive');
    assertMonotone(forestFc, 'quantile forest');
    assertMonotone(netFc, 'MQ-CNN');
  });
  it('same seed and backend → identical forecasts (forest and MQ-CNN refitted)', async () => {
    const f2 = await quantileForestModel({ horizon: H, numTrees: 60, maxRows: 5000, seed: 5, numThreads: 2 }).fit(DATA, { end: END });
    sameForecasts(forestFc, f2.predict(DATA, { origin: END }));
    const n2 = await mqcnn({ horizon: H, epochs: 12, batchSize: 8, seed: 5 }).fit(DATA, { end: END });
    sameForecasts(netFc, n2.predict(DATA, { origin: END }));
    const n3 = await mqcnn({ horizon: H, epochs: 12, batchSize: 8, seed: 6 }).fit(DATA, { end: END });
    assert.notDeepEqual(Array.from(n3.predict(DATA, { origin: END })[0].values), Array.from(netFc[0].values));
  });
  it('fitted models save to JSON and load back with identical forecasts', async () => {
    for (const m of [forest, net, await seasonalNaive({ horizon: H }).fit(DATA, { end: END })]) {
      const back = await loadModel(JSON.stringify(m.toJSON()));
      assert.equal(back.kind, m.kind);
      sameForecasts(m.predict(DATA, { origin: END }), back.predict(DATA, { origin: END }));
    }
  });
});

describe('forecast: backtests', () => {
  it('rollingOrigins places the last window `offset` before the end, `distance` apart', () => {
    assert.deepEqual(rollingOrigins(156, { horizon: 13, windows: 3, distance: 4, offset: 2 }), [133, 137, 141]);
    assert.deepEqual(rollingOrigins(156, { horizon: 13 }), [143]);
  });
  it('backtest refits per window and pools scores into a comparison table', async function () {
    this.timeout(120_000);
    const r = await backtest(DATA, [seasonalNaive({ horizon: H }), quantileForestModel({ horizon: H, numTrees: 30, maxRows: 3000, numThreads: 1 })], { windows: 2, distance: 13 });
    assert.deepEqual(r.origins, [130, 143]);
    assert.equal(r.rows.length, 4);
    assert.equal(r.table.length, 2);
    // the pooled wQL of a model equals the wQL of its concatenated windows
    const nv = r.rows.filter((x) => x.model === 'seasonal naive');
    const loss = nv.reduce((a, x) => a + x.score.perSeries.loss[1].reduce((u, v) => u + v, 0), 0);
    const absY = nv.reduce((a, x) => a + x.score.perSeries.absY.reduce((u, v) => u + v, 0), 0);
    assertClose(r.table[0]['wQL 0.5'] as number, (2 * loss) / absY, 1e-12);
    assert.ok((r.table[1]['vs seasonal naive'] as number) > 0);
  });
});

describe('forecast: pricing HPTE forecaster slot', () => {
  // 6 daily series, 28 days of history, 7-day horizon, weekly pattern, with a price covariate
  const n = 6;
  const T = 28;
  const Hd = 7;
  const history = new Float64Array(n * T);
  const price = new Float64Array(n * (T + Hd));
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < T + Hd; t++) {
      price[i * (T + Hd) + t] = 10 + (t % 5);
      if (t < T) history[i * T + t] = 20 + i + 5 * ((t + 3) % 7 === 0 ? 1 : 0) + (t % 3);
    }
  }
  const request = { series: n, historyLength: T, history, horizon: Hd, startDay: 3, covariates: { price }, seed: 1 };

  it("untreatedForecaster('seasonal-naive') returns series-major medians (hand-computed)", async () => {
    const f = untreatedForecaster('seasonal-naive');
    const out = await f.forecast(request);
    assert.equal(out.length, n * Hd);
    // median residual of y_t − y_{t−7}: the series repeats (t%3 shifts) so compute directly
    for (let i = 0; i < n; i++) {
      const y = history.subarray(i * T, (i + 1) * T);
      const res = Array.from({ length: T - 7 }, (_, k) => y[k + 7] - y[k]).sort((a, b) => a - b);
      const med = (res[(res.length - 1) / 2 | 0] + res[Math.ceil((res.length - 1) / 2)]) / 2;
      for (let h = 0; h < Hd; h++) assertClose(out[i * Hd + h], y[T + h - 7] + med, 1e-9);
    }
  });
  it('the quantile forest and MQ-CNN fill the slot too (shape, finite, seeded)', async function () {
    this.timeout(120_000);
    for (const kind of ['quantile-forest', 'mq-cnn'] as const) {
      const f = untreatedForecaster(kind, { forest: { numTrees: 20, numThreads: 1 }, mqcnn: { epochs: 3, channels: [8, 8, 8] } });
      const a = await f.forecast(request);
      const b = await f.forecast(request);
      assert.equal(a.length, n * Hd);
      assert.ok(a.every(Number.isFinite), kind);
      assert.deepEqual(a, b, `${kind}: same seed, same forecasts`);
    }
  });
});
