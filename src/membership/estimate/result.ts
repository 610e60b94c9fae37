import { normalQuantile } from '../../core/stats';
import { checkOpenUnit } from '../../core/validate';
import { tableText } from '../../core/format';

/** What every membership estimator returns (NFXP, CCP, NPL, ...). */
export interface EstimationResult {
  /** The estimator, e.g. "NFXP" or "CCP". */
  method: string;
  /** The model's name. */
  model: string;
  parameterNames: string[];
  estimates: Float64Array;
  /** Standard errors from the inverse information (or the estimator's own method). */
  standardErrors: Float64Array;
  /** K×K covariance, row-major. */
  covariance: Float64Array;
  logLikelihood: number;
  /** Number of observed choices used. */
  observations: number;
  iterations: number;
  seconds: number;
  converged: boolean;
  /** Why it stopped, in words. */
  message: string;
}

/** Wald confidence intervals estimate ± z·SE at `level` (default 0.95), as [lower, upper] columns. */
export function confidenceIntervals(result: EstimationResult, level = 0.95): { lower: Float64Array; upper: Float64Array } {
  checkOpenUnit('level', level);
  const z = normalQuantile(0.5 + level / 2);
  const K = result.estimates.length;
  const lower = new Float64Array(K);
  const upper = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    lower[k] = result.estimates[k] - z * result.standardErrors[k];
    upper[k] = result.estimates[k] + z * result.standardErrors[k];
  }
  return { lower, upper };
}

/** Columns for `notebook.table`: parameter, estimate, SE, 95% CI, and the truth when given. */
export function estimationTable(
  result: EstimationResult,
  truth?: ArrayLike<number>,
  level = 0.95,
): Record<string, ArrayLike<unknown>> {
  const { lower, upper } = confidenceIntervals(result, level);
  const pct = Math.round(level * 100);
  const columns: Record<string, ArrayLike<unknown>> = {
    parameter: result.parameterNames,
    estimate: result.estimates,
    se: result.standardErrors,
    [`ci${pct}Lower`]: lower,
    [`ci${pct}Upper`]: upper,
  };
  if (truth) {
    columns.truth = Float64Array.from(truth);
    columns.covered = Array.from(truth, (v, k) => (v >= lower[k] && v <= upper[k] ? 'yes' : 'no'));
  }
  return columns;
}

/**
 * A plain-text summary: a header line (method, model, log-likelihood, N, iterations, time,
 * convergence) and the table of {@link estimationTable} (with the truth when given).
 */
export function formatEstimation(result: EstimationResult, truth?: ArrayLike<number>, level = 0.95): string {
  const head =
    `${result.method} · ${result.model} · log-likelihood ${result.logLikelihood.toFixed(3)} · N = ${result.observations} · ` +
    `${result.iterations} iterations · ${(result.seconds * 1000).toFixed(0)} ms · ${result.converged ? 'converged' : 'NOT converged'}`;
  return `${head}\n${tableText(estimationTable(result, truth, level), { digits: 5 })}\n${result.message}`;
}
