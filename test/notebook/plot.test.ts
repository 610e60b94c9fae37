import { strict as assert } from 'node:assert';
import { normaliseLayout, plot, plotHTML, plotPage, resetPlotBundle, toPlainJSON } from '../../src/notebook';
import { InputError } from '../../src/core/errors';
import { recordingFrontend } from '../helpers/frontend';

describe('notebook/plot', () => {
  afterEach(() => resetPlotBundle());

  it('plot() embeds the plotly bundle once per session, then one chart per call', () => {
    const rec = recordingFrontend();
    try {
      plot({ type: 'scatter', x: [1, 2], y: [3, 4] });
      plot({ type: 'bar', x: ['a'], y: [1] });
      const html = rec.outputs.map((o) => o.content);
      assert.equal(html.length, 3);
      assert.match(html[0], /plotly\.js v\d/);
      assert.ok(html[0].length > 1_000_000, 'the bundle is inlined, not linked');
      assert.equal(html.filter((h) => h.includes('plotly.js v')).length, 1);
      assert.match(html[1], /class="choicelab-plot"/);
      assert.match(html[2], /"type":"bar"/);
    } finally {
      rec.restore();
    }
  });

  it('the bundle hides define/module/exports so require.js pages still get window.Plotly', () => {
    const rec = recordingFrontend();
    try {
      plot({ type: 'scatter', x: [1], y: [1] });
      assert.match(rec.outputs[0].content, /\}\)\.call\(window, undefined, undefined, undefined\);<\/script>$/);
      assert.doesNotMatch(rec.outputs[0].content.slice(40, -40), /<\/script/i);
    } finally {
      rec.restore();
    }
  });

  it('plotHTML() serialises typed arrays as arrays and NaN as null', () => {
    const html = plotHTML({ x: Float64Array.from([1, NaN, 3]), y: new Int32Array([4, 5, 6]) });
    assert.match(html, /"x":\[1,null,3\],"y":\[4,5,6\]/);
    assert.deepEqual(toPlainJSON({ a: new Float32Array([0.5]), b: [Infinity], c: undefined }), { a: [0.5], b: [null] });
  });

  it('plotHTML() escapes "<" so a title cannot close the script', () => {
    const html = plotHTML({ x: [1], y: [1] }, { title: '</script><b>x</b>' });
    assert.doesNotMatch(html.slice(html.indexOf('newPlot')), /<\/script><b>/);
  });

  it('normaliseLayout() turns string titles into plotly 3 title objects, axes included', () => {
    assert.deepEqual(normaliseLayout({ title: 'T', xaxis: { title: 'x' }, yaxis2: { title: { text: 'y2' } }, legend: { title: 'kept' } }), {
      title: { text: 'T' },
      xaxis: { title: { text: 'x' } },
      yaxis2: { title: { text: 'y2' } },
      legend: { title: 'kept' },
    });
  });

  it('chart ids are unique', () => {
    const ids = [1, 2, 3].map(() => plotHTML({ x: [1] }).match(/id="([^"]+)"/)![1]);
    assert.equal(new Set(ids).size, 3);
  });

  it('plotPage() is a standalone page with the bundle and the charts', () => {
    const page = plotPage([plotHTML({ x: [1] })], 'T');
    assert.match(page, /^<!doctype html>/);
    assert.match(page, /<title>T<\/title>/);
    assert.match(page, /choicelab-plot/);
  });

  it('plot() outside a notebook shows nothing and does not throw', () => {
    assert.doesNotThrow(() => plot({ x: [1] }));
  });

  const bad: [string, () => unknown, RegExp][] = [
    ['no traces', () => plotHTML([]), /invalid option `data`: expected at least one trace, got an array of length 0/],
    ['a trace that is not an object', () => plotHTML([1 as never]), /invalid option `data\[0\]`: expected a plotly trace object/],
    ['height too small', () => plotHTML({ x: [1] }, {}, { height: 10 }), /invalid option `height`: expected a number in \[50, 5000\], got 10/],
    ['unknown option', () => plotHTML({ x: [1] }, {}, { heigth: 300 } as never), /unknown option `heigth` in plot options/],
  ];
  for (const [what, call, message] of bad) {
    it(`plotHTML() rejects ${what} with InputError`, () => assert.throws(call, (e: unknown) => e instanceof InputError && message.test(e.message)));
  }
});
