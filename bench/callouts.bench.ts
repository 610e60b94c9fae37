/**
 * Callouts: MVT2 decisions (posterior draw + hill-climbing) on 48 and 8^10 layouts, posterior
 * updates, and a simulation of 1e6 impressions × 7 policies over worker threads.
 */
import type { BenchContext, BenchEntry } from './run';
import { calloutWorld, layoutSpace, mvtThompson, simulate, type PolicySpec } from '../src/callouts';

const space48 = layoutSpace({
  components: [
    { name: 'headline', variants: ['benefit', 'price'] },
    { name: 'image', variants: ['photo', 'icon'] },
    { name: 'body', variants: ['short', 'medium', 'long'] },
    { name: 'proof', variants: ['none', 'stars'] },
    { name: 'cta', variants: ['join', 'try'] },
  ],
});
const space8x10 = layoutSpace({ components: Array.from({ length: 10 }, (_, d) => ({ name: `c${d}`, variants: 'abcdefgh'.split('') })) });

export default async function callouts(ctx: BenchContext): Promise<BenchEntry[]> {
  const minTime = ctx.quick ? 100 : 800;
  const entries: BenchEntry[] = [];
  const warm = (p: ReturnType<typeof mvtThompson>, n: number): void => {
    const L = new Int32Array(p.space.dimension);
    for (let t = 0; t < n; t++) {
      p.select(0, L);
      p.update({ context: 0, layout: L, reward: t % 20 === 0 ? 1 : 0, time: t });
    }
  };

  ctx.log('callouts: MVT2 decisions');
  const L48 = new Int32Array(5);
  const p48 = mvtThompson(space48, { seed: 1 });
  warm(p48, 2000);
  const d48 = ctx.measure(() => p48.select(0, L48), { minTime });
  const e48 = mvtThompson(space48, { seed: 1, search: 'enumerate' });
  warm(e48, 2000);
  const d48e = ctx.measure(() => e48.select(0, L48), { minTime });
  entries.push({
    name: 'MVT2 decision, 48 layouts (draw 60 weights + hill-climb S=5, K=5)', value: d48.perSecond / 1000, unit: 'k/s',
    baseline: d48e.perSecond / 1000, baselineName: 'draw + enumerate all 48',
  });

  const L10 = new Int32Array(10);
  const pBig = mvtThompson(space8x10, { seed: 1 });
  warm(pBig, ctx.quick ? 200 : 2000);
  const dBig = ctx.measure(() => pBig.select(0, L10), { minTime });
  entries.push({
    name: 'MVT2 decision, 8^10 ≈ 1.07e9 layouts (2,961 weights, S=5, K=5)', value: dBig.ms, unit: 'ms', target: 1,
    note: 'enumeration impossible (1.07e9 × 2,961)',
  });

  ctx.log('callouts: posterior updates');
  let t = 0;
  const u48 = ctx.measure(() => {
    for (let k = 0; k < 100; k++) p48.update({ context: 0, layout: L48, reward: (t++ & 15) === 0 ? 1 : 0, time: t });
  }, { minTime });
  entries.push({ name: 'MVT2 posterior update (ADF), 48 layouts: 16 active features', value: (100 * u48.perSecond) / 1e6, unit: 'M/s' });
  const uBig = ctx.measure(() => {
    for (let k = 0; k < 100; k++) pBig.update({ context: 0, layout: L10, reward: (t++ & 15) === 0 ? 1 : 0, time: t });
  }, { minTime });
  entries.push({ name: 'MVT2 posterior update (ADF), 8^10: 56 active features', value: (100 * uBig.perSecond) / 1e6, unit: 'M/s' });

  ctx.log('callouts: simulation, 7 policies');
  const world = calloutWorld(space48, { seed: 1, baseRate: 0.02, mainScale: 0.1, pairwiseScale: 0.15 });
  const policies: PolicySpec[] = [
    { kind: 'uniform' }, { kind: 'epsilon-greedy' }, { kind: 'layout-thompson' }, { kind: 'component-thompson' },
    { kind: 'mvt1' }, { kind: 'mvt2' }, { kind: 'mvt2', name: 'MVT2 (enumerate)', options: { search: 'enumerate' } },
  ];
  const reps = ctx.quick ? 2 : 10;
  const horizon = ctx.quick ? 5_000 : 100_000;
  const t0 = performance.now();
  await simulate({ world, policies, horizon, replicates: reps, seed: 1 });
  const sec = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  await simulate({ world, policies, horizon, replicates: reps, seed: 1, workers: 0 });
  const sec1 = (performance.now() - t1) / 1000;
  const total = reps * horizon;
  entries.push({
    name: `simulate ${total.toExponential(0)} impressions × 7 policies (${reps} replicates × ${horizon}), worker threads`, value: sec, unit: 's',
    baseline: sec1, baselineName: 'same, in one thread', note: `${((7 * total) / sec / 1e6).toFixed(2)} M decisions/s`,
  });
  return entries;
}
