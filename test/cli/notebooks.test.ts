import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { listNotebooks, parseParams, selectNotebooks, isCI } from '../../src/cli/notebooks';
import { InputError } from '../../src/core/errors';
import { runCli, tempDir, writeNotebook } from '../helpers/cli';

describe('cli/notebooks', function () {
  this.timeout(180_000);

  describe('parseParams()', () => {
    it('reads JSON values and keeps bare words as strings', () => {
      assert.deepEqual(parseParams(['n=500', 'rate=0.5', 'on=true', 'tags=["a","b"]', 'scenario=annual', 'empty=', 'eq=a=b']), {
        n: 500,
        rate: 0.5,
        on: true,
        tags: ['a', 'b'],
        scenario: 'annual',
        empty: '',
        eq: 'a=b',
      });
    });
    for (const bad of ['n', '=5', '1n=5', 'my-param=3', 'a b=1']) {
      it(`rejects --param ${JSON.stringify(bad)} naming the flag and the expected form`, () => {
        assert.throws(() => parseParams([bad]), (e: unknown) =>
          e instanceof InputError && e.message.startsWith(`invalid --param ${JSON.stringify(bad)}: expected key=value`) && /--param nCustomers=500/.test(e.message));
      });
    }
  });

  describe('selectNotebooks()', () => {
    const all = [
      { name: '00-tour', path: '', title: 'A tour', smallParameters: {} },
      { name: '01-membership', path: '', title: '', smallParameters: {} },
      { name: '02-membership-irl', path: '', title: '', smallParameters: {} },
    ];
    it('finds notebooks by exact name, file name or a unique part', () => {
      assert.deepEqual(selectNotebooks(all, ['00-tour', 'notebooks/01-membership.ipynb', 'irl']).map((n) => n.name), ['00-tour', '01-membership', '02-membership-irl']);
      assert.equal(selectNotebooks(all, []).length, 3);
    });
    it('an unknown name is an InputError listing the notebooks', () => {
      assert.throws(() => selectNotebooks(all, ['nope']), (e: unknown) =>
        e instanceof InputError && /unknown notebook "nope". The notebooks are:\n  00-tour — A tour\n  01-membership\n  02-membership-irl/.test(e.message));
    });
    it('an ambiguous name is an InputError naming the matches', () => {
      assert.throws(() => selectNotebooks(all, ['membership']), /ambiguous: it matches 01-membership, 02-membership-irl/);
    });
  });

  it('listNotebooks() of a missing folder is an InputError naming it', () => {
    assert.throws(() => listNotebooks('/no/such/dir'), /invalid option `dir`: expected a folder of notebooks, got "\/no\/such\/dir"/);
  });

  it('isCI() reads the CI variable', () => {
    assert.deepEqual([isCI({ CI: 'true' }), isCI({ CI: '1' }), isCI({ CI: 'false' }), isCI({ CI: '' }), isCI({})], [true, true, false, false, false]);
  });

  describe('choicelab notebooks (the command)', () => {
    it('`notebooks list` shows the notebooks with their titles', () => {
      const r = runCli(['notebooks', 'list']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^00-tour  A tour of choicelab$/m);
    });

    it('an unknown notebook name exits non-zero listing the notebooks', () => {
      const r = runCli(['notebooks', 'run', 'no-such-notebook']);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /choicelab: unknown notebook "no-such-notebook". The notebooks are:\n  00-tour — A tour of choicelab/);
    });

    it('a malformed --param exits non-zero naming the flag and the expected form', () => {
      const r = runCli(['notebooks', 'run', 'tour', '--param', 'nDraws']);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /invalid --param "nDraws": expected key=value with key a TypeScript identifier, e\.g\. --param nCustomers=500/);
    });

    it('missing Jupyter exits non-zero with the exact install command', () => {
      const r = runCli(['notebooks', 'run', 'tour'], { CHOICELAB_PYTHON: '/bin/false' });
      assert.equal(r.code, 2);
      assert.match(r.stderr, /Jupyter was not found \(CHOICELAB_PYTHON=\/bin\/false could not import nbclient/);
      assert.match(r.stderr, /apt-get install -y --no-install-recommends jupyter-notebook jupyter-nbconvert jupyter-client python3-nbclient python3-ipykernel/);
    });

    it('an unknown flag exits non-zero listing the known ones', () => {
      const r = runCli(['notebooks', 'run', '--parm', 'n=1']);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /unknown flag --parm; known flags: --param, --out, --dir, --cell-timeout, --small, --full/);
    });

    it('injects --param values after the `parameters` cell and writes the executed notebook and HTML', () => {
      const dir = tempDir();
      const out = path.join(dir, 'out');
      writeNotebook(path.join(dir, 'params.ipynb'), [
        "let n = 1;\nlet label = 'default';\nlet weights = [0];",
        "if (n !== 7 || label !== 'hello' || weights.length !== 2) throw new Error(`got n=${n} label=${label} weights=${weights}`);\nconsole.log('n is', n);",
      ], { 0: ['parameters'] });
      const r = runCli(['notebooks', 'run', 'params', '--dir', dir, '--out', out, '--param', 'n=7', '--param', 'label=hello', '--param', 'weights=[0.5,0.5]']);
      assert.equal(r.code, 0, r.stderr);
      const executed = JSON.parse(fs.readFileSync(path.join(out, 'params.ipynb'), 'utf8'));
      assert.deepEqual(executed.cells[1].metadata.tags, ['injected-parameters']);
      assert.match([executed.cells[1].source].flat().join(''), /let n = 7;\nlet label = "hello";\nlet weights = \[0\.5, 0\.5\];/);
      assert.match(JSON.stringify(executed.cells[2].outputs), /n is 7/);
      const html = fs.readFileSync(path.join(out, 'params.html'), 'utf8');
      assert.match(html, /n is 7/);
      assert.doesNotMatch(html, /<script[^>]+src=/, 'the report loads no external scripts');
    });

    it('a failing cell exits 1 naming the notebook, the cell and the error, and keeps the partial report', () => {
      const dir = tempDir();
      const out = path.join(dir, 'out');
      writeNotebook(path.join(dir, 'broken.ipynb'), ['const a = 1;', 'console.log("before");', "throw new RangeError('price must be positive');", 'console.log("never");']);
      const r = runCli(['notebooks', 'run', 'broken', '--dir', dir, '--out', out]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /broken\.ipynb: cell 3 failed\n    throw new RangeError\('price must be positive'\);\n[\s\S]*RangeError: price must be positive/);
      assert.match(r.stderr, /notebook broken failed/);
      const executed = JSON.parse(fs.readFileSync(path.join(out, 'broken.ipynb'), 'utf8'));
      assert.match(JSON.stringify(executed.cells[1].outputs), /before/);
      assert.deepEqual(executed.cells[3].outputs, []);
      assert.ok(fs.existsSync(path.join(out, 'broken.html')));
    });

    it('a type error is reported with its line and message', () => {
      const dir = tempDir();
      writeNotebook(path.join(dir, 'typed.ipynb'), ['const n: number = "five";']);
      const r = runCli(['notebooks', 'run', 'typed', '--dir', dir, '--out', path.join(dir, 'out')]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /typed\.ipynb: cell 1 failed[\s\S]*Type 'string' is not assignable to type 'number'/);
    });

    it('--param for a notebook without a `parameters` cell is an error', () => {
      const dir = tempDir();
      writeNotebook(path.join(dir, 'plain.ipynb'), ['1 + 1']);
      const r = runCli(['notebooks', 'run', 'plain', '--dir', dir, '--out', path.join(dir, 'out'), '--param', 'n=1']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /plain\.ipynb: the notebook has no cell tagged `parameters`, so parameters cannot be injected/);
    });
  });
});
