/**
 * Core numerics: random variates, log-sum-exp / softmax, quantiles and the optimiser, each
 * against the obvious implementation measured in the same run.
 */
import type { BenchContext, BenchEntry } from './run';
import { rng } from '../src/core/rng';
import { fillNormal, fillUniform, fillGumbel, normal } from '../src/core/random';
import { logSumExp, softmax, quantile } from '../src/core/stats';
import { minimize } from '../src/core/optimize';

/** Box–Muller with Math.random, using both outputs of each pair (the usual quick version). */
function boxMullerFill(out: Float64Array): Float64Array {
  const n = out.length;
  for (let i = 0; i < n; i += 2) {
    const u1 = 1 - Math.random();
    const u2 = Math.random();
    const r = Math.sqrt(-2 * Math.log(u1));
    out[i] = r * Math.cos(2 * Math.PI * u2);
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * u2);
  }
  return out;
}

/** Marsaglia's polar method on the same Rng, without caching (the alternative to the ziggurat). */
function polarFill(r: ReturnType<typeof rng>, out: Float64Array): Float64Array {
  for (let i = 0; i < out.length; i++) {
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * r.nextFloat() - 1;
      v = 2 * r.nextFloat() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    out[i] = u * Math.sqrt((-2 * Math.log(s)) / s);
  }
  return out;
}

export default async function core(ctx: BenchContext): Promise<BenchEntry[]> {
  const n = ctx.quick ? 100_000 : 1_000_000;
  const size = ctx.quick ? '1e5' : '1e6';
  const minTime = ctx.quick ? 100 : 600;
  const m = (fn: () => unknown): number => ctx.measure(fn, { minTime }).ms;
  const rate = (ms: number): number => n / ms / 1000; // millions per second
  const entries: BenchEntry[] = [];
  const buf = new Float64Array(n);

  ctx.log('core: random variates');
  const r = rng(1);
  const zig = m(() => fillNormal(r, buf));
  const bm = m(() => boxMullerFill(buf));
  entries.push({ name: `fillNormal (ziggurat), ${size} variates`, value: rate(zig), unit: 'M/s', baseline: rate(bm), baselineName: 'Box–Muller on Math.random' });
  const polar = m(() => polarFill(r, buf));
  entries.push({ name: `fillNormal vs polar method (same Rng), ${size}`, value: rate(zig), unit: 'M/s', baseline: rate(polar), baselineName: 'Marsaglia polar' });

  const single = m(() => {
    let s = 0;
    for (let i = 0; i < n; i++) s += normal(r);
    return s;
  });
  entries.push({ name: `normal(rng) one call per variate, ${size}`, value: rate(single), unit: 'M/s', baseline: rate(bm), baselineName: 'Box–Muller on Math.random', note: 'argument checks on every call' });

  const uni = m(() => fillUniform(r, buf));
  const mathRandom = m(() => {
    for (let i = 0; i < n; i++) buf[i] = Math.random();
    return buf;
  });
  entries.push({ name: `fillUniform (53-bit floats), ${size}`, value: rate(uni), unit: 'M/s', baseline: rate(mathRandom), baselineName: 'Math.random loop' });

  const ints = new Uint32Array(n);
  const u32 = m(() => {
    for (let i = 0; i < n; i++) ints[i] = r.nextUint32();
    return ints;
  });
  const mathInts = m(() => {
    for (let i = 0; i < n; i++) ints[i] = (Math.random() * 4294967296) >>> 0;
    return ints;
  });
  entries.push({ name: `nextUint32 (xoshiro128**), ${size}`, value: rate(u32), unit: 'M/s', baseline: rate(mathInts), baselineName: 'Math.random × 2³²' });

  const nf = ctx.quick ? 10_000 : 100_000;
  const forks = m(() => {
    let s = 0;
    for (let i = 0; i < nf; i++) s += r.fork(i).nextUint32();
    return s;
  });
  entries.push({ name: `rng.fork(i) + first draw, ${nf} forks`, value: nf / forks / 1000, unit: 'M/s', note: 'per-customer / per-tree streams' });

  const gum = m(() => fillGumbel(r, buf));
  entries.push({ name: `fillGumbel, ${size}`, value: rate(gum), unit: 'M/s' });

  ctx.log('core: logSumExp, softmax, quantile');
  const x = fillNormal(rng(2), new Float64Array(n), 0, 3);
  const lse = m(() => logSumExp(x));
  const naiveLse = m(() => {
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.exp(x[i]);
    return Math.log(s);
  });
  entries.push({
    name: `logSumExp, ${size} elements`,
    value: lse,
    unit: 'ms',
    baseline: naiveLse,
    baselineName: 'Math.log(Σ exp) (overflows)',
    note: 'speed baseline only',
  });

  const out = new Float64Array(n);
  const sm = m(() => softmax(x, out));
  const naiveSm = m(() => {
    let s = 0;
    for (let i = 0; i < n; i++) s += out[i] = Math.exp(x[i]);
    for (let i = 0; i < n; i++) out[i] /= s;
    return out;
  });
  entries.push({ name: `softmax into out, ${size} elements`, value: sm, unit: 'ms', baseline: naiveSm, baselineName: 'exp / Σ exp (overflows)', note: 'speed baseline only' });

  const med = m(() => quantile(x, 0.5));
  const sortMed = m(() => {
    const c = Float64Array.from(x).sort();
    return c[n >> 1];
  });
  entries.push({ name: `quantile(x, 0.5) by selection, ${size}`, value: med, unit: 'ms', baseline: sortMed, baselineName: 'copy + sort' });

  ctx.log('core: minimize');
  const N = ctx.quick ? 500 : 5000;
  const P = 10;
  const rr = rng(3);
  const X = fillNormal(rr, new Float64Array(N * P));
  const beta = fillNormal(rr, new Float64Array(P), 0, 0.3);
  const y = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    let eta = 0;
    for (let j = 0; j < P; j++) eta += X[i * P + j] * beta[j];
    y[i] = rr.nextFloat() < 1 / (1 + Math.exp(-eta)) ? 1 : 0;
  }
  const f = (b: Float64Array): number => {
    let s = 0;
    for (let i = 0; i < N; i++) {
      let eta = 0;
      for (let j = 0; j < P; j++) eta += X[i * P + j] * b[j];
      s += (eta > 0 ? eta + Math.log1p(Math.exp(-eta)) : Math.log1p(Math.exp(eta))) - y[i] * eta;
    }
    return s;
  };
  const g = (b: Float64Array, o: Float64Array): void => {
    o.fill(0);
    for (let i = 0; i < N; i++) {
      let eta = 0;
      for (let j = 0; j < P; j++) eta += X[i * P + j] * b[j];
      const res = 1 / (1 + Math.exp(-eta)) - y[i];
      for (let j = 0; j < P; j++) o[j] += res * X[i * P + j];
    }
  };
  for (const method of ['bfgs', 'lbfgs'] as const) {
    const t = m(() => minimize(f, new Float64Array(P), { method, gradient: g }).value);
    entries.push({ name: `minimize ${method}: logistic MLE, n = ${N}, p = ${P}`, value: t, unit: 'ms', note: 'analytic gradient' });
  }
  const tn = m(() => minimize(f, new Float64Array(P)).value);
  entries.push({ name: `minimize bfgs: same, numerical gradient`, value: tn, unit: 'ms', note: 'central differences' });
  return entries;
}
