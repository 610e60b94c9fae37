import { strict as assert } from 'node:assert';
import { formatValue, tableHTML, tableText } from '../../src/core/format';
import { table } from '../../src/notebook';
import { InputError } from '../../src/core/errors';
import { recordingFrontend } from '../helpers/frontend';

describe('core/format (tables) and notebook.table', () => {
  it('tableHTML(columns) renders typed-array columns and right-aligns numbers', () => {
    const html = tableHTML({ plan: ['none', 'annual'], share: Float64Array.from([0.25, 0.75]) });
    assert.match(html, /<th>plan<\/th><th>share<\/th>/);
    assert.match(html, /<td>annual<\/td><td style="text-align:right">0.75<\/td>/);
  });

  it('tableHTML() stops at maxRows and counts the rest', () => {
    const html = tableHTML({ i: Int32Array.from({ length: 50 }, (_, k) => k) }, { maxRows: 5 });
    const body = html.slice(html.indexOf('<tbody>'), html.indexOf('</tbody>'));
    assert.equal((body.match(/<tr>/g) ?? []).length, 5);
    assert.match(html, /… 45 more rows \(50 in all\)/);
  });

  it('tableHTML() accepts row objects and danfojs-like frames', () => {
    assert.match(tableHTML([{ a: 1 }, { a: 2, b: 'x' }]), /<th>a<\/th><th>b<\/th>.*<td>x<\/td>/);
    assert.match(tableHTML({ columns: ['c'], values: [[7], [8]] }), /<th>c<\/th>.*>8<\/td>/);
  });

  it('tableHTML() escapes HTML in names and values', () => {
    assert.match(tableHTML({ '<b>': ['<i>'] }), /<th>&lt;b&gt;<\/th>.*<td>&lt;i&gt;<\/td>/);
  });

  it('formatValue() keeps integers and rounds other numbers to significant digits', () => {
    assert.deepEqual(
      [formatValue(42), formatValue(3.14159265), formatValue(3.14159265, 2), formatValue(1.5e-7), formatValue(NaN), formatValue(-Infinity)],
      ['42', '3.142', '3.1', '1.500e-7', 'NaN', '−∞'],
    );
  });

  it('tableText() aligns columns for terminals', () => {
    const text = tableText({ name: ['a', 'bbb'], value: [1, 22] });
    assert.equal(text, ['name  value', '----  -----', 'a         1', 'bbb      22'].join('\n'));
  });

  it('table() shows HTML in a notebook', () => {
    const rec = recordingFrontend();
    try {
      table({ x: [1] });
      assert.equal(rec.outputs.length, 1);
      assert.match(rec.outputs[0].content, /^<table class="choicelab-table">/);
    } finally {
      rec.restore();
    }
  });

  const bad: [string, () => unknown, RegExp][] = [
    ['columns of unequal length', () => tableHTML({ a: [1, 2], b: [1] }), /invalid option `data.b`: expected 2 values like column `a`, got 1/],
    ['a column that is not an array', () => tableHTML({ a: 5 as never }), /invalid option `data.a`: expected an array or typed array, got 5/],
    ['maxRows of zero', () => tableHTML({ a: [1] }, { maxRows: 0 }), /invalid option `maxRows`: expected an integer ≥ 1, got 0/],
    ['a row that is not an object', () => tableHTML([1 as never]), /invalid option `data\[0\]`: expected a row object, got 1/],
    ['null data', () => tableHTML(null as never), /invalid option `data`: expected columns/],
  ];
  for (const [what, call, message] of bad) {
    it(`tableHTML() rejects ${what} with InputError`, () => assert.throws(call, (e: unknown) => e instanceof InputError && message.test(e.message)));
  }
});
