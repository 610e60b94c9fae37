import { invalidOption, InputError, describeValue } from './errors';

/** Bounds for {@link checkNumber}; an interval is closed unless `...Exclusive` is set. */
export interface NumberBounds {
  min?: number;
  max?: number;
  minExclusive?: boolean;
  maxExclusive?: boolean;
  integer?: boolean;
}

function describeBounds(b: NumberBounds): string {
  const kind = b.integer ? 'an integer' : 'a number';
  const hasMin = b.min !== undefined && b.min !== -Infinity;
  const hasMax = b.max !== undefined && b.max !== Infinity;
  if (hasMin && hasMax) {
    return `${kind} in ${b.minExclusive ? '(' : '['}${b.min}, ${b.max}${b.maxExclusive ? ')' : ']'}`;
  }
  if (hasMin) {
    if (b.min === 0) return b.minExclusive ? `a positive ${kind.slice(kind.indexOf(' ') + 1)}` : `a non-negative ${kind.slice(kind.indexOf(' ') + 1)}`;
    return `${kind} ${b.minExclusive ? '>' : '≥'} ${b.min}`;
  }
  if (hasMax) return `${kind} ${b.maxExclusive ? '<' : '≤'} ${b.max}`;
  return `a finite ${kind.slice(kind.indexOf(' ') + 1)}`;
}

/** Checks a finite number within bounds; throws ``invalid option `name`: expected ..., got ...``. */
export function checkNumber(name: string, value: unknown, bounds: NumberBounds = {}): number {
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!bounds.integer || Number.isInteger(value)) &&
    (bounds.min === undefined || (bounds.minExclusive ? value > bounds.min : value >= bounds.min)) &&
    (bounds.max === undefined || (bounds.maxExclusive ? value < bounds.max : value <= bounds.max));
  if (!ok) throw invalidOption(name, describeBounds(bounds), value);
  return value as number;
}

/** A probability level strictly inside (0, 1). */
export function checkOpenUnit(name: string, value: unknown): number {
  return checkNumber(name, value, { min: 0, max: 1, minExclusive: true, maxExclusive: true });
}

/** A positive integer (≥ 1). */
export function checkPositiveInteger(name: string, value: unknown): number {
  return checkNumber(name, value, { min: 1, integer: true });
}

/** One of a fixed set of strings. */
export function checkOneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw invalidOption(name, `one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`, value);
  }
  return value as T;
}

/** A function. */
export function checkFunction<F extends (...args: never[]) => unknown>(name: string, value: unknown): F {
  if (typeof value !== 'function') throw invalidOption(name, 'a function', value);
  return value as F;
}

/** Anything array-like of numbers: `number[]` or a typed array. */
export type NumericArray = ArrayLike<number>;

/** An array-like of numbers, with a minimum length; `finite` also rejects NaN and ±Infinity. */
export function checkNumericArray(
  name: string,
  value: unknown,
  opts: { minLength?: number; finite?: boolean } = {},
): NumericArray {
  const minLength = opts.minLength ?? 0;
  const isArrayLike =
    (Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView))) &&
    typeof (value as ArrayLike<unknown>).length === 'number';
  if (!isArrayLike) throw invalidOption(name, 'an array of numbers', value);
  const arr = value as ArrayLike<unknown>;
  if (arr.length < minLength) {
    throw invalidOption(name, `an array of at least ${minLength} number${minLength === 1 ? '' : 's'}`, value);
  }
  if (Array.isArray(value) || opts.finite) {
    for (let i = 0; i < arr.length; i++) {
      const v = arr[i];
      if (typeof v !== 'number' || (opts.finite && !Number.isFinite(v))) {
        throw new InputError(
          `invalid option \`${name}\`: expected ${opts.finite ? 'finite numbers' : 'numbers'}, got ${describeValue(v)} at index ${i}`,
        );
      }
    }
  }
  return arr as NumericArray;
}

/** Rejects keys that an options object does not know (catches typos such as `seeed`). */
export function checkKnownKeys(name: string, options: object | undefined, known: readonly string[]): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object') throw invalidOption(name, 'an options object', options);
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new InputError(
        `unknown option \`${key}\` in ${name}: expected one of ${known.map((k) => `\`${k}\``).join(', ')}`,
      );
    }
  }
}
