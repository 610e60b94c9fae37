/**
 * Worker-thread entry of the forest trainer: grows the trees of groups [from, to) and posts
 * them back (buffers transferred), then bumps the shared `done` counter so that the waiting
 * main thread wakes. Loaded as compiled JS from dist/, or through tsx's CommonJS hook in dev.
 */
import { workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { trainGroups, type TrainJob } from './trainer';

interface WorkerInput {
  job: TrainJob;
  from: number;
  to: number;
  port: MessagePort;
  done: Int32Array;
}

const input = workerData as WorkerInput | null;
if (input && input.port && input.job) {
  const { job, from, to, port, done } = input;
  try {
    const trees = trainGroups(job, from, to);
    const transfer: ArrayBuffer[] = [];
    for (const t of trees) {
      for (const a of [t.left, t.right, t.feature, t.threshold, t.missingLeft, t.leafStart, t.leafSamples, t.stats, t.inBag]) {
        transfer.push(a.buffer as ArrayBuffer);
      }
    }
    port.postMessage({ trees }, transfer);
  } catch (e) {
    port.postMessage({ error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
  Atomics.add(done, 0, 1);
  Atomics.notify(done, 0);
}
