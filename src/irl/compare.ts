/**
 * One table over estimators on one panel: Deep PQR, tabular PQR (oracle: the true policy and
 * transitions; data-driven: the first-stage CCP policy on first-stage transitions), NFXP, CCP and
 * behaviour cloning, each scored against the world's truth:
 *
 * - parameter recovery: RMSE and largest absolute error of θ̂ (the reward's projection onto the
 *   model's named features for the PQR estimators; cloning has none);
 * - reward recovery: RMS over the panel's rows (states with a choice) and non-anchor feasible
 *   actions of r̂(s,a) − r(s,a), with r̂ = φ·θ̂ + offset (for Deep PQR also its reward network);
 * - counterfactual shares: the plan shares (none / monthly / annual) in month `month` after
 *   `change`, from the panel's last month (the same population for every row and the truth),
 *   through the membership counterfactual API at θ̂ on the first-stage transitions; the error is
 *   the largest absolute difference to the world's exact counterfactual, in percentage points;
 * - held-out fit (optional `holdout` panel): mean log-likelihood per choice of the estimated policy;
 * - fit time (first stages included where the estimator needs them).
 *
 * Cloning's counterfactual holds its policy fixed (see {@link cloningCounterfactual}), so its
 * effect is zero. Estimators run in the order given; an estimator that throws (e.g. Deep PQR
 * with bad `deep` options) gets a row with NaNs and the error message in `note`.
 */
import { InputError, invalidOption } from '../core/errors';
import { checkKnownKeys, checkNumber } from '../core/validate';
import { hasChoice } from '../membership/ddc/model';
import type { Panel } from '../membership/ddc/panel';
import { solveDdc, type Solution } from '../membership/ddc/solve';
import { ccp, firstStageProbabilities, type CcpOptions } from '../membership/estimate/ccp';
import { nfxp, type NfxpOptions } from '../membership/estimate/nfxp';
import type { EstimationResult } from '../membership/estimate/result';
import { counterfactual as membershipCounterfactual } from '../membership/counterfactual';
import { lastMonthDistribution, type Change, type CounterfactualResult } from '../membership/paths';
import { firstStage, type MembershipConfig, type MembershipModel } from '../membership/world';
import { behaviourCloning, cloningCounterfactual, cloningPolicy, type CloningOptions } from './cloning';
import { irlDataFromPanel, modelStateFeatures, type StateFeatureTable } from './data';
import { deepPqr, type DeepPqrOptions } from './deep';
import { tabularPqr } from './tabular';

/** Estimators {@link compareEstimators} knows. */
export const comparisonEstimators = ['tabularPqrOracle', 'tabularPqr', 'nfxp', 'ccp', 'deepPqr', 'cloning'] as const;
export type EstimatorName = (typeof comparisonEstimators)[number];

/** Display names of the estimators. */
export const estimatorLabels: Record<EstimatorName, string> = {
  tabularPqrOracle: 'Tabular PQR (oracle: true policy)',
  tabularPqr: 'Tabular PQR (CCP policy)',
  nfxp: 'NFXP',
  ccp: 'CCP (Hotz–Miller)',
  deepPqr: 'Deep PQR',
  cloning: 'Behaviour cloning',
};

/** The truth a comparison is scored against (a `MembershipWorld` or a {@link LargeWorld}). */
export interface TruthWorld {
  config: MembershipConfig;
  model: MembershipModel;
  theta: Float64Array;
  solution: Solution;
  counterfactual(change: Change | Change[], options?: { horizon?: number; initial?: Float64Array }): CounterfactualResult;
}

/** Options of {@link compareEstimators}. */
export interface CompareOptions {
  /** Which estimators, in order (default all). */
  estimators?: EstimatorName[];
  /** The change (default a $3 monthly price increase). */
  change?: Change | Change[];
  /** Months followed (default 24). */
  horizon?: number;
  /** Month whose shares are compared (default 12). */
  month?: number;
  /** Held-out panel of the same world for the held-out log-likelihood column. */
  holdout?: Panel;
  /** Deep PQR options (anchor 'none' and β from the model unless given). */
  deep?: Partial<DeepPqrOptions>;
  cloning?: CloningOptions;
  nfxp?: NfxpOptions;
  ccp?: CcpOptions;
  /** State features (default {@link modelStateFeatures} of the world's model). */
  stateFeatures?: StateFeatureTable;
  /** Called when an estimator starts and ends. */
  onProgress?: (p: { estimator: EstimatorName; fraction: number; message: string }) => void;
}

/** Defaults of {@link compareEstimators}. */
export const compareDefaults = {
  change: { kind: 'price', plan: 'monthly', delta: 3 } as Change,
  horizon: 24,
  month: 12,
} as const;

/** One estimator's scores. */
export interface EstimatorRow {
  estimator: EstimatorName;
  label: string;
  /** θ̂ (null for cloning). */
  estimates: Float64Array | null;
  standardErrors: Float64Array | null;
  parameterRmse: number;
  parameterMaxError: number;
  /** RMS of r̂ − r over the panel's non-anchor choices (see the module comment). */
  rewardRmse: number;
  /** Deep PQR only: the same for its reward network r̂(x, a). */
  rewardRmseNetwork: number;
  /** Counterfactual plan shares in month `month`. */
  shares: { none: number; monthly: number; annual: number };
  /** Effect on the monthly share (counterfactual − baseline) in month `month`. */
  monthlyEffect: number;
  /** max |share − true share| over the three plans, in percentage points. */
  shareErrorPp: number;
  /** Mean held-out log-likelihood per choice (NaN without `holdout`). */
  holdoutLogLik: number;
  seconds: number;
  note: string;
}

/** What {@link compareEstimators} returns. */
export interface Comparison {
  parameterNames: string[];
  truth: Float64Array;
  change: Change | Change[];
  month: number;
  horizon: number;
  /** The world's exact counterfactual from the panel's last month. */
  truthCounterfactual: CounterfactualResult;
  trueShares: { none: number; monthly: number; annual: number };
  trueMonthlyEffect: number;
  /** Mean held-out log-likelihood of the TRUE policy, and of the marginal shares (NaN without holdout). */
  holdoutLogLikTruth: number;
  holdoutLogLikMarginal: number;
  rows: EstimatorRow[];
  counterfactuals: Partial<Record<EstimatorName, CounterfactualResult>>;
  /** NFXP's fit time divided by one likelihood evaluation's time on this world (NaN if NFXP did not run). */
  nfxpEvaluations: number;
  /** Columns for `notebook.table`: one row per estimator. */
  table(): Record<string, unknown[]>;
  /** Columns: one row per parameter, the truth and each estimator's θ̂. */
  parameterTable(): Record<string, unknown[]>;
}

/** An {@link EstimationResult} for θ̂ from any estimator (no SEs), so the membership counterfactual API can take it. */
export function asEstimation(method: string, names: string[], theta: ArrayLike<number>, seconds: number, message: string): EstimationResult {
  const K = names.length;
  return {
    method,
    model: 'membership',
    parameterNames: [...names],
    estimates: Float64Array.from(theta),
    standardErrors: new Float64Array(K).fill(NaN),
    covariance: new Float64Array(K * K).fill(NaN),
    logLikelihood: NaN,
    observations: 0,
    iterations: 0,
    seconds,
    converged: true,
    message,
  };
}

/** Mean log π(a|s) over the holdout rows whose state has a choice. */
function holdoutLogLik(model: MembershipModel, probabilities: Float64Array, panel: Panel): number {
  const A = model.actions.length;
  let ll = 0;
  let n = 0;
  for (let i = 0; i < panel.length; i++) {
    const s = panel.state[i];
    if (!hasChoice(model, s)) continue;
    ll += Math.log(Math.max(1e-300, probabilities[s * A + panel.action[i]]));
    n++;
  }
  return n > 0 ? ll / n : NaN;
}

/** Runs the estimators on one panel of a world and scores them against its truth (see the module comment). */
export async function compareEstimators(world: TruthWorld, panel: Panel, options: CompareOptions = {}): Promise<Comparison> {
  checkKnownKeys('compareEstimators options', options, ['estimators', 'change', 'horizon', 'month', 'holdout', 'deep', 'cloning', 'nfxp', 'ccp', 'stateFeatures', 'onProgress']);
  if (world === null || typeof world !== 'object' || !world.model || !world.theta || !world.solution || typeof world.counterfactual !== 'function') {
    throw invalidOption('world', 'a membership world (config, model, theta, solution, counterfactual)', world);
  }
  if (panel === null || typeof panel !== 'object' || !(panel.state instanceof Int32Array) || panel.length < 1) {
    throw invalidOption('panel', 'a non-empty Panel of the world', panel);
  }
  const estimators = options.estimators ?? [...comparisonEstimators];
  if (!Array.isArray(estimators) || estimators.length === 0) throw invalidOption('estimators', `a non-empty array of ${comparisonEstimators.join(', ')}`, estimators);
  for (const e of estimators) {
    if (!(comparisonEstimators as readonly string[]).includes(e)) {
      throw new InputError(`invalid option \`estimators\`: unknown estimator ${JSON.stringify(e)}; expected one of ${comparisonEstimators.map((x) => `"${x}"`).join(', ')}`);
    }
  }
  const horizon = checkNumber('horizon', options.horizon ?? compareDefaults.horizon, { min: 1, integer: true });
  const month = checkNumber('month', options.month ?? compareDefaults.month, { min: 1, max: horizon, integer: true });
  const change = options.change ?? compareDefaults.change;
  const model = world.model;
  const S = model.states.size;
  const A = model.actions.length;
  const K = model.featureNames.length;
  const names = [...model.featureNames];
  const theta = world.theta;
  const progress = options.onProgress;
  const initial = lastMonthDistribution(model, panel);
  const truthCf = world.counterfactual(change, { horizon, initial });
  const shareOf = (cf: CounterfactualResult) => {
    const p = cf.counterfactual.estimate;
    return { none: p.none[month - 1], monthly: p.monthly[month - 1], annual: p.annual[month - 1] };
  };
  const trueShares = shareOf(truthCf);
  const trueMonthlyEffect = truthCf.effect.estimate.monthly[month - 1];
  const holdout = options.holdout;
  const holdoutTruth = holdout ? holdoutLogLik(model, world.solution.probabilities, holdout) : NaN;
  let holdoutMarginal = NaN;
  if (holdout) {
    // marginal action shares among training rows with a choice, renormalised over feasible actions
    const c = new Float64Array(A);
    for (let i = 0; i < panel.length; i++) if (hasChoice(model, panel.state[i])) c[panel.action[i]]++;
    const P = new Float64Array(S * A);
    for (let s = 0; s < S; s++) {
      let z = 0;
      for (let a = 0; a < A; a++) if (model.feasible[s * A + a]) z += c[a] + 1;
      for (let a = 0; a < A; a++) if (model.feasible[s * A + a]) P[s * A + a] = (c[a] + 1) / z;
    }
    holdoutMarginal = holdoutLogLik(model, P, holdout);
  }

  // reward error over the panel's non-anchor choices: r̂ − r = φ·(θ̂ − θ)
  const rewardRmse = (th: Float64Array): number => {
    let ss = 0;
    let n = 0;
    for (let i = 0; i < panel.length; i++) {
      const s = panel.state[i];
      if (!hasChoice(model, s)) continue;
      for (let a = 1; a < A; a++) {
        if (!model.feasible[s * A + a]) continue;
        let d = 0;
        for (let k = 0; k < K; k++) d += model.features[(s * A + a) * K + k] * (th[k] - theta[k]);
        ss += d * d;
        n++;
      }
    }
    return n > 0 ? Math.sqrt(ss / n) : NaN;
  };

  let fs: ReturnType<typeof firstStage> | undefined;
  let fsSeconds = 0;
  const first = () => {
    if (!fs) {
      const t = performance.now();
      fs = firstStage(world.config, panel);
      fsSeconds = (performance.now() - t) / 1000;
    }
    return fs;
  };
  let table: StateFeatureTable | undefined = options.stateFeatures;
  const features = () => (table ??= modelStateFeatures(model));
  const rows: EstimatorRow[] = [];
  const cfs: Partial<Record<EstimatorName, CounterfactualResult>> = {};
  let nfxpEvaluations = NaN;

  for (let e = 0; e < estimators.length; e++) {
    const est = estimators[e];
    progress?.({ estimator: est, fraction: e / estimators.length, message: `fitting ${estimatorLabels[est]}` });
    const row: EstimatorRow = {
      estimator: est,
      label: estimatorLabels[est],
      estimates: null,
      standardErrors: null,
      parameterRmse: NaN,
      parameterMaxError: NaN,
      rewardRmse: NaN,
      rewardRmseNetwork: NaN,
      shares: { none: NaN, monthly: NaN, annual: NaN },
      monthlyEffect: NaN,
      shareErrorPp: NaN,
      holdoutLogLik: NaN,
      seconds: NaN,
      note: '',
    };
    try {
      let result: EstimationResult | undefined;
      let config: MembershipConfig = world.config;
      if (est === 'cloning') {
        const data = irlDataFromPanel(model, panel, { stateFeatures: features() });
        const clone = await behaviourCloning(data, options.cloning ?? {});
        try {
          row.seconds = clone.seconds;
          const policy = cloningPolicy(clone, model, features());
          const cf = cloningCounterfactual(clone, model, change, { horizon, initial, policy });
          cfs[est] = cf;
          row.shares = shareOf(cf);
          row.monthlyEffect = cf.effect.estimate.monthly[month - 1];
          if (holdout) row.holdoutLogLik = holdoutLogLik(model, policy, holdout);
          row.note = 'no reward: the policy is held fixed, so a price change has no effect';
        } finally {
          clone.dispose();
        }
      } else {
        if (est === 'tabularPqrOracle') {
          const r = tabularPqr(model, world.solution.probabilities, { anchorAction: 0 });
          result = asEstimation('Tabular PQR (oracle)', names, r.theta, r.seconds, 'true policy and transitions');
          row.seconds = r.seconds;
          row.note = `true policy and transitions; projection residual ${r.projectionResidual.toExponential(1)}`;
        } else if (est === 'tabularPqr') {
          const f = first();
          const t = performance.now();
          const P = firstStageProbabilities(f.model, panel);
          const r = tabularPqr(f.model, P, { anchorAction: 0 });
          row.seconds = fsSeconds + (performance.now() - t) / 1000;
          result = asEstimation('Tabular PQR', names, r.theta, row.seconds, 'first-stage CCPs and transitions');
          config = f.config;
          row.note = 'first-stage CCP policy (logit prior, κ = 100) and first-stage transitions';
        } else if (est === 'nfxp') {
          const f = first();
          const r = nfxp(f.model, panel, { hessian: false, ...(options.nfxp ?? {}) });
          result = r;
          config = f.config;
          row.seconds = fsSeconds + r.seconds;
          // one likelihood evaluation: a warm-started solve with derivatives at a nearby θ
          const t = performance.now();
          solveDdc(f.model, r.estimates.map((v) => v * 1.05), { warmStart: r.solution.value, derivatives: true });
          nfxpEvaluations = r.seconds / ((performance.now() - t) / 1000);
          row.note = `${r.iterations} outer iterations ≈ ${Math.round(nfxpEvaluations)} evaluation-equivalents${r.converged ? '' : ' (NOT converged)'}`;
        } else if (est === 'ccp') {
          const f = first();
          const r = ccp(f.model, panel, options.ccp ?? {});
          result = r;
          config = f.config;
          row.seconds = fsSeconds + r.seconds;
          row.note = r.firstStage;
        } else {
          const data = irlDataFromPanel(model, panel, { stateFeatures: features() });
          const f = first();
          const deep = await deepPqr(data, { anchorAction: 'none', discount: model.discount, ...(options.deep ?? {}) });
          try {
            result = deep.estimation;
            config = f.config;
            row.seconds = deep.seconds.total;
            // reward network vs truth on the same rows and actions as rewardRmse
            const D = data.stateFeatureNames.length;
            const idx: number[] = [];
            const act: number[] = [];
            for (let i = 0; i < panel.length; i++) {
              const s = panel.state[i];
              if (!hasChoice(model, s)) continue;
              for (let a = 1; a < A; a++) if (model.feasible[s * A + a]) (idx.push(i), act.push(a));
            }
            const sf = new Float64Array(idx.length * D);
            idx.forEach((i, j) => sf.set(data.stateFeatures.subarray(i * D, (i + 1) * D), j * D));
            const rHat = deep.predictReward(sf, Int32Array.from(act));
            let ss = 0;
            idx.forEach((i, j) => {
              const s = panel.state[i];
              const a = act[j];
              let r = model.offset[s * A + a];
              for (let k = 0; k < K; k++) r += model.features[(s * A + a) * K + k] * theta[k];
              ss += (rHat[j] - r) ** 2;
            });
            row.rewardRmseNetwork = idx.length ? Math.sqrt(ss / idx.length) : NaN;
            const tm = deep.transitionModel;
            const dropped = !tm
              ? ''
              : tm.unvisited.closed
                ? ` (closed under the model: ${tm.unvisited.added.toLocaleString('en')} unvisited states added${tm.droppedMass >= 5e-4 ? `, ${(100 * tm.droppedMass).toFixed(1)}% of next-state mass still dropped` : ''})`
                : ` (${(100 * tm.droppedMass).toFixed(1)}% of next-state mass on states not in the data, dropped: ${tm.unvisited.note})`;
            row.note = `${deep.backend}; Q stage ${deep.qStage}${dropped}; ${deep.projectionWeights} projection, R² ${deep.projectionR2.toFixed(3)}; SEs: ${deep.bootstrap === 0 ? 'none (bootstrap 0)' : deep.bootstrapRefit === 'all' ? `bootstrap, every stage refitted (${deep.bootstrap} replicates)` : 'bootstrap of the projection only (lower bounds)'}`;
          } finally {
            deep.dispose();
          }
        }
        const th = Float64Array.from(result.estimates);
        row.estimates = th;
        row.standardErrors = Float64Array.from(result.standardErrors);
        let ss = 0;
        let mx = 0;
        for (let k = 0; k < K; k++) {
          const d = th[k] - theta[k];
          ss += d * d;
          mx = Math.max(mx, Math.abs(d));
        }
        row.parameterRmse = Math.sqrt(ss / K);
        row.parameterMaxError = th.every(Number.isFinite) ? mx : NaN;
        row.rewardRmse = rewardRmse(th);
        const cf = membershipCounterfactual({ config, result, panel }, change, { horizon, draws: 0, initial });
        cfs[est] = cf;
        row.shares = shareOf(cf);
        row.monthlyEffect = cf.effect.estimate.monthly[month - 1];
        if (holdout) {
          const sol = solveDdc(est === 'tabularPqrOracle' ? model : first().model, th);
          row.holdoutLogLik = holdoutLogLik(model, sol.probabilities, holdout);
        }
      }
      row.shareErrorPp = 100 * Math.max(Math.abs(row.shares.none - trueShares.none), Math.abs(row.shares.monthly - trueShares.monthly), Math.abs(row.shares.annual - trueShares.annual));
    } catch (err) {
      row.note = `failed: ${(err as Error).message}`;
    }
    rows.push(row);
    progress?.({ estimator: est, fraction: (e + 1) / estimators.length, message: `${estimatorLabels[est]} done` });
  }

  return {
    parameterNames: names,
    truth: Float64Array.from(theta),
    change,
    month,
    horizon,
    truthCounterfactual: truthCf,
    trueShares,
    trueMonthlyEffect,
    holdoutLogLikTruth: holdoutTruth,
    holdoutLogLikMarginal: holdoutMarginal,
    rows,
    counterfactuals: cfs,
    nfxpEvaluations,
    table() {
      const cols: Record<string, unknown[]> = {
        estimator: [],
        paramRmse: [],
        paramMaxErr: [],
        rewardRmse: [],
        [`none@${month}`]: [],
        [`monthly@${month}`]: [],
        [`annual@${month}`]: [],
        monthlyEffectPp: [],
        shareErrPp: [],
        holdoutLogLik: [],
        seconds: [],
        note: [],
      };
      const push = (label: string, r: Partial<EstimatorRow> & { shares: EstimatorRow['shares'] }) => {
        cols.estimator.push(label);
        cols.paramRmse.push(r.parameterRmse ?? NaN);
        cols.paramMaxErr.push(r.parameterMaxError ?? NaN);
        cols.rewardRmse.push(r.rewardRmse ?? NaN);
        cols[`none@${month}`].push(r.shares.none);
        cols[`monthly@${month}`].push(r.shares.monthly);
        cols[`annual@${month}`].push(r.shares.annual);
        cols.monthlyEffectPp.push(100 * (r.monthlyEffect ?? NaN));
        cols.shareErrPp.push(r.shareErrorPp ?? NaN);
        cols.holdoutLogLik.push(r.holdoutLogLik ?? NaN);
        cols.seconds.push(r.seconds ?? NaN);
        cols.note.push(r.note ?? '');
      };
      push('Truth', { parameterRmse: 0, parameterMaxError: 0, rewardRmse: 0, shares: trueShares, monthlyEffect: trueMonthlyEffect, shareErrorPp: 0, holdoutLogLik: holdoutTruth, seconds: world.solution.seconds, note: 'exact DP solve of the true model (seconds: one solve)' });
      for (const r of rows) {
        const note = r.estimator === 'deepPqr' && Number.isFinite(r.rewardRmseNetwork) ? `${r.note}; reward-network RMSE ${r.rewardRmseNetwork.toFixed(3)}` : r.note;
        push(r.label, { ...r, note });
      }
      return cols;
    },
    parameterTable() {
      const cols: Record<string, unknown[]> = { parameter: [...names], truth: Array.from(theta) };
      for (const r of rows) if (r.estimates) cols[r.label] = Array.from(r.estimates);
      return cols;
    },
  };
}
