/**
 * Counterfactuals from an estimated membership model, with uncertainty, side by side with the
 * world's truth.
 *
 * For θ̂ and for each of `draws` parametric-bootstrap draws θ_r ~ N(θ̂, Σ̂) (Σ̂ = the fit's
 * covariance), the baseline and the changed model are solved and the population is propagated
 * EXACTLY from the same initial state distribution (no Monte Carlo): shares by plan, churn and
 * revenue per customer per month. Intervals are pointwise percentiles of the draws; the effect
 * (counterfactual − baseline) uses paired draws. Uncertainty covered: the utility parameters'
 * sampling noise as summarised by Σ̂ (use a first-stage-corrected Σ̂ to include transition
 * noise); not covered: the transitions themselves (held at their first-stage estimates), the
 * initial distribution, and model misspecification.
 *
 * Initial distribution (the population the change is applied to), in order of precedence:
 * `options.initial`; else the last observed month of `fit.panel` when given (the analyst's
 * current customers — pass the same to the world's counterfactual to compare like with like);
 * else the stationary distribution of the estimated baseline at θ̂ (held fixed across draws).
 * It lives on the baseline's state space; a change that adds a plan ({ kind: 'addPlan' }) grows
 * the changed model's, and the same population is mapped into it with zero mass on the new
 * plan's statuses ({@link embedDistribution}). Such a plan's share is reported in each path's
 * `plans[name]` and gets its own rows in {@link counterfactualTable}, traces in
 * {@link counterfactualTraces} and entries in {@link compareCounterfactual}'s errors and coverage.
 */
import { InputError, invalidOption, warn } from '../core/errors';
import { cholesky, matrix } from '../core/linalg';
import { fillNormal } from '../core/random';
import { rng } from '../core/rng';
import { quantile } from '../core/stats';
import { checkKnownKeys, checkNumber, checkOpenUnit } from '../core/validate';
import type { Panel } from './ddc/panel';
import { solveDdc } from './ddc/solve';
import type { EstimationResult } from './estimate/result';
import {
  addedPlanNames,
  applyChange,
  checkDistribution,
  embedDistribution,
  embedValues,
  lastMonthDistribution,
  pathMetrics,
  pathSeries,
  populationPath,
  stationaryDistribution,
  type Change,
  type CounterfactualResult,
  type PathBand,
  type PathMetric,
  type PathSeries,
  type PopulationPath,
} from './paths';
import { membershipModel, membershipParameterNames, pathDifference, validateMembershipConfig, type MembershipConfig } from './world';

export type { Change, CounterfactualResult, PathBand, PathMetric, PathSeries, PopulationPath } from './paths';
export {
  applyChange,
  populationPath,
  stationaryDistribution,
  lastMonthDistribution,
  pathMetrics,
  pathSeries,
  addedPlanNames,
  embedDistribution,
  embedValues,
} from './paths';

/** A fitted membership model: the scenario structure with first-stage transitions, and the estimates. */
export interface MembershipFit {
  /** The scenario with estimated transitions (e.g. `firstStage(config, panel).config`). */
  config: MembershipConfig;
  result: EstimationResult;
  /** The panel the fit came from (optional: its last month is the default initial population). */
  panel?: Panel;
}

/** Options of {@link counterfactual}. */
export interface CounterfactualOptions {
  /** Months to follow (default 24). */
  horizon?: number;
  /** Parametric bootstrap draws from N(θ̂, Σ̂) (default 200; 0 = point path only). */
  draws?: number;
  /** Interval level (default 0.95). */
  level?: number;
  /** Seed of the draws (default 0); draw r uses rng(seed).fork(r). */
  seed?: number;
  /** State distribution at the start of month 1 (see the module comment for the default). */
  initial?: Float64Array;
}

/** Defaults of {@link counterfactual}. */
export const counterfactualDefaults = { horizon: 24, draws: 200, level: 0.95, seed: 0 } as const;

function emptyPath(H: number, planNames: string[]): PopulationPath {
  return {
    months: Int32Array.from({ length: H }, (_, m) => m + 1),
    none: new Float64Array(H),
    monthly: new Float64Array(H),
    annual: new Float64Array(H),
    plans: Object.fromEntries(planNames.map((k) => [k, new Float64Array(H)])),
    members: new Float64Array(H),
    churn: new Float64Array(H),
    revenue: new Float64Array(H),
  };
}

function band(point: PopulationPath, draws: PopulationPath[], level: number): PathBand {
  const H = point.months.length;
  if (draws.length === 0) return { estimate: point, lower: point, upper: point };
  const planNames = Object.keys(point.plans);
  const lower = emptyPath(H, planNames);
  const upper = emptyPath(H, planNames);
  const lo = (1 - level) / 2;
  const col = new Float64Array(draws.length);
  const fill = (get: (p: PopulationPath) => Float64Array) => {
    const l = get(lower);
    const u = get(upper);
    for (let m = 0; m < H; m++) {
      for (let r = 0; r < draws.length; r++) col[r] = get(draws[r])[m];
      const q = quantile(col, [lo, 1 - lo]);
      l[m] = q[0];
      u[m] = q[1];
    }
  };
  for (const metric of pathMetrics) fill((p) => p[metric]);
  for (const k of planNames) fill((p) => pathSeries(p, k));
  return { estimate: point, lower, upper };
}

/**
 * The estimated counterfactual path of a change (price, benefit, new benefit, removed or added
 * plan, discount factor), with percentile intervals from a parametric bootstrap of θ̂; see the module
 * comment for what the intervals cover and the default initial population.
 */
export function counterfactual(fit: MembershipFit, change: Change | Change[], options: CounterfactualOptions = {}): CounterfactualResult {
  checkKnownKeys('counterfactual options', options, ['horizon', 'draws', 'level', 'seed', 'initial']);
  const t0 = Date.now();
  if (fit === null || typeof fit !== 'object' || !fit.result || !fit.config) throw invalidOption('fit', '{ config, result }', fit);
  const horizon = checkNumber('horizon', options.horizon ?? counterfactualDefaults.horizon, { min: 1, integer: true });
  const draws = checkNumber('draws', options.draws ?? counterfactualDefaults.draws, { min: 0, integer: true });
  const level = checkOpenUnit('level', options.level ?? counterfactualDefaults.level);
  const seed = checkNumber('seed', options.seed ?? counterfactualDefaults.seed);
  const config = validateMembershipConfig(fit.config);
  const names = membershipParameterNames(config);
  const { result } = fit;
  if (result.parameterNames.length !== names.length || result.parameterNames.some((n, k) => n !== names[k])) {
    throw new InputError(`counterfactual: the fit's parameters (${result.parameterNames.join(', ')}) do not match the scenario's (${names.join(', ')})`);
  }
  const K = names.length;
  const cf = applyChange(config, change);
  const baseModel = membershipModel(config);
  const cfModel = membershipModel(cf.config, cf.options);
  const theta = Float64Array.from(result.estimates);
  const baseSol = solveDdc(baseModel, theta);
  const cfSol = solveDdc(cfModel, theta, { warmStart: embedValues(baseModel, cfModel, baseSol.value) });
  const S = baseModel.states.size;
  const initial = options.initial !== undefined
    ? checkDistribution('initial', options.initial, S)
    : fit.panel
      ? lastMonthDistribution(baseModel, fit.panel)
      : stationaryDistribution(baseModel, baseSol.probabilities);
  // The initial population lives on the baseline states; an added plan grows the changed
  // model's state space, so map it there (same states, zero mass on the new plan's statuses).
  const cfInitial = embedDistribution(baseModel, cfModel, initial);
  const basePoint = populationPath(baseModel, baseSol.probabilities, initial, horizon);
  const cfPoint = populationPath(cfModel, cfSol.probabilities, cfInitial, horizon);

  const baseDraws: PopulationPath[] = [];
  const cfDraws: PopulationPath[] = [];
  const effDraws: PopulationPath[] = [];
  if (draws > 0) {
    let L: Float64Array;
    try {
      L = cholesky(matrix(K, K, result.covariance)).data;
    } catch {
      warn('counterfactual: the covariance is not positive definite; using its diagonal for the draws');
      L = new Float64Array(K * K);
      for (let k = 0; k < K; k++) L[k * K + k] = Math.sqrt(Math.max(0, result.covariance[k * K + k]));
    }
    if (L.some((v) => !Number.isFinite(v))) throw new InputError('counterfactual: the fit has no finite covariance; use draws: 0');
    const root = rng(seed);
    const z = new Float64Array(K);
    const th = new Float64Array(K);
    for (let r = 0; r < draws; r++) {
      fillNormal(root.fork(r), z);
      for (let k = 0; k < K; k++) {
        let acc = theta[k];
        for (let l = 0; l <= k; l++) acc += L[k * K + l] * z[l];
        th[k] = acc;
      }
      const b = solveDdc(baseModel, th, { warmStart: baseSol.value });
      const c = solveDdc(cfModel, th, { warmStart: cfSol.value });
      const bp = populationPath(baseModel, b.probabilities, initial, horizon);
      const cp = populationPath(cfModel, c.probabilities, cfInitial, horizon);
      baseDraws.push(bp);
      cfDraws.push(cp);
      effDraws.push(pathDifference(cp, bp));
    }
  }
  return {
    change,
    horizon,
    level,
    draws,
    truth: false,
    initial,
    baseline: band(basePoint, baseDraws, level),
    counterfactual: band(cfPoint, cfDraws, level),
    effect: band(pathDifference(cfPoint, basePoint), effDraws, level),
    seconds: (Date.now() - t0) / 1000,
  };
}

const metricLabels: Record<PathMetric, string> = {
  none: 'share none',
  monthly: 'share monthly',
  annual: 'share annual',
  members: 'share members',
  churn: 'churn',
  revenue: 'revenue per customer ($)',
};

const seriesLabel = (k: PathSeries): string => (pathMetrics as readonly string[]).includes(k) ? metricLabels[k as PathMetric] : `share ${k}`;

/** Added plans (beyond monthly and annual) that a result's paths report, in order. */
function resultPlans(...results: (CounterfactualResult | undefined)[]): string[] {
  return addedPlanNames(...results.flatMap((r) => (r ? [r.counterfactual.estimate, r.baseline.estimate] : [])));
}

/** The default series: the metrics with each added plan's share after `annual`. */
function defaultSeries(plans: string[], metrics: readonly PathMetric[]): PathSeries[] {
  const out: PathSeries[] = [];
  for (const m of metrics) {
    out.push(m);
    if (m === 'annual') out.push(...plans);
  }
  return out;
}

/**
 * Columns for `notebook.table`: one row per metric × month (default months 12 and the horizon)
 * × scenario (baseline, counterfactual, effect), with the estimate, its interval, and — when the
 * world's `truth` is given — the true value and whether the interval covers it. An added plan
 * ({ kind: 'addPlan' }) gets its own share rows (after the annual share; 0 in the baseline);
 * `metrics` may name it.
 */
export function counterfactualTable(
  result: CounterfactualResult,
  truth?: CounterfactualResult,
  options: { months?: number[]; metrics?: PathSeries[] } = {},
): Record<string, ArrayLike<unknown>> {
  const H = result.horizon;
  const months = options.months ?? [...new Set([Math.min(12, H), H])];
  const plans = resultPlans(result);
  const metrics = options.metrics ?? defaultSeries(plans, pathMetrics);
  for (const m of months) if (!Number.isInteger(m) || m < 1 || m > H) throw invalidOption('months', `months in [1, ${H}]`, m);
  const known = [...pathMetrics, ...plans];
  for (const k of metrics) {
    if (!known.includes(k)) {
      throw new InputError(`invalid option \`metrics\`: unknown metric ${JSON.stringify(k)}; expected one of ${known.map((x) => `"${x}"`).join(', ')}`);
    }
  }
  if (truth && truth.horizon < H) throw invalidOption('truth', `a result with horizon ≥ ${H}`, truth.horizon);
  const cols: Record<string, unknown[]> = { scenario: [], metric: [], month: [], estimate: [], lower: [], upper: [] };
  if (truth) (cols.truth = []), (cols.error = []), (cols.covered = []);
  for (const scenario of ['baseline', 'counterfactual', 'effect'] as const) {
    for (const metric of metrics) {
      for (const m of months) {
        const b = result[scenario];
        const est = pathSeries(b.estimate, metric)[m - 1];
        const lo = pathSeries(b.lower, metric)[m - 1];
        const hi = pathSeries(b.upper, metric)[m - 1];
        cols.scenario.push(scenario);
        cols.metric.push(seriesLabel(metric));
        cols.month.push(m);
        cols.estimate.push(est);
        cols.lower.push(lo);
        cols.upper.push(hi);
        if (truth) {
          const t = pathSeries(truth[scenario].estimate, metric)[m - 1];
          cols.truth.push(t);
          cols.error.push(est - t);
          cols.covered.push(result.draws > 0 ? (t >= lo && t <= hi ? 'yes' : 'no') : '');
        }
      }
    }
  }
  return cols;
}

/**
 * Plotly traces of one metric over the months (default the plan shares: none, monthly, annual
 * and any added plan): for each series the estimated path with a shaded interval, and — when
 * given — the true path dashed. `scenario` picks the baseline, the counterfactual (default) or
 * the effect.
 */
export function counterfactualTraces(
  result: CounterfactualResult,
  truth?: CounterfactualResult,
  options: { metrics?: PathSeries[]; scenario?: 'baseline' | 'counterfactual' | 'effect' } = {},
): Record<string, unknown>[] {
  const plans = resultPlans(result);
  const metrics = options.metrics ?? defaultSeries(plans, ['none', 'monthly', 'annual']);
  const known = [...pathMetrics, ...plans];
  for (const k of metrics) {
    if (!known.includes(k)) {
      throw new InputError(`invalid option \`metrics\`: unknown metric ${JSON.stringify(k)}; expected one of ${known.map((x) => `"${x}"`).join(', ')}`);
    }
  }
  const scenario = options.scenario ?? 'counterfactual';
  const colors = ['#636efa', '#ef553b', '#00cc96', '#ab63fa', '#ffa15a', '#19d3f3'];
  const traces: Record<string, unknown>[] = [];
  const x = Array.from(result[scenario].estimate.months);
  metrics.forEach((metric, i) => {
    const color = colors[i % colors.length];
    const b = result[scenario];
    const label = `${seriesLabel(metric)} (${scenario})`;
    if (result.draws > 0) {
      traces.push({ type: 'scatter', mode: 'lines', x, y: Array.from(pathSeries(b.upper, metric)), line: { width: 0, color }, showlegend: false, hoverinfo: 'skip', legendgroup: metric });
      traces.push({
        type: 'scatter', mode: 'lines', x, y: Array.from(pathSeries(b.lower, metric)), line: { width: 0, color }, fill: 'tonexty',
        fillcolor: hexToRgba(color, 0.2), name: `${Math.round(result.level * 100)}% interval`, showlegend: false, hoverinfo: 'skip', legendgroup: metric,
      });
    }
    traces.push({ type: 'scatter', mode: 'lines', x, y: Array.from(pathSeries(b.estimate, metric)), line: { color, width: 2 }, name: `${label}, estimated`, legendgroup: metric });
    if (truth) {
      traces.push({
        type: 'scatter', mode: 'lines', x: Array.from(truth[scenario].estimate.months), y: Array.from(pathSeries(truth[scenario].estimate, metric)),
        line: { color, width: 2, dash: 'dash' }, name: `${label}, true`, legendgroup: metric,
      });
    }
  });
  return traces;
}

function hexToRgba(hex: string, alpha: number): string {
  const v = parseInt(hex.slice(1), 16);
  return `rgba(${(v >> 16) & 255}, ${(v >> 8) & 255}, ${v & 255}, ${alpha})`;
}

/**
 * An estimated counterfactual next to the truth: table columns, plotly traces, and the month-H
 * gaps (estimate − truth) and coverage of the counterfactual path, per metric and per added
 * plan's share (keyed by the plan's name).
 */
export function compareCounterfactual(
  estimated: CounterfactualResult,
  truth: CounterfactualResult,
  options: { months?: number[] } = {},
): {
  table: Record<string, ArrayLike<unknown>>;
  traces: Record<string, unknown>[];
  layout: Record<string, unknown>;
  errors: Record<PathMetric, number> & Record<string, number>;
  covered: Record<PathMetric, boolean> & Record<string, boolean>;
} {
  const H = estimated.horizon;
  const errors = {} as Record<PathMetric, number> & Record<string, number>;
  const covered = {} as Record<PathMetric, boolean> & Record<string, boolean>;
  for (const metric of [...pathMetrics, ...resultPlans(estimated, truth)]) {
    const t = pathSeries(truth.counterfactual.estimate, metric)[H - 1];
    errors[metric] = pathSeries(estimated.counterfactual.estimate, metric)[H - 1] - t;
    covered[metric] = t >= pathSeries(estimated.counterfactual.lower, metric)[H - 1] && t <= pathSeries(estimated.counterfactual.upper, metric)[H - 1];
  }
  return {
    table: counterfactualTable(estimated, truth, options),
    traces: counterfactualTraces(estimated, truth),
    layout: { title: 'Plan shares after the change: estimated (band) vs true (dashed)', xaxis: { title: 'month' }, yaxis: { title: 'share of customers' } },
    errors,
    covered,
  };
}
