/**
 * MQ-CNN (Wen et al. 2017, "A Multi-Horizon Quantile Recurrent Forecaster") on TensorFlow.js:
 * a dilated causal convolution encoder over the history and covariates; a global MLP mapping the
 * encoding and all future covariates to one context per horizon step plus a shared context; a
 * local MLP, shared across steps, mapping (step context, shared context, that step's covariates)
 * to all quantiles, made non-crossing as q₁ + cumulative softplus increments. Trained with
 * forking sequences (a decoder at every time step, so each series is one training example) on
 * the summed quantile loss Σ q·(y − ŷ)₊ + (1 − q)·(ŷ − y)₊. Targets at an origin are divided by the
 * series' causal running scale there (mean |y| over the last season), so no training input or
 * target is normalised with values from after its origin.
 *
 * Determinism: weights are initialised from `rng(seed)` (Glorot uniform, zero biases) and the
 * batch order is drawn from `rng(seed).fork(epoch)`; the wasm and cpu backends run single-threaded
 * here, so the same seed on the same backend gives identical forecasts.
 */
import type * as TF from '@tensorflow/tfjs';
import { InputError, invalidOption } from '../../core/errors';
import { rng as makeRng, type Rng } from '../../core/rng';
import { shuffle, uniform } from '../../core/random';
import { tensorBackend, type TensorBackendName } from '../../core/tensor';
import { checkKnownKeys, checkNumber, checkOneOf, checkPositiveInteger } from '../../core/validate';
import type { ForecastDataset } from '../dataset';
import { parseLevels, quantileForecast, type LevelInput, type QuantileForecast } from '../forecast';
import {
  checkColumns,
  covariateMean,
  nonNegativeTargets,
  resolveEnd,
  resolveOrigin,
  seasonLag,
  type FitOptions,
  type FittedModel,
  type ForecastModel,
  type PredictOptions,
  type SavedModel,
} from './common';
import { modelDefaults } from './seasonalNaive';

/** Options of {@link mqcnn}. */
export interface MqCnnOptions {
  /** Steps to forecast (default 13). */
  horizon?: number;
  /** Quantile levels (default [0.1, 0.5, 0.9]). */
  levels?: LevelInput[];
  /** Encoder channels per layer (default [24, 24, 24]; GluonTS uses [30, 30, 30]). */
  channels?: number[];
  /** Kernel size per layer (default [7, 3, 3], as GluonTS). */
  kernels?: number[];
  /** Dilation per layer (default [1, 3, 9], as GluonTS). */
  dilations?: number[];
  /** Size of each global-MLP context, per step and shared (default 8). */
  contextSize?: number;
  /** Hidden units of the local MLP (default 16). */
  localHidden?: number;
  /** Training epochs over all series (default 20). */
  epochs?: number;
  /** Series per mini-batch (default 32). */
  batchSize?: number;
  /** Adam learning rate; halved for the last third of the epochs (default 0.003). */
  learningRate?: number;
  /**
   * Loss weight of each (series, origin): 'equal', or 'scale' (∝ the scale at that origin, as wQL
   * weighs volume). Default 'equal': on a model-selection world (simulateDemand seed 99, 300 series)
   * it gave slightly lower held-out wQL and better-calibrated intervals than 'scale'.
   */
  lossWeights?: 'scale' | 'equal';
  /** Seed for the initial weights and the batch order (default 0). */
  seed?: number;
  /** TensorFlow.js backend (default: `tensorBackend()`'s choice). */
  backend?: TensorBackendName;
}

/** Defaults of {@link mqcnn}. */
export const mqcnnDefaults = {
  ...modelDefaults,
  channels: [24, 24, 24] as number[],
  kernels: [7, 3, 3] as number[],
  dilations: [1, 3, 9] as number[],
  contextSize: 8,
  localHidden: 16,
  epochs: 20,
  batchSize: 32,
  learningRate: 0.003,
  lossWeights: 'equal' as 'scale' | 'equal',
  seed: 0,
  backend: undefined as TensorBackendName | undefined,
} as const;

interface Arch {
  horizon: number;
  levels: number[];
  channels: number[];
  kernels: number[];
  dilations: number[];
  contextSize: number;
  localHidden: number;
}

/** Normalisation learnt at fit time (applied again at prediction). */
interface Norm {
  covariates: string[];
  statics: string[];
  covSd: number[];
  staticMean: number[];
  staticSd: number[];
  logScaleMean: number;
  logScaleSd: number;
  period: number;
  clip: boolean;
}

type Params = Record<string, TF.Variable>;

// tfjs variable names must be unique per process
let variableCounter = 0;

function encoderInputs(norm: Norm): number {
  return 1 + norm.covariates.length + 2 + norm.statics.length + 1;
}
function futureInputs(norm: Norm): number {
  return norm.covariates.length + 2 + 2;
}

/**
 * Causal running scales of one series: `out[t]` = mean |y| over steps [max(0, t − P), t) for
 * t = 1..len (1 where that mean is 0); `out[0]` = `out[1]`. The scale at an origin o uses only
 * what is known at o, so training (a decoder at every step) and prediction see the same inputs.
 */
function runningScales(y: Float64Array, off: number, len: number, P: number, out: Float64Array): void {
  let sum = 0;
  for (let t = 1; t <= len; t++) {
    sum += Math.abs(y[off + t - 1]);
    if (t - 1 - P >= 0) sum -= Math.abs(y[off + t - 1 - P]);
    const m = sum / Math.min(t, P);
    out[t] = m > 1e-12 ? m : 1;
  }
  out[0] = out[1];
}

/** Covariate reference level: the series' mean over its first min(len, P) steps (the same window in training and prediction). */
function covariateReference(c: Float64Array, rowStart: number, len: number, P: number): number {
  return covariateMean(c, rowStart, Math.min(len, P));
}

/**
 * Encoder inputs [n, len, Cin] for steps [0, len) and decoder inputs [n, nPos, H, Cf] for origins
 * o ∈ [oFirst, oFirst + nPos), with the scale at each origin `posScale` [n, nPos]; targets/mask
 * when `withTargets`. Encoder step t holds y_t / s_{t+1} and log s_{t+1} (s_{t+1}: the running
 * scale known after step t); targets and the seasonal lag at origin o are divided by s_o.
 */
function buildTensors(
  data: ForecastDataset,
  norm: Norm,
  H: number,
  len: number,
  oFirst: number,
  nPos: number,
  withTargets: boolean,
): { enc: Float32Array; dec: Float32Array; posScale: Float64Array; y: Float32Array; mask: Float32Array } {
  const n = data.n;
  const T = data.length;
  const Tc = data.covariateLength;
  const P = norm.period;
  const Cin = encoderInputs(norm);
  const Cf = futureInputs(norm);
  const nc = norm.covariates.length;
  const enc = new Float32Array(n * len * Cin);
  const dec = new Float32Array(n * nPos * H * Cf);
  const posScale = new Float64Array(n * nPos);
  const y = new Float32Array(withTargets ? n * nPos * H : 0);
  const mask = new Float32Array(withTargets ? n * nPos * H : 0);
  const covMu = new Float64Array(nc);
  const run = new Float64Array(len + 1);
  const calPos = (t: number): number => (2 * Math.PI * ((((data.start + t) % P) + P) % P)) / P;
  const cal = new Float64Array(2 * len);
  for (let t = 0; t < len; t++) {
    cal[2 * t] = Math.sin(calPos(t));
    cal[2 * t + 1] = Math.cos(calPos(t));
  }
  for (let i = 0; i < n; i++) {
    const off = i * T;
    runningScales(data.target, off, len, P, run);
    for (let k = 0; k < nc; k++) covMu[k] = covariateReference(data.covariates[norm.covariates[k]], i * Tc, len, P);
    const statics = norm.statics.map((st, k) => (data.static[st][i] - norm.staticMean[k]) / norm.staticSd[k]);
    for (let t = 0; t < len; t++) {
      let b = (i * len + t) * Cin;
      const s = run[t + 1];
      enc[b++] = data.target[off + t] / s;
      for (let k = 0; k < nc; k++) enc[b++] = (data.covariates[norm.covariates[k]][i * Tc + t] - covMu[k]) / norm.covSd[k];
      enc[b++] = cal[2 * t];
      enc[b++] = cal[2 * t + 1];
      for (let k = 0; k < statics.length; k++) enc[b++] = statics[k];
      enc[b++] = (Math.log(s) - norm.logScaleMean) / norm.logScaleSd;
    }
    for (let p = 0; p < nPos; p++) {
      const o = oFirst + p;
      const s = run[o];
      posScale[i * nPos + p] = s;
      for (let h = 0; h < H; h++) {
        const t = o + h;
        let b = ((i * nPos + p) * H + h) * Cf;
        // steps past the covariates' end only occur for masked (unobserved) training targets
        for (let k = 0; k < nc; k++) dec[b++] = t < Tc ? (data.covariates[norm.covariates[k]][i * Tc + t] - covMu[k]) / norm.covSd[k] : 0;
        dec[b++] = Math.sin(calPos(t));
        dec[b++] = Math.cos(calPos(t));
        const tl = t - seasonLag(h, P);
        dec[b++] = tl >= 0 ? data.target[off + tl] / s : 0;
        dec[b++] = tl >= 0 ? 1 : 0;
        if (withTargets && t < len) {
          const m = (i * nPos + p) * H + h;
          y[m] = data.target[off + t] / s;
          mask[m] = 1;
        }
      }
    }
  }
  return { enc, dec, posScale, y, mask };
}

function glorot(r: Rng, fanIn: number, fanOut: number): Float32Array {
  const lim = Math.sqrt(6 / (fanIn + fanOut));
  const w = new Float32Array(fanIn * fanOut);
  for (let k = 0; k < w.length; k++) w[k] = uniform(r, -lim, lim);
  return w;
}

function paramShapes(arch: Arch, Cin: number, Cf: number): [string, number[]][] {
  const shapes: [string, number[]][] = [];
  let cin = Cin;
  arch.channels.forEach((c, l) => {
    shapes.push([`conv${l}.w`, [arch.kernels[l] * cin, c]], [`conv${l}.b`, [c]]);
    cin = c;
  });
  const H = arch.horizon;
  const ctx = arch.contextSize;
  shapes.push(['global.w', [cin + H * Cf, (H + 1) * ctx]], ['global.b', [(H + 1) * ctx]]);
  shapes.push(['local1.w', [2 * ctx + Cf, arch.localHidden]], ['local1.b', [arch.localHidden]]);
  shapes.push(['local2.w', [arch.localHidden, arch.levels.length]], ['local2.b', [arch.levels.length]]);
  return shapes;
}

/** Forward pass: encoder over [B, L, Cin], decoder at origins; returns scaled quantiles [B, nPos, H, Q]. */
function forward(tf: typeof TF, w: Params, arch: Arch, enc: TF.Tensor3D, dec: TF.Tensor4D, posFirst: number): TF.Tensor4D {
  const [B, L] = enc.shape;
  let x: TF.Tensor3D = enc;
  arch.channels.forEach((c, l) => {
    const k = arch.kernels[l];
    const d = arch.dilations[l];
    const cin = x.shape[2];
    const pad = (k - 1) * d;
    const xp = tf.pad(x, [
      [0, 0],
      [pad, 0],
      [0, 0],
    ]);
    // im2col: the k shifted copies side by side, one matmul (the wasm backend has no conv
    // filter gradient, and tfjs has no dilated conv gradient at all)
    const parts: TF.Tensor3D[] = [];
    for (let j = 0; j < k; j++) parts.push(tf.slice(xp, [0, j * d, 0], [B, L, cin]));
    const cols = tf.reshape(k === 1 ? parts[0] : tf.concat(parts, 2), [B * L, k * cin]);
    x = tf.reshape(tf.relu(tf.add(tf.matMul(cols, w[`conv${l}.w`]), w[`conv${l}.b`])), [B, L, c]);
  });
  const [, nPos, H, Cf] = dec.shape;
  const C = x.shape[2];
  // the encoding after observing steps [0, o) sits at step o − 1
  const h = tf.slice(x, [0, posFirst - 1, 0], [B, nPos, C]);
  const gIn = tf.concat([tf.reshape(h, [B * nPos, C]), tf.reshape(dec, [B * nPos, H * Cf])], 1);
  const ctx = arch.contextSize;
  const hidN = arch.localHidden;
  const g = tf.relu(tf.add(tf.matMul(gIn, w['global.w']), w['global.b'])); // [B·nPos, (H+1)·ctx]
  // Local MLP on [step context, shared context, step covariates], with its first layer split by
  // input block so the shared context's term is computed once per origin and broadcast over steps.
  const cStep = tf.reshape(tf.slice(g, [0, 0], [B * nPos, H * ctx]), [B * nPos * H, ctx]);
  const cShared = tf.slice(g, [0, H * ctx], [B * nPos, ctx]);
  const w1 = w['local1.w'];
  const termStep = tf.matMul(cStep, tf.slice(w1, [0, 0], [ctx, hidN]));
  const termShared = tf.reshape(tf.matMul(cShared, tf.slice(w1, [ctx, 0], [ctx, hidN])), [B * nPos, 1, hidN]);
  const termDec = tf.matMul(tf.reshape(dec, [B * nPos * H, Cf]), tf.slice(w1, [2 * ctx, 0], [Cf, hidN]));
  const pre = tf.add(tf.reshape(tf.add(termStep, termDec), [B * nPos, H, hidN]), termShared);
  const hid = tf.relu(tf.add(tf.reshape(pre, [B * nPos * H, hidN]), w['local1.b']));
  const raw = tf.add(tf.matMul(hid, w['local2.w']), w['local2.b']);
  const Q = arch.levels.length;
  // non-crossing: z₁ = raw₁, z_k = softplus(raw_k) for k > 1, q = z · U (U upper-triangular ones)
  const first = tf.tensor1d(Array.from({ length: Q }, (_, k) => (k === 0 ? 1 : 0)));
  const z = tf.add(tf.mul(raw, first), tf.mul(tf.softplus(raw), tf.sub(1, first)));
  const U = tf.tensor2d(Array.from({ length: Q * Q }, (_, j) => (Math.floor(j / Q) <= j % Q ? 1 : 0)), [Q, Q]);
  const q = tf.matMul(z, U);
  return tf.reshape(q, [B, nPos, H, Q]);
}

class FittedMqCnn implements FittedModel {
  readonly kind = 'mq-cnn' as const;
  readonly name = 'MQ-CNN';
  readonly horizon: number;
  readonly levels: readonly number[];

  constructor(
    private readonly tf: typeof TF,
    private readonly arch: Arch,
    private readonly norm: Norm,
    private readonly w: Params,
    /** Training loss per epoch. */
    readonly history: number[],
  ) {
    this.horizon = arch.horizon;
    this.levels = arch.levels;
  }

  predict(data: ForecastDataset, options: PredictOptions = {}): QuantileForecast[] {
    checkKnownKeys('options', options, ['origin']);
    checkColumns(data, this.norm.covariates, this.norm.statics);
    if (data.period !== this.norm.period) throw new InputError(`invalid argument \`data\`: period ${data.period}, but the model was fitted with period ${this.norm.period}`);
    const H = this.horizon;
    const origin = resolveOrigin(data, options, H);
    const { enc, dec, posScale: scale } = buildTensors(data, this.norm, H, origin, origin, 1, false);
    const tf = this.tf;
    const Cin = encoderInputs(this.norm);
    const Cf = futureInputs(this.norm);
    const K = this.levels.length;
    const out = new Float64Array(data.n * H * K);
    const chunk = 256;
    for (let a = 0; a < data.n; a += chunk) {
      const b = Math.min(data.n, a + chunk);
      const vals = tf.tidy(() => {
        const e = tf.tensor3d(enc.subarray(a * origin * Cin, b * origin * Cin), [b - a, origin, Cin]);
        const d = tf.tensor4d(dec.subarray(a * H * Cf, b * H * Cf), [b - a, 1, H, Cf]);
        return forward(tf, this.w, this.arch, e, d, origin);
      });
      out.set(vals.dataSync(), a * H * K);
      vals.dispose();
    }
    const res: QuantileForecast[] = [];
    let med = 0;
    for (let k = 1; k < K; k++) if (Math.abs(this.levels[k] - 0.5) < Math.abs(this.levels[med] - 0.5)) med = k;
    for (let i = 0; i < data.n; i++) {
      const values = new Float64Array(H * K);
      const mean = new Float64Array(H);
      for (let j = 0; j < H * K; j++) {
        const v = out[i * H * K + j] * scale[i];
        values[j] = this.norm.clip && v < 0 ? 0 : v;
      }
      for (let h = 0; h < H; h++) mean[h] = values[h * K + med];
      res.push(quantileForecast({ id: data.ids[i], start: data.start + origin, levels: this.levels, values, mean }));
    }
    return res;
  }

  /** Frees the weights on the backend. */
  dispose(): void {
    for (const v of Object.values(this.w)) v.dispose();
  }

  toJSON(): SavedModel {
    const weights: Record<string, { shape: number[]; values: number[] }> = {};
    for (const [k, v] of Object.entries(this.w)) weights[k] = { shape: v.shape.slice(), values: Array.from(v.dataSync()) };
    return { kind: 'mq-cnn', version: 1, arch: this.arch, norm: this.norm, weights, history: this.history };
  }
}

/** Restores a fitted MQ-CNN (loads the tfjs backend). */
export async function loadMqCnn(saved: SavedModel, options: { backend?: TensorBackendName } = {}): Promise<FittedModel> {
  const { tf } = await tensorBackend(options);
  const w: Params = {};
  for (const [k, v] of Object.entries(saved.weights as Record<string, { shape: number[]; values: number[] }>)) {
    w[k] = tf.variable(tf.tensor(Float32Array.from(v.values), v.shape), false, `mqcnn.${k}.${variableCounter++}`);
  }
  return new FittedMqCnn(tf, saved.arch as Arch, saved.norm as Norm, w, (saved.history as number[]) ?? []);
}

function checkIntList(name: string, v: unknown, len?: number): number[] {
  if (!Array.isArray(v) || v.length === 0 || (len !== undefined && v.length !== len)) {
    throw invalidOption(name, len === undefined ? 'a non-empty array of positive integers' : `an array of ${len} positive integers (one per layer)`, v);
  }
  for (const x of v) checkPositiveInteger(name, x);
  return v.slice();
}

/**
 * MQ-CNN forecaster (Wen, Torkkola, Narayanaswamy and Madeka 2017, arXiv:1711.11053; GluonTS's
 * MQCNNEstimator for the encoder defaults). Inputs per step: scaled target, covariates (centred
 * per series, scaled globally), calendar (sin/cos of the season position), static features and
 * log running scale; per future step: covariates, calendar, the scaled value one season earlier.
 * Mean = the median.
 */
export function mqcnn(options: MqCnnOptions = {}): ForecastModel {
  checkKnownKeys('options', options, Object.keys(mqcnnDefaults));
  const o = { ...mqcnnDefaults, ...options };
  const horizon = checkPositiveInteger('horizon', o.horizon);
  const levels = parseLevels('levels', o.levels);
  const channels = checkIntList('channels', o.channels);
  const kernels = checkIntList('kernels', o.kernels, channels.length);
  const dilations = checkIntList('dilations', o.dilations, channels.length);
  const contextSize = checkPositiveInteger('contextSize', o.contextSize);
  const localHidden = checkPositiveInteger('localHidden', o.localHidden);
  const epochs = checkPositiveInteger('epochs', o.epochs);
  const batchSize = checkPositiveInteger('batchSize', o.batchSize);
  const learningRate = checkNumber('learningRate', o.learningRate, { min: 0, minExclusive: true });
  const seed = checkNumber('seed', o.seed, { integer: true });
  const lossWeights = checkOneOf('lossWeights', o.lossWeights, ['scale', 'equal'] as const);
  const arch: Arch = { horizon, levels, channels, kernels, dilations, contextSize, localHidden };
  return {
    name: 'MQ-CNN',
    horizon,
    levels,
    async fit(data: ForecastDataset, fit: FitOptions = {}): Promise<FittedModel> {
      const { tf } = await tensorBackend(o.backend ? { backend: o.backend } : {});
      const end = resolveEnd(data, fit, 6);
      const P = data.period;
      const covs = Object.keys(data.covariates);
      const stats = Object.keys(data.static);
      // normalisation from the training range
      const Tc = data.covariateLength;
      const covSd = covs.map((c) => {
        const a = data.covariates[c];
        let ss = 0;
        for (let i = 0; i < data.n; i++) {
          const mu = covariateReference(a, i * Tc, end, P);
          for (let t = 0; t < end; t++) ss += (a[i * Tc + t] - mu) ** 2;
        }
        const sd = Math.sqrt(ss / (data.n * end));
        return sd > 0 ? sd : 1;
      });
      const meanSd = (a: ArrayLike<number>): [number, number] => {
        let m = 0;
        for (let i = 0; i < a.length; i++) m += a[i];
        m /= a.length;
        let v = 0;
        for (let i = 0; i < a.length; i++) v += (a[i] - m) ** 2;
        const sd = Math.sqrt(v / a.length);
        return [m, sd > 0 ? sd : 1];
      };
      const statMS = stats.map((s) => meanSd(data.static[s]));
      const logScales = new Float64Array(data.n * end);
      const run = new Float64Array(end + 1);
      for (let i = 0; i < data.n; i++) {
        runningScales(data.target, i * data.length, end, P, run);
        for (let t = 0; t < end; t++) logScales[i * end + t] = Math.log(run[t + 1]);
      }
      const [lsm, lss] = meanSd(logScales);
      const norm: Norm = {
        covariates: covs,
        statics: stats,
        covSd,
        staticMean: statMS.map((m) => m[0]),
        staticSd: statMS.map((m) => m[1]),
        logScaleMean: lsm,
        logScaleSd: lss,
        period: P,
        clip: nonNegativeTargets(data, end),
      };
      const oFirst = Math.min(P + 4, Math.max(2, end - 2 * horizon));
      const nPos = end - oFirst;
      const Cin = encoderInputs(norm);
      const Cf = futureInputs(norm);
      const t = buildTensors(data, norm, horizon, end, oFirst, nPos, true);
      // loss weight per (series, origin) ∝ the scale at that origin (wQL weighs series by volume)
      let meanScale = 0;
      for (let j = 0; j < t.posScale.length; j++) meanScale += t.posScale[j];
      meanScale /= t.posScale.length;
      const root = makeRng(seed);
      const w: Params = {};
      const init = root.fork(0);
      for (const [name, shape] of paramShapes(arch, Cin, Cf)) {
        const values = name.endsWith('.b') ? new Float32Array(shape[0]) : glorot(init, shape[0], shape[1]);
        w[name] = tf.variable(tf.tensor(values, shape), true, `mqcnn.${name}.${variableCounter++}`);
      }
      const K = levels.length;
      const n = data.n;
      const encAll = tf.tensor3d(t.enc, [n, end, Cin]);
      const decAll = tf.tensor4d(t.dec, [n, nPos, horizon, Cf]);
      const yAll = tf.tensor3d(t.y, [n, nPos, horizon]);
      const mAll = tf.tensor3d(
        lossWeights === 'equal' ? t.mask : t.mask.map((m, j) => m * (t.posScale[Math.floor(j / horizon)] / meanScale)),
        [n, nPos, horizon],
      );
      const tau = tf.tensor1d(levels);
      const history: number[] = [];
      const bs = Math.min(batchSize, n);
      const steps = Math.ceil(n / bs);
      let opt = tf.train.adam(learningRate);
      const order = Int32Array.from({ length: n }, (_, i) => i);
      try {
        for (let ep = 0; ep < epochs; ep++) {
          if (ep === Math.floor((2 * epochs) / 3) && epochs >= 3) {
            // halve the step size for the last third (a fresh Adam keeps the state simple)
            opt.dispose();
            opt = tf.train.adam(learningRate / 2);
          }
          shuffle(root.fork(ep + 1), order);
          let total = 0;
          for (let sidx = 0; sidx < steps; sidx++) {
            const idx = order.subarray(sidx * bs, Math.min(n, (sidx + 1) * bs));
            const cost = opt.minimize(() => {
              const ix = tf.tensor1d(idx, 'int32');
              const e = tf.gather(encAll, ix) as TF.Tensor3D;
              const d = tf.gather(decAll, ix) as TF.Tensor4D;
              const y = tf.gather(yAll, ix) as TF.Tensor3D;
              const m = tf.gather(mAll, ix) as TF.Tensor3D;
              const q = forward(tf, w, arch, e, d, oFirst);
              const diff = tf.sub(tf.expandDims(y, 3), q);
              const pin = tf.maximum(tf.mul(diff, tau), tf.mul(diff, tf.sub(tau, 1)));
              const per = tf.mul(tf.sum(pin, 3), m);
              return tf.div(tf.sum(per), tf.add(tf.sum(m), 1e-9)) as TF.Scalar;
            }, true)!;
            total += cost.dataSync()[0] * idx.length;
            cost.dispose();
          }
          history.push(total / n / K);
          fit.onProgress?.({ fraction: (ep + 1) / epochs, message: `epoch ${ep + 1}/${epochs}: loss ${(total / n / K).toFixed(4)}` });
          await new Promise((r) => setImmediate(r));
        }
      } finally {
        opt.dispose();
        for (const x of [encAll, decAll, yAll, mAll, tau]) x.dispose();
      }
      return new FittedMqCnn(tf, arch, norm, w, history);
    },
  };
}
