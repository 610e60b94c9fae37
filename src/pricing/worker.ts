/**
 * Worker-thread entry of {@link compareDesigns}: rebuilds the world from its spec and runs the
 * replicates it is given, posting each one back as soon as it is done. Loaded as worker.js from
 * dist/, or (under tsx) through a bootstrap that requires tsx/cjs first.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runCompareReplicate, type CompareTask } from './compare';
import { pricingWorld } from './world';

if (parentPort) {
  const { task, replicateIds } = workerData as { task: CompareTask; replicateIds: number[] };
  const port = parentPort;
  (async () => {
    const world = pricingWorld(task.world);
    for (const r of replicateIds) {
      const out = await runCompareReplicate(world, task, r);
      port.postMessage({ type: 'replicate', r, out }, [out.estimate.buffer as ArrayBuffer, out.se.buffer as ArrayBuffer]);
    }
    port.postMessage({ type: 'done' });
  })().catch((e: unknown) => {
    port.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e), name: e instanceof Error ? e.name : 'Error' });
  });
}
