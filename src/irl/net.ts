/**
 * A small multilayer perceptron on TensorFlow.js for the inverse-RL stages: tanh hidden layers,
 * a linear output layer, weights drawn from the core seeded rng (Glorot uniform), so the same
 * seed and backend give the same network. Training is full-batch Adam (no batch order at all).
 */
import type * as TF from '@tensorflow/tfjs';
import { fillUniform } from '../core/random';
import type { Rng } from '../core/rng';

/** A tanh MLP: `sizes` = [inputs, hidden…, outputs]. */
export interface Mlp {
  sizes: number[];
  /** Weights and biases, layer by layer. */
  variables: TF.Variable[];
  /** Output for inputs x (n × inputs). Call inside tf.tidy. */
  apply(x: TF.Tensor2D): TF.Tensor2D;
  /** Last hidden layer's activations (n × last hidden). Call inside tf.tidy. */
  hidden(x: TF.Tensor2D): TF.Tensor2D;
  dispose(): void;
}

/** Builds an MLP with Glorot-uniform weights from `random` and zero biases. */
export function mlp(tf: typeof TF, sizes: number[], random: Rng): Mlp {
  const variables: TF.Variable[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const fanIn = sizes[l];
    const fanOut = sizes[l + 1];
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    const w = fillUniform(random.fork(l), new Float64Array(fanIn * fanOut), -limit, limit);
    variables.push(tf.variable(tf.tensor2d(Float32Array.from(w), [fanIn, fanOut]), true, undefined, 'float32'));
    variables.push(tf.variable(tf.zeros([fanOut]), true));
  }
  const layers = sizes.length - 1;
  const hidden = (x: TF.Tensor2D): TF.Tensor2D => {
    let h = x;
    for (let l = 0; l < layers - 1; l++) h = tf.tanh(tf.add(tf.matMul(h, variables[2 * l] as TF.Tensor2D), variables[2 * l + 1])) as TF.Tensor2D;
    return h;
  };
  return {
    sizes: [...sizes],
    variables,
    hidden,
    apply(x) {
      const h = hidden(x);
      return tf.add(tf.matMul(h, variables[2 * (layers - 1)] as TF.Tensor2D), variables[2 * (layers - 1) + 1]) as TF.Tensor2D;
    },
    dispose() {
      for (const v of variables) v.dispose();
    },
  };
}

/** Runs `steps` full-batch Adam steps on `loss` (a scalar built inside the closure); returns the last loss. */
export function trainFullBatch(
  tf: typeof TF,
  variables: TF.Variable[],
  loss: () => TF.Scalar,
  options: { steps: number; learningRate: number; onStep?: (step: number, loss: number) => void; reportEvery?: number },
): number {
  const opt = tf.train.adam(options.learningRate);
  let last = NaN;
  const every = options.reportEvery ?? 50;
  for (let step = 0; step < options.steps; step++) {
    const want = step === options.steps - 1 || (options.onStep !== undefined && step % every === 0);
    const cost = opt.minimize(loss, want, variables);
    if (cost) {
      last = cost.dataSync()[0];
      cost.dispose();
      options.onStep?.(step, last);
    }
  }
  opt.dispose();
  return last;
}

/** Standardisation of columns: (x − mean) / sd, sd floored at 1e-8 (constant columns become 0). */
export interface Scaler {
  mean: Float64Array;
  sd: Float64Array;
}

/** Column means and sds of an n × D matrix. */
export function fitScaler(x: Float64Array, D: number): Scaler {
  const n = x.length / D;
  const mean = new Float64Array(D);
  const sd = new Float64Array(D);
  for (let i = 0; i < n; i++) for (let d = 0; d < D; d++) mean[d] += x[i * D + d];
  for (let d = 0; d < D; d++) mean[d] /= Math.max(1, n);
  for (let i = 0; i < n; i++) for (let d = 0; d < D; d++) sd[d] += (x[i * D + d] - mean[d]) ** 2;
  for (let d = 0; d < D; d++) sd[d] = Math.max(1e-8, Math.sqrt(sd[d] / Math.max(1, n)));
  return { mean, sd };
}

/** Applies a scaler to an n × D matrix, as float32 for tfjs. */
export function scale(x: Float64Array, s: Scaler): Float32Array {
  const D = s.mean.length;
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const d = i % D;
    out[i] = (x[i] - s.mean[d]) / s.sd[d];
  }
  return out;
}
