/**
 * Replicate studies over worker threads: the main-thread pool hands replicate r to worker
 * r mod W and collects each result as it arrives; the worker-side loop runs its replicates and
 * posts them back. Results depend on the replicate index only (callers seed replicate r with
 * fork(r)), so any worker count gives the same numbers.
 */
import * as path from 'node:path';
import { Worker, parentPort } from 'node:worker_threads';
import { ChoicelabError, DataError, InputError } from './errors';

/** How to start a worker: a file, or (under tsx) code that loads tsx first. */
export interface WorkerScript {
  file: string;
  eval: boolean;
}

/** The worker script next to a module file: `worker.js` in dist/, or `worker.ts` loaded through tsx. */
export function workerScript(moduleFile: string, name = 'worker'): WorkerScript {
  const ts = moduleFile.endsWith('.ts');
  const file = path.join(path.dirname(moduleFile), ts ? `${name}.ts` : `${name}.js`);
  if (!ts) return { file, eval: false };
  const tsx = require.resolve('tsx/cjs');
  return { file: `require(${JSON.stringify(tsx)}); require(${JSON.stringify(file)});`, eval: true };
}

/** Options of {@link runReplicatesOnWorkers}. */
export interface ReplicatePoolOptions<Out> {
  script: WorkerScript;
  /** Worker threads (≥ 1; at most `replicates` are started). */
  workers: number;
  replicates: number;
  /** The workerData of a worker, given the replicate ids it runs. */
  data: (replicateIds: number[]) => unknown;
  /** Called once per replicate, in completion order. */
  onResult: (replicate: number, out: Out) => void;
  /** What the workers do, for errors, e.g. "simulation". */
  label: string;
}

interface WorkerMessage<Out> {
  type: 'replicate' | 'done' | 'error';
  r: number;
  out: Out;
  message: string;
  name: string;
}

/** Runs replicates 0..R−1 over worker threads; the first failure stops every worker and rejects with its error. */
export async function runReplicatesOnWorkers<Out>(options: ReplicatePoolOptions<Out>): Promise<void> {
  const { script, replicates: R, label } = options;
  const nw = Math.max(1, Math.min(options.workers, R));
  const workers: Worker[] = [];
  const stopAll = (): void => {
    for (const w of workers) void w.terminate();
  };
  try {
    await Promise.all(
      Array.from({ length: nw }, (_, w) => {
        const ids: number[] = [];
        for (let r = w; r < R; r += nw) ids.push(r);
        return new Promise<void>((resolve, reject) => {
          const worker = new Worker(script.file, { eval: script.eval, workerData: options.data(ids) });
          workers.push(worker);
          let finished = false;
          worker.on('message', (msg: WorkerMessage<Out>) => {
            if (msg.type === 'replicate') options.onResult(msg.r, msg.out);
            else if (msg.type === 'done') {
              finished = true;
              void worker.terminate();
              resolve();
            } else if (msg.type === 'error') {
              finished = true;
              reject(msg.name === 'InputError' ? new InputError(msg.message) : msg.name === 'DataError' ? new DataError(msg.message) : new ChoicelabError(msg.message));
            }
          });
          worker.on('error', (e) => {
            finished = true;
            reject(e);
          });
          worker.on('exit', (code) => {
            if (!finished) reject(new DataError(`${label} worker exited with code ${code} before finishing`));
          });
        });
      }),
    );
  } finally {
    stopAll();
  }
}

/**
 * Worker side of {@link runReplicatesOnWorkers}: runs `run(r)` for each id, posts each result
 * (transferring the buffers `transfer` names), then 'done'; an error is posted with its class name.
 */
export function serveReplicates<Out>(
  replicateIds: number[],
  run: (replicate: number) => Out | Promise<Out>,
  transfer: (out: Out) => ArrayBuffer[] = () => [],
): void {
  const port = parentPort;
  if (!port) return;
  (async () => {
    for (const r of replicateIds) {
      const out = await run(r);
      port.postMessage({ type: 'replicate', r, out }, transfer(out));
    }
    port.postMessage({ type: 'done' });
  })().catch((e: unknown) => {
    port.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e), name: e instanceof Error ? e.name : 'Error' });
  });
}
