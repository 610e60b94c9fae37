import { strict as assert } from 'node:assert';
import { Writable } from 'node:stream';
import { progress, progressText, heading, markdown } from '../../src/notebook';
import { InputError } from '../../src/core/errors';
import { recordingFrontend } from '../helpers/frontend';

function sink(isTTY: boolean): Writable & { isTTY: boolean; text: string } {
  const s = new Writable({
    write(chunk, _enc, done) {
      s.text += chunk.toString();
      done();
    },
  }) as Writable & { isTTY: boolean; text: string };
  s.isTTY = isTTY;
  s.text = '';
  return s;
}

describe('notebook/progress', () => {
  it('progress() in a notebook redraws one display in place and ends at 100%', () => {
    const rec = recordingFrontend();
    try {
      const bar = progress(4, { label: 'fit', intervalMs: 0 });
      for (let i = 0; i < 4; i++) bar.tick();
      const displays = new Set(rec.outputs.map((o) => o.display));
      assert.equal(displays.size, 1, 'all updates go to the same display');
      assert.ok(!displays.has(0), 'a dedicated display, not the cell output');
      assert.equal(rec.outputs.length, 5);
      assert.match(rec.outputs.at(-1)!.content, /100% \(4\/4\)/);
      assert.equal(bar.done, 4);
    } finally {
      rec.restore();
    }
  });

  it('progress() on a terminal redraws one line with carriage returns', () => {
    const out = sink(true);
    const bar = progress(10, { stream: out, intervalMs: 0 });
    bar.update(5);
    bar.finish();
    assert.equal(out.text.split('\r').length - 1, 3);
    assert.match(out.text, /\[#{15}\.{15}\] 50% 5\/10/);
    assert.ok(out.text.endsWith('\n'));
  });

  it('progress() in a log prints a line per tenth, not per step', () => {
    const out = sink(false);
    const bar = progress(1000, { stream: out, intervalMs: 0 });
    for (let i = 0; i < 1000; i++) bar.tick();
    const lines = out.text.trim().split('\n');
    assert.equal(lines.length, 11);
    assert.match(lines.at(-1)!, /100% 1000\/1000/);
  });

  it('progressText() draws the bar to scale', () => {
    assert.match(progressText('x', 1, 4, 2, 8), /^x \[##\.\.\.\.\.\.\] 25% 1\/4 2\.0s 6\.0s left$/);
  });

  it('heading() and markdown() show markdown in a notebook', () => {
    const rec = recordingFrontend();
    try {
      heading('Results', 3);
      markdown('*done*');
      assert.deepEqual(rec.outputs.map((o) => [o.kind, o.content]), [['markdown', '### Results'], ['markdown', '*done*']]);
    } finally {
      rec.restore();
    }
  });

  it('bad input: total, intervalMs and heading level are validated', () => {
    assert.throws(() => progress(-1), (e: unknown) => e instanceof InputError && /invalid option `total`: expected a non-negative integer, got -1/.test(e.message));
    assert.throws(() => progress(3, { intervalMs: NaN }), /invalid option `intervalMs`: expected a non-negative number, got NaN/);
    assert.throws(() => heading('x', 7 as never), /invalid option `level`: expected an integer in \[1, 6\], got 7/);
  });
});
