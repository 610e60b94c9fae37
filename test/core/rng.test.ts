import assert from 'node:assert/strict';
import { rng, rngFromState, isRng, type Rng } from '../../src/core/rng';
import { correlation } from '../helpers/assert';

function draws(r: Rng, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(r.nextUint32());
  return out;
}

function floats(r: Rng, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = r.nextFloat();
  return out;
}

describe('core/rng', () => {
  describe('rng(seed)', () => {
    it('rng(seed) gives the same stream for the same seed', () => {
      assert.deepEqual(draws(rng(7), 1000), draws(rng(7), 1000));
      assert.deepEqual(draws(rng('customer-7'), 100), draws(rng('customer-7'), 100));
    });

    it('rng(seed) gives different streams for different seeds, including string vs number', () => {
      const a = draws(rng(1), 8);
      assert.notDeepEqual(a, draws(rng(2), 8));
      assert.notDeepEqual(draws(rng(42), 8), draws(rng('42'), 8));
      assert.notDeepEqual(draws(rng(0.5), 8), draws(rng(0), 8));
      assert.notDeepEqual(draws(rng(-1), 8), draws(rng(1), 8));
      assert.notDeepEqual(draws(rng('a'), 8), draws(rng('b'), 8));
    });

    it('rng() defaults to seed 0, and -0 is the same seed as 0', () => {
      assert.deepEqual(draws(rng(), 10), draws(rng(0), 10));
      assert.deepEqual(draws(rng(-0), 10), draws(rng(0), 10));
    });

    it('rng(42) starts from numpy SeedSequence(42).generate_state(4) (golden, numpy 2.4)', () => {
      // Produced with: python3 -c "import numpy as np; print(np.random.SeedSequence(42).generate_state(4))"
      // and spawn_key=(3,), (3, 1) for the forks; 2**40 + 5 checks the two-word integer seed.
      assert.deepEqual(rng(42).state().s, [3444837047, 2669555309, 2046530742, 3581440988]);
      assert.deepEqual(rng(42).fork(3).state().s, [3276785861, 872644253, 1208066006, 3985109429]);
      assert.deepEqual(rng(42).fork(3).fork(1).state().s, [3430172136, 2933820158, 113560675, 2998554867]);
      assert.deepEqual(rng(0).state().s, [2968811710, 3677149159, 745650761, 2884920346]);
      assert.deepEqual(rng(2 ** 40 + 5).state().s, [3767146251, 3672381269, 2127416108, 2216012776]);
    });

    it('rng(42).nextUint32() yields the golden first values (regression guard)', () => {
      // Produced by a direct Python transcription of the reference xoshiro128** C code
      // (prng.di.unimi.it/xoshiro128starstar.c) started from the numpy state above.
      assert.deepEqual(draws(rng(42), 5), [655660277, 503415253, 3864849075, 3388471640, 3900234741]);
    });

    it('nextUint32() returns integers in [0, 2^32) with balanced bits', () => {
      const r = rng(3);
      const n = 20000;
      const ones = new Float64Array(32);
      for (let i = 0; i < n; i++) {
        const v = r.nextUint32();
        assert.ok(Number.isInteger(v) && v >= 0 && v < 2 ** 32);
        for (let b = 0; b < 32; b++) ones[b] += (v >>> b) & 1;
      }
      // Each bit ~ Binomial(n, 1/2): sd = sqrt(n)/2 ≈ 71; allow 5 sd.
      for (let b = 0; b < 32; b++) assert.ok(Math.abs(ones[b] - n / 2) < 5 * 71, `bit ${b}: ${ones[b]}`);
    });

    it('nextFloat() lies in [0, 1) and uses 53 random bits', () => {
      const x = floats(rng(5), 10000);
      let lowBits = 0;
      for (const v of x) {
        assert.ok(v >= 0 && v < 1);
        const scaled = v * 2 ** 53;
        assert.ok(Number.isInteger(scaled));
        if (scaled % 2 ** 21 !== 0) lowBits++; // bits below float32-ish resolution are used
      }
      assert.ok(lowBits > 9990);
    });
  });

  describe('fork(i)', () => {
    it('fork(i) does not depend on how many numbers the parent has drawn', () => {
      const fresh = rng(42).fork(3);
      const used = rng(42);
      draws(used, 12345);
      assert.deepEqual(draws(used.fork(3), 50), draws(fresh, 50));
    });

    it('fork(i).fork(j) is deterministic from the root seed path', () => {
      const a = rng('tree-seed').fork(3).fork(1);
      const parent = rng('tree-seed').fork(3);
      draws(parent, 99);
      assert.deepEqual(draws(parent.fork(1), 20), draws(a, 20));
      assert.deepEqual(rng('tree-seed').fork(3).fork(1).state().path, [3, 1]);
    });

    it('fork(i) streams differ from the parent, from each other and across levels', () => {
      const root = rng(42);
      const streams = [draws(rng(42), 16), draws(root.fork(0), 16), draws(root.fork(1), 16), draws(root.fork(0).fork(0), 16)];
      for (let i = 0; i < streams.length; i++) {
        for (let j = i + 1; j < streams.length; j++) assert.notDeepEqual(streams[i], streams[j], `${i} vs ${j}`);
      }
      // Large indices, including above 2^32, are distinct too.
      assert.notDeepEqual(draws(root.fork(2 ** 32), 4), draws(root.fork(0), 4));
    });

    it('fork(0) and fork(1) streams are uncorrelated (|r| < 0.015 over 1e5 floats, ~4.7 sd)', () => {
      const root = rng(2024);
      const n = 100000;
      const a = floats(root.fork(0), n);
      const b = floats(root.fork(1), n);
      const p = floats(rng(2024), n);
      assert.ok(Math.abs(correlation(a, b)) < 0.015, `r = ${correlation(a, b)}`);
      assert.ok(Math.abs(correlation(a, p)) < 0.015, `r = ${correlation(a, p)}`);
      // Lag-1 correlation within a fork.
      assert.ok(Math.abs(correlation(a.subarray(1), a.subarray(0, n - 1))) < 0.015);
    });

    it('fork(i) first draws over many i look uniform (mean of 1e4 first floats ≈ 1/2)', () => {
      const root = rng(9);
      let s = 0;
      const n = 10000;
      for (let i = 0; i < n; i++) s += root.fork(i).nextFloat();
      // sd of the mean = sqrt(1/12 / n) ≈ 0.0029; allow 5 sd.
      assert.ok(Math.abs(s / n - 0.5) < 0.0145, `mean ${s / n}`);
    });
  });

  describe('state(), rngFromState(), clone()', () => {
    it('state() / rngFromState() round-trip exactly through JSON, forks included', () => {
      const r = rng('round-trip').fork(2);
      draws(r, 777);
      const json = JSON.stringify(r.state());
      const restored = rngFromState(JSON.parse(json));
      assert.equal(restored.state().algorithm, 'xoshiro128**');
      assert.deepEqual(restored.state(), r.state());
      assert.deepEqual(draws(restored, 100), draws(r, 100));
      assert.deepEqual(draws(restored.fork(5), 10), draws(r.fork(5), 10));
      assert.deepEqual(draws(restored.fork(5), 10), draws(rng('round-trip').fork(2).fork(5), 10));
    });

    it('clone() continues identically but independently', () => {
      const r = rng(11);
      draws(r, 10);
      const c = r.clone();
      assert.deepEqual(draws(c, 20), draws(r, 20));
      c.nextUint32();
      assert.notDeepEqual(draws(c, 5), draws(r, 5));
      assert.ok(isRng(c));
    });

    it('state() is a plain object that does not alias the generator', () => {
      const r = rng(1);
      const s = r.state();
      s.s[0] = 0;
      assert.notEqual(r.state().s[0], 0);
      assert.deepEqual(Object.keys(s).sort(), ['algorithm', 'path', 's', 'seed']);
    });
  });
});
