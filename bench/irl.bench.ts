/**
 * Inverse RL: Deep PQR training time on the wasm backend (default 100,000 transitions of
 * membership-default), reward prediction throughput, and exact tabular PQR next to one NFXP fit
 * on the same panel (NFXP is feasible here: 2,268 states), and the paper's fitted Q stage for
 * comparison; then Deep PQR on the large-state scenario (membership-continuous, 12 levels:
 * 217,728 states, 2,000 customers × 36 months), where the model Q stage closes its state set
 * with ~180,000 unvisited states. These are timings only; accuracy is measured by
 * bench/irl-study.ts and bench/irl-panels.ts.
 */
import type { BenchContext, BenchEntry } from './run';
import { deepPqr, irlDataFromPanel, largeMembershipWorld, tabularPqr } from '../src/irl';
import { firstStage, membershipWorld, nfxp } from '../src/membership';
import { firstStageProbabilities } from '../src/membership/estimate/ccp';

export default async function irl(ctx: BenchContext): Promise<BenchEntry[]> {
  const q = ctx.quick;
  const w = membershipWorld('membership-default');
  const customers = q ? 100 : 2778; // × 36 months ≈ 100,000 transitions
  const panel = w.simulate({ customers, months: 36, seed: 7 });
  const data = irlDataFromPanel(w.model, panel);
  // the fit alone: an all-stage bootstrap replicate (the default) costs one more fit each
  const opts = q ? { hidden: [8], policySteps: 20, qRounds: 2, qSteps: 10, rewardSteps: 10, bootstrap: 0 } : { bootstrap: 0 };
  ctx.log(`irl: Deep PQR on ${panel.length} rows`);
  const fit = await deepPqr(data, { anchorAction: 'none', discount: w.config.discount, seed: 1, ...opts });
  const entries: BenchEntry[] = [];
  const first = firstStage(w.config, panel);
  let t = performance.now();
  const res = nfxp(first.model, panel);
  const nfxpSeconds = (performance.now() - t) / 1000;
  entries.push({
    name: `deepPqr training, ${panel.length.toLocaleString('en')} transitions (${fit.backend})`,
    value: fit.seconds.total,
    unit: 's',
    baseline: nfxpSeconds,
    baselineName: 'NFXP fit on the same panel',
    note: `defaults (model Q stage), no bootstrap: P ${fit.seconds.policy.toFixed(1)} s, Q ${fit.seconds.q.toFixed(1)} s, R ${fit.seconds.reward.toFixed(1)} s; NFXP ${res.iterations} iterations`,
  });
  const fitted = await deepPqr(data, { anchorAction: 'none', discount: w.config.discount, seed: 1, ...opts, qStage: 'fitted' });
  entries.push({
    name: `deepPqr training, fitted Q stage (the paper's), ${panel.length.toLocaleString('en')} transitions`,
    value: fitted.seconds.total,
    unit: 's',
    note: `Q ${fitted.seconds.q.toFixed(1)} s (model-based Q stage: ${fit.seconds.q.toFixed(1)} s)`,
  });
  fitted.dispose();
  const m = data.length;
  const actions = data.action;
  const tp = ctx.measure(() => fit.predictReward(data.stateFeatures, actions), { minTime: q ? 50 : 1000, repeats: q ? 3 : 5, warmup: 1 }).ms;
  entries.push({ name: 'deepPqr.predictReward', value: m / tp, unit: 'k rows/s', note: `${m.toLocaleString('en')} rows` });
  const P = firstStageProbabilities(first.model, panel);
  t = performance.now();
  tabularPqr(first.model, P, { anchorAction: 0 });
  entries.push({ name: 'tabularPqr on the first-stage model (2,268 states)', value: (performance.now() - t) / 1000, unit: 's' });
  fit.dispose();
  const big = largeMembershipWorld({ levels: q ? 4 : 12 });
  const bigPanel = big.simulate({ customers: q ? 200 : 2000, months: 36, seed: 1 });
  const bigData = irlDataFromPanel(big.model, bigPanel);
  ctx.log(`irl: Deep PQR on the ${big.model.states.size.toLocaleString('en')}-state scenario, ${bigPanel.length} rows`);
  const bigFit = await deepPqr(bigData, { anchorAction: 'none', discount: big.config.discount, seed: 1, ...opts });
  const tm = bigFit.transitionModel!;
  entries.push({
    name: `deepPqr training, membership-continuous (${big.model.states.size.toLocaleString('en')} states), ${bigPanel.length.toLocaleString('en')} transitions`,
    value: bigFit.seconds.total,
    unit: 's',
    note: `P ${bigFit.seconds.policy.toFixed(1)} s, Q ${bigFit.seconds.q.toFixed(1)} s (${tm.unvisited.note}), R ${bigFit.seconds.reward.toFixed(1)} s`,
  });
  bigFit.dispose();
  return entries;
}
