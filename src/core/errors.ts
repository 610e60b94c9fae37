/** Base class of every error choicelab throws on purpose. */
export class ChoicelabError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad input from the caller: an option, an argument or a file the caller supplied. */
export class InputError extends ChoicelabError {}

/** Data that is well-formed but unusable (too few rows, a constant column, ...). */
export class DataError extends ChoicelabError {}

/** An iterative method stopped before meeting its tolerance. */
export class ConvergenceError extends ChoicelabError {
  /** @param detail what was reached, e.g. `{ residual: 1e-3, iterations: 500 }` */
  constructor(message: string, readonly detail: Record<string, number> = {}) {
    super(message);
  }
}

/** Renders a value for an error message: short, unambiguous, never the whole of a big array. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (value === null || value === undefined || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) {
    return `a ${value.constructor.name} of length ${(value as unknown as ArrayLike<number>).length}`;
  }
  try {
    const json = JSON.stringify(value);
    return json.length > 80 ? `${json.slice(0, 77)}...` : json;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** The standard message: ``invalid option `discount`: expected a number in [0, 1), got 1.2``. */
export function invalidOption(name: string, expected: string, got: unknown): InputError {
  return new InputError(`invalid option \`${name}\`: expected ${expected}, got ${describeValue(got)}`);
}

export type WarningHandler = (message: string) => void;

const seenWarnings = new Set<string>();
let warningHandler: WarningHandler = (message) => process.emitWarning(message, 'ChoicelabWarning');

/** Reports a non-fatal problem once per distinct message (repeats are dropped). */
export function warn(message: string): void {
  if (seenWarnings.has(message)) return;
  seenWarnings.add(message);
  warningHandler(message);
}

/** Replaces where warnings go (default: `process.emitWarning`); returns the previous handler. */
export function setWarningHandler(handler: WarningHandler): WarningHandler {
  const previous = warningHandler;
  warningHandler = handler;
  return previous;
}

/** Forgets which warnings were already shown, so they show again. */
export function resetWarnings(): void {
  seenWarnings.clear();
}
