/**
 * Counterfactual changes to the membership world and exact population paths.
 *
 * A path is computed by propagating the state distribution month by month with a solved
 * policy — d_{m+1}(s') = Σ_s d_m(s) Σ_a P(a|s) F_a(s, s') — so it carries no Monte Carlo
 * noise: a zero change reproduces the baseline exactly.
 */
import { InputError, invalidOption, warn } from '../core/errors';
import { checkNumber } from '../core/validate';
import type { DdcModel } from './ddc/model';
import type { Panel } from './ddc/panel';
import type { AddedPlan, MembershipConfig, MembershipModel, MembershipModelOptions, Plan } from './world';
import { validateAddedPlan } from './world';

/** A change to the world whose effect a counterfactual answers. */
export type Change =
  /** Add `delta` dollars to a plan's price in every regime (annual: per commitment). */
  | { kind: 'price'; plan: Plan; delta: number }
  /** Multiply a benefit's utility (θ_b·usage) by `scale` (0 removes the benefit). */
  | { kind: 'benefit'; benefit: string; scale: number }
  /** Add a benefit worth `value` utils per member-month (known, put in the offset), to `segments` (default all). */
  | { kind: 'newBenefit'; name: string; value: number; segments?: string[] }
  /** Stop offering a plan (locked annual members finish their term). */
  | { kind: 'removePlan'; plan: Plan }
  /** Solve with another monthly discount factor (a sensitivity setting: β is not estimated). */
  | { kind: 'discount'; discount: number }
  /**
   * Offer a new plan (see {@link AddedPlan} for how it enters utility, prices and plan statuses).
   * The state space grows by the plan's statuses; the initial population (on the baseline
   * states) is mapped into it with zero mass on them ({@link embedDistribution}). Paths report
   * its share in `plans[name]`.
   */
  | {
      kind: 'addPlan';
      /** Action and status name (letters, digits, _), not an existing plan's. */
      name: string;
      /** Months per commitment, an integer in [1, 60]; 1 = month-to-month (like monthly), c > 1 = prepaid c months (like annual). */
      commitmentMonths: number;
      /** Dollars per commitment (paid when it starts or renews): one for every price regime, or one per regime. */
      prices: number | number[];
      /**
       * Utils per month on the plan, posited like a new benefit's value (the data cannot
       * identify a plan it never saw; `annualTaste` is not applied); default 0.
       */
      taste?: number;
    };

/** The kinds of {@link Change}. */
export const changeKinds = ['price', 'benefit', 'newBenefit', 'removePlan', 'discount', 'addPlan'] as const;

const plans: Plan[] = ['monthly', 'annual'];

function checkPlan(field: string, plan: unknown): Plan {
  if (!plans.includes(plan as Plan)) {
    throw new InputError(`invalid option \`${field}\`: unknown plan ${JSON.stringify(plan)}; expected one of "monthly", "annual"`);
  }
  return plan as Plan;
}

/**
 * Turns a change (or a list, applied in order) into a changed scenario and model options for
 * {@link membershipModel}. InputError names an unknown plan, benefit, segment or kind and lists
 * the valid ones.
 */
export function applyChange(config: MembershipConfig, change: Change | Change[]): { config: MembershipConfig; options: MembershipModelOptions } {
  const list = Array.isArray(change) ? change : [change];
  let cfg: MembershipConfig = { ...config, priceRegimes: { ...config.priceRegimes, monthly: [...config.priceRegimes.monthly], annual: [...config.priceRegimes.annual] } };
  const benefitScale: Record<string, number> = {};
  const extraBenefits: { name: string; value: number; segments?: string[] }[] = [];
  const removedPlans: Plan[] = [];
  const addedPlans: AddedPlan[] = [];
  const benefitNames = config.benefits.map((b) => b.name);
  const segmentNames = config.segments.map((g) => g.name);
  list.forEach((c, i) => {
    const field = Array.isArray(change) ? `change[${i}]` : 'change';
    if (c === null || typeof c !== 'object') throw invalidOption(field, 'a change object { kind, ... }', c);
    switch (c.kind) {
      case 'price': {
        const plan = checkPlan(`${field}.plan`, c.plan);
        const delta = checkNumber(`${field}.delta`, c.delta);
        const prices = cfg.priceRegimes[plan].map((p) => p + delta);
        if (prices.some((p) => p < 0)) throw invalidOption(`${field}.delta`, `a change leaving every ${plan} price ≥ 0`, delta);
        cfg = { ...cfg, priceRegimes: { ...cfg.priceRegimes, [plan]: prices } };
        break;
      }
      case 'benefit': {
        if (!benefitNames.includes(c.benefit)) {
          throw new InputError(`invalid option \`${field}.benefit\`: unknown benefit ${JSON.stringify(c.benefit)}; expected one of ${benefitNames.map((n) => `"${n}"`).join(', ')}`);
        }
        const scale = checkNumber(`${field}.scale`, c.scale);
        benefitScale[c.benefit] = (benefitScale[c.benefit] ?? 1) * scale;
        break;
      }
      case 'newBenefit': {
        if (typeof c.name !== 'string' || c.name === '') throw invalidOption(`${field}.name`, 'a non-empty benefit name', c.name);
        if (benefitNames.includes(c.name)) {
          throw new InputError(`invalid option \`${field}.name\`: benefit "${c.name}" already exists; use { kind: 'benefit', benefit: "${c.name}", scale } to change it`);
        }
        const value = checkNumber(`${field}.value`, c.value);
        if (c.segments !== undefined) {
          if (!Array.isArray(c.segments)) throw invalidOption(`${field}.segments`, 'an array of segment names', c.segments);
          for (const g of c.segments) {
            if (!segmentNames.includes(g)) {
              throw new InputError(`invalid option \`${field}.segments\`: unknown segment ${JSON.stringify(g)}; expected one of ${segmentNames.map((n) => `"${n}"`).join(', ')}`);
            }
          }
        }
        extraBenefits.push({ name: c.name, value, ...(c.segments ? { segments: [...c.segments] } : {}) });
        break;
      }
      case 'removePlan':
        removedPlans.push(checkPlan(`${field}.plan`, c.plan));
        break;
      case 'discount':
        cfg = { ...cfg, discount: checkNumber(`${field}.discount`, c.discount, { min: 0, max: 1, maxExclusive: true }) };
        break;
      case 'addPlan':
        addedPlans.push(validateAddedPlan(field, c, config, addedPlans.map((p) => p.name)));
        break;
      default:
        throw new InputError(
          `invalid option \`${field}.kind\`: unknown change kind ${JSON.stringify((c as { kind?: unknown }).kind)}; expected one of ${changeKinds.map((k) => `"${k}"`).join(', ')}`,
        );
    }
  });
  return { config: cfg, options: { benefitScale, extraBenefits, removedPlans, ...(addedPlans.length > 0 ? { addedPlans } : {}) } };
}

/** Month-by-month population summary: shares choosing each action, churn, revenue. */
export interface PopulationPath {
  /** 1 … H. */
  months: Int32Array;
  /** Share of customers choosing no membership in month m. */
  none: Float64Array;
  /** Share on the monthly plan in month m. */
  monthly: Float64Array;
  /** Share on the annual plan (new, renewing or locked) in month m. */
  annual: Float64Array;
  /**
   * Share on each plan the model offers, keyed by plan name: `monthly` and `annual` (equal to the
   * fields above) and any added plan ({ kind: 'addPlan' }). A plan missing from a path (e.g. an
   * added plan in the baseline) has share 0.
   */
  plans: Record<string, Float64Array>;
  /** Share on any plan: monthly + annual + added plans. */
  members: Float64Array;
  /** Churn: among customers who held a plan last month, the share choosing none this month. */
  churn: Float64Array;
  /** Revenue per customer in month m, dollars. */
  revenue: Float64Array;
}

/** The metrics of a {@link PopulationPath}, for tables and traces. */
export const pathMetrics = ['none', 'monthly', 'annual', 'members', 'churn', 'revenue'] as const;
/** One metric of a path. */
export type PathMetric = (typeof pathMetrics)[number];
/** A series of a path for tables and traces: a {@link PathMetric} or the name of a plan in `plans`. */
export type PathSeries = PathMetric | (string & {});

/** The series of `path` named `series` (a metric, or a plan's share; zeros for a plan the path lacks). */
export function pathSeries(path: PopulationPath, series: PathSeries): Float64Array {
  if ((pathMetrics as readonly string[]).includes(series)) return path[series as PathMetric];
  return path.plans[series] ?? new Float64Array(path.months.length);
}

/** Names of plans in `paths` beyond monthly and annual (added plans), in first-seen order. */
export function addedPlanNames(...paths: PopulationPath[]): string[] {
  const out: string[] = [];
  for (const p of paths) for (const k of Object.keys(p.plans)) if (k !== 'monthly' && k !== 'annual' && !out.includes(k)) out.push(k);
  return out;
}

/**
 * Maps a state distribution on `from`'s state space into `to`'s, state by state through the
 * component labels (same segment, regime, plan status and engagement levels). Used where a
 * baseline population enters a changed model whose state space is larger (an added plan's
 * statuses get zero mass). Returns `d` itself when the two spaces have the same components and
 * labels. InputError when `d` has the wrong length or puts mass on a state `to` lacks.
 */
export function embedDistribution(from: MembershipModel, to: MembershipModel, d: Float64Array): Float64Array {
  const Sf = from.states.size;
  if (!(d instanceof Float64Array) || d.length !== Sf) throw invalidOption('initial', `a Float64Array of ${Sf} probabilities`, d);
  const map = stateMap(from, to);
  if (map === null) return d;
  const out = new Float64Array(to.states.size);
  for (let s = 0; s < Sf; s++) {
    if (d[s] === 0) continue;
    if (map[s] < 0) throw new InputError(`invalid option \`initial\`: entry ${s} (${stateLabel(from, s)}) has mass ${d[s]} but the changed model has no such state`);
    out[map[s]] += d[s];
  }
  return out;
}

/**
 * A warm start for solving `to` from a value function of `from`: states both have keep their
 * value; a state only `to` has (an added plan's status) takes the value of the same state with
 * plan status `none`. Returns `v` itself when the spaces match.
 */
export function embedValues(from: MembershipModel, to: MembershipModel, v: Float64Array): Float64Array {
  const map = stateMap(from, to);
  if (map === null) return v;
  const out = new Float64Array(to.states.size).fill(NaN);
  for (let s = 0; s < map.length; s++) if (map[s] >= 0) out[map[s]] = v[s];
  const plan = to.layout.plan;
  const stride = to.states.strides[plan];
  for (let t = 0; t < out.length; t++) {
    if (!Number.isNaN(out[t])) continue;
    out[t] = out[t - to.states.value(t, plan) * stride];
  }
  return out;
}

/** from-state → to-state (−1 when `to` lacks it), or null when the spaces are the same. */
function stateMap(from: MembershipModel, to: MembershipModel): Int32Array | null {
  const fc = from.states.components;
  const tc = to.states.components;
  const same = fc.length === tc.length && fc.every((c, i) => c.name === tc[i].name && c.size === tc[i].size && (c.labels ?? []).join('\u0000') === (tc[i].labels ?? []).join('\u0000'));
  if (same) return null;
  if (fc.length !== tc.length || fc.some((c, i) => c.name !== tc[i].name)) {
    throw new InputError(`cannot map states of "${from.name}" (${fc.map((c) => c.name).join(', ')}) onto "${to.name}" (${tc.map((c) => c.name).join(', ')}): different components`);
  }
  // per component: from-value → to-value by label (−1 when absent)
  const valueMap = fc.map((c, i) => Int32Array.from({ length: c.size }, (_, v) => {
    const label = c.labels?.[v];
    const labels = tc[i].labels;
    if (label === undefined || labels === undefined) return v < tc[i].size ? v : -1;
    return labels.indexOf(label);
  }));
  const Sf = from.states.size;
  const map = new Int32Array(Sf);
  const values = new Int32Array(fc.length);
  const ts = to.states.strides;
  for (let s = 0; s < Sf; s++) {
    from.states.decode(s, values);
    let t = 0;
    for (let i = 0; i < fc.length; i++) {
      const v = valueMap[i][values[i]];
      if (v < 0) {
        t = -1;
        break;
      }
      t += v * ts[i];
    }
    map[s] = t;
  }
  return map;
}

function stateLabel(model: MembershipModel, s: number): string {
  const v = model.states.decode(s);
  return model.states.components.map((c, i) => `${c.name}=${c.labels?.[v[i]] ?? v[i]}`).join(', ');
}

/** A path with a pointwise interval (percentiles of a parametric bootstrap). */
export interface PathBand {
  /** At the point estimate (or the truth). */
  estimate: PopulationPath;
  lower: PopulationPath;
  upper: PopulationPath;
}

/** What a counterfactual returns, estimated ({@link counterfactual}) or true (the world's). */
export interface CounterfactualResult {
  change: Change | Change[];
  horizon: number;
  /** Interval level (1 for the truth, whose interval is the path itself). */
  level: number;
  /** Bootstrap draws behind the intervals (0 for the truth). */
  draws: number;
  /** True when this is the world's ground truth. */
  truth: boolean;
  /** The state distribution at the start of month 1. */
  initial: Float64Array;
  baseline: PathBand;
  counterfactual: PathBand;
  /** counterfactual − baseline, with intervals from the same draws (paired). */
  effect: PathBand;
  seconds: number;
}

/** Checks an initial state distribution (length S, ≥ 0, sums to 1 within 1e-6) and normalises it. */
export function checkDistribution(name: string, d: unknown, S: number): Float64Array {
  if (!(d instanceof Float64Array) || d.length !== S) throw invalidOption(name, `a Float64Array of ${S} probabilities`, d);
  let sum = 0;
  for (let s = 0; s < S; s++) {
    if (!(d[s] >= 0) || !Number.isFinite(d[s])) throw new InputError(`invalid option \`${name}\`: entry ${s} is ${d[s]}; expected probabilities ≥ 0`);
    sum += d[s];
  }
  if (Math.abs(sum - 1) > 1e-6) throw invalidOption(name, 'probabilities summing to 1', sum);
  return d.map((v) => v / sum);
}

/** One month forward: out(s') = Σ_s d(s) Σ_a P(a|s) F_a(s, s'). */
export function propagate(model: DdcModel, probabilities: Float64Array, d: Float64Array, out: Float64Array = new Float64Array(d.length)): Float64Array {
  const A = model.actions.length;
  const S = model.states.size;
  out.fill(0);
  for (let a = 0; a < A; a++) {
    const { rowPtr, colIdx, values } = model.transitions[a];
    for (let s = 0; s < S; s++) {
      const w = d[s] * probabilities[s * A + a];
      if (w === 0) continue;
      for (let j = rowPtr[s]; j < rowPtr[s + 1]; j++) out[colIdx[j]] += w * values[j];
    }
  }
  return out;
}

/**
 * The stationary state distribution under a policy, by power iteration from a start with
 * segments at their scenario shares (segments never change, so the chain is reducible and
 * this fixes the mix), regimes at their stationary shares, everyone a non-member and
 * engagement uniform. Stops when the L1 change is below `tolerance` (default 1e-10).
 */
export function stationaryDistribution(
  model: MembershipModel,
  probabilities: Float64Array,
  options: { tolerance?: number; maxIterations?: number } = {},
): Float64Array {
  const tol = options.tolerance ?? 1e-10;
  const maxIt = options.maxIterations ?? 20000;
  const cfg = model.config;
  const S = model.states.size;
  const R = cfg.priceRegimes.names.length;
  // regime stationary
  let pr = new Float64Array(R).fill(1 / R);
  for (let it = 0; it < 10000; it++) {
    const next = new Float64Array(R);
    for (let r = 0; r < R; r++) for (let r2 = 0; r2 < R; r2++) next[r2] += pr[r] * cfg.priceRegimes.transition[r][r2];
    let diff = 0;
    for (let r = 0; r < R; r++) diff += Math.abs(next[r] - pr[r]);
    pr = next;
    if (diff < 1e-15) break;
  }
  const st = model.states.strides;
  const G = cfg.segments.length;
  let engagementStates = 1;
  for (const b of model.layout.benefits) engagementStates *= model.states.components[b].size;
  let d: Float64Array = new Float64Array(S);
  for (let s = 0; s < S; s++) {
    if (model.planStatus[s] !== 0) continue;
    const g = Math.floor(s / st[0]) % G;
    const r = Math.floor(s / st[1]) % R;
    d[s] = (cfg.segments[g].share * pr[r]) / engagementStates;
  }
  let next: Float64Array = new Float64Array(S);
  for (let it = 0; it < maxIt; it++) {
    propagate(model, probabilities, d, next);
    let diff = 0;
    for (let s = 0; s < S; s++) diff += Math.abs(next[s] - d[s]);
    [d, next] = [next, d];
    if (diff < tol) return d;
  }
  warn(`stationaryDistribution: not converged after ${maxIt} months (tolerance ${tol})`);
  return d;
}

/** The empirical state distribution of a panel's last observed month (rows with the largest t). */
export function lastMonthDistribution(model: DdcModel, panel: Panel): Float64Array {
  const S = model.states.size;
  let tMax = -Infinity;
  for (let i = 0; i < panel.length; i++) if (panel.t[i] > tMax) tMax = panel.t[i];
  const d = new Float64Array(S);
  let n = 0;
  for (let i = 0; i < panel.length; i++) {
    if (panel.t[i] !== tMax) continue;
    d[panel.state[i]]++;
    n++;
  }
  if (n === 0) throw invalidOption('panel', 'a panel with at least one row', panel.length);
  for (let s = 0; s < S; s++) d[s] /= n;
  return d;
}

/**
 * The exact population path over `horizon` months from `initial` under a solved policy:
 * shares choosing each action, churn among last month's plan holders, revenue per customer.
 */
export function populationPath(model: MembershipModel, probabilities: Float64Array, initial: Float64Array, horizon: number): PopulationPath {
  const S = model.states.size;
  const A = model.actions.length;
  let d: Float64Array = checkDistribution('initial', initial, S);
  let next: Float64Array = new Float64Array(S);
  const H = checkNumber('horizon', horizon, { min: 1, integer: true });
  const shares = Array.from({ length: A }, () => new Float64Array(H));
  const plans: Record<string, Float64Array> = {};
  for (let a = 1; a < A; a++) plans[model.actions[a]] = shares[a];
  const out: PopulationPath = {
    months: Int32Array.from({ length: H }, (_, m) => m + 1),
    none: shares[0],
    monthly: Float64Array.from(shares[1]),
    annual: Float64Array.from(shares[2]),
    plans,
    members: new Float64Array(H),
    churn: new Float64Array(H),
    revenue: new Float64Array(H),
  };
  const price = model.pricePaid;
  const n = new Float64Array(A);
  for (let m = 0; m < H; m++) {
    n.fill(0);
    let held = 0;
    let left = 0;
    let rev = 0;
    for (let s = 0; s < S; s++) {
      const w = d[s];
      if (w === 0) continue;
      for (let a = 0; a < A; a++) {
        const p = w * probabilities[s * A + a];
        n[a] += p;
        if (a > 0) rev += p * price[s * A + a];
      }
      if (model.planStatus[s] !== 0) {
        held += w;
        left += w * probabilities[s * A];
      }
    }
    let members = 0;
    for (let a = 0; a < A; a++) {
      shares[a][m] = n[a];
      if (a > 0) members += n[a];
    }
    out.monthly[m] = n[1];
    out.annual[m] = n[2];
    out.members[m] = members;
    out.churn[m] = held > 0 ? left / held : NaN;
    out.revenue[m] = rev;
    if (m < H - 1) {
      propagate(model, probabilities, d, next);
      [d, next] = [next, d];
    }
  }
  return out;
}
