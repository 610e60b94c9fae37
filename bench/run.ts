/**
 * Benchmark runner: `npx tsx bench/run.ts [NAME ...]` runs `bench/NAME.bench.ts` (all of them
 * when no name is given), writes `bench/results/NAME.json` and `bench/results/NAME.md`, and
 * prints the markdown table.
 *
 * A bench file exports `default async function (ctx: BenchContext): Promise<BenchEntry[]>`.
 * Baselines are measured in the same run, on the same machine, so ratios are comparable;
 * `ratio` is always a speed-up (> 1 means choicelab is faster than the baseline).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

/** One row of results. */
export interface BenchEntry {
  /** What was measured, with its size, e.g. "fillNormal, 1e6 variates". */
  name: string;
  value: number;
  /** Unit of `value` and `baseline`, e.g. "M/s" (higher is better) or "ms" (lower is better). */
  unit: string;
  /** An optional goal in the same unit. */
  target?: number;
  /** The same task done the obvious way, measured in the same run. */
  baseline?: number;
  /** Name of the baseline. */
  baselineName?: string;
  /** Speed-up over the baseline (> 1: faster), computed by the runner. */
  ratio?: number;
  /** A remark for the table. */
  note?: string;
}

/** Options of {@link measure}. */
export interface MeasureOptions {
  /** Total time to spend on timed repeats, ms (default 400). */
  minTime?: number;
  /** Number of timed repeats whose median is reported (default 7). */
  repeats?: number;
  /** Minimum number of untimed warm-up calls (default 3; warm-up also runs ≥ 30% of minTime). */
  warmup?: number;
}

/** Timing of one function. */
export interface Measurement {
  /** Median time of one call, ms. */
  ms: number;
  /** Calls per second at the median, 1000 / ms. */
  perSecond: number;
  /** Calls per timed repeat. */
  batch: number;
  /** Per-call time of every repeat, ms. */
  samples: number[];
}

/** What a bench function receives. */
export interface BenchContext {
  measure(fn: () => unknown, options?: MeasureOptions): Measurement;
  /** True when BENCH_QUICK=1: use smaller sizes and times (for smoke tests). */
  quick: boolean;
  /** Progress output (stderr), so stdout stays the table. */
  log(message: string): void;
}

let blackhole = 0;

function consume(value: unknown): void {
  // Keep results alive so the JIT cannot drop the work.
  if (typeof value === 'number') blackhole += value;
  else if (value && typeof value === 'object' && 'length' in value) blackhole += (value as ArrayLike<number>).length;
}

/** Times `fn` with warm-up and returns the median over repeats of the per-call time. */
export function measure(fn: () => unknown, options: MeasureOptions = {}): Measurement {
  const minTime = options.minTime ?? 400;
  const repeats = options.repeats ?? 7;
  const warmup = options.warmup ?? 3;
  const now = (): number => performance.now();
  let calls = 0;
  const t0 = now();
  do {
    consume(fn());
    calls++;
  } while (calls < warmup || now() - t0 < 0.3 * minTime);
  const perCall = (now() - t0) / calls;
  const batch = Math.max(1, Math.ceil(minTime / repeats / Math.max(perCall, 1e-6)));
  const samples: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t = now();
    for (let k = 0; k < batch; k++) consume(fn());
    samples.push((now() - t) / batch);
  }
  const sorted = samples.slice().sort((a, b) => a - b);
  const ms = sorted[Math.floor(sorted.length / 2)];
  return { ms, perSecond: 1000 / ms, batch, samples };
}

/** The machine, for the results file. */
export function machine(): Record<string, string | number> {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

function lowerIsBetter(unit: string): boolean {
  return /^(ms|s|µs|us|ns)$/.test(unit);
}

function withRatio(e: BenchEntry): BenchEntry {
  if (e.baseline === undefined || !(e.baseline > 0) || !(e.value > 0)) return e;
  const ratio = lowerIsBetter(e.unit) ? e.baseline / e.value : e.value / e.baseline;
  return { ...e, ratio: Math.round(ratio * 100) / 100 };
}

function fmt(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '';
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : a >= 0.1 ? v.toFixed(2) : v.toPrecision(2);
}

/** The markdown report of one bench file. */
export function markdown(name: string, info: Record<string, string | number>, date: string, entries: BenchEntry[]): string {
  const lines = [
    `## bench: ${name}`,
    '',
    `${info.cpu}, ${info.cores} cores, ${info.memoryGiB} GiB, Node ${info.node}, ${info.platform}; ${date}`,
    '',
    '| benchmark | value | unit | baseline | baseline is | speed-up | note |',
    '|---|---:|---|---:|---|---:|---|',
  ];
  for (const e of entries) {
    lines.push(
      `| ${e.name} | ${fmt(e.value)} | ${e.unit} | ${fmt(e.baseline)} | ${e.baselineName ?? ''} | ${
        e.ratio === undefined ? '' : `${e.ratio.toFixed(2)}×`
      } | ${e.note ?? ''} |`,
    );
  }
  return lines.join('\n') + '\n';
}

type BenchFunction = (ctx: BenchContext) => Promise<BenchEntry[]>;

async function loadBench(file: string): Promise<BenchFunction> {
  const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  let fn: unknown = mod.default;
  if (fn && typeof fn === 'object' && 'default' in fn) fn = (fn as { default: unknown }).default; // CJS interop
  if (typeof fn !== 'function') throw new Error(`${file} has no default export function`);
  return fn as BenchFunction;
}

async function main(argv: string[]): Promise<number> {
  const dir = __dirname;
  const available = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.bench.ts'))
    .map((f) => f.slice(0, -'.bench.ts'.length))
    .sort();
  const names = argv.length > 0 ? argv : available;
  const unknown = names.filter((n) => !available.includes(n));
  if (unknown.length > 0) {
    process.stderr.write(
      `unknown benchmark${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}\navailable: ${available.join(', ') || '(none)'}\n`,
    );
    return 1;
  }
  const ctx: BenchContext = {
    measure,
    quick: process.env.BENCH_QUICK === '1',
    log: (m) => process.stderr.write(`${m}\n`),
  };
  // Quick (smoke) runs must not overwrite real measurements.
  const resultsDir = ctx.quick ? path.join(dir, 'results', 'quick') : path.join(dir, 'results');
  fs.mkdirSync(resultsDir, { recursive: true });
  const info = machine();
  for (const name of names) {
    const fn = await loadBench(path.join(dir, `${name}.bench.ts`));
    const started = performance.now();
    const entries = (await fn(ctx)).map(withRatio);
    const date = new Date().toISOString();
    const json = { machine: info, date, benchmarks: entries };
    fs.writeFileSync(path.join(resultsDir, `${name}.json`), JSON.stringify(json, null, 2) + '\n');
    const md = markdown(name, info, date, entries);
    fs.writeFileSync(path.join(resultsDir, `${name}.md`), md);
    process.stdout.write(md + '\n');
    ctx.log(`bench ${name}: ${((performance.now() - started) / 1000).toFixed(1)} s, wrote ${path.relative(process.cwd(), path.join(resultsDir, name))}.json and .md`);
  }
  if (blackhole === 0.5) process.stderr.write(''); // keep the sink observable
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
