/**
 * The membership world: each month a customer chooses no membership (`none`), the monthly
 * plan, or the annual plan (a 12-month commitment), as a finite-state dynamic discrete-choice
 * model with logit shocks. This module owns the scenario format, the model builder, the
 * world that holds the truth, and the first-stage estimator of the transition part.
 *
 * ## State (last component varies fastest in the flat index)
 * - `segment` — an observed, permanent customer segment (default: delivery-heavy,
 *   digital-heavy) that sets how engagement moves;
 * - `regime` — an exogenous price regime (default: regular, promotion, high), a Markov chain
 *   per customer (think of targeted offers and market-level price tests, drawn independently
 *   of taste shocks);
 * - `plan` — what the customer held last month: `none`, `monthly`, or `annual:k` where k is
 *   the number of prepaid months still to run *including* the current one (k = 1 … C−1 while
 *   locked; `annual:0` means the commitment has just ended and she may renew, switch or leave);
 * - one component per benefit (default: shipping, video, music): its engagement level
 *   0 … L−1, with usage `engagement.usage[level]` in [0, 1].
 *
 * ## Actions and flow utility (linear in θ)
 * Actions `none` (the anchor: utility exactly 0 in every state), `monthly`, `annual`.
 * For a member action (monthly or annual):
 *   u = Σ_b θ_b·usage_b(level_b) + θ_annual·1[annual] − θ_join·1[plan = none]
 *       + θ_cancel·(g(s) − β·g(s')) − θ_price·pricePaid(s, a).
 * The cancel hassle θ_cancel is paid when choosing `none` from a plan that must be cancelled,
 * g(s) = 1 (the monthly plan; also `annual:0` when `annualAutoRenews`). Written literally it would
 * put −θ_cancel on `none`, breaking the anchor; the policy-equivalent form above adds the
 * potential h(s) = θ_cancel·g(s) as h(s) − β·E[h(s')|s,a] (reward shaping: Ng, Harada & Russell,
 * ICML 1999), which moves the cost onto the member actions (g(s') is known given the action:
 * 1 after `monthly`, 0 after `none` or a fresh annual) and leaves every choice probability
 * unchanged, so `none` stays exactly 0 and θ_cancel keeps its meaning (the value function is
 * shifted by h). The price paid
 * is the regime's monthly price each month on monthly, the regime's annual price in the month an
 * annual commitment starts or renews, and 0 while locked. While locked (k ≥ 1) the only feasible
 * action is `annual`. Parameters (in this order): one value per benefit (utils per month at full
 * usage), `annualTaste`, `joinCost`, `cancelCost`, `price` (utils per dollar, > 0 means dislike).
 * The model has no member-wide intercept: the listed benefits are assumed to exhaust what a
 * membership is worth, which is what lets join and cancel costs be told apart (see below).
 *
 * ## Added plans (counterfactuals only)
 * A counterfactual may offer a plan the data never saw ({ kind: 'addPlan' }, see {@link AddedPlan}):
 * it becomes action 3 (4, …) with its own plan statuses appended to the plan component
 * (`name` when month-to-month, else `name:0 … name:c−1`), and enters utility, prices,
 * feasibility and the shaped cancel hassle by the same rules as monthly (c = 1) or annual
 * (c > 1). Its taste is posited (a known offset), not estimated. The state space grows, so a
 * baseline population is mapped into it with {@link embedDistribution} (zero mass on the new
 * statuses) wherever it enters the changed model.
 *
 * ## Transitions
 * Segment is fixed; the regime follows its own chain; the plan moves deterministically with
 * the action; engagement moves at most one level of at most one benefit per month, up with
 * probability `up` and down with probability `down`, rates by segment, benefit and whether the
 * customer is a member this month (members' engagement drifts up). "At most one move a month"
 * is the discrete-time image of independent continuous-time chains (Arcidiacono, Bayer,
 * Blevins & Ellickson, REStud 2016): it keeps the transition matrices sparse (≤ 3·(1 + 2B)
 * non-zeros a row) so that the 10,000-state scenario stays cheap.
 *
 * ## Identification (what variation in the data pins each parameter), β known
 * - `price`: the regime changes the price of both plans while leaving benefits untouched and is
 *   independent of the taste shocks, so how join, renewal and cancellation rates move with the
 *   regime in otherwise identical states pins θ_price; the model accounts for customers
 *   foreseeing regime changes through the regime chain (e.g. joining annual during a promotion
 *   locks in the low price). Without the regimes, θ_price·14.99 would be identified only through
 *   the annual plan's payment timing and would be nearly collinear with `annualTaste`.
 * - benefit values θ_b: engagement levels vary independently across benefits (one moves at a
 *   time, and segments drift on different benefits), so the slope of choice probabilities in
 *   each benefit's usage identifies that benefit's value — the data answer "did she renew for
 *   shipping or for video?" through customers whose shipping and video engagement differ.
 * - `joinCost` and `cancelCost`: state dependence. In identical engagement/price states, a
 *   non-member joins less often than a member stays; with no member intercept, the join gap and
 *   the cancel gap enter different margins (joining from `none` vs leaving a plan). The cancel
 *   cost is pinned by comparing leaving the monthly plan (costly) with letting an annual plan
 *   lapse at `annual:0` (free when `annualAutoRenews` is false, the default). With
 *   `annualAutoRenews: true` every exit costs θ_cancel, a forward-looking customer prices it in
 *   when joining, and join and cancel costs are told apart only through discounting and the
 *   annual lock-in — weakly (on 5,000 × 36 the SEs of both grew from ≈ 0.04 to ≈ 2.3 with
 *   strongly negative correlation, while J + βC stayed precise).
 * - `annualTaste`: the split between monthly and annual among joiners and renewers, net of the
 *   price difference (139 upfront vs 14.99 a month, discounted at β).
 * - β is not estimated (fixed in the scenario; vary it as a sensitivity setting).
 *
 * Defaults are grounded in public facts (Amazon Prime US prices since February 2022: $14.99 a
 * month, $139 a year; see REFERENCES.md "Subscription facts"); the promotion and high regimes,
 * the engagement rates and the utility values are illustrative and documented in the JSON.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError, invalidOption, warn } from '../core/errors';
import { checkKnownKeys, checkNumber } from '../core/validate';
import { stateSpace, type DdcModel, type SparseMatrix, type StateSpace } from './ddc/model';
import { ccpValuation, pseudoScore } from './estimate/ccp';
import type { EstimationResult } from './estimate/result';
import type { Panel } from './ddc/panel';
import { solveDdc, type Solution, type SolveOptions } from './ddc/solve';
import { simulatePanel } from './ddc/simulate';
import {
  addedPlanNames,
  applyChange,
  embedDistribution,
  embedValues,
  populationPath,
  stationaryDistribution,
  type Change,
  type CounterfactualResult,
  type PathBand,
  type PopulationPath,
} from './paths';

// --- scenario format ----------------------------------------------------------------------------

/** One benefit: its name and its true value θ_b (utils per month at full usage, for members). */
export interface BenefitConfig {
  name: string;
  value: number;
  description?: string;
}

/** Monthly probabilities that one benefit's engagement moves up or down a level. */
export interface EngagementRates {
  upMember: number;
  downMember: number;
  upNonMember: number;
  downNonMember: number;
}

/** An observed, permanent segment: its population share and engagement dynamics per benefit. */
export interface SegmentConfig {
  name: string;
  share: number;
  /** Rates per benefit name; Σ_b (up + down) ≤ 1 for members and for non-members. */
  dynamics: Record<string, EngagementRates>;
  description?: string;
}

/** Exogenous price regimes: prices per regime (dollars) and the regime's Markov chain. */
export interface PriceRegimeConfig {
  names: string[];
  /** Monthly plan price per regime, dollars per month. */
  monthly: number[];
  /** Annual plan price per regime, dollars, paid when the commitment starts or renews. */
  annual: number[];
  /** Row-stochastic R×R matrix, transition[r][r'] = P(regime r' next month | r). */
  transition: number[][];
}

/** A membership scenario (simulations/membership-*.json), validated by {@link validateMembershipConfig}. */
export interface MembershipConfig {
  name: string;
  description?: string;
  /** Free-text documentation of the choices, kept with the scenario. */
  notes?: Record<string, string>;
  /** Default seed for simulations. */
  seed: number;
  /** Monthly discount factor β in [0, 1) (default scenario 0.98; 0.95–0.99 as sensitivity). */
  discount: number;
  /** Length of the annual commitment in months (12). */
  commitmentMonths: number;
  /**
   * false (default): the annual plan lapses at the end of its term unless renewed, so leaving
   * then costs no hassle; true: it renews unless cancelled, so leaving at renewal costs the
   * cancel hassle too (cancelCost is then identified only through discounting — weakly).
   */
  annualAutoRenews: boolean;
  /** Engagement levels per benefit and the usage (0–1) of each level. */
  engagement: { levels: number; usage: number[] };
  benefits: BenefitConfig[];
  segments: SegmentConfig[];
  priceRegimes: PriceRegimeConfig;
  /** True values of the non-benefit parameters. */
  utility: { annualTaste: number; joinCost: number; cancelCost: number; price: number };
  /** Default panel size. */
  simulation: { customers: number; months: number };
}

/** Action names of the membership model, in order; index 0 is the anchor. */
export const membershipActions = ['none', 'monthly', 'annual'] as const;
/** A plan a customer can hold. */
export type Plan = 'monthly' | 'annual';
/** Names of the non-benefit parameters, after the benefit values. */
export const membershipParameterTail = ['annualTaste', 'joinCost', 'cancelCost', 'price'] as const;

const DOC_KEYS = ['description', 'notes', '$comment'];

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function needObject(name: string, v: unknown): Record<string, unknown> {
  if (!isObject(v)) throw invalidOption(name, 'an object', v);
  return v;
}

function needArray(name: string, v: unknown, length?: number): unknown[] {
  if (!Array.isArray(v) || (length !== undefined && v.length !== length)) {
    throw invalidOption(name, length === undefined ? 'a non-empty array' : `an array of ${length} entries`, v);
  }
  if (v.length === 0) throw invalidOption(name, 'a non-empty array', v);
  return v;
}

function needName(name: string, v: unknown): string {
  if (typeof v !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(v)) {
    throw invalidOption(name, 'a name of letters, digits and _ (not starting with a digit)', v);
  }
  return v;
}

const prob = (name: string, v: unknown) => checkNumber(name, v, { min: 0, max: 1 });

/**
 * Validates a parsed scenario and returns it typed (a deep copy). Errors are InputErrors that
 * name the field, the value and what was expected, e.g.
 * ``invalid option `priceRegimes.transition[1]`: expected a row summing to 1, got [0.5,0.6,0]``.
 */
export function validateMembershipConfig(raw: unknown): MembershipConfig {
  const c = needObject('scenario', raw);
  checkKnownKeys('scenario', c, [
    'name', 'seed', 'discount', 'commitmentMonths', 'annualAutoRenews', 'engagement', 'benefits', 'segments',
    'priceRegimes', 'utility', 'simulation', ...DOC_KEYS,
  ]);
  if (typeof c.name !== 'string' || c.name === '') throw invalidOption('name', 'a non-empty string', c.name);
  const seed = checkNumber('seed', c.seed, { min: 0, integer: true });
  const discount = checkNumber('discount', c.discount, { min: 0, max: 1, maxExclusive: true });
  const commitmentMonths = checkNumber('commitmentMonths', c.commitmentMonths, { min: 1, max: 60, integer: true });
  if (c.annualAutoRenews !== undefined && typeof c.annualAutoRenews !== 'boolean') {
    throw invalidOption('annualAutoRenews', 'true or false', c.annualAutoRenews);
  }
  const annualAutoRenews = c.annualAutoRenews === true;

  const e = needObject('engagement', c.engagement);
  checkKnownKeys('engagement', e, ['levels', 'usage', ...DOC_KEYS]);
  const levels = checkNumber('engagement.levels', e.levels, { min: 2, max: 20, integer: true });
  const usage = e.usage === undefined
    ? Array.from({ length: levels }, (_, i) => i / (levels - 1))
    : needArray('engagement.usage', e.usage, levels).map((u, i) => checkNumber(`engagement.usage[${i}]`, u));

  const benefits = needArray('benefits', c.benefits).map((b, i) => {
    const o = needObject(`benefits[${i}]`, b);
    checkKnownKeys(`benefits[${i}]`, o, ['name', 'value', ...DOC_KEYS]);
    const name = needName(`benefits[${i}].name`, o.name);
    if ((membershipParameterTail as readonly string[]).includes(name) || ['segment', 'regime', 'plan'].includes(name)) {
      throw invalidOption(`benefits[${i}].name`, 'a name other than segment, regime, plan, annualTaste, joinCost, cancelCost, price', name);
    }
    return { name, value: checkNumber(`benefits[${i}].value`, o.value), ...(typeof o.description === 'string' ? { description: o.description } : {}) };
  });
  const names = benefits.map((b) => b.name);
  names.forEach((n, i) => {
    if (names.indexOf(n) !== i) throw invalidOption(`benefits[${i}].name`, 'a unique benefit name', n);
  });

  const segments = needArray('segments', c.segments).map((g, i) => {
    const o = needObject(`segments[${i}]`, g);
    checkKnownKeys(`segments[${i}]`, o, ['name', 'share', 'dynamics', ...DOC_KEYS]);
    const name = needName(`segments[${i}].name`, o.name);
    const share = checkNumber(`segments[${i}].share`, o.share, { min: 0, max: 1, minExclusive: true });
    const d = needObject(`segments[${i}].dynamics`, o.dynamics);
    for (const key of Object.keys(d)) {
      if (!names.includes(key) && !DOC_KEYS.includes(key)) {
        throw new InputError(`invalid option \`segments[${i}].dynamics.${key}\`: unknown benefit "${key}"; expected one of ${names.map((n) => `"${n}"`).join(', ')}`);
      }
    }
    const dynamics: Record<string, EngagementRates> = {};
    let sumM = 0;
    let sumN = 0;
    for (const b of names) {
      const field = `segments[${i}].dynamics.${b}`;
      const r = needObject(field, d[b]);
      checkKnownKeys(field, r, ['upMember', 'downMember', 'upNonMember', 'downNonMember', ...DOC_KEYS]);
      const rates = {
        upMember: prob(`${field}.upMember`, r.upMember),
        downMember: prob(`${field}.downMember`, r.downMember),
        upNonMember: prob(`${field}.upNonMember`, r.upNonMember),
        downNonMember: prob(`${field}.downNonMember`, r.downNonMember),
      };
      sumM += rates.upMember + rates.downMember;
      sumN += rates.upNonMember + rates.downNonMember;
      dynamics[b] = rates;
    }
    if (sumM > 1 + 1e-12 || sumN > 1 + 1e-12) {
      throw invalidOption(`segments[${i}].dynamics`, 'monthly move probabilities summing (over benefits, up + down) to at most 1', Math.max(sumM, sumN));
    }
    return { name, share, dynamics, ...(typeof o.description === 'string' ? { description: o.description } : {}) };
  });
  const segNames = segments.map((s) => s.name);
  segNames.forEach((n, i) => {
    if (segNames.indexOf(n) !== i) throw invalidOption(`segments[${i}].name`, 'a unique segment name', n);
  });
  const shareSum = segments.reduce((s, g) => s + g.share, 0);
  if (Math.abs(shareSum - 1) > 1e-9) throw invalidOption('segments[*].share', 'shares summing to 1', shareSum);

  const p = needObject('priceRegimes', c.priceRegimes);
  checkKnownKeys('priceRegimes', p, ['names', 'monthly', 'annual', 'transition', ...DOC_KEYS]);
  const regimeNames = needArray('priceRegimes.names', p.names).map((n, i) => needName(`priceRegimes.names[${i}]`, n));
  const R = regimeNames.length;
  const monthly = needArray('priceRegimes.monthly', p.monthly, R).map((v, i) => checkNumber(`priceRegimes.monthly[${i}]`, v, { min: 0 }));
  const annual = needArray('priceRegimes.annual', p.annual, R).map((v, i) => checkNumber(`priceRegimes.annual[${i}]`, v, { min: 0 }));
  const transition = needArray('priceRegimes.transition', p.transition, R).map((row, i) => {
    const r = needArray(`priceRegimes.transition[${i}]`, row, R).map((v, j) => prob(`priceRegimes.transition[${i}][${j}]`, v));
    const sum = r.reduce((a, b) => a + b, 0);
    if (Math.abs(sum - 1) > 1e-9) throw invalidOption(`priceRegimes.transition[${i}]`, 'a row of probabilities summing to 1', r);
    return r;
  });

  const u = needObject('utility', c.utility);
  checkKnownKeys('utility', u, [...membershipParameterTail, ...DOC_KEYS]);
  const utility = {
    annualTaste: checkNumber('utility.annualTaste', u.annualTaste),
    joinCost: checkNumber('utility.joinCost', u.joinCost),
    cancelCost: checkNumber('utility.cancelCost', u.cancelCost),
    price: checkNumber('utility.price', u.price),
  };
  const sim = c.simulation === undefined ? { customers: 5000, months: 36 } : needObject('simulation', c.simulation);
  checkKnownKeys('simulation', sim, ['customers', 'months', ...DOC_KEYS]);
  const simulation = {
    customers: checkNumber('simulation.customers', sim.customers, { min: 1, integer: true }),
    months: checkNumber('simulation.months', sim.months, { min: 1, integer: true }),
  };
  return {
    name: c.name,
    ...(typeof c.description === 'string' ? { description: c.description } : {}),
    ...(isObject(c.notes) ? { notes: { ...(c.notes as Record<string, string>) } } : {}),
    seed,
    discount,
    commitmentMonths,
    annualAutoRenews,
    engagement: { levels, usage },
    benefits,
    segments,
    priceRegimes: { names: regimeNames, monthly, annual, transition },
    utility,
    simulation,
  };
}

/** The folder of named scenarios (`simulations/` at the package root). */
export function scenarioDirectory(): string {
  return path.resolve(__dirname, '..', '..', 'simulations');
}

/**
 * Loads and validates a named scenario from `simulations/<name>.json` (or a path ending in
 * `.json`). Errors name the scenario, the field, the value and what was expected.
 */
export function loadMembershipScenario(name = 'membership-default'): MembershipConfig {
  if (typeof name !== 'string' || name === '') throw invalidOption('name', 'a scenario name', name);
  const file = name.endsWith('.json') ? path.resolve(name) : path.join(scenarioDirectory(), `${name}.json`);
  if (!fs.existsSync(file)) {
    const known = fs.existsSync(scenarioDirectory())
      ? fs.readdirSync(scenarioDirectory()).filter((f) => f.startsWith('membership') && f.endsWith('.json')).map((f) => f.slice(0, -5))
      : [];
    throw new InputError(`unknown scenario "${name}": no file ${file}; expected one of ${known.map((k) => `"${k}"`).join(', ')}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new InputError(`scenario "${name}": ${file} is not valid JSON (${(e as Error).message})`);
  }
  try {
    return validateMembershipConfig(raw);
  } catch (e) {
    if (e instanceof InputError) throw new InputError(`scenario "${name}": ${e.message}`);
    throw e;
  }
}

function resolveConfig(config: MembershipConfig | string): MembershipConfig {
  return typeof config === 'string' ? loadMembershipScenario(config) : validateMembershipConfig(config);
}

// --- the model ---------------------------------------------------------------------------------

/**
 * A plan added to the menu by a counterfactual ({ kind: 'addPlan' } in {@link Change}), validated
 * by {@link validateAddedPlan}. It is treated exactly like the built-in plans:
 * - a new action (after none, monthly, annual, in the order added) whose members get every
 *   benefit's value θ_b·usage_b (and any `extraBenefits`), pay `joinCost` when joining from
 *   `none`, and pay the price of their regime, `prices[r]` dollars, in the month a commitment
 *   starts or renews (every month when `commitmentMonths` is 1), nothing while locked;
 * - `commitmentMonths` = 1: month-to-month like the monthly plan — one plan status (its name),
 *   renews unless cancelled, so leaving it costs the cancel hassle;
 * - `commitmentMonths` = c > 1: like the annual plan — statuses `name:0 … name:c−1` (prepaid
 *   months left); while k ≥ 1 staying on the plan is the only feasible action; at `name:0` the
 *   term ends and leaving is free unless the scenario's `annualAutoRenews` is true (the annual
 *   lapse rule applies to every commitment plan);
 * - the cancel hassle enters in the same shaped (anchor-preserving) form θ_cancel·(g(s) − β·g(s')),
 *   so `none` keeps utility exactly 0;
 * - `taste` (utils per month on the plan, locked months included, like `annualTaste` for annual)
 *   is posited, not estimated — the data cannot identify a plan it never saw — and enters the
 *   model's known `offset`; `annualTaste` itself applies to the annual plan only.
 */
export interface AddedPlan {
  /** Action and status name; not none, monthly, annual, members, churn, revenue, or another added plan. */
  name: string;
  /** Months per commitment, an integer in [1, 60] (1 = month-to-month). */
  commitmentMonths: number;
  /** Dollars per commitment, one per price regime (in regime order), each > 0. */
  prices: number[];
  /** Posited taste for the plan, utils per month on it (default 0). */
  taste: number;
}

/** Names an added plan may not take (built-in plan and action names, path metric names). */
const reservedPlanNames = ['none', 'monthly', 'annual', 'members', 'churn', 'revenue', 'plans', 'months'];

/**
 * Validates an added plan against a scenario and the plans already added (`taken`), returning it
 * with `prices` expanded to one per regime and `taste` defaulted to 0. `prices` may be one number
 * (the same in every regime) or one per regime. InputErrors name the field and the value, e.g.
 * ``invalid option `change.prices`: expected a positive price or one per price regime (3: regular, promotion, high), got an array of length 2``.
 */
export function validateAddedPlan(field: string, raw: unknown, config: MembershipConfig, taken: readonly string[] = []): AddedPlan {
  const o = needObject(field, raw);
  checkKnownKeys(field, o, ['kind', 'name', 'commitmentMonths', 'prices', 'taste']);
  const name = needName(`${field}.name`, o.name);
  if (reservedPlanNames.includes(name) || taken.includes(name)) {
    throw invalidOption(`${field}.name`, `a new plan name (not ${[...reservedPlanNames, ...taken].join(', ')})`, name);
  }
  const commitmentMonths = checkNumber(`${field}.commitmentMonths`, o.commitmentMonths, { min: 1, max: 60, integer: true });
  const R = config.priceRegimes.names.length;
  let prices: number[];
  if (typeof o.prices === 'number') {
    prices = Array.from({ length: R }, () => o.prices as number);
    checkNumber(`${field}.prices`, o.prices, { min: 0, minExclusive: true });
  } else {
    if (!Array.isArray(o.prices) || o.prices.length !== R) {
      throw invalidOption(`${field}.prices`, `a positive price or one per price regime (${R}: ${config.priceRegimes.names.join(', ')})`, o.prices);
    }
    prices = o.prices.map((v, i) => checkNumber(`${field}.prices[${i}]`, v, { min: 0, minExclusive: true }));
  }
  const taste = checkNumber(`${field}.taste`, o.taste ?? 0);
  return { name, commitmentMonths, prices, taste };
}

/** Options of {@link membershipModel} used by counterfactual changes (defaults: none). */
export interface MembershipModelOptions {
  /** Multiply benefit b's usage feature by this factor (scales its utility θ_b·usage). */
  benefitScale?: Record<string, number>;
  /** Benefits added with a known value (utils per member-month), put in `offset`. */
  extraBenefits?: { name: string; value: number; segments?: string[] }[];
  /** Plans no longer offered to new or renewing members (locked annual members finish their term). */
  removedPlans?: Plan[];
  /**
   * Plans added to the menu (see {@link AddedPlan}): each adds an action and its plan statuses,
   * appended after the built-in ones, so the state space grows (map a baseline distribution
   * with {@link embedDistribution}).
   */
  addedPlans?: AddedPlan[];
}

/** A plan of a {@link MembershipModel}: the member action that chooses it and its plan statuses. */
export interface ModelPlan {
  name: string;
  /** Its action index (monthly 1, annual 2, added plans 3, 4, …). */
  action: number;
  /** Months per commitment (monthly 1, annual the scenario's `commitmentMonths`). */
  commitmentMonths: number;
  /** Plan-status code of `name:0` (or of `name` when month-to-month); `name:k` is firstStatus + k. */
  firstStatus: number;
  /** Whether leaving at the end of a term (status firstStatus) costs the cancel hassle. */
  renewsUnlessCancelled: boolean;
}

/** A {@link DdcModel} of the membership world plus what paths and tables need. */
export interface MembershipModel extends DdcModel {
  config: MembershipConfig;
  /** Dollars paid in state s under action a, length S·A. */
  pricePaid: Float64Array;
  /** Positions of the components in the state space. */
  layout: { segment: number; regime: number; plan: number; benefits: number[] };
  /**
   * Plan-status code per state: 0 none, 1 monthly, 2 + k annual with k prepaid months left;
   * added plans' statuses follow (see `plans`).
   */
  planStatus: Uint8Array;
  /** The plans in action order (monthly, annual, then added plans). */
  plans: ModelPlan[];
}

/**
 * Labels of the plan-status component for commitment length C: none, monthly, annual:0 …
 * annual:C−1, then per added plan its name (month-to-month) or name:0 … name:c−1.
 */
export function planLabels(commitmentMonths: number, addedPlans: readonly AddedPlan[] = []): string[] {
  return [
    'none',
    'monthly',
    ...Array.from({ length: commitmentMonths }, (_, k) => `annual:${k}`),
    ...addedPlans.flatMap((p) => (p.commitmentMonths === 1 ? [p.name] : Array.from({ length: p.commitmentMonths }, (_, k) => `${p.name}:${k}`))),
  ];
}

/** The true parameter vector of a scenario, in the model's order. */
export function membershipTheta(config: MembershipConfig): Float64Array {
  const u = config.utility;
  return Float64Array.from([...config.benefits.map((b) => b.value), u.annualTaste, u.joinCost, u.cancelCost, u.price]);
}

/** The parameter names of a scenario: benefit names, then annualTaste, joinCost, cancelCost, price. */
export function membershipParameterNames(config: MembershipConfig): string[] {
  return [...config.benefits.map((b) => b.name), ...membershipParameterTail];
}

/**
 * The state space of a scenario: segment, regime, plan, then one engagement level per benefit.
 * With `addedPlans` the plan component gains their statuses (after the built-in ones).
 */
export function membershipStates(config: MembershipConfig, addedPlans: readonly AddedPlan[] = []): StateSpace {
  const L = config.engagement.levels;
  const levelLabels = Array.from({ length: L }, (_, i) => `level${i}`);
  const plans = planLabels(config.commitmentMonths, addedPlans);
  return stateSpace([
    { name: 'segment', size: config.segments.length, labels: config.segments.map((g) => g.name) },
    { name: 'regime', size: config.priceRegimes.names.length, labels: [...config.priceRegimes.names] },
    { name: 'plan', size: plans.length, labels: plans },
    ...config.benefits.map((b) => ({ name: b.name, size: L, labels: levelLabels })),
  ]);
}

/**
 * Builds the membership {@link DdcModel} of a scenario (see the module comment for states,
 * utility and transitions). `options` apply counterfactual changes to features, offset and
 * feasibility; prices and β changes are made on the config.
 */
export function membershipModel(config: MembershipConfig, options: MembershipModelOptions = {}): MembershipModel {
  checkKnownKeys('options', options, ['benefitScale', 'extraBenefits', 'removedPlans', 'addedPlans']);
  const added: AddedPlan[] = [];
  if (options.addedPlans !== undefined && !Array.isArray(options.addedPlans)) throw invalidOption('options.addedPlans', 'an array of plans', options.addedPlans);
  (options.addedPlans ?? []).forEach((p, i) => added.push(validateAddedPlan(`options.addedPlans[${i}]`, p, config, added.map((q) => q.name))));
  const states = membershipStates(config, added);
  const S = states.size;
  const A = 3 + added.length;
  const B = config.benefits.length;
  const K = B + 4;
  const C = config.commitmentMonths;
  const L = config.engagement.levels;
  const usage = config.engagement.usage;
  const strides = states.strides;
  const sizes = states.components.map((c) => c.size);
  const [segSt, regSt, planSt] = [strides[0], strides[1], strides[2]];
  const regimes = config.priceRegimes;
  const R = regimes.names.length;
  const benefitNames = config.benefits.map((b) => b.name);

  const scale = new Float64Array(B).fill(1);
  for (const [name, v] of Object.entries(options.benefitScale ?? {})) {
    const b = benefitNames.indexOf(name);
    if (b < 0) throw new InputError(`unknown benefit "${name}": expected one of ${benefitNames.map((n) => `"${n}"`).join(', ')}`);
    scale[b] = checkNumber(`benefitScale.${name}`, v);
  }
  // Extra (known-value) benefit utility per segment, for member actions.
  const extra = new Float64Array(config.segments.length);
  for (const x of options.extraBenefits ?? []) {
    const v = checkNumber(`extraBenefits.${x.name}.value`, x.value);
    const segs = x.segments ?? config.segments.map((g) => g.name);
    for (const g of segs) {
      const gi = config.segments.findIndex((sg) => sg.name === g);
      if (gi < 0) throw new InputError(`unknown segment "${g}": expected one of ${config.segments.map((sg) => `"${sg.name}"`).join(', ')}`);
      extra[gi] += v;
    }
  }
  const removed = new Set(options.removedPlans ?? []);

  // Plans in action order and, per plan status, its plan (action) and prepaid months left.
  const autoRenews = config.annualAutoRenews;
  const plans: ModelPlan[] = [
    { name: 'monthly', action: 1, commitmentMonths: 1, firstStatus: 1, renewsUnlessCancelled: true },
    { name: 'annual', action: 2, commitmentMonths: C, firstStatus: 2, renewsUnlessCancelled: autoRenews },
  ];
  for (const p of added) {
    const prev = plans[plans.length - 1];
    plans.push({
      name: p.name,
      action: plans.length + 1,
      commitmentMonths: p.commitmentMonths,
      firstStatus: prev.firstStatus + prev.commitmentMonths,
      // month-to-month plans renew unless cancelled (like monthly); commitments follow the annual lapse rule
      renewsUnlessCancelled: p.commitmentMonths === 1 ? true : autoRenews,
    });
  }
  const P = sizes[2];
  if (P > 256) throw invalidOption('options.addedPlans', 'at most 256 plan statuses in all (commitment months summed)', P);
  const priceOf = [new Float64Array(R), Float64Array.from(regimes.monthly), Float64Array.from(regimes.annual), ...added.map((p) => Float64Array.from(p.prices))];
  const tasteOf = Float64Array.from([0, 0, 0, ...added.map((p) => p.taste)]);
  const offered = Uint8Array.from([1, removed.has('monthly') ? 0 : 1, removed.has('annual') ? 0 : 1, ...added.map(() => 1)]);
  const statusPlan = new Int32Array(P); // action of the plan held (0: none)
  const statusLeft = new Int32Array(P); // prepaid months left, k
  for (const p of plans) {
    for (let k = 0; k < p.commitmentMonths; k++) {
      statusPlan[p.firstStatus + k] = p.action;
      statusLeft[p.firstStatus + k] = k;
    }
  }
  // g(status) = 1 where choosing `none` costs the cancel hassle (a plan that must be cancelled).
  const cancellable = (st: number): number => {
    const a = statusPlan[st];
    return a > 0 && statusLeft[st] === 0 && plans[a - 1].renewsUnlessCancelled ? 1 : 0;
  };
  // Plan status after action a from status st: a locked member counts down; otherwise a
  // plan's choice starts (or renews) a commitment with c − 1 prepaid months still to run.
  const nextStatus = (st: number, a: number): number => {
    if (a === 0) return 0;
    if (statusPlan[st] === a && statusLeft[st] >= 1) return st - 1;
    const p = plans[a - 1];
    return p.firstStatus + p.commitmentMonths - 1;
  };
  const features = new Float64Array(S * A * K);
  const offset = new Float64Array(S * A);
  const feasible = new Uint8Array(S * A);
  const pricePaid = new Float64Array(S * A);
  const planStatus = new Uint8Array(S);
  for (let s = 0; s < S; s++) {
    const g = Math.floor(s / segSt) % sizes[0];
    const r = Math.floor(s / regSt) % R;
    const st = Math.floor(s / planSt) % P;
    planStatus[s] = st;
    const locked = statusLeft[st] >= 1;
    // feasibility: a locked member can only stay on her plan
    for (let a = 0; a < A; a++) feasible[s * A + a] = locked ? (a === statusPlan[st] ? 1 : 0) : offered[a];
    for (let a = 0; a < A; a++) {
      if (!feasible[s * A + a]) continue;
      if (a === 0) continue; // the anchor: zero utility and no price in every state
      // prices: per commitment when it starts or renews, nothing while locked
      pricePaid[s * A + a] = locked ? 0 : priceOf[a][r];
      const base = (s * A + a) * K;
      // Cancel hassle in anchor form (see cancelFeature): g(s) − β g(s').
      features[base + B + 2] = cancellable(st) - config.discount * cancellable(nextStatus(st, a));
      for (let b = 0; b < B; b++) {
        const level = Math.floor(s / strides[3 + b]) % L;
        features[base + b] = usage[level] * scale[b];
      }
      if (a === 2) features[base + B] = 1;
      if (st === 0) features[base + B + 1] = -1; // joining from none
      features[base + B + 3] = -pricePaid[s * A + a];
      offset[s * A + a] = extra[g] + tasteOf[a];
    }
  }

  // Transitions: one CSR matrix per action, built row by row (columns sorted).
  const movesPerRow = 1 + 2 * B;
  const transitions: SparseMatrix[] = [];
  const rowCols = new Int32Array(R * movesPerRow);
  const rowVals = new Float64Array(R * movesPerRow);
  const order = new Int32Array(R * movesPerRow);
  const moveDelta = new Int32Array(movesPerRow);
  const moveProb = new Float64Array(movesPerRow);
  for (let a = 0; a < A; a++) {
    const member = a !== 0;
    const rowPtr = new Int32Array(S + 1);
    const colIdx = new Int32Array(S * R * movesPerRow);
    const values = new Float64Array(S * R * movesPerRow);
    let nnz = 0;
    for (let s = 0; s < S; s++) {
      const g = Math.floor(s / segSt) % sizes[0];
      const r = Math.floor(s / regSt) % R;
      const st = Math.floor(s / planSt) % P;
      const next = nextStatus(st, a);
      const baseNoRegime = s - r * regSt + (next - st) * planSt;
      // engagement moves
      let m = 0;
      let stay = 1;
      const dyn = config.segments[g].dynamics;
      for (let b = 0; b < B; b++) {
        const rates = dyn[benefitNames[b]];
        const level = Math.floor(s / strides[3 + b]) % L;
        const up = member ? rates.upMember : rates.upNonMember;
        const down = member ? rates.downMember : rates.downNonMember;
        if (level < L - 1 && up > 0) {
          moveDelta[m] = strides[3 + b];
          moveProb[m++] = up;
          stay -= up;
        }
        if (level > 0 && down > 0) {
          moveDelta[m] = -strides[3 + b];
          moveProb[m++] = down;
          stay -= down;
        }
      }
      if (stay > 1e-15) {
        moveDelta[m] = 0;
        moveProb[m++] = stay;
      }
      let n = 0;
      for (let r2 = 0; r2 < R; r2++) {
        const pr = regimes.transition[r][r2];
        if (pr === 0) continue;
        for (let j = 0; j < m; j++) {
          rowCols[n] = baseNoRegime + r2 * regSt + moveDelta[j];
          rowVals[n] = pr * moveProb[j];
          order[n] = n;
          n++;
        }
      }
      // insertion sort by column (rows are short)
      for (let i = 1; i < n; i++) {
        const o = order[i];
        let j = i - 1;
        while (j >= 0 && rowCols[order[j]] > rowCols[o]) {
          order[j + 1] = order[j];
          j--;
        }
        order[j + 1] = o;
      }
      for (let i = 0; i < n; i++) {
        colIdx[nnz] = rowCols[order[i]];
        values[nnz++] = rowVals[order[i]];
      }
      rowPtr[s + 1] = nnz;
    }
    transitions.push({ rows: S, cols: S, rowPtr, colIdx: colIdx.slice(0, nnz), values: values.slice(0, nnz) });
  }
  return {
    name: config.name,
    states,
    actions: [...membershipActions, ...added.map((p) => p.name)],
    featureNames: membershipParameterNames(config),
    features,
    offset,
    transitions,
    feasible,
    discount: config.discount,
    config,
    pricePaid,
    layout: { segment: 0, regime: 1, plan: 2, benefits: benefitNames.map((_, b) => 3 + b) },
    planStatus,
    plans,
  };
}

// --- first stage -------------------------------------------------------------------------------

/** What {@link firstStage} returns. */
export interface FirstStage {
  /** The scenario with engagement rates and the regime chain replaced by their estimates. */
  config: MembershipConfig;
  /** `membershipModel(config)` with the estimated transitions. */
  model: MembershipModel;
  /** Observed transitions used (rows with nextState ≥ 0). */
  transitions: number;
  /** The transition parameters γ̂ as a vector: engagement rates, then off-diagonal regime probabilities. */
  gamma: Float64Array;
  /** Their names, e.g. "deliveryHeavy.video.downNonMember", "regime.regular→promotion". */
  gammaNames: string[];
  /** Sampling covariance of γ̂ (binomial for rates, multinomial within a regime row), row-major. */
  gammaCovariance: Float64Array;
  /** The scenario with transition parameters γ (same layout as `gamma`). */
  withGamma(gamma: ArrayLike<number>): MembershipConfig;
}

/**
 * Rust's first stage: estimates the transition part of the model from a panel by frequency,
 * holding the structure (components, prices, β) of `config` fixed. The regime chain is the
 * row-normalised count of regime → regime' moves; the engagement rates of each (segment,
 * benefit, member this month) are (moves up)/(months with room to move up) and likewise down
 * — unbiased, consistent, and the MLE when boundaries are rare. Cells never observed fall back
 * to the pooled rate over segments (with a warning). Utility values in the returned config are
 * copied from `config` and are not used by estimators. Its noise is ignored by the second
 * stage's standard errors (as in Rust 1987's partial likelihood).
 */
export function firstStage(config: MembershipConfig, panel: Panel): FirstStage {
  const model = membershipModel(config);
  const S = model.states.size;
  const { strides } = model.states;
  const G = config.segments.length;
  const R = config.priceRegimes.names.length;
  const B = config.benefits.length;
  const L = config.engagement.levels;
  const regimeCounts = new Float64Array(R * R);
  // engagement counts
  // [g][member][b][up, upOpp, down, downOpp]
  const eng = new Float64Array(G * 2 * B * 4);
  let used = 0;
  for (let i = 0; i < panel.length; i++) {
    const s = panel.state[i];
    const s2 = panel.nextState[i];
    if (s2 < 0) continue;
    if (s < 0 || s >= S || s2 >= S) throw invalidOption(`panel.state[${i}]`, `a state in [0, ${S - 1}]`, s < 0 || s >= S ? s : s2);
    used++;
    const g = Math.floor(s / strides[0]) % G;
    const r = Math.floor(s / strides[1]) % R;
    const r2 = Math.floor(s2 / strides[1]) % R;
    regimeCounts[r * R + r2]++;
    const m = panel.action[i] === 0 ? 0 : 1;
    for (let b = 0; b < B; b++) {
      const l = Math.floor(s / strides[3 + b]) % L;
      const l2 = Math.floor(s2 / strides[3 + b]) % L;
      const base = ((g * 2 + m) * B + b) * 4;
      if (l < L - 1) {
        eng[base + 1]++;
        if (l2 === l + 1) eng[base]++;
      }
      if (l > 0) {
        eng[base + 3]++;
        if (l2 === l - 1) eng[base + 2]++;
      }
    }
  }
  const transition = Array.from({ length: R }, (_, r) => {
    let n = 0;
    for (let r2 = 0; r2 < R; r2++) n += regimeCounts[r * R + r2];
    if (n === 0) {
      warn(`firstStage: price regime "${config.priceRegimes.names[r]}" never observed; keeping it absorbing`);
      return Array.from({ length: R }, (_, r2) => (r2 === r ? 1 : 0));
    }
    return Array.from({ length: R }, (_, r2) => regimeCounts[r * R + r2] / n);
  });
  const rate = (g: number, m: number, b: number, k: 0 | 2): number => {
    const base = ((g * 2 + m) * B + b) * 4;
    if (eng[base + k + 1] > 0) return eng[base + k] / eng[base + k + 1];
    let num = 0;
    let den = 0;
    for (let h = 0; h < G; h++) {
      const bb = ((h * 2 + m) * B + b) * 4;
      num += eng[bb + k];
      den += eng[bb + k + 1];
    }
    warn(`firstStage: no observed opportunity for ${k === 0 ? 'up' : 'down'} moves of "${config.benefits[b].name}" (${m ? 'members' : 'non-members'}) in segment "${config.segments[g].name}"; pooling over segments`);
    return den > 0 ? num / den : 0;
  };
  const segments = config.segments.map((seg, g) => {
    const dynamics: Record<string, EngagementRates> = {};
    config.benefits.forEach((bf, b) => {
      dynamics[bf.name] = { upMember: rate(g, 1, b, 0), downMember: rate(g, 1, b, 2), upNonMember: rate(g, 0, b, 0), downNonMember: rate(g, 0, b, 2) };
    });
    // Guard Σ ≤ 1 (only violated by tiny samples).
    for (const key of ['Member', 'NonMember'] as const) {
      let sum = 0;
      for (const b of Object.values(dynamics)) sum += b[`up${key}`] + b[`down${key}`];
      if (sum > 1) for (const b of Object.values(dynamics)) (b[`up${key}`] /= sum, b[`down${key}`] /= sum);
    }
    return { ...seg, dynamics };
  });
  const estimated: MembershipConfig = {
    ...config,
    segments,
    priceRegimes: { ...config.priceRegimes, transition },
  };
  // γ as a vector with its sampling covariance.
  const kinds = ['upMember', 'downMember', 'upNonMember', 'downNonMember'] as const;
  const gammaNames: string[] = [];
  const gammaList: number[] = [];
  const variances: number[] = [];
  segments.forEach((seg, g) => {
    config.benefits.forEach((bf, b) => {
      for (const kind of kinds) {
        const m = kind.endsWith('NonMember') ? 0 : 1;
        const k = kind.startsWith('up') ? 0 : 2;
        const v = seg.dynamics[bf.name][kind];
        const nOpp = eng[((g * 2 + m) * B + b) * 4 + k + 1];
        gammaNames.push(`${seg.name}.${bf.name}.${kind}`);
        gammaList.push(v);
        variances.push(nOpp > 0 ? (v * (1 - v)) / nOpp : 0);
      }
    });
  });
  const nEng = gammaList.length;
  const regimeIndex: [number, number][] = [];
  for (let r = 0; r < R; r++) {
    for (let r2 = 0; r2 < R; r2++) {
      if (r2 === r) continue;
      regimeIndex.push([r, r2]);
      gammaNames.push(`regime.${config.priceRegimes.names[r]}→${config.priceRegimes.names[r2]}`);
      gammaList.push(transition[r][r2]);
    }
  }
  const Gm = gammaList.length;
  const gammaCovariance = new Float64Array(Gm * Gm);
  for (let j = 0; j < nEng; j++) gammaCovariance[j * Gm + j] = variances[j];
  for (let i = 0; i < regimeIndex.length; i++) {
    for (let j = 0; j < regimeIndex.length; j++) {
      const [r, a] = regimeIndex[i];
      const [r2, b] = regimeIndex[j];
      if (r !== r2) continue;
      let nr = 0;
      for (let x = 0; x < R; x++) nr += regimeCounts[r * R + x];
      if (nr === 0) continue;
      const pa = transition[r][a];
      const pb = transition[r][b];
      gammaCovariance[(nEng + i) * Gm + nEng + j] = ((a === b ? pa : 0) - pa * pb) / nr;
    }
  }
  const withGamma = (gamma: ArrayLike<number>): MembershipConfig => {
    if (gamma.length !== Gm) throw invalidOption('gamma', `${Gm} transition parameters`, gamma);
    let j = 0;
    const segs = config.segments.map((seg) => {
      const dynamics: Record<string, EngagementRates> = {};
      for (const bf of config.benefits) {
        const rates = { upMember: 0, downMember: 0, upNonMember: 0, downNonMember: 0 };
        for (const kind of kinds) rates[kind] = Math.min(1, Math.max(0, gamma[j++]));
        dynamics[bf.name] = rates;
      }
      return { ...seg, dynamics };
    });
    const tr = transition.map((row) => [...row]);
    regimeIndex.forEach(([r, r2], i) => (tr[r][r2] = Math.max(0, gamma[nEng + i])));
    for (let r = 0; r < R; r++) {
      let off = 0;
      for (let r2 = 0; r2 < R; r2++) if (r2 !== r) off += tr[r][r2];
      tr[r][r] = Math.max(0, 1 - off);
    }
    return { ...config, segments: segs, priceRegimes: { ...config.priceRegimes, transition: tr } };
  };
  return { config: estimated, model: membershipModel(estimated), transitions: used, gamma: Float64Array.from(gammaList), gammaNames, gammaCovariance, withGamma };
}

/**
 * Adds the first stage's sampling noise to the covariance of second-stage estimates (the
 * two-step correction of Murphy & Topel, JBES 1985): θ̂(γ̂) solves the choice score S(θ, γ) = 0,
 * so dθ̂/dγ = I⁻¹·∂S/∂γ and Cov = I⁻¹ + (dθ̂/dγ) Cov(γ̂) (dθ̂/dγ)ᵀ, where I⁻¹ is each result's own
 * covariance. ∂S/∂γ is taken by forward differences (step 1e-4) of the CCP pseudo-score at θ̂
 * with the policy held at P(θ̂; γ̂) — to first order the same as the likelihood score's, because
 * the policy-iteration mapping has zero Jacobian in P at the fixed point (Aguirregabiria & Mira
 * 2002). The choice and transition likelihoods are separate factors, so their scores are
 * uncorrelated and no cross term appears. Works for NFXP and CCP/NPL results alike; returns
 * copies with `covariance`, `standardErrors` and `message` updated.
 */
export function firstStageCorrection<T extends EstimationResult[]>(first: FirstStage, panel: Panel, results: [...T], options: { step?: number } = {}): { [I in keyof T]: T[I] } {
  const h = options.step ?? 1e-4;
  const model = first.model;
  const K = model.featureNames.length;
  const A = model.actions.length;
  const S = model.states.size;
  const Gm = first.gamma.length;
  if (results.length === 0) return [] as unknown as { [I in keyof T]: T[I] };
  for (const r of results) {
    if (r.estimates.length !== K) throw invalidOption('results', `estimation results with ${K} parameters (${model.featureNames.join(', ')})`, r.estimates.length);
  }
  const n = new Float64Array(S * A);
  for (let i = 0; i < panel.length; i++) n[panel.state[i] * A + panel.action[i]]++;
  const P = solveDdc(model, results[0].estimates).probabilities;
  const scores = (m: DdcModel): Float64Array[] => {
    const { zt, et } = ccpValuation(m, P);
    return results.map((r) => pseudoScore(m, n, zt, et, r.estimates));
  };
  const base = scores(model);
  const G = results.map(() => new Float64Array(K * Gm)); // ∂S/∂γ, K×Γ
  const gamma = Float64Array.from(first.gamma);
  for (let j = 0; j < Gm; j++) {
    if (first.gammaCovariance[j * Gm + j] === 0) continue;
    const step = gamma[j] + h <= 1 ? h : -h;
    gamma[j] += step;
    const s = scores(membershipModel(first.withGamma(gamma)));
    gamma[j] = first.gamma[j];
    results.forEach((_, i) => {
      for (let k = 0; k < K; k++) G[i][k * Gm + j] = (s[i][k] - base[i][k]) / step;
    });
  }
  return results.map((r, i) => {
    const cov = r.covariance;
    // D = cov · G (K×Γ), extra = D Vγ Dᵀ
    const D = new Float64Array(K * Gm);
    for (let k = 0; k < K; k++) for (let j = 0; j < Gm; j++) {
      let acc = 0;
      for (let l = 0; l < K; l++) acc += cov[k * K + l] * G[i][l * Gm + j];
      D[k * Gm + j] = acc;
    }
    const DV = new Float64Array(K * Gm);
    for (let k = 0; k < K; k++) for (let j = 0; j < Gm; j++) {
      let acc = 0;
      for (let l = 0; l < Gm; l++) acc += D[k * Gm + l] * first.gammaCovariance[l * Gm + j];
      DV[k * Gm + j] = acc;
    }
    const covariance = Float64Array.from(cov);
    for (let k = 0; k < K; k++) for (let l = 0; l < K; l++) {
      let acc = 0;
      for (let j = 0; j < Gm; j++) acc += DV[k * Gm + j] * D[l * Gm + j];
      covariance[k * K + l] += acc;
    }
    const standardErrors = new Float64Array(K);
    for (let k = 0; k < K; k++) standardErrors[k] = Math.sqrt(covariance[k * K + k]);
    return { ...r, covariance, standardErrors, message: `${r.message}; SEs include first-stage transition noise` };
  }) as unknown as { [I in keyof T]: T[I] };
}

// --- the world ---------------------------------------------------------------------------------

/** Options of {@link MembershipWorld.simulate}. */
export interface MembershipSimulateOptions {
  /** Number of customers (default: the scenario's `simulation.customers`). */
  customers?: number;
  /** Months per customer (default: the scenario's `simulation.months`). */
  months?: number;
  /** Seed (default: the scenario's `seed`); customer i uses rng(seed).fork(i). */
  seed?: number;
  /** Initial state distribution (default: the stationary distribution under the true policy). */
  initial?: Float64Array;
}

/** The membership world: owns the true parameters and answers ground-truth questions. */
export interface MembershipWorld {
  config: MembershipConfig;
  model: MembershipModel;
  /** True θ (benefit values, annualTaste, joinCost, cancelCost, price). */
  theta: Float64Array;
  /** The solved true model. */
  solution: Solution;
  /** Stationary state distribution under the true policy (segments at their shares). */
  stationary: Float64Array;
  /** Simulates a panel; extra columns `pricePaid` (dollars), `segment`, `regime`, `plan`. */
  simulate(options?: MembershipSimulateOptions): Panel;
  /**
   * The TRUE counterfactual: exact population paths (no Monte Carlo) for the baseline and the
   * changed world from `initial` (default: the true stationary distribution), a distribution on
   * the BASELINE states; when the change adds a plan it is mapped into the larger state space
   * with zero mass on the new plan's statuses. Same shape as the estimated
   * {@link CounterfactualResult}, with lower = upper = estimate and draws = 0.
   */
  counterfactual(change: Change | Change[], options?: { horizon?: number; initial?: Float64Array }): CounterfactualResult;
}

/** Builds a world from a scenario (a config or a scenario name), solving the true model. */
export function membershipWorld(config: MembershipConfig | string = 'membership-default', options: { solve?: SolveOptions } = {}): MembershipWorld {
  const cfg = resolveConfig(config);
  const model = membershipModel(cfg);
  const theta = membershipTheta(cfg);
  const solution = solveDdc(model, theta, options.solve ?? {});
  const stationary = stationaryDistribution(model, solution.probabilities);
  const world: MembershipWorld = {
    config: cfg,
    model,
    theta,
    solution,
    stationary,
    simulate(opts = {}) {
      checkKnownKeys('simulate options', opts, ['customers', 'months', 'seed', 'initial']);
      const customers = checkNumber('customers', opts.customers ?? cfg.simulation.customers, { min: 1, integer: true });
      const months = checkNumber('months', opts.months ?? cfg.simulation.months, { min: 1, integer: true });
      const seed = checkNumber('seed', opts.seed ?? cfg.seed, { integer: true, min: 0 });
      const panel = simulatePanel(model, solution.probabilities, { units: customers, periods: months, initialState: opts.initial ?? stationary, seed });
      return addMembershipColumns(model, panel);
    },
    counterfactual(change, opts = {}) {
      checkKnownKeys('counterfactual options', opts, ['horizon', 'initial']);
      const horizon = checkNumber('horizon', opts.horizon ?? 24, { min: 1, integer: true });
      return exactCounterfactual({ config: cfg, model, theta, solution, change, initial: opts.initial ?? stationary, horizon, solve: options.solve });
    },
  };
  return world;
}

/** What {@link exactCounterfactual} needs: a solved true model and the change to apply. */
export interface ExactCounterfactualInput {
  config: MembershipConfig;
  model: MembershipModel;
  theta: Float64Array;
  solution: Solution;
  change: Change | Change[];
  /** A distribution on the baseline states. */
  initial: Float64Array;
  horizon: number;
  solve?: SolveOptions;
}

/**
 * The true counterfactual under known utilities: the changed model re-solved (warm-started from
 * the baseline values) and both population paths propagated exactly from `initial`, as a
 * {@link CounterfactualResult} with lower = upper = estimate and draws = 0.
 */
export function exactCounterfactual(input: ExactCounterfactualInput): CounterfactualResult {
  const { config, model, theta, solution, change, initial, horizon } = input;
  const t0 = Date.now();
  const cf = applyChange(config, change);
  const cfModel = membershipModel(cf.config, cf.options);
  const cfSolution = solveDdc(cfModel, theta, { ...(input.solve ?? {}), warmStart: embedValues(model, cfModel, solution.value) });
  const base = populationPath(model, solution.probabilities, initial, horizon);
  // an added plan grows the state space: same population, zero mass on its statuses
  const after = populationPath(cfModel, cfSolution.probabilities, embedDistribution(model, cfModel, initial), horizon);
  return exactPathsResult({ change, horizon, initial, truth: true, startedAt: t0 }, base, after);
}

/**
 * A {@link CounterfactualResult} from two exact population paths (no sampling): lower = upper =
 * estimate, draws = 0, the effect after − base, seconds since `startedAt` (a Date.now() value).
 */
export function exactPathsResult(
  about: { change: Change | Change[]; horizon: number; initial: Float64Array; truth: boolean; startedAt: number },
  base: PopulationPath,
  after: PopulationPath,
): CounterfactualResult {
  const band = (p: PopulationPath): PathBand => ({ estimate: p, lower: p, upper: p });
  return {
    change: about.change,
    horizon: about.horizon,
    level: 1,
    draws: 0,
    truth: about.truth,
    initial: about.initial,
    baseline: band(base),
    counterfactual: band(after),
    effect: band(pathDifference(after, base)),
    seconds: (Date.now() - about.startedAt) / 1000,
  };
}

/** Element-wise difference of two paths (a − b); a plan only one path has counts as share 0 in the other. */
export function pathDifference(a: PopulationPath, b: PopulationPath): PopulationPath {
  const d = (x: Float64Array, y: Float64Array) => x.map((v, i) => v - y[i]);
  const H = a.months.length;
  const zero = new Float64Array(H);
  const plans: Record<string, Float64Array> = {};
  for (const k of ['monthly', 'annual', ...addedPlanNames(a, b)]) plans[k] = d(a.plans[k] ?? zero, b.plans[k] ?? zero);
  return {
    months: a.months,
    none: d(a.none, b.none),
    monthly: d(a.monthly, b.monthly),
    annual: d(a.annual, b.annual),
    plans,
    members: d(a.members, b.members),
    churn: d(a.churn, b.churn),
    revenue: d(a.revenue, b.revenue),
  };
}

/** Adds `pricePaid`, `segment`, `regime` and `plan` (status code) columns to a membership panel. */
export function addMembershipColumns(model: MembershipModel, panel: Panel): Panel {
  const n = panel.length;
  const A = model.actions.length;
  const pricePaid = new Float64Array(n);
  const segment = new Int32Array(n);
  const regime = new Int32Array(n);
  const plan = new Int32Array(n);
  const st = model.states.strides;
  const sizes = model.states.components.map((c) => c.size);
  for (let i = 0; i < n; i++) {
    const s = panel.state[i];
    pricePaid[i] = model.pricePaid[s * A + panel.action[i]];
    segment[i] = Math.floor(s / st[0]) % sizes[0];
    regime[i] = Math.floor(s / st[1]) % sizes[1];
    plan[i] = model.planStatus[s];
  }
  return { ...panel, extra: { ...(panel.extra ?? {}), pricePaid, segment, regime, plan } };
}
