/**
 * Forecasting: MQ-CNN training on 1,000 simulated series × 156 weeks on the chosen tfjs backend
 * (time per epoch and for a useful model; target < 2 minutes on 2 cores), prediction throughput,
 * quantile-forest fit and predict, and the acceptance study: on 500 series × 156 weeks (last 13
 * held out, levels 0.1/0.5/0.9) MQ-CNN and the quantile forest against seasonal naive on mean
 * wQL, with 10–90% interval coverage (bootstrap SEs over series).
 */
import type { BenchContext, BenchEntry } from './run';
import { tensorBackend } from '../src/core/tensor';
import { compareScores, mqcnn, quantileForestModel, scoreForecasts, seasonalNaive, simulateDemand } from '../src/forecast';

export default async function forecast(ctx: BenchContext): Promise<BenchEntry[]> {
  const q = ctx.quick;
  const entries: BenchEntry[] = [];
  const { name: backend } = await tensorBackend();
  const H = 13;

  // --- MQ-CNN training at bench size ---
  const nBig = q ? 60 : 1000;
  const epochsBig = q ? 2 : 10;
  const big = simulateDemand({ series: nBig, weeks: 156, seed: 11 }).data;
  const endBig = 156 - H;
  ctx.log(`forecast: MQ-CNN training, ${nBig} series × 156 weeks, ${epochsBig} epochs (${backend})`);
  const epochTimes: number[] = [];
  let last = performance.now();
  const t0 = performance.now();
  const fitted = await mqcnn({ horizon: H, epochs: epochsBig, seed: 1 }).fit(big, {
    end: endBig,
    onProgress: (p) => {
      const now = performance.now();
      epochTimes.push((now - last) / 1000);
      last = now;
      ctx.log(`  ${p.message}`);
    },
  });
  const fitS = (performance.now() - t0) / 1000;
  const naiveBig = scoreForecasts((await seasonalNaive({ horizon: H }).fit(big, { end: endBig })).predict(big, { origin: endBig }), big);
  const tp0 = performance.now();
  const fcBig = fitted.predict(big, { origin: endBig });
  const predS = (performance.now() - tp0) / 1000;
  const sBig = scoreForecasts(fcBig, big);
  const medianEpoch = epochTimes.slice().sort((a, b) => a - b)[Math.floor(epochTimes.length / 2)];
  entries.push({
    name: `MQ-CNN training, ${nBig.toLocaleString('en')} series × 156 weeks, time per epoch`,
    value: medianEpoch,
    unit: 's',
    note: `${backend} backend; channels [24,24,24], dilations [1,3,9], kernels [7,3,3], batch 32, forking from week 56`,
  });
  entries.push({
    name: `MQ-CNN training, ${nBig.toLocaleString('en')} series × 156 weeks, ${epochsBig} epochs`,
    value: fitS,
    unit: 's',
    target: 120,
    note: `held-out mean wQL ${sBig.meanWql.toFixed(3)} vs seasonal naive ${naiveBig.meanWql.toFixed(3)} (${(100 * (1 - sBig.meanWql / naiveBig.meanWql)).toFixed(1)}% better); coverage 10–90 ${sBig.coverage.toFixed(3)}`,
  });
  entries.push({ name: `MQ-CNN prediction, ${nBig.toLocaleString('en')} series × 13 steps × 3 levels`, value: nBig / predS, unit: 'series/s', note: `${(predS * 1000).toFixed(0)} ms in all` });

  // --- acceptance study ---
  const nAcc = q ? 60 : 500;
  const data = simulateDemand({ series: nAcc, weeks: 156, seed: 2026 }).data;
  const end = 156 - H;
  ctx.log(`forecast: acceptance study, ${nAcc} series, origin week ${end}`);
  const naive = scoreForecasts((await seasonalNaive({ horizon: H }).fit(data, { end })).predict(data, { origin: end }), data);
  const tf0 = performance.now();
  const forest = await quantileForestModel({ horizon: H, seed: 1, numTrees: q ? 30 : 200, maxRows: q ? 3000 : 20_000 }).fit(data, { end });
  const forestFitS = (performance.now() - tf0) / 1000;
  const tf1 = performance.now();
  const forestFc = forest.predict(data, { origin: end });
  const forestPredS = (performance.now() - tf1) / 1000;
  const sForest = scoreForecasts(forestFc, data);
  const tm0 = performance.now();
  const net = await mqcnn({ horizon: H, seed: 1, epochs: q ? 2 : 20 }).fit(data, { end, onProgress: (p) => ctx.log(`  ${p.message}`) });
  const netFitS = (performance.now() - tm0) / 1000;
  const sNet = scoreForecasts(net.predict(data, { origin: end }), data);
  entries.push({ name: `quantile forest fit, ${nAcc} series (${q ? 3000 : 20_000} rows, ${q ? 30 : 200} trees)`, value: forestFitS, unit: 's', note: '2 threads' });
  entries.push({ name: `quantile forest predict, ${nAcc} series × 13 steps`, value: nAcc / forestPredS, unit: 'series/s' });
  for (const [name, s, fitSec] of [['quantile forest', sForest, forestFitS], ['MQ-CNN', sNet, netFitS]] as const) {
    const c = compareScores(s, naive, { replicates: 1000, seed: 7 });
    entries.push({
      name: `acceptance: ${name} mean wQL improvement over seasonal naive, ${nAcc} series × 156 weeks, horizon 13`,
      value: 100 * c.improvement.estimate,
      unit: '%',
      target: 15,
      note: `SE ${(100 * c.improvement.se).toFixed(1)} (bootstrap over series, 1,000 reps); mean wQL ${s.meanWql.toFixed(4)} ± ${c.meanWql.se.toFixed(4)} vs naive ${naive.meanWql.toFixed(4)}; wQL by level ${s.wql.map((v) => v.toFixed(3)).join('/')}; MASE ${s.mase.toFixed(3)} vs ${naive.mase.toFixed(3)}; fit ${fitSec.toFixed(1)} s; data seed 2026, model seed 1`,
    });
    entries.push({
      name: `acceptance: ${name} 10–90% interval coverage of held-out points`,
      value: 100 * c.coverage.estimate,
      unit: '%',
      target: 80,
      note: `SE ${(100 * c.coverage.se).toFixed(1)}; ${s.points} points; target 80 ± 5 (seasonal naive: ${(100 * naive.coverage).toFixed(1)}%)`,
    });
  }
  return entries;
}
