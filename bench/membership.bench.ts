/**
 * Membership dynamics (issue 3): the NFXP fit of Rust's bus model, the Bellman solve of the
 * 10,206-state membership-large model at β = 0.99 (cold and warm-started), panel simulation of
 * 100,000 customers × 36 months, and one NFXP fit on the membership-default scenario.
 * The solve's baseline is the original GMRES path (ILU(0) preconditioner, refactored only when
 * GMRES slows), selected with `preconditioner: 'ilu0'` and measured in the same run.
 * BENCH_QUICK=1 shrinks every size so the whole file runs in a few seconds.
 */
import type { BenchContext, BenchEntry } from './run';
import { busModel, estimateBusTransitions, loadBusScenario, simulateBusPanel } from '../src/membership/bus';
import { solveDdc } from '../src/membership/ddc/solve';
import { simulatePanel } from '../src/membership/ddc/simulate';
import { nfxp } from '../src/membership/estimate/nfxp';
import { loadMembershipScenario, membershipModel, membershipTheta, membershipWorld } from '../src/membership/world';

const median = (xs: number[]): number => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export default async function membership(ctx: BenchContext): Promise<BenchEntry[]> {
  const quick = ctx.quick;
  const minTime = quick ? 100 : 1500;
  const entries: BenchEntry[] = [];

  // (1) NFXP of the bus model on 8,000 bus-months, first-stage transitions from the same panel
  ctx.log('membership: NFXP bus fit');
  const bus = loadBusScenario('bus');
  const scenario = { ...bus, buses: 100, months: 80 }; // small panels can put θ̂ where V's rounding floor exceeds 1e-11
  const busPanel = simulateBusPanel(scenario, { seed: 1 });
  const first = estimateBusTransitions(busPanel, { bins: scenario.bins });
  const fitBus = () => {
    const model = busModel({ bins: scenario.bins, discount: scenario.discount, transitionProbabilities: first.probabilities });
    return nfxp(model, busPanel);
  };
  const busFit = fitBus();
  const busMs = ctx.measure(fitBus, { minTime, repeats: quick ? 3 : 7, warmup: 1 }).ms;
  entries.push({
    name: `NFXP bus fit, ${scenario.buses * scenario.months} bus-months (β = ${scenario.discount})`,
    value: busMs,
    unit: 'ms',
    target: 500,
    note: `${busFit.iterations} BHHH iterations, ${busFit.newtonSteps} Newton steps, Hessian SEs included`,
  });

  // (2) cold solve of membership-large at β = 0.99, against the original ILU(0) path
  ctx.log('membership: membership-large solve');
  const largeCfg = loadMembershipScenario(quick ? 'membership-default' : 'membership-large');
  largeCfg.discount = 0.99;
  const large = membershipModel(largeCfg);
  const theta = membershipTheta(largeCfg);
  const S = large.states.size;
  const cold = solveDdc(large, theta);
  const coldMs = ctx.measure(() => solveDdc(large, theta), { minTime, warmup: 2 }).ms;
  const iluMs = ctx.measure(() => solveDdc(large, theta, { preconditioner: 'ilu0' }), { minTime, warmup: 2 }).ms;
  entries.push({
    name: `solveDdc ${largeCfg.name}, ${S} states × 3 actions, β = 0.99, cold`,
    value: coldMs,
    unit: 'ms',
    target: 50,
    baseline: iluMs,
    baselineName: 'original path: GMRES + ILU(0)',
    note: `${cold.iterations - cold.newtonSteps} successive + ${cold.newtonSteps} Newton steps, residual ${cold.residual.toExponential(1)}`,
  });

  // (3) warm-started re-solve after a 1% change of θ (an NFXP line-search step)
  const moved = theta.map((t) => t * 1.01);
  const warm = solveDdc(large, moved, { warmStart: cold.value });
  const warmMs = ctx.measure(() => solveDdc(large, moved, { warmStart: cold.value }), { minTime, warmup: 2 }).ms;
  const warmIluMs = ctx.measure(() => solveDdc(large, moved, { warmStart: cold.value, preconditioner: 'ilu0' }), { minTime, warmup: 2 }).ms;
  entries.push({
    name: `solveDdc ${largeCfg.name}, warm start, θ moved 1%`,
    value: warmMs,
    unit: 'ms',
    baseline: warmIluMs,
    baselineName: 'original path: GMRES + ILU(0)',
    note: `${warm.newtonSteps} Newton steps; re-solving at the same θ takes 0 updates`,
  });
  const derivMs = ctx.measure(() => solveDdc(large, moved, { warmStart: cold.value, derivatives: true }), { minTime, warmup: 1, repeats: quick ? 3 : 5 }).ms;
  const derivIluMs = ctx.measure(() => solveDdc(large, moved, { warmStart: cold.value, derivatives: true, preconditioner: 'ilu0' }), { minTime, warmup: 1, repeats: quick ? 3 : 5 }).ms;
  entries.push({
    name: `solveDdc ${largeCfg.name}, warm start + ∂V/∂θ (${large.featureNames.length} columns)`,
    value: derivMs,
    unit: 'ms',
    baseline: derivIluMs,
    baselineName: 'original path: GMRES + ILU(0)',
    note: 'the inner step of an NFXP iteration',
  });

  // (4) panel simulation on the membership world
  ctx.log('membership: simulatePanel');
  const world = membershipWorld(quick ? 'membership-default' : 'membership-large');
  const customers = quick ? 10_000 : 100_000;
  const months = 36;
  const simMs = ctx.measure(
    () => simulatePanel(world.model, world.solution.probabilities, { units: customers, periods: months, initialState: world.stationary, seed: 7 }).length,
    { minTime, warmup: 1, repeats: quick ? 3 : 5 },
  ).ms;
  entries.push({
    name: `simulatePanel ${world.config.name}, ${customers.toLocaleString('en-US')} customers × ${months} months`,
    value: simMs,
    unit: 'ms',
    target: 1000,
    note: `${world.model.states.size} states; columnar typed arrays`,
  });

  // (5) one NFXP fit on membership-default (5,000 × 36; quick: 500 × 12, 2 iterations, no Hessian)
  ctx.log('membership: NFXP membership-default fit');
  const dflt = membershipWorld('membership-default');
  const n = quick ? 500 : 5000;
  const T = quick ? 12 : 36;
  const panel = dflt.simulate({ customers: n, months: T, seed: 101 });
  const times: number[] = [];
  let fit: ReturnType<typeof nfxp> | undefined;
  for (let r = 0; r < (quick ? 1 : 3); r++) {
    const t0 = performance.now();
    fit = nfxp(dflt.model, panel, quick ? { maxIterations: 2, hessian: false } : {});
    times.push(performance.now() - t0);
  }
  entries.push({
    name: `NFXP fit membership-default, ${n.toLocaleString('en-US')} × ${T} (${dflt.model.states.size} states, K = ${dflt.model.featureNames.length})`,
    value: median(times),
    unit: 'ms',
    note: `median of ${times.length} fits from θ = 0 with true transitions: ${fit!.iterations} BHHH iterations, ${fit!.newtonSteps} Newton steps${quick ? ', quick: no Hessian' : ', Hessian SEs included'}`,
  });
  return entries;
}
