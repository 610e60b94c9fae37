/**
 * Monte Carlo coverage study of the membership estimators: simulate many datasets from the
 * world, estimate the first stage and then θ with each method, and count how often each
 * parameter's 95% Wald interval covers the truth (target ≥ 90% at 5,000 customers × 36 months).
 */
import { checkKnownKeys, checkNumber } from '../core/validate';
import { normalQuantile } from '../core/stats';
import { ccp } from './estimate/ccp';
import { nfxp } from './estimate/nfxp';
import type { EstimationResult } from './estimate/result';
import { firstStage, firstStageCorrection, membershipWorld, type MembershipConfig } from './world';

/** Estimators the study can run. */
export type StudyMethod = 'NFXP' | 'CCP' | 'NPL';

/** Options of {@link coverageStudy}. */
export interface CoverageStudyOptions {
  /** Number of datasets (default 50). */
  datasets?: number;
  /** Dataset i is simulated with seed `seed + i` (default 1). */
  seed?: number;
  /** First dataset index (default 0), to split a study across processes. */
  from?: number;
  customers?: number;
  months?: number;
  /** Scenario name or config (default 'membership-default'). */
  scenario?: string | MembershipConfig;
  /** Default ['NFXP', 'CCP', 'NPL']: NFXP (started at the CCP estimate), CCP two-step (logit prior), NPL to convergence. */
  methods?: StudyMethod[];
  /** Add first-stage transition noise to the SEs ({@link firstStageCorrection}; default true). */
  correction?: boolean;
  /** Interval level (default 0.95). */
  level?: number;
  /** Called after each dataset. */
  onDataset?: (i: number, rows: StudyRow[]) => void;
}

/** One method on one dataset. */
export interface StudyRow {
  dataset: number;
  seed: number;
  method: StudyMethod;
  estimates: number[];
  standardErrors: number[];
  /** SEs before the first-stage correction. */
  naiveStandardErrors: number[];
  covered: boolean[];
  naiveCovered: boolean[];
  converged: boolean;
  seconds: number;
}

/** Per-method summary over datasets. */
export interface StudySummary {
  /** Share of datasets whose interval covers the truth, per parameter. */
  coverage: number[];
  /** Coverage with the SEs that ignore the first stage. */
  naiveCoverage: number[];
  meanEstimate: number[];
  sdEstimate: number[];
  meanStandardError: number[];
  /** Mean of (estimate − truth)/SE. */
  meanZ: number[];
  seconds: number;
}

/** What {@link coverageStudy} returns. */
export interface CoverageStudy {
  parameterNames: string[];
  truth: number[];
  datasets: number;
  customers: number;
  months: number;
  level: number;
  methods: Partial<Record<StudyMethod, StudySummary>>;
  rows: StudyRow[];
  seconds: number;
}

/** Summarises rows (e.g. merged from several processes) into per-method coverage. */
export function summarizeStudy(rows: StudyRow[], truth: number[], methods: StudyMethod[]): Partial<Record<StudyMethod, StudySummary>> {
  const K = truth.length;
  const out: Partial<Record<StudyMethod, StudySummary>> = {};
  for (const m of methods) {
    const rs = rows.filter((r) => r.method === m);
    const n = rs.length;
    if (n === 0) continue;
    const mean = (f: (r: StudyRow, k: number) => number) => Array.from({ length: K }, (_, k) => rs.reduce((a, r) => a + f(r, k), 0) / n);
    const meanEstimate = mean((r, k) => r.estimates[k]);
    out[m] = {
      coverage: mean((r, k) => (r.covered[k] ? 1 : 0)),
      naiveCoverage: mean((r, k) => (r.naiveCovered[k] ? 1 : 0)),
      meanEstimate,
      sdEstimate: Array.from({ length: K }, (_, k) => Math.sqrt(rs.reduce((a, r) => a + (r.estimates[k] - meanEstimate[k]) ** 2, 0) / Math.max(1, n - 1))),
      meanStandardError: mean((r, k) => r.standardErrors[k]),
      meanZ: mean((r, k) => (r.estimates[k] - truth[k]) / r.standardErrors[k]),
      seconds: rs.reduce((a, r) => a + r.seconds, 0),
    };
  }
  return out;
}

/**
 * Simulates `datasets` panels from the world and records, per method and parameter, whether the
 * Wald interval covers the truth. Sequential; split across processes with `from`/`datasets` and
 * merge the rows with {@link summarizeStudy}.
 */
export function coverageStudy(options: CoverageStudyOptions = {}): CoverageStudy {
  checkKnownKeys('coverageStudy options', options, ['datasets', 'seed', 'from', 'customers', 'months', 'scenario', 'methods', 'correction', 'level', 'onDataset']);
  const t0 = Date.now();
  const datasets = checkNumber('datasets', options.datasets ?? 50, { min: 1, integer: true });
  const seed = checkNumber('seed', options.seed ?? 1, { min: 0, integer: true });
  const from = checkNumber('from', options.from ?? 0, { min: 0, integer: true });
  const level = checkNumber('level', options.level ?? 0.95, { min: 0, max: 1, minExclusive: true, maxExclusive: true });
  const methods = options.methods ?? ['NFXP', 'CCP', 'NPL'];
  const world = membershipWorld(options.scenario ?? 'membership-default');
  const customers = checkNumber('customers', options.customers ?? world.config.simulation.customers, { min: 1, integer: true });
  const months = checkNumber('months', options.months ?? world.config.simulation.months, { min: 2, integer: true });
  const z = normalQuantile(0.5 + level / 2);
  const truth = Array.from(world.theta);
  const rows: StudyRow[] = [];
  for (let i = from; i < from + datasets; i++) {
    const dsSeed = seed + i;
    const panel = world.simulate({ customers, months, seed: dsSeed });
    const first = firstStage(world.config, panel);
    const fits: { method: StudyMethod; result: EstimationResult; seconds: number }[] = [];
    let ccpFit: EstimationResult | undefined;
    const timed = <T>(f: () => T): [T, number] => {
      const t = Date.now();
      const r = f();
      return [r, (Date.now() - t) / 1000];
    };
    if (methods.includes('CCP') || methods.includes('NFXP')) {
      const [r, s] = timed(() => ccp(first.model, panel, { firstStage: 'logit' }));
      ccpFit = r;
      if (methods.includes('CCP')) fits.push({ method: 'CCP', result: r, seconds: s });
    }
    if (methods.includes('NPL')) {
      const [r, s] = timed(() => ccp(first.model, panel, { nplIterations: 50 }));
      fits.push({ method: 'NPL', result: r, seconds: s });
    }
    if (methods.includes('NFXP')) {
      const [r, s] = timed(() => nfxp(first.model, panel, { start: ccpFit!.estimates }));
      fits.push({ method: 'NFXP', result: r, seconds: s });
    }
    const corrected = options.correction === false ? fits.map((f) => f.result) : firstStageCorrection(first, panel, fits.map((f) => f.result));
    const batch: StudyRow[] = fits.map((f, j) => {
      const est = Array.from(f.result.estimates);
      const se = Array.from(corrected[j].standardErrors);
      const naive = Array.from(f.result.standardErrors);
      return {
        dataset: i,
        seed: dsSeed,
        method: f.method,
        estimates: est,
        standardErrors: se,
        naiveStandardErrors: naive,
        covered: est.map((e, k) => Math.abs(e - truth[k]) <= z * se[k]),
        naiveCovered: est.map((e, k) => Math.abs(e - truth[k]) <= z * naive[k]),
        converged: f.result.converged,
        seconds: f.seconds,
      };
    });
    rows.push(...batch);
    options.onDataset?.(i, batch);
  }
  return {
    parameterNames: [...world.model.featureNames],
    truth,
    datasets,
    customers,
    months,
    level,
    methods: summarizeStudy(rows, truth, methods),
    rows,
    seconds: (Date.now() - t0) / 1000,
  };
}
