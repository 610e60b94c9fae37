/**
 * The design comparison: for each design × estimator, R replicates of (noise, assignment,
 * estimate) → bias against the true total and direct effects, empirical SE, mean reported SE,
 * coverage, the SE ratio against a baseline design, and the spillover bias with and without
 * clustering. Replicates run on worker threads.
 *
 * Seeding: replicate r uses root = rng(seed).fork(r); its demand noise is root.fork(0), shared by
 * every design (common random numbers, so design differences are measured sharply); design d's
 * assignment is root.fork(1 + d) and HPTE's forest/bootstrap seed comes from root.fork(1000 + d).
 * Exposure probabilities are computed once per design in the calling thread (seeded from `seed`)
 * and sent to the workers. Results therefore do not depend on the number of workers.
 */
import * as os from 'node:os';
import { DataError, invalidOption } from '../core/errors';
import { rng as makeRng } from '../core/rng';
import { runReplicatesOnWorkers, workerScript } from '../core/workers';
import { normalQuantile } from '../core/stats';
import { checkFunction, checkKnownKeys, checkNumber, checkOneOf } from '../core/validate';
import { checkDesign, clustered, crossover, designName, drawSchedule, randomDays, timeBound, triggered, bojinovSwitchback, type DesignSpec } from './designs';
import { did, differenceInMeans, type Estimate } from './estimators';
import { exposureHT, exposureProbabilities, type ExposureProbabilities } from './exposure';
import { louvain, type Clustering } from './graph';
import { hpte } from './hpte';
import { pricingWorld, simulateBaseline, simulatePanel, type PricingWorld, type PricingWorldSpec } from './world';

/** Estimators the comparison can run. */
export const estimatorNames = ['dim', 'did', 'hpte', 'ht'] as const;
/** One of {@link estimatorNames}: difference in means, TWFE DID, HPTE, exposure-mapping Hájek. */
export type EstimatorName = (typeof estimatorNames)[number];

/** Display labels of the estimators. */
export const estimatorLabels: Record<EstimatorName, string> = {
  dim: 'difference in means',
  did: 'DID (TWFE)',
  hpte: 'HPTE',
  ht: 'Hájek (exposure)',
};

/** Defaults of {@link compareDesigns}. */
export const compareDefaults = {
  replicates: 200,
  seed: 0,
  estimators: ['dim', 'did', 'hpte', 'ht'] as EstimatorName[],
  /** HPTE settings inside the study (smaller than hpte's own defaults to keep 200 replicates cheap). */
  hpte: { numTrees: 20, bootstrap: 50, outlierConstant: 5 },
  /** Exposure mapping of the Hájek estimator: carryover order assumed by the analyst, neighbour share, MC draws. */
  exposure: { carryoverOrder: 7, threshold: 0.75, draws: 200, minProbability: 0.01 },
  /** Largest cluster of the Louvain clustering used by the clustered design (≈ a fine category). */
  maxClusterSize: 10,
  level: 0.95,
};

/** Options of {@link compareDesigns}. */
export interface CompareOptions {
  /** World spec (default: the default scenario). */
  world?: PricingWorldSpec;
  /** Designs (default {@link studyDesigns} of the world). */
  designs?: DesignSpec[];
  estimators?: EstimatorName[];
  replicates?: number;
  seed?: number;
  /** Worker threads (default min(CPU count, replicates)); 0 runs in this thread. Results do not depend on it. */
  workers?: number;
  hpte?: { numTrees?: number; bootstrap?: number; outlierConstant?: number };
  exposure?: { carryoverOrder?: number; threshold?: number; draws?: number; minProbability?: number };
  /** Design whose empirical SE is the denominator of the SE ratio (default: the first). */
  baseline?: string;
  level?: number;
  /** Called after each replicate with (done, total). */
  onProgress?: (done: number, total: number) => void;
}

/**
 * The study's six designs: time-bound, triggered, random-days, crossover with blackout,
 * Bojinov switchback, and the clustered time-bound (Louvain on the substitutes graph).
 */
export function studyDesigns(world: PricingWorld, options: { maxClusterSize?: number; seed?: number } = {}): { designs: DesignSpec[]; clustering: Clustering } {
  const clustering = louvain(world.graph, { maxClusterSize: options.maxClusterSize ?? compareDefaults.maxClusterSize, seed: options.seed ?? 0 });
  const designs: DesignSpec[] = [timeBound(), triggered(), randomDays(), crossover(), bojinovSwitchback(), clustered(timeBound(), clustering.cluster)];
  return { designs, clustering };
}

/** Everything a replicate needs (structured-clone friendly, sent to workers). */
export interface CompareTask {
  world: PricingWorldSpec;
  designs: DesignSpec[];
  estimators: EstimatorName[];
  seed: number;
  hpte: { numTrees: number; bootstrap: number; outlierConstant: number };
  exposure: { carryoverOrder: number; threshold: number; draws: number; minProbability: number };
  probabilities: (ExposureProbabilities | null)[];
  level: number;
}

/** One replicate's estimates and SEs, `[d * E + e]` (NaN where an estimator could not run). */
export interface ReplicateOut {
  estimate: Float64Array;
  se: Float64Array;
}

/** Runs replicate r of a task against a built world. */
export async function runCompareReplicate(world: PricingWorld, task: CompareTask, r: number): Promise<ReplicateOut> {
  const D = task.designs.length;
  const E = task.estimators.length;
  const estimate = new Float64Array(D * E).fill(NaN);
  const se = new Float64Array(D * E).fill(NaN);
  const root = makeRng(task.seed).fork(r);
  const baseline = simulateBaseline(world, root.fork(0));
  for (let d = 0; d < D; d++) {
    const schedule = drawSchedule(task.designs[d], world, root.fork(1 + d));
    const panel = simulatePanel(world, schedule, { baseline });
    for (let e = 0; e < E; e++) {
      let out: Estimate | null = null;
      try {
        switch (task.estimators[e]) {
          case 'dim':
            out = differenceInMeans(panel, { level: task.level });
            break;
          case 'did':
            out = did(panel, { level: task.level });
            break;
          case 'hpte':
            out = await hpte(panel, { ...task.hpte, seed: root.fork(1000 + d).nextUint32(), level: task.level });
            break;
          case 'ht': {
            const pr = task.probabilities[d];
            if (pr) out = exposureHT(panel, { probabilities: pr, graph: world.graph, minProbability: task.exposure.minProbability, level: task.level });
            break;
          }
        }
      } catch (err) {
        if (!(err instanceof DataError)) throw err;
      }
      if (out) {
        estimate[d * E + e] = out.estimate;
        se[d * E + e] = out.se;
      }
    }
  }
  return { estimate, se };
}

/** Summary of one design × estimator cell. */
export interface ComparisonRow {
  design: string;
  estimator: string;
  /** Replicates with an estimate. */
  n: number;
  mean: number;
  /** mean − true total effect. */
  bias: number;
  /** Monte-Carlo SE of the mean (and of the bias): empiricalSE / √n. */
  biasSE: number;
  /** mean − true direct effect. */
  biasDirect: number;
  /** Sd of the estimates over replicates (the design's true sampling SE). */
  empiricalSE: number;
  /** Mean of the reported SEs. */
  meanSE: number;
  /** Share of intervals covering the total effect. */
  coverage: number;
  /** Share of intervals covering the direct effect. */
  coverageDirect: number;
  /** empiricalSE / empiricalSE of the baseline design with the same estimator. */
  seRatio: number;
  /** Approximate Monte-Carlo SE of seRatio (independent-sample delta method; conservative under common random numbers). */
  seRatioSE: number;
}

/** Spillover bias of a design and of its clustered version. */
export interface SpilloverRow {
  estimator: string;
  design: string;
  clusteredDesign: string;
  bias: number;
  biasSE: number;
  clusteredBias: number;
  clusteredBiasSE: number;
  /** 1 − |clustered bias| / |bias|. */
  reduction: number;
  /** Delta-method SE of the reduction. */
  reductionSE: number;
}

/** What {@link compareDesigns} returns. */
export interface ComparisonResult {
  designs: string[];
  estimators: string[];
  replicates: number;
  truth: { direct: number; total: number; spillover: number };
  /** Raw estimates `[d][e]` → Float64Array(R), and SEs likewise. */
  estimates: Float64Array[][];
  ses: Float64Array[][];
  rows: ComparisonRow[];
  spillover: SpilloverRow[];
  /** Columnar view of `rows`. */
  table(): Record<string, (string | number)[]>;
  /** Markdown table of `rows`. */
  toMarkdown(): string;
  /** Seconds of wall time. */
  seconds: number;
  workers: number;
}


/**
 * Compares designs × estimators over `replicates` simulated experiments on worker threads
 * (replicate r seeded by fork(r): identical results for any worker count).
 */
export async function compareDesigns(options: CompareOptions = {}): Promise<ComparisonResult> {
  if (options === null || typeof options !== 'object') throw invalidOption('options', 'an options object', options);
  checkKnownKeys('compareDesigns options', options, ['world', 'designs', 'estimators', 'replicates', 'seed', 'workers', 'hpte', 'exposure', 'baseline', 'level', 'onProgress']);
  const t0 = performance.now();
  const world = pricingWorld(options.world ?? {});
  const designs = options.designs ?? studyDesigns(world, {}).designs;
  if (!Array.isArray(designs) || designs.length === 0) throw invalidOption('designs', 'a non-empty array of design specs', designs);
  for (const d of designs) checkDesign(d, world.products, world.days);
  const names = designs.map(designName);
  const ests = options.estimators ?? compareDefaults.estimators;
  if (!Array.isArray(ests) || ests.length === 0) throw invalidOption('estimators', `a non-empty array of ${estimatorNames.join(', ')}`, ests);
  ests.forEach((e, k) => checkOneOf(`estimators[${k}]`, e, estimatorNames));
  const R = checkNumber('replicates', options.replicates ?? compareDefaults.replicates, { min: 1, integer: true });
  const seed = checkNumber('seed', options.seed ?? compareDefaults.seed, { min: 0, integer: true });
  const cpu = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const W = checkNumber('workers', options.workers ?? Math.min(cpu, R), { min: 0, integer: true });
  const level = checkNumber('level', options.level ?? compareDefaults.level, { min: 0, max: 1, minExclusive: true, maxExclusive: true });
  if (options.onProgress !== undefined) checkFunction('onProgress', options.onProgress);
  const hp = { ...compareDefaults.hpte, ...(options.hpte ?? {}) };
  checkKnownKeys('hpte', hp, ['numTrees', 'bootstrap', 'outlierConstant']);
  const ex = { ...compareDefaults.exposure, ...(options.exposure ?? {}) };
  checkKnownKeys('exposure', ex, ['carryoverOrder', 'threshold', 'draws', 'minProbability']);
  const baseName = options.baseline ?? names[0];
  const baseIdx = names.indexOf(baseName);
  if (baseIdx < 0) throw invalidOption('baseline', `one of ${names.map((n) => JSON.stringify(n)).join(', ')}`, baseName);
  const probabilities = designs.map((d, k) =>
    ests.includes('ht')
      ? exposureProbabilities(d, world, world.graph, { carryoverOrder: ex.carryoverOrder, threshold: ex.threshold, draws: ex.draws, seed: `${seed}:exposure:${k}` })
      : null,
  );
  const task: CompareTask = { world: world.spec, designs, estimators: ests.slice(), seed, hpte: hp, exposure: ex, probabilities, level };
  const D = designs.length;
  const E = ests.length;
  const estimates = names.map(() => ests.map(() => new Float64Array(R)));
  const ses = names.map(() => ests.map(() => new Float64Array(R)));
  let done = 0;
  const place = (r: number, out: ReplicateOut): void => {
    for (let d = 0; d < D; d++) for (let e = 0; e < E; e++) {
      estimates[d][e][r] = out.estimate[d * E + e];
      ses[d][e][r] = out.se[d * E + e];
    }
    done++;
    options.onProgress?.(done, R);
  };
  const nw = Math.min(W, R);
  if (nw === 0) {
    for (let r = 0; r < R; r++) place(r, await runCompareReplicate(world, task, r));
  } else {
    await runReplicatesOnWorkers<ReplicateOut>({
      script: workerScript(__filename),
      workers: nw,
      replicates: R,
      data: (replicateIds) => ({ task, replicateIds }),
      onResult: place,
      label: 'comparison',
    });
  }
  const truth = { direct: world.truth.direct, total: world.truth.total, spillover: world.truth.spillover };
  const rows = summarise(names, ests, estimates, ses, truth, baseIdx, level);
  const spill = spilloverRows(names, ests, rows);
  const labels = ests.map((e) => estimatorLabels[e]);
  return {
    designs: names,
    estimators: labels,
    replicates: R,
    truth,
    estimates,
    ses,
    rows,
    spillover: spill,
    seconds: (performance.now() - t0) / 1000,
    workers: nw,
    table() {
      const cols: Record<string, (string | number)[]> = {};
      const keys = Object.keys(rows[0]) as (keyof ComparisonRow)[];
      for (const k of keys) cols[k] = rows.map((row) => row[k]);
      return cols;
    },
    toMarkdown() {
      return comparisonMarkdown(rows);
    },
  };
}

function meanSd(x: Float64Array): { n: number; mean: number; sd: number } {
  let n = 0;
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) continue;
    n++;
    s += x[i];
    s2 += x[i] * x[i];
  }
  const mean = n > 0 ? s / n : NaN;
  const sd = n > 1 ? Math.sqrt(Math.max(0, (s2 - n * mean * mean) / (n - 1))) : NaN;
  return { n, mean, sd };
}

function summarise(
  names: string[],
  ests: EstimatorName[],
  estimates: Float64Array[][],
  ses: Float64Array[][],
  truth: { direct: number; total: number },
  baseIdx: number,
  level: number,
): ComparisonRow[] {
  const rows: ComparisonRow[] = [];
  const z = normalQuantile(0.5 + level / 2);
  for (let d = 0; d < names.length; d++) {
    for (let e = 0; e < ests.length; e++) {
      const x = estimates[d][e];
      const s = ses[d][e];
      const { n, mean, sd } = meanSd(x);
      let cov = 0;
      let covD = 0;
      let sSum = 0;
      let sN = 0;
      for (let r = 0; r < x.length; r++) {
        if (!Number.isFinite(x[r]) || !Number.isFinite(s[r])) continue;
        sSum += s[r];
        sN++;
        if (Math.abs(x[r] - truth.total) <= z * s[r]) cov++;
        if (Math.abs(x[r] - truth.direct) <= z * s[r]) covD++;
      }
      const base = meanSd(estimates[baseIdx][e]);
      const ratio = sd / base.sd;
      rows.push({
        design: names[d],
        estimator: estimatorLabels[ests[e]],
        n,
        mean,
        bias: mean - truth.total,
        biasSE: sd / Math.sqrt(n),
        biasDirect: mean - truth.direct,
        empiricalSE: sd,
        meanSE: sN > 0 ? sSum / sN : NaN,
        coverage: sN > 0 ? cov / sN : NaN,
        coverageDirect: sN > 0 ? covD / sN : NaN,
        seRatio: ratio,
        seRatioSE: d === baseIdx ? 0 : ratio * Math.sqrt(1 / (2 * (n - 1)) + 1 / (2 * (base.n - 1))),
      });
    }
  }
  return rows;
}


function spilloverRows(names: string[], ests: EstimatorName[], rows: ComparisonRow[]): SpilloverRow[] {
  const out: SpilloverRow[] = [];
  const E = ests.length;
  names.forEach((name, d) => {
    const m = /^(.*) \(clustered\)$/.exec(name);
    if (!m) return;
    const b = names.indexOf(m[1]);
    if (b < 0) return;
    for (let e = 0; e < E; e++) {
      const rb = rows[b * E + e];
      const rc = rows[d * E + e];
      const red = 1 - Math.abs(rc.bias) / Math.abs(rb.bias);
      const redSE = Math.sqrt((rc.biasSE / rb.bias) ** 2 + ((rc.bias * rb.biasSE) / (rb.bias * rb.bias)) ** 2);
      out.push({
        estimator: rb.estimator,
        design: names[b],
        clusteredDesign: name,
        bias: rb.bias,
        biasSE: rb.biasSE,
        clusteredBias: rc.bias,
        clusteredBiasSE: rc.biasSE,
        reduction: red,
        reductionSE: redSE,
      });
    }
  });
  return out;
}

function f(x: number, digits = 4): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '—';
}

/** Markdown table of comparison rows. */
export function comparisonMarkdown(rows: ComparisonRow[]): string {
  const head = '| design | estimator | n | mean | bias (total) ± MC SE | bias (direct) | empirical SE | mean reported SE | coverage (total) | coverage (direct) | SE ratio |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|';
  const body = rows.map(
    (r) =>
      `| ${r.design} | ${r.estimator} | ${r.n} | ${f(r.mean)} | ${f(r.bias)} ± ${f(r.biasSE)} | ${f(r.biasDirect)} | ${f(r.empiricalSE)} | ${f(r.meanSE)} | ${f(r.coverage, 3)} | ${f(r.coverageDirect, 3)} | ${f(r.seRatio, 3)} |`,
  );
  return [head, ...body].join('\n');
}
