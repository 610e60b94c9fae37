/**
 * Forest engine: training time (grf defaults, honest) on 1 and 2 threads, prediction throughput,
 * the causal forest on the Wager–Athey design (accuracy and coverage next to 10-NN matching),
 * and the split search's sort (packed keys, native sort) against a comparator sort.
 * For scale: grf 2.x trains n = 4,000, p = 10, 2,000 trees in about 23 s on one thread.
 */
import type { BenchContext, BenchEntry } from './run';
import { causalForest, friedman1, knnCate, regressionForest, wagerAthey } from '../src/forest';
import { rng } from '../src/core/rng';
import { fillUniform } from '../src/core/random';

function seconds(fn: () => unknown): number {
  const t = performance.now();
  fn();
  return (performance.now() - t) / 1000;
}

export default async function forest(ctx: BenchContext): Promise<BenchEntry[]> {
  const q = ctx.quick;
  const entries: BenchEntry[] = [];
  const n = q ? 1000 : 10_000;
  const trees = q ? 40 : 2000;
  const data = friedman1({ n, p: 10, seed: 1 });

  ctx.log(`forest: regression training n=${n}, ${trees} trees`);
  let fitted = regressionForest(data.x, data.y, { numTrees: trees, seed: 1, numThreads: 2 });
  const t2 = seconds(() => (fitted = regressionForest(data.x, data.y, { numTrees: trees, seed: 1, numThreads: 2 })));
  const t1 = seconds(() => regressionForest(data.x, data.y, { numTrees: trees, seed: 1, numThreads: 1 }));
  entries.push({
    name: `regressionForest training, n = ${n.toLocaleString('en')}, p = 10, ${trees.toLocaleString('en')} trees, 2 threads`,
    value: t2,
    unit: 's',
    baseline: t1,
    baselineName: 'same, 1 thread',
    note: 'grf defaults (honest, sample fraction 0.5, min node 5)',
  });

  const n4 = q ? 800 : 4000;
  const d4 = friedman1({ n: n4, p: 10, seed: 2 });
  const t4 = seconds(() => regressionForest(d4.x, d4.y, { numTrees: trees, seed: 1, numThreads: 1 }));
  entries.push({
    name: `regressionForest training, n = ${n4.toLocaleString('en')}, p = 10, ${trees.toLocaleString('en')} trees, 1 thread`,
    value: t4,
    unit: 's',
    note: 'grf: n = 4,000, p = 10, 2,000 trees ≈ 23 s on one thread (quoted, not measured here)',
  });

  ctx.log('forest: prediction throughput');
  const nq = q ? 1000 : 10_000;
  const query = friedman1({ n: nq, p: 10, seed: 3 });
  const tp = ctx.measure(() => fitted.predict(query.x), { minTime: q ? 50 : 2000, repeats: q ? 3 : 5, warmup: 1 }).ms;
  entries.push({
    name: `regressionForest.predict, ${trees.toLocaleString('en')} trees`,
    value: nq / tp,
    unit: 'k rows/s',
    note: `${nq.toLocaleString('en')} query rows, 1 thread`,
  });

  for (const d of [2, 8]) {
    ctx.log(`forest: causal forest, Wager–Athey d=${d}`);
    const nc = q ? 600 : 5000;
    const ct = q ? 40 : 2000;
    const train = wagerAthey({ n: nc, d: d, seed: 21 });
    const test = wagerAthey({ n: q ? 200 : 1000, d: d, seed: 22 });
    let cf = null as unknown as ReturnType<typeof causalForest>;
    const tc = seconds(() => (cf = causalForest(train.x, train.y, train.w, { numTrees: ct, seed: 5, numThreads: 2 })));
    const p = cf.predict(test.x);
    const knn = knnCate(train.x, train.y, train.w, test.x, 10);
    let mse = 0;
    let mseKnn = 0;
    let cov = 0;
    const m = test.tau.length;
    for (let i = 0; i < m; i++) {
      mse += (p.estimate[i] - test.tau[i]) ** 2 / m;
      mseKnn += (knn[i] - test.tau[i]) ** 2 / m;
      if (test.tau[i] >= p.lower[i] && test.tau[i] <= p.upper[i]) cov += 1 / m;
    }
    entries.push({
      name: `causalForest training, Wager–Athey d = ${d}, n = ${nc.toLocaleString('en')}, ${ct.toLocaleString('en')} trees, 2 threads`,
      value: tc,
      unit: 's',
      note: `incl. nuisance forests; test MSE τ̂ ${mse.toFixed(4)} (10-NN ${mseKnn.toFixed(4)}), 95% CI coverage ${cov.toFixed(3)}`,
    });
  }

  ctx.log('forest: split sort');
  const size = 1000;
  const ranks = new Int32Array(size);
  const u = fillUniform(rng(4), new Float64Array(size));
  for (let i = 0; i < size; i++) ranks[i] = Math.floor(u[i] * 800);
  const keys = new Float64Array(size);
  const idx = new Int32Array(size);
  const packed = ctx.measure(() => {
    for (let k = 0; k < size; k++) keys[k] = ranks[k] * size + k;
    return keys.sort();
  }, { minTime: q ? 50 : 400 }).ms;
  const comparator = ctx.measure(() => {
    for (let k = 0; k < size; k++) idx[k] = k;
    return idx.sort((a, b) => ranks[a] - ranks[b]);
  }, { minTime: q ? 50 : 400 }).ms;
  entries.push({
    name: 'node sort, 1,000 samples (rank·size + position keys, Float64Array.sort)',
    value: packed * 1000,
    unit: 'µs',
    baseline: comparator * 1000,
    baselineName: 'Int32Array.sort with comparator',
  });
  return entries;
}
