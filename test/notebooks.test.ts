import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { listNotebooks } from '../src/cli/notebooks';
import { chromiumPath } from '../src/cli/main';
import { ROOT, runCli, tempDir } from './helpers/cli';

// Every notebook in notebooks/ runs headless in small mode, as CI and `npm run notebooks` do.
describe('notebooks (headless, small mode)', function () {
  this.timeout(20 * 60_000);
  const out = tempDir('choicelab-reports-');
  const notebooks = listNotebooks(path.join(ROOT, 'notebooks'));
  let run: ReturnType<typeof runCli>;

  before(() => {
    run = runCli(['notebooks', 'run', '--small', '--out', out]);
  });

  it('`choicelab notebooks run --small` executes every notebook and exits 0', () => {
    assert.equal(run.code, 0, run.stderr);
  });

  for (const nb of notebooks) {
    it(`${nb.name}: every code cell ran, with no error output`, () => {
      const executed = JSON.parse(fs.readFileSync(path.join(out, `${nb.name}.ipynb`), 'utf8'));
      const code = executed.cells.filter((c: { cell_type: string }) => c.cell_type === 'code');
      assert.ok(code.length > 0);
      code.forEach((c: { execution_count: number | null; outputs: { output_type: string; name?: string }[] }, i: number) => {
        assert.ok(c.execution_count !== null, `code cell ${i + 1} did not run`);
        assert.ok(!c.outputs.some((o) => o.output_type === 'error' || o.name === 'stderr'), `code cell ${i + 1} wrote an error`);
      });
      assert.ok(fs.statSync(path.join(out, `${nb.name}.html`)).size > 10_000);
    });
  }

  describe('every report in headless Chromium', () => {
    let browser: Browser;
    before(async () => {
      browser = await chromium.launch({
        executablePath: chromiumPath(),
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-component-update', '--disable-sync'],
      });
    });
    after(async () => browser?.close());

    for (const nb of notebooks) {
      it(`${nb.name}: draws every plotly chart offline with no console errors`, async () => {
        const file = path.join(out, `${nb.name}.html`);
        const html = fs.readFileSync(file, 'utf8');
        const expected = (html.match(/class="choicelab-plot"/g) ?? []).length;
        if (nb.name === '00-tour') assert.ok(expected >= 4, `the tour should have at least 4 charts, found ${expected}`);
        assert.ok(expected >= 1, `${nb.name} has no chart`);
        assert.equal((html.match(/plotly\.js v\d/g) ?? []).length, 1, 'the plotly bundle is embedded exactly once');

        const page = await browser.newPage();
        const problems: string[] = [];
        page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
        page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
        page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
        await page.goto(`file://${file}`, { waitUntil: 'load' });
        // A chart counts as drawn when plotly has rendered a trace (or a heat map) into its SVG.
        const countDrawn = () =>
          page.evaluate(() =>
            Array.from(document.querySelectorAll('div.choicelab-plot')).filter((d) => d.querySelector('svg.main-svg g.trace, svg.main-svg g.hm') !== null).length,
          );
        let drawn = await countDrawn();
        for (let waited = 0; drawn < expected && waited < 30_000; waited += 250) {
          await page.waitForTimeout(250);
          drawn = await countDrawn();
        }
        const shot = process.env.CHOICELAB_SCREENSHOT;
        if (shot && nb.name === '00-tour') await page.screenshot({ path: shot, fullPage: true });
        await page.close();
        assert.equal(drawn, expected, `${drawn} of ${expected} charts drew`);
        assert.deepEqual(problems, []);
      });
    }
  });
});
