import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import { InputError, describeValue } from './errors';

/** The TensorFlow.js backends choicelab can use, fastest first. */
export type TensorBackendName = 'node-gpu' | 'node' | 'wasm' | 'cpu';

/** Which backend was chosen, why, and why each faster one was skipped. */
export interface TensorBackendChoice {
  /** The chosen backend. */
  name: TensorBackendName;
  /** The tfjs backend id that tf.getBackend() reports ('tensorflow', 'wasm' or 'cpu'). */
  tfBackend: string;
  /** Why this one: the first that loaded, or the TFJS_BACKEND override. */
  reason: string;
  /** Faster backends that were tried and skipped, each with the reason. */
  skipped: { name: TensorBackendName; reason: string }[];
  /** The TensorFlow.js namespace to use (the node packages bundle their own). */
  tf: typeof TF;
}

const ORDER: readonly TensorBackendName[] = ['node-gpu', 'node', 'wasm', 'cpu'];
const NODE_PACKAGES: Record<'node-gpu' | 'node', string> = {
  'node-gpu': '@tensorflow/tfjs-node-gpu',
  node: '@tensorflow/tfjs-node',
};

// A non-literal specifier keeps tsc from needing the optional packages' types.
const dynamicRequire = (name: string): unknown => require(name);

function packageNameAt(resolvedMain: string): string | undefined {
  let dir = path.dirname(resolvedMain);
  for (let i = 0; i < 6; i++) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const name = (JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string }).name;
      if (name) return name;
    }
    dir = path.dirname(dir);
  }
  return undefined;
}

async function tryNative(which: 'node-gpu' | 'node'): Promise<typeof TF> {
  const pkg = NODE_PACKAGES[which];
  let resolved: string;
  try {
    resolved = require.resolve(pkg);
  } catch {
    throw new Error(`${pkg} is not installed`);
  }
  const actual = packageNameAt(resolved);
  if (actual !== pkg) {
    // danfojs-node's install maps @tensorflow/tfjs-node to plain @tensorflow/tfjs (see package.json overrides).
    throw new Error(`${pkg} resolves to ${actual ?? 'another package'} (an npm alias), not the native binding`);
  }
  const tf = dynamicRequire(pkg) as typeof TF;
  if (!tf.findBackend('tensorflow')) throw new Error(`${pkg} loaded but registered no 'tensorflow' backend`);
  await tf.setBackend('tensorflow');
  await tf.ready();
  return tf;
}

async function tryWasm(): Promise<typeof TF> {
  const tf = dynamicRequire('@tensorflow/tfjs') as typeof TF;
  dynamicRequire('@tensorflow/tfjs-backend-wasm');
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend failed to initialise');
  await tf.ready();
  return tf;
}

async function tryCpu(): Promise<typeof TF> {
  const tf = dynamicRequire('@tensorflow/tfjs') as typeof TF;
  if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend failed to initialise');
  await tf.ready();
  return tf;
}

async function load(name: TensorBackendName): Promise<typeof TF> {
  if (name === 'node-gpu' || name === 'node') return tryNative(name);
  return name === 'wasm' ? tryWasm() : tryCpu();
}

let cached: Promise<TensorBackendChoice> | undefined;
let cachedKey: string | undefined;

/**
 * Loads TensorFlow.js on the fastest backend available: tfjs-node-gpu, tfjs-node, wasm, cpu.
 * `TFJS_BACKEND` (or `options.backend`) forces one, and then failing to load it is an error.
 * The result is cached per requested backend; it says which backend was chosen and why.
 */
export function tensorBackend(options: { backend?: TensorBackendName } = {}): Promise<TensorBackendChoice> {
  const forced = options.backend ?? (process.env.TFJS_BACKEND || undefined);
  if (forced !== undefined && !ORDER.includes(forced as TensorBackendName)) {
    const source = options.backend !== undefined ? 'option `backend`' : 'environment variable TFJS_BACKEND';
    return Promise.reject(
      new InputError(`invalid ${source}: expected one of ${ORDER.map((o) => `"${o}"`).join(', ')}, got ${describeValue(forced)}`),
    );
  }
  const key = forced ?? 'auto';
  if (cached && cachedKey === key) return cached;
  cachedKey = key;
  cached = choose(forced as TensorBackendName | undefined);
  cached.catch(() => {
    cached = undefined;
    cachedKey = undefined;
  });
  return cached;
}

async function choose(forced: TensorBackendName | undefined): Promise<TensorBackendChoice> {
  if (forced) {
    try {
      const tf = await load(forced);
      return { name: forced, tfBackend: tf.getBackend(), reason: `forced by ${process.env.TFJS_BACKEND === forced ? 'TFJS_BACKEND' : 'option `backend`'}`, skipped: [], tf };
    } catch (e) {
      throw new InputError(`TensorFlow.js backend "${forced}" was requested but could not be loaded: ${(e as Error).message}`);
    }
  }
  const skipped: TensorBackendChoice['skipped'] = [];
  for (const name of ORDER) {
    try {
      const tf = await load(name);
      return { name, tfBackend: tf.getBackend(), reason: 'the fastest backend that loaded', skipped, tf };
    } catch (e) {
      skipped.push({ name, reason: (e as Error).message });
    }
  }
  throw new Error(`no TensorFlow.js backend could be loaded: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
}

/** One line for logs and notebooks: `TensorFlow.js backend: wasm (skipped node-gpu: not installed; ...)`. */
export function describeTensorBackend(choice: TensorBackendChoice): string {
  const skipped = choice.skipped.length ? `; skipped ${choice.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}` : '';
  return `TensorFlow.js backend: ${choice.name} (${choice.reason}${skipped})`;
}
