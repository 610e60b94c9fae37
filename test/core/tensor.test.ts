import { strict as assert } from 'node:assert';
import { tensorBackend, describeTensorBackend } from '../../src/core/tensor';
import { InputError } from '../../src/core/errors';

describe('core/tensor', function () {
  this.timeout(60_000);
  const saved = process.env.TFJS_BACKEND;
  afterEach(() => {
    if (saved === undefined) delete process.env.TFJS_BACKEND;
    else process.env.TFJS_BACKEND = saved;
  });

  it('tensorBackend() picks the fastest backend that loads and says why the faster ones were skipped', async () => {
    delete process.env.TFJS_BACKEND;
    const choice = await tensorBackend();
    const order = ['node-gpu', 'node', 'wasm', 'cpu'];
    assert.deepEqual(
      choice.skipped.map((s) => s.name),
      order.slice(0, order.indexOf(choice.name)),
      'every faster backend is listed as skipped, in order',
    );
    for (const s of choice.skipped) assert.ok(s.reason.length > 0);
    assert.equal(choice.tf.getBackend(), choice.tfBackend);
    assert.match(describeTensorBackend(choice), new RegExp(`^TensorFlow.js backend: ${choice.name} `));
  });

  it('tensorBackend() does not mistake the danfojs alias of tfjs-node for the native binding', async () => {
    delete process.env.TFJS_BACKEND;
    const choice = await tensorBackend();
    const node = choice.skipped.find((s) => s.name === 'node');
    if (choice.name !== 'node-gpu' && node) assert.match(node.reason, /not installed|npm alias|no 'tensorflow' backend/);
  });

  it('the chosen backend computes a matrix product correctly', async () => {
    delete process.env.TFJS_BACKEND;
    const { tf } = await tensorBackend();
    const product = tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5, 6], [7, 8]]));
    assert.deepEqual(Array.from(product.dataSync()), [19, 22, 43, 50]);
  });

  it('TFJS_BACKEND=cpu forces the cpu backend', async () => {
    process.env.TFJS_BACKEND = 'cpu';
    const choice = await tensorBackend();
    assert.equal(choice.name, 'cpu');
    assert.equal(choice.tf.getBackend(), 'cpu');
    assert.match(choice.reason, /TFJS_BACKEND/);
  });

  it('an unknown TFJS_BACKEND is an InputError naming the variable and the choices', async () => {
    process.env.TFJS_BACKEND = 'gpu';
    await assert.rejects(tensorBackend(), (e: unknown) =>
      e instanceof InputError && /invalid environment variable TFJS_BACKEND: expected one of "node-gpu", "node", "wasm", "cpu", got "gpu"/.test(e.message));
  });

  it('forcing node-gpu loads it where installed, else is an InputError that says why', async () => {
    delete process.env.TFJS_BACKEND;
    const auto = await tensorBackend();
    const forced = tensorBackend({ backend: 'node-gpu' });
    if (auto.name === 'node-gpu') {
      assert.equal((await forced).name, 'node-gpu');
    } else {
      const why = auto.skipped.find((s) => s.name === 'node-gpu')!.reason;
      await assert.rejects(forced, (e: unknown) =>
        e instanceof InputError && e.message === `TensorFlow.js backend "node-gpu" was requested but could not be loaded: ${why}`);
    }
  });
});
