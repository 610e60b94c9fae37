/**
 * Worker-thread entry of {@link compareDesigns}: rebuilds the world from its spec and runs the
 * replicates it is given, posting each one back as soon as it is done. Loaded as worker.js from
 * dist/, or (under tsx) through a bootstrap that requires tsx/cjs first.
 */
import { workerData } from 'node:worker_threads';
import { serveReplicates } from '../core/workers';
import { runCompareReplicate, type CompareTask } from './compare';
import { pricingWorld } from './world';

const input = workerData as { task: CompareTask; replicateIds: number[] } | null;
if (input) {
  const { task, replicateIds } = input;
  const world = pricingWorld(task.world);
  serveReplicates(replicateIds, (r) => runCompareReplicate(world, task, r), (out) => [out.estimate.buffer as ArrayBuffer, out.se.buffer as ArrayBuffer]);
}
