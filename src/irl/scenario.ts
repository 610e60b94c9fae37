/**
 * The large-state membership scenario for inverse RL (`simulations/membership-continuous.json`):
 * the default world's plans, prices and utility with finely discretised engagement (12 levels
 * per benefit by default: a near-continuous usage index in [0, 1]) and three permanent customer
 * types (heterogeneous engagement dynamics). With 3 benefits that is 3 · 3 · 14 · 12³ = 217,728
 * states.
 *
 * What is feasible there: ONE exact dynamic-programming solve of the true model (Newton–Kantorovich
 * on sparse transitions) takes seconds, so the truth — choice probabilities, population paths,
 * exact counterfactual shares — is available. NFXP needs such a solve, with derivatives, at every
 * likelihood evaluation (tens to hundreds of them), which {@link nfxpCost} measures and
 * projects. Deep PQR works on the rows' state features and never enumerates the states.
 *
 * The initial population is a burn-in: everyone a non-member, types at their shares, regimes at
 * their stationary shares, engagement uniform, propagated `burnIn` months under the true policy
 * (the exact stationary distribution's power iteration mixes slowly at this size: ~270 s for
 * 217,728 states on 2 cores, against ~1 s for 60 months of burn-in).
 */
import { InputError, invalidOption } from '../core/errors';
import { checkKnownKeys, checkNumber } from '../core/validate';
import type { Panel } from '../membership/ddc/panel';
import { simulatePanel } from '../membership/ddc/simulate';
import { solveDdc, type Solution } from '../membership/ddc/solve';
import { propagate, type Change, type CounterfactualResult, type PopulationPath } from '../membership/paths';
import {
  addMembershipColumns,
  exactCounterfactual,
  loadMembershipScenario,
  membershipModel,
  membershipTheta,
  validateMembershipConfig,
  type MembershipConfig,
  type MembershipModel,
} from '../membership/world';

/** Options of {@link largeMembershipWorld}. */
export interface LargeWorldOptions {
  /** A scenario name or config (default 'membership-continuous'). */
  scenario?: string | MembershipConfig;
  /** Engagement levels per benefit, overriding the scenario's (usage level/(L − 1)); 2–20. */
  levels?: number;
  /** Months of burn-in under the true policy for the initial population (default 60). */
  burnIn?: number;
}

/** A world that owns the truth of a (large) membership scenario; same counterfactual shape as `MembershipWorld`. */
export interface LargeWorld {
  config: MembershipConfig;
  model: MembershipModel;
  theta: Float64Array;
  solution: Solution;
  /** The initial population (burn-in distribution), length S. */
  initial: Float64Array;
  /** Seconds: building the model, the exact solve of the truth, the burn-in. */
  seconds: { model: number; solve: number; burnIn: number };
  /** Simulates customers from `initial` under the true policy (customer i uses rng(seed).fork(i)). */
  simulate(options?: { customers?: number; months?: number; seed?: number }): Panel;
  /** The TRUE counterfactual by exact propagation from `initial` (default: the burn-in population). */
  counterfactual(change: Change | Change[], options?: { horizon?: number; initial?: Float64Array }): CounterfactualResult;
}

/** Defaults of {@link largeMembershipWorld}. */
export const largeWorldDefaults = { scenario: 'membership-continuous', burnIn: 60 } as const;

/** Starting population: non-members, segments at their shares, regimes stationary, engagement uniform. */
function startDistribution(model: MembershipModel): Float64Array {
  const cfg = model.config;
  const S = model.states.size;
  const R = cfg.priceRegimes.names.length;
  let pr = new Float64Array(R).fill(1 / R);
  for (let it = 0; it < 10000; it++) {
    const nx = new Float64Array(R);
    for (let r = 0; r < R; r++) for (let r2 = 0; r2 < R; r2++) nx[r2] += pr[r] * cfg.priceRegimes.transition[r][r2];
    pr = nx;
  }
  const st = model.states.strides;
  const G = cfg.segments.length;
  let E = 1;
  for (const b of model.layout.benefits) E *= model.states.components[b].size;
  const d = new Float64Array(S);
  for (let s = 0; s < S; s++) {
    if (model.planStatus[s] !== 0) continue;
    d[s] = (cfg.segments[Math.floor(s / st[0]) % G].share * pr[Math.floor(s / st[1]) % R]) / E;
  }
  return d;
}

/** Builds the large-state world: the model, ONE exact solve of the truth (timed) and the burn-in population. */
export function largeMembershipWorld(options: LargeWorldOptions = {}): LargeWorld {
  checkKnownKeys('largeMembershipWorld options', options, ['scenario', 'levels', 'burnIn']);
  const burnIn = checkNumber('burnIn', options.burnIn ?? largeWorldDefaults.burnIn, { min: 0, integer: true });
  const sc = options.scenario ?? largeWorldDefaults.scenario;
  let cfg = typeof sc === 'string' ? loadMembershipScenario(sc) : validateMembershipConfig(sc);
  if (options.levels !== undefined) {
    const L = checkNumber('levels', options.levels, { min: 2, max: 20, integer: true });
    cfg = validateMembershipConfig({ ...cfg, engagement: { levels: L } });
  }
  let t = performance.now();
  const model = membershipModel(cfg);
  const secModel = (performance.now() - t) / 1000;
  const theta = membershipTheta(cfg);
  t = performance.now();
  const solution = solveDdc(model, theta);
  const secSolve = (performance.now() - t) / 1000;
  t = performance.now();
  let d: Float64Array = startDistribution(model);
  let nx: Float64Array = new Float64Array(d.length);
  for (let m = 0; m < burnIn; m++) {
    propagate(model, solution.probabilities, d, nx);
    [d, nx] = [nx, d];
  }
  const secBurn = (performance.now() - t) / 1000;
  const initial = d;
  return {
    config: cfg,
    model,
    theta,
    solution,
    initial,
    seconds: { model: secModel, solve: secSolve, burnIn: secBurn },
    simulate(opts = {}) {
      checkKnownKeys('simulate options', opts, ['customers', 'months', 'seed']);
      const customers = checkNumber('customers', opts.customers ?? cfg.simulation.customers, { min: 1, integer: true });
      const months = checkNumber('months', opts.months ?? cfg.simulation.months, { min: 1, integer: true });
      const seed = checkNumber('seed', opts.seed ?? cfg.seed, { integer: true, min: 0 });
      return addMembershipColumns(model, simulatePanel(model, solution.probabilities, { units: customers, periods: months, initialState: initial, seed }));
    },
    counterfactual(change, opts = {}) {
      checkKnownKeys('counterfactual options', opts, ['horizon', 'initial']);
      const horizon = checkNumber('horizon', opts.horizon ?? 24, { min: 1, integer: true });
      return exactCounterfactual({ config: cfg, model, theta, solution, change, initial: opts.initial ?? initial, horizon });
    },
  };
}

/** What {@link nfxpCost} returns. */
export interface NfxpCost {
  states: number;
  /** One solve of the true model from scratch (as timed when the world was built). */
  solveSeconds: number;
  /** One warm-started solve with ∂V/∂θ at a nearby θ: what one NFXP likelihood evaluation costs. */
  evaluationSeconds: number;
  /** Likelihood evaluations assumed (e.g. counted on a smaller NFXP fit). */
  evaluations: number;
  /** evaluations × evaluationSeconds. */
  projectedSeconds: number;
}

/**
 * The cost of NFXP on a world, without running it: times one warm-started solve with derivatives
 * at θ perturbed by `perturbation` (relative, default 5%) — one likelihood evaluation — and
 * multiplies by `evaluations` (count them on a smaller fit; see `compareEstimators`' `nfxpEvaluations`).
 */
export function nfxpCost(world: { model: MembershipModel; theta: Float64Array; solution: Solution }, options: { evaluations: number; perturbation?: number }): NfxpCost {
  checkKnownKeys('nfxpCost options', options, ['evaluations', 'perturbation']);
  const evaluations = checkNumber('evaluations', options.evaluations, { min: 1, integer: true });
  const eps = checkNumber('perturbation', options.perturbation ?? 0.05, { min: 0 });
  if (!world?.model || !world.solution) throw invalidOption('world', 'a world with model, theta and solution', world);
  const th = world.theta.map((v) => v * (1 + eps));
  const t = performance.now();
  const sol = solveDdc(world.model, th, { warmStart: world.solution.value, derivatives: true });
  const evaluationSeconds = (performance.now() - t) / 1000;
  if (!Number.isFinite(sol.residual)) throw new InputError('nfxpCost: the solve failed');
  return {
    states: world.model.states.size,
    solveSeconds: world.solution.seconds,
    evaluationSeconds,
    evaluations,
    projectedSeconds: evaluations * evaluationSeconds,
  };
}

/** Share choosing each action in month `month` (1-based) of a path: { none, monthly, annual }. */
export function sharesAt(path: PopulationPath, month: number): { none: number; monthly: number; annual: number } {
  const H = path.months.length;
  const m = checkNumber('month', month, { min: 1, max: H, integer: true });
  return { none: path.none[m - 1], monthly: path.monthly[m - 1], annual: path.annual[m - 1] };
}

/** Empirical share of each action among the panel's rows at month index t (0-based): { none, monthly, annual, n }. */
export function panelSharesAt(panel: Panel, t: number): { none: number; monthly: number; annual: number; n: number } {
  const c = [0, 0, 0];
  let n = 0;
  for (let i = 0; i < panel.length; i++) {
    if (panel.t[i] !== t) continue;
    c[panel.action[i]]++;
    n++;
  }
  if (n === 0) throw invalidOption('t', 'a month index present in the panel', t);
  return { none: c[0] / n, monthly: c[1] / n, annual: c[2] / n, n };
}
