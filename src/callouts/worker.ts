/**
 * Worker-thread entry of {@link simulate}: rebuilds the world and runs the replicates it is
 * given, posting each replicate's columns back as soon as it is done. Loaded as worker.js from
 * dist/, or (under tsx) through a bootstrap that requires tsx/cjs first.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runReplicate, type ReplicateTask } from './simulate';
import { worldFromSpec } from './world';

if (parentPort) {
  const task = workerData as ReplicateTask & { replicateIds: number[] };
  const port = parentPort;
  try {
    const world = worldFromSpec(task.world);
    for (const r of task.replicateIds) {
      const out = runReplicate(world, task, r);
      const buffers = out.flatMap((o) => [o.regret.buffer, o.clicks.buffer, o.found.buffer]) as ArrayBuffer[];
      port.postMessage({ type: 'replicate', r, out }, buffers);
    }
    port.postMessage({ type: 'done' });
  } catch (e) {
    port.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e), name: e instanceof Error ? e.name : 'Error' });
  }
}
