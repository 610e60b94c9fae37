import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ROOT } from './helpers/cli';

// Benchmarks are not timed here; this only keeps every bench file runnable (BENCH_QUICK=1
// shrinks sizes) and its output in the documented shape.
describe('benchmarks (quick smoke run)', function () {
  this.timeout(10 * 60_000);
  const names = fs.readdirSync(path.join(ROOT, 'bench')).filter((f) => f.endsWith('.bench.ts')).map((f) => f.slice(0, -'.bench.ts'.length));

  for (const name of names) {
    it(`BENCH_QUICK=1 npm run bench -- ${name} writes bench/results/quick/${name}.json with finite values`, () => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', 'run.ts'), name], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, BENCH_QUICK: '1' },
      });
      assert.equal(r.status, 0, r.stderr);
      const json = JSON.parse(fs.readFileSync(path.join(ROOT, 'bench', 'results', 'quick', `${name}.json`), 'utf8'));
      assert.ok(json.machine && typeof json.machine === 'object');
      assert.ok(Array.isArray(json.benchmarks) && json.benchmarks.length > 0);
      for (const b of json.benchmarks) {
        assert.equal(typeof b.name, 'string');
        assert.ok(Number.isFinite(b.value) && b.value > 0, `${b.name}: ${b.value}`);
        assert.equal(typeof b.unit, 'string');
      }
      assert.match(r.stdout, /^\| benchmark \| value \| unit \|/m);
    });
  }

  it('an unknown benchmark name exits 1 listing the available ones', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', 'run.ts'), 'no-such-bench'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`unknown benchmark: no-such-bench\\navailable: ${names.sort().join(', ')}`));
  });
});
