/**
 * Forest training: subsampling without replacement, little-bag groups, honesty, and parallel
 * growth over worker threads.
 *
 * Trees are grown in groups of `ciGroupSize` (1 unless variance estimates are wanted). Group g
 * is seeded with `rng(seed).fork(...path).fork(g)`; with groups of 1 the tree uses that stream,
 * otherwise the group draws a half-sample with it and tree j of the group uses `.fork(j)`. A
 * tree's randomness therefore depends only on the seed and its index, never on the number of
 * workers or the order in which they finish. Workers receive the data in SharedArrayBuffers and
 * the main thread waits for them synchronously (Atomics.wait + receiveMessageOnPort), so the
 * public API stays synchronous.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { ChoicelabError } from '../core/errors';
import { rng, type Rng } from '../core/rng';
import type { ForestData } from './data';
import { drawInt, growTree, workspace, type GrowSettings, type Tree } from './tree';

/** Everything a worker needs to grow trees. */
export interface TrainJob {
  data: ForestData;
  y: Float64Array;
  w: Float64Array | null;
  settings: GrowSettings;
  sampleFraction: number;
  ciGroupSize: number;
  numTrees: number;
  seed: number | string;
  path: number[];
}

function baseRng(job: TrainJob): Rng {
  let r = rng(job.seed);
  for (const i of job.path) r = r.fork(i);
  return r;
}

/** Draws `size` of the first `pool.length` entries of `pool` (partial Fisher–Yates, in place), returns a copy. */
function drawWithoutReplacement(r: Rng, pool: Int32Array, size: number): Int32Array {
  const len = pool.length;
  for (let a = 0; a < size; a++) {
    const b = a + drawInt(r, len - a);
    const t = pool[a];
    pool[a] = pool[b];
    pool[b] = t;
  }
  return pool.slice(0, size);
}

/** Grows the trees of groups [from, to) — the same trees whatever thread runs them. */
export function trainGroups(job: TrainJob, from: number, to: number): Tree[] {
  const { data, ciGroupSize } = job;
  const n = data.n;
  const base = baseRng(job);
  const ws = workspace(n, data.p);
  const all = new Int32Array(n);
  const treeSize = Math.max(1, Math.floor(job.sampleFraction * n));
  const halfSize = Math.floor(n / 2);
  const trees: Tree[] = [];
  for (let g = from; g < to; g++) {
    const gr = base.fork(g);
    for (let i = 0; i < n; i++) all[i] = i;
    if (ciGroupSize === 1) {
      trees.push(growOne(job, ws, drawWithoutReplacement(gr, all, Math.min(treeSize, n)), gr));
    } else {
      const half = drawWithoutReplacement(gr, all, halfSize);
      for (let j = 0; j < ciGroupSize; j++) {
        const tr = gr.fork(j);
        const pool = half.slice();
        trees.push(growOne(job, ws, drawWithoutReplacement(tr, pool, Math.min(treeSize, halfSize)), tr));
      }
    }
  }
  return trees;
}

function growOne(job: TrainJob, ws: ReturnType<typeof workspace>, sample: Int32Array, r: Rng): Tree {
  const n = job.data.n;
  const inBag = new Uint32Array((n + 31) >>> 5);
  for (let k = 0; k < sample.length; k++) inBag[sample[k] >>> 5] |= 1 << (sample[k] & 31);
  let splitIdx = sample;
  let estIdx: Int32Array | null = null;
  if (job.settings.honesty) {
    // `sample` is already in random order (partial Fisher–Yates), so halves are random.
    const nSplit = Math.floor(sample.length * job.settings.honestyFraction);
    splitIdx = sample.slice(0, nSplit);
    estIdx = sample.slice(nSplit);
  }
  return growTree(job.data, job.y, job.w, job.settings, ws, splitIdx, estIdx, inBag, r);
}

// --- parallel growth ----------------------------------------------------------------------------

function shared<T extends Float64Array | Int32Array>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const Ctor = a.constructor as { new (b: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number };
  const out = new Ctor(new SharedArrayBuffer(a.length * Ctor.BYTES_PER_ELEMENT));
  out.set(a);
  return out;
}

/** Message from a worker. */
export interface WorkerReply {
  trees?: Tree[];
  error?: string;
}

/** Default number of threads: one per core the process may use. */
export function defaultThreads(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

function workerScript(): { file: string; eval: boolean } {
  const ext = path.extname(__filename);
  const file = path.join(__dirname, `worker${ext}`);
  if (ext === '.ts') {
    // Development (tsx, mocha): load tsx's CommonJS hook in the worker before the .ts entry.
    // Resolve tsx here: an eval'd worker resolves bare names from the working directory.
    const tsx = require.resolve('tsx/cjs');
    const code =
      `const { workerData } = require('node:worker_threads');` +
      `try { require(${JSON.stringify(tsx)}); require(${JSON.stringify(file)}); }` +
      `catch (e) { const p = workerData.port; p.postMessage({ error: String(e && e.stack || e) });` +
      ` Atomics.add(workerData.done, 0, 1); Atomics.notify(workerData.done, 0); }`;
    return { file: code, eval: true };
  }
  return { file, eval: false };
}

/**
 * Grows all trees of a job on `threads` threads (inline when 1) and returns them in index order.
 * The main thread blocks until the workers are done.
 */
export function trainForest(job: TrainJob, threads: number): Tree[] {
  const groups = job.numTrees / job.ciGroupSize;
  const nThreads = Math.max(1, Math.min(threads, groups));
  if (nThreads === 1) return trainGroups(job, 0, groups);
  const sharedJob: TrainJob = {
    ...job,
    data: {
      ...job.data,
      x: shared(job.data.x),
      rank: shared(job.data.rank),
      values: shared(job.data.values),
      valueStart: shared(job.data.valueStart),
    },
    y: shared(job.y),
    w: job.w ? shared(job.w) : null,
  };
  const done = new Int32Array(new SharedArrayBuffer(4));
  const script = workerScript();
  const ports: MessagePort[] = [];
  const workers: Worker[] = [];
  try {
    for (let k = 0; k < nThreads; k++) {
      const from = Math.floor((k * groups) / nThreads);
      const to = Math.floor(((k + 1) * groups) / nThreads);
      const { port1, port2 } = new MessageChannel();
      ports.push(port1);
      const worker = new Worker(script.file, {
        eval: script.eval,
        workerData: { job: sharedJob, from, to, port: port2, done },
        transferList: [port2],
      });
      worker.unref();
      workers.push(worker);
    }
    const replies: (WorkerReply | undefined)[] = new Array(nThreads);
    let received = 0;
    while (received < nThreads) {
      const seen = Atomics.load(done, 0);
      for (let k = 0; k < nThreads; k++) {
        if (replies[k] !== undefined) continue;
        const msg = receiveMessageOnPort(ports[k]);
        if (msg) {
          replies[k] = msg.message as WorkerReply;
          received++;
        }
      }
      if (received < nThreads) Atomics.wait(done, 0, seen, 1000);
    }
    const trees: Tree[] = [];
    for (const reply of replies) {
      if (!reply || reply.error || !reply.trees) {
        throw new ChoicelabError(`forest worker failed: ${reply?.error ?? 'no reply'}`);
      }
      for (const t of reply.trees) trees.push(t);
    }
    return trees;
  } finally {
    for (const p of ports) p.close();
    for (const wk of workers) void wk.terminate();
  }
}
