/**
 * Pricing experiments: simulating the panel (1,000 products × 365 days, target < 100 ms), and the
 * design comparison (6 designs × 4 estimators) — the full study of 200 replicates on 2 workers
 * (target < 10 min; its table is written to bench/results/pricing-study.{json,md}), with worker
 * scaling measured on a shorter run with 1 and 2 workers. Quick mode: a tiny world, 2 replicates.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BenchContext, BenchEntry } from './run';
import { compareDesigns, drawSchedule, pricingWorld, simulateBaseline, simulatePanel, studyDesigns, timeBound } from '../src/pricing';

export default async function pricing(ctx: BenchContext): Promise<BenchEntry[]> {
  const q = ctx.quick;
  const entries: BenchEntry[] = [];
  const N = q ? 200 : 1000;
  ctx.log(`pricing: simulate ${N} × 365`);
  const world = pricingWorld({ products: N, days: 365, categories: q ? 4 : 20 });
  const sched = drawSchedule(timeBound(), world, 1);
  let seed = 0;
  const sim = ctx.measure(() => simulatePanel(world, sched, { seed: seed++ }), { minTime: q ? 100 : 2000, repeats: q ? 3 : 7, warmup: 2 });
  const base = ctx.measure(() => simulateBaseline(world, seed++), { minTime: q ? 100 : 1000, repeats: q ? 3 : 5, warmup: 1 });
  entries.push({
    name: `simulatePanel, ${N.toLocaleString('en')} products × 365 days (time-bound schedule)`,
    value: sim.ms,
    unit: 'ms',
    target: q ? undefined : 100,
    note: `of which the untreated baseline draw ${base.ms.toFixed(1)} ms`,
  });

  const studyWorld = q ? { products: 100, days: 60, categories: 4 } : {};
  const R = q ? 2 : 200;
  const w = pricingWorld(studyWorld);
  const { designs, clustering } = studyDesigns(w);
  ctx.log(`pricing: comparison ${designs.length} designs × 4 estimators × ${R} replicates, 2 workers`);
  let last = 0;
  const res = await compareDesigns({
    world: studyWorld,
    designs,
    replicates: R,
    workers: 2,
    seed: 2023,
    onProgress: (d, n) => {
      if (d - last >= Math.max(1, Math.floor(n / 10)) || d === n) {
        last = d;
        ctx.log(`  ${d}/${n}`);
      }
    },
  });
  entries.push({
    name: `compareDesigns, ${designs.length} designs × 4 estimators × ${R} replicates (${w.products} × ${w.days}), 2 workers`,
    value: res.seconds,
    unit: 's',
    target: q ? undefined : 600,
    note: 'includes the Monte-Carlo exposure probabilities (200 draws per design, main thread); HPTE with 20 trees and 50 bootstrap draws',
  });
  if (!q) {
    const dir = path.join(__dirname, 'results');
    fs.mkdirSync(dir, { recursive: true });
    const rowsJson = { truth: res.truth, replicates: R, seed: 2023, clustering: { k: clustering.k, cutFraction: clustering.cut.fraction }, rows: res.rows, spillover: res.spillover, seconds: res.seconds };
    fs.writeFileSync(path.join(dir, 'pricing-study.json'), JSON.stringify(rowsJson, null, 2) + '\n');
    const spill = res.spillover
      .map((s) => `| ${s.estimator} | ${s.bias.toFixed(4)} ± ${s.biasSE.toFixed(4)} | ${s.clusteredBias.toFixed(4)} ± ${s.clusteredBiasSE.toFixed(4)} | ${(100 * s.reduction).toFixed(0)}% ± ${(100 * s.reductionSE).toFixed(0)}% |`)
      .join('\n');
    fs.writeFileSync(
      path.join(dir, 'pricing-study.md'),
      `# Pricing design comparison (default scenario, ${R} replicates, seed 2023)\n\n` +
        `Truth: direct ${res.truth.direct.toFixed(4)}, total ${res.truth.total.toFixed(4)} (log points). ` +
        `Clustering: Louvain, ${clustering.k} clusters, cut fraction ${clustering.cut.fraction.toFixed(3)}.\n\n` +
        res.toMarkdown() +
        `\n\n## Spillover bias, time-bound vs clustered time-bound\n\n| estimator | bias | clustered bias | reduction |\n|---|---:|---:|---:|\n${spill}\n`,
    );
  }

  const Rs = q ? 2 : 16;
  const small = q ? studyWorld : {};
  ctx.log(`pricing: worker scaling, ${Rs} replicates, 1 vs 2 workers`);
  const t1 = (await compareDesigns({ world: small, designs, replicates: Rs, workers: 1, seed: 7 })).seconds;
  const t2 = (await compareDesigns({ world: small, designs, replicates: Rs, workers: 2, seed: 7 })).seconds;
  entries.push({
    name: `compareDesigns scaling, ${Rs} replicates, 2 workers`,
    value: t2,
    unit: 's',
    baseline: t1,
    baselineName: 'same, 1 worker',
    note: 'identical results for any worker count (replicate r seeded by fork(r))',
  });
  return entries;
}
