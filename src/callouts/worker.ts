/**
 * Worker-thread entry of {@link simulate}: rebuilds the world and runs the replicates it is
 * given, posting each replicate's columns back as soon as it is done. Loaded as worker.js from
 * dist/, or (under tsx) through a bootstrap that requires tsx/cjs first.
 */
import { workerData } from 'node:worker_threads';
import { serveReplicates } from '../core/workers';
import { runReplicate, type ReplicateTask } from './simulate';
import { worldFromSpec } from './world';

const task = workerData as (ReplicateTask & { replicateIds: number[] }) | null;
if (task) {
  const world = worldFromSpec(task.world);
  serveReplicates(
    task.replicateIds,
    (r) => runReplicate(world, task, r),
    (out) => out.flatMap((o) => [o.regret.buffer, o.clicks.buffer, o.found.buffer]) as ArrayBuffer[],
  );
}
