import { strict as assert } from 'node:assert';
import { resetWarnings, warn } from '../../src/core/errors';
import '../../src/notebook';
import { recordingFrontend } from '../helpers/frontend';

describe('notebook/warnings', () => {
  it('in a notebook, a choicelab warning is shown in the cell (escaped), once per message', async () => {
    const rec = recordingFrontend();
    const emitted: string[] = [];
    const onWarning = (w: Error) => emitted.push(w.message);
    process.on('warning', onWarning);
    try {
      resetWarnings();
      warn('28 states were never observed <in the panel>');
      warn('28 states were never observed <in the panel>');
      assert.equal(rec.outputs.length, 1);
      assert.equal(rec.outputs[0].kind, 'html');
      assert.equal(rec.outputs[0].display, 0);
      assert.match(rec.outputs[0].content, /⚠ 28 states were never observed &lt;in the panel&gt;/);
      await new Promise((resolve) => setImmediate(resolve)); // emitWarning fires on the next tick
    } finally {
      rec.restore();
      process.off('warning', onWarning);
      resetWarnings();
    }
    assert.deepEqual(emitted, [], 'not also sent to the kernel stderr');
  });

  it('outside a notebook, warnings still go to process.emitWarning', async () => {
    const emitted: string[] = [];
    const onWarning = (w: Error) => emitted.push(w.message);
    process.on('warning', onWarning);
    try {
      resetWarnings();
      warn('arm 3 never pulled');
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
      resetWarnings();
    }
    assert.deepEqual(emitted, ['arm 3 never pulled']);
  });
});
