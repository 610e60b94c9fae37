/**
 * Behaviour cloning: the baseline that shows what anchor identification buys.
 *
 * A tanh MLP classifier x(s) ↦ π̂(a|x) (feasibility-masked softmax, full-batch Adam on the
 * count-weighted cross-entropy, the same classifier as Deep PQR's P stage) fitted to the observed
 * choices on the same continuous state features. It predicts choices in the data well, but it
 * learns no reward: the policy is all it has. So it cannot answer a question about a change in
 * the world. {@link cloningCounterfactual} makes that explicit: it holds the cloned policy fixed
 * state by state (evaluated on the baseline states) and propagates the population through the
 * changed model's transitions. For a price change the transitions do not move, so the
 * "counterfactual" shares equal the baseline shares — the table shows a zero effect, whatever the
 * truth. Changes that alter the state space or the actions (added or removed plans) are refused
 * with an InputError: a classifier has no prediction for an action it never saw.
 *
 * Feeding the changed prices into the classifier's price inputs would extrapolate the price
 * regimes' static variation; that ignores how customers re-plan (lock-in, renewals) and is not
 * what a policy can identify, so it is deliberately not done here.
 *
 * Reproducible: weights from `rng(seed).fork(1)`, full-batch training.
 */
import type * as TF from '@tensorflow/tfjs';
import { InputError, invalidOption } from '../core/errors';
import { rng } from '../core/rng';
import { tensorBackend, type TensorBackendName } from '../core/tensor';
import { checkKnownKeys, checkNumber } from '../core/validate';
import type { MembershipModel } from '../membership/world';
import { applyChange, embedDistribution, populationPath, type Change, type CounterfactualResult } from '../membership/paths';
import { exactPathsResult, membershipModel } from '../membership/world';
import { checkIrlData, modelStateFeatures, type IrlData, type StateFeatureTable } from './data';
import { distinctRows } from './deep';
import { fitScaler, mlp, scale, trainFullBatch, type Mlp } from './net';

/** Options of {@link behaviourCloning}. */
export interface CloningOptions {
  /** Hidden layer widths (default [32]). */
  hidden?: number[];
  /** Full-batch Adam steps (default 400). */
  steps?: number;
  /** Adam learning rate (default 0.01). */
  learningRate?: number;
  /** Seed of the weights (default 0). */
  seed?: number;
  /** tfjs backend (default: the core picker). */
  backend?: TensorBackendName;
}

/** Defaults of {@link behaviourCloning}. */
export const cloningDefaults = { hidden: [32] as readonly number[], steps: 400, learningRate: 0.01, seed: 0 } as const;

/** A fitted behaviour-cloning policy. Call `dispose()` when done. */
export interface CloningResult {
  method: 'Behaviour cloning';
  backend: string;
  actions: string[];
  stateFeatureNames: string[];
  /** Mean cross-entropy on the training rows. */
  trainLoss: number;
  seconds: number;
  /** log π̂(a|x), rows × A (−Infinity where `feasible` says infeasible). */
  predictPolicy(stateFeatures: Float64Array, feasible?: Uint8Array): Float64Array;
  /** Mean log-likelihood per row of the choices in `data` (held-out data for an honest score). */
  logLikelihood(data: IrlData): number;
  dispose(): void;
}

/** Fits the behaviour-cloning classifier to the observed choices of `data` (see the module comment). */
export async function behaviourCloning(data: IrlData, options: CloningOptions = {}): Promise<CloningResult> {
  const t0 = performance.now();
  checkKnownKeys('behaviourCloning options', options, ['hidden', 'steps', 'learningRate', 'seed', 'backend']);
  checkIrlData(data);
  const hidden = options.hidden ?? [...cloningDefaults.hidden];
  if (!Array.isArray(hidden) || hidden.length < 1) throw invalidOption('hidden', 'a non-empty array of layer widths', hidden);
  hidden.forEach((h, i) => checkNumber(`hidden[${i}]`, h, { min: 1, integer: true }));
  const steps = checkNumber('steps', options.steps ?? cloningDefaults.steps, { min: 1, integer: true });
  const learningRate = checkNumber('learningRate', options.learningRate ?? cloningDefaults.learningRate, { min: 0, minExclusive: true });
  const seed = checkNumber('seed', options.seed ?? cloningDefaults.seed, { integer: true, min: 0 });
  const n = data.length;
  const A = data.actions.length;
  const D = data.stateFeatureNames.length;
  const choice = await tensorBackend(options.backend ? { backend: options.backend } : {});
  const tf = choice.tf;
  const scaler = fitScaler(data.stateFeatures, D);
  const net: Mlp = mlp(tf, [D, ...hidden, A], rng(seed).fork(1));
  const { unique, rowToUnique } = distinctRows(data.stateFeatures, D, data.feasible, A);
  const U = unique.length;
  const xU = new Float64Array(U * D);
  unique.forEach((i, u) => xU.set(data.stateFeatures.subarray(i * D, (i + 1) * D), u * D));
  const maskAdd = new Float32Array(U * A);
  for (let u = 0; u < U; u++) for (let a = 0; a < A; a++) maskAdd[u * A + a] = data.feasible[unique[u] * A + a] ? 0 : -1e9;
  const counts = new Float32Array(U * A);
  for (let i = 0; i < n; i++) counts[rowToUnique[i] * A + data.action[i]] += 1 / n;
  const X = tf.tensor2d(scale(xU, scaler), [U, D]);
  const M = tf.tensor2d(maskAdd, [U, A]);
  const N = tf.tensor2d(counts, [U, A]);
  let trainLoss: number;
  try {
    trainLoss = trainFullBatch(tf, net.variables, () => tf.neg(tf.sum(tf.mul(N, tf.logSoftmax(tf.add(net.apply(X), M))))) as TF.Scalar, { steps, learningRate });
  } catch (e) {
    net.dispose();
    throw e;
  } finally {
    X.dispose();
    M.dispose();
    N.dispose();
  }
  let disposed = false;
  const predictPolicy = (sf: Float64Array, feasible?: Uint8Array): Float64Array => {
    if (disposed) throw new InputError('behaviourCloning result: the network was disposed');
    if (!(sf instanceof Float64Array) || sf.length % D !== 0) throw invalidOption('stateFeatures', `a Float64Array of rows × ${D} state features`, sf);
    const m = sf.length / D;
    const mask = new Float32Array(m * A);
    if (feasible) {
      if (feasible.length !== m * A) throw invalidOption('feasible', `${m * A} flags`, feasible.length);
      for (let i = 0; i < m * A; i++) mask[i] = feasible[i] ? 0 : -1e9;
    }
    const out = Float64Array.from(tf.tidy(() => tf.logSoftmax(tf.add(net.apply(tf.tensor2d(scale(sf, scaler), [m, D])), tf.tensor2d(mask, [m, A]))).dataSync()));
    if (feasible) for (let i = 0; i < m * A; i++) if (!feasible[i]) out[i] = -Infinity;
    return out;
  };
  return {
    method: 'Behaviour cloning',
    backend: choice.name,
    actions: [...data.actions],
    stateFeatureNames: [...data.stateFeatureNames],
    trainLoss,
    seconds: (performance.now() - t0) / 1000,
    predictPolicy,
    logLikelihood(d: IrlData) {
      checkIrlData(d);
      if (d.stateFeatureNames.length !== D || d.stateFeatureNames.some((x, k) => x !== data.stateFeatureNames[k])) {
        throw invalidOption('data.stateFeatureNames', `the training columns (${data.stateFeatureNames.join(', ')})`, d.stateFeatureNames.join(', '));
      }
      const lp = predictPolicy(d.stateFeatures, d.feasible);
      let ll = 0;
      for (let i = 0; i < d.length; i++) ll += lp[i * A + d.action[i]];
      return ll / d.length;
    },
    dispose() {
      if (!disposed) (disposed = true), net.dispose();
    },
  };
}

/**
 * The cloned policy on every state of a model, S·A probabilities (0 where infeasible). Uses
 * {@link modelStateFeatures} unless a table is given (it must have the training columns).
 */
export function cloningPolicy(clone: CloningResult, model: MembershipModel, table: StateFeatureTable = modelStateFeatures(model)): Float64Array {
  const D = clone.stateFeatureNames.length;
  if (table.names.length !== D || table.names.some((x, k) => x !== clone.stateFeatureNames[k])) {
    throw invalidOption('table.names', `the training columns (${clone.stateFeatureNames.join(', ')})`, table.names.join(', '));
  }
  const lp = clone.predictPolicy(table.values, model.feasible);
  return lp.map((v) => (v === -Infinity ? 0 : Math.exp(v)));
}

/**
 * "Counterfactual" of a behaviour-cloning fit, in the shape of the membership API's result: the
 * cloned policy is held fixed state by state and the population `initial` (a distribution on the
 * model's states) is propagated through the changed model's transitions, so for a price change
 * the counterfactual equals the baseline. Refuses (InputError) changes that add or remove plans or
 * change the discount factor: a policy without a reward has no answer to them.
 */
export function cloningCounterfactual(
  clone: CloningResult,
  model: MembershipModel,
  change: Change | Change[],
  options: { horizon?: number; initial: Float64Array; policy?: Float64Array },
): CounterfactualResult {
  const t0 = Date.now();
  checkKnownKeys('cloningCounterfactual options', options, ['horizon', 'initial', 'policy']);
  const horizon = checkNumber('horizon', options.horizon ?? 24, { min: 1, integer: true });
  const changes = Array.isArray(change) ? change : [change];
  for (const c of changes) {
    if (c?.kind === 'addPlan' || c?.kind === 'removePlan' || c?.kind === 'discount') {
      throw new InputError(
        `cloningCounterfactual: behaviour cloning cannot answer a "${c.kind}" change: it learned a policy, not a reward, and has no prediction for a world it never saw`,
      );
    }
  }
  const S = model.states.size;
  if (!(options.initial instanceof Float64Array) || options.initial.length !== S) throw invalidOption('initial', `a Float64Array of S = ${S} probabilities`, options.initial);
  const policy = options.policy ?? cloningPolicy(clone, model);
  const cf = applyChange(model.config, change);
  const cfModel = membershipModel(cf.config, cf.options);
  if (cfModel.states.size !== S) throw new InputError('cloningCounterfactual: the change alters the state space; behaviour cloning has no policy there');
  const base = populationPath(model, policy, options.initial, horizon);
  const after = populationPath(cfModel, policy, embedDistribution(model, cfModel, options.initial), horizon);
  return exactPathsResult({ change, horizon, initial: options.initial, truth: false, startedAt: t0 }, base, after);
}

