import assert from 'node:assert/strict';
import { DataError, InputError } from '../../src/core/errors';
import { runReplicatesOnWorkers } from '../../src/core/workers';

// Plain-JS worker scripts (eval), so the pool is tested without a module's worker file.
const squares = `
const { parentPort, workerData } = require('node:worker_threads');
for (const r of workerData.ids) parentPort.postMessage({ type: 'replicate', r, out: r * r });
parentPort.postMessage({ type: 'done' });`;

describe('core/workers: runReplicatesOnWorkers', () => {
  it('runs every replicate once over 1 and 3 workers (replicate r on worker r mod W)', async () => {
    for (const workers of [1, 3]) {
      const got = new Float64Array(10).fill(-1);
      await runReplicatesOnWorkers<number>({
        script: { file: squares, eval: true }, workers, replicates: 10, label: 'test',
        data: (ids) => ({ ids }), onResult: (r, out) => (got[r] = out),
      });
      assert.deepEqual(Array.from(got), Array.from({ length: 10 }, (_, r) => r * r));
    }
  });

  it('a worker that posts an InputError rejects with an InputError carrying its message', async () => {
    const script = `require('node:worker_threads').parentPort.postMessage({ type: 'error', name: 'InputError', message: 'bad option x' });`;
    await assert.rejects(
      runReplicatesOnWorkers({ script: { file: script, eval: true }, workers: 2, replicates: 4, label: 'test', data: () => ({}), onResult: () => {} }),
      (e: unknown) => e instanceof InputError && /bad option x/.test(e.message),
    );
  });

  it('a worker that exits before finishing rejects with a DataError naming the work and the exit code', async () => {
    await assert.rejects(
      runReplicatesOnWorkers({ script: { file: 'process.exit(3)', eval: true }, workers: 1, replicates: 2, label: 'simulation', data: () => ({}), onResult: () => {} }),
      (e: unknown) => e instanceof DataError && /simulation worker exited with code 3/.test(e.message),
    );
  });
});
