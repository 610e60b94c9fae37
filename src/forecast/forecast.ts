/**
 * The forecast contract every model returns: multi-horizon quantiles of one series, with a mean,
 * linear interpolation between the levels, and level parsing from 0.1, "0.1" or "p10".
 */
import { InputError, describeValue, invalidOption } from '../core/errors';

/** A quantile level: a probability (0.1), its string ("0.1") or a percentile name ("p10", "P2.5"). */
export type LevelInput = number | string;

/** Multi-horizon quantile forecast of one series. */
export interface QuantileForecast {
  /** Series id. */
  readonly id: string;
  /** Time index of the first forecast step. */
  readonly start: number;
  /** Number of steps. */
  readonly horizon: number;
  /** Quantile levels, increasing, each in (0, 1). */
  readonly levels: readonly number[];
  /** Quantile values, step-major: step h, level k at `values[h * levels.length + k]`; non-decreasing in k. */
  readonly values: Float64Array;
  /** Mean forecast per step (the median where the model has no mean; see each model). */
  readonly mean: Float64Array;
  /**
   * The q-quantile per step, linearly interpolated between the two nearest levels; below the
   * lowest (above the highest) level it is the lowest (highest) level's value. Monotone in q.
   */
  quantile(q: LevelInput): Float64Array;
}

/**
 * Parses a quantile level: 0.1, "0.1" or "p10" (percent after p/P, e.g. "p2.5" = 0.025).
 * @param name the option's name for messages
 */
export function parseLevel(name: string, value: unknown): number {
  let q: number = NaN;
  if (typeof value === 'number') q = value;
  else if (typeof value === 'string') {
    const s = value.trim();
    const m = /^[pP](\d+(?:\.\d+)?)$/.exec(s);
    if (m) q = Number(m[1]) / 100;
    else if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) q = Number(s);
  }
  if (!(q > 0 && q < 1)) throw invalidOption(name, 'a level in (0, 1) (0.1, "0.1" or "p10")', value);
  return q;
}

/** Parses and sorts a list of levels; rejects duplicates and an empty list. */
export function parseLevels(name: string, value: unknown): number[] {
  if (!Array.isArray(value) || value.length === 0) throw invalidOption(name, 'a non-empty array of levels in (0, 1)', value);
  const out = value.map((v) => parseLevel(name, v)).sort((a, b) => a - b);
  for (let k = 1; k < out.length; k++) {
    if (Math.abs(out[k] - out[k - 1]) < 1e-12) throw new InputError(`invalid option \`${name}\`: level ${describeValue(out[k])} appears twice`);
  }
  return out;
}

class Forecast implements QuantileForecast {
  constructor(
    readonly id: string,
    readonly start: number,
    readonly horizon: number,
    readonly levels: readonly number[],
    readonly values: Float64Array,
    readonly mean: Float64Array,
  ) {}

  quantile(q: LevelInput): Float64Array {
    const p = parseLevel('q', q);
    const L = this.levels;
    const K = L.length;
    const out = new Float64Array(this.horizon);
    let k = 0;
    while (k < K && L[k] < p) k++;
    for (let h = 0; h < this.horizon; h++) {
      const row = h * K;
      if (k === 0) out[h] = this.values[row];
      else if (k === K) out[h] = this.values[row + K - 1];
      else {
        const a = this.values[row + k - 1];
        const b = this.values[row + k];
        const w = (p - L[k - 1]) / (L[k] - L[k - 1]);
        // at a level exactly, its value; otherwise kept inside [a, b] against rounding (monotone in q)
        out[h] = p === L[k] ? b : Math.min(b, Math.max(a, a + w * (b - a)));
      }
    }
    return out;
  }

  toJSON(): object {
    return { id: this.id, start: this.start, horizon: this.horizon, levels: this.levels, values: Array.from(this.values), mean: Array.from(this.mean) };
  }
}

/**
 * Builds a {@link QuantileForecast}; sorts each step's values so quantiles never cross.
 * @param values step-major, horizon × levels.length
 * @param mean per step; defaults to the value at the level nearest 0.5
 */
export function quantileForecast(args: {
  id: string;
  start: number;
  levels: readonly LevelInput[];
  values: ArrayLike<number>;
  mean?: ArrayLike<number>;
}): QuantileForecast {
  const levels = parseLevels('levels', args.levels as unknown[]);
  const K = levels.length;
  if (args.values.length % K !== 0 || args.values.length === 0) {
    throw invalidOption('values', `a non-empty array whose length is a multiple of the ${K} levels`, args.values);
  }
  const H = args.values.length / K;
  const values = Float64Array.from(args.values);
  for (let h = 0; h < H; h++) {
    for (let k = 0; k < K; k++) {
      if (!Number.isFinite(values[h * K + k])) throw new InputError(`invalid option \`values\`: expected finite numbers, got ${describeValue(values[h * K + k])} at step ${h}, level ${levels[k]}`);
    }
    values.subarray(h * K, (h + 1) * K).sort();
  }
  let mean: Float64Array;
  if (args.mean) {
    if (args.mean.length !== H) throw invalidOption('mean', `an array of length ${H}`, args.mean);
    mean = Float64Array.from(args.mean);
  } else {
    let best = 0;
    for (let k = 1; k < K; k++) if (Math.abs(levels[k] - 0.5) < Math.abs(levels[best] - 0.5)) best = k;
    mean = new Float64Array(H);
    for (let h = 0; h < H; h++) mean[h] = values[h * K + best];
  }
  return new Forecast(args.id, args.start, H, levels, values, mean);
}
