/**
 * Forecasting datasets: many series on one time grid, with known-future covariates (price,
 * promotion, ...) that may run past the last observed target, and static per-series features.
 * Built from arrays or CSV text and validated; errors name the series and the time.
 */
import { DataError, InputError, describeValue, invalidOption } from '../core/errors';
import { checkKnownKeys, checkNumber, checkOneOf, checkPositiveInteger } from '../core/validate';

/** How gaps (missing target or covariate values inside the observed range) are filled. */
export type FillRule = 'error' | 'zero' | 'previous';

/** Many aligned series: columns of typed arrays, series-major. */
export interface ForecastDataset {
  /** Series ids, one per series. */
  readonly ids: string[];
  /** Number of series. */
  readonly n: number;
  /** Time index of step 0 (e.g. a week number); step t is time `start + t`. */
  readonly start: number;
  /** Observed target steps T per series. */
  readonly length: number;
  /** Steps with covariates (≥ `length`; the extra steps are the known future). */
  readonly covariateLength: number;
  /** Season length in steps (52 for weekly data with a yearly cycle, 7 for daily with a weekly one). */
  readonly period: number;
  /** Targets, series-major: series i, step t at `target[i * length + t]`. */
  readonly target: Float64Array;
  /** Known-future covariates: name → series-major `n × covariateLength`. */
  readonly covariates: Readonly<Record<string, Float64Array>>;
  /** Static features: name → one value per series. */
  readonly static: Readonly<Record<string, Float64Array>>;
  /** For static columns read from text: the category names behind codes 0, 1, ... */
  readonly staticLevels: Readonly<Record<string, string[]>>;
}

/** Options of {@link forecastDataset}. */
export interface DatasetOptions {
  /** Per-series targets, equal lengths (NaN = gap). */
  target: ArrayLike<number>[];
  /** Series ids (default "0", "1", ...). */
  ids?: string[];
  /** Time index of step 0 (default 0). */
  start?: number;
  /** Season length in steps (default 52). */
  period?: number;
  /** Covariates: name → per-series arrays, all of one length ≥ the target length. */
  covariates?: Record<string, ArrayLike<number>[]>;
  /** Static features: name → one number per series. */
  static?: Record<string, ArrayLike<number>>;
  /** Gap filling inside the observed range (default 'error'). */
  fill?: FillRule;
}

/** Defaults of the dataset builders. */
export const datasetDefaults = { start: 0, period: 52, fill: 'error' as FillRule } as const;

function fillGaps(what: string, id: string, start: number, values: Float64Array, offset: number, len: number, fill: FillRule): void {
  for (let t = 0; t < len; t++) {
    if (!Number.isNaN(values[offset + t])) continue;
    if (fill === 'error') {
      throw new DataError(`series "${id}" has no ${what} at time ${start + t} (a gap): pass \`fill\` ('zero' or 'previous') to fill gaps`);
    }
    if (fill === 'zero') values[offset + t] = 0;
    else {
      // previous value; a leading gap takes the first observed value
      if (t > 0) values[offset + t] = values[offset + t - 1];
      else {
        let u = 1;
        while (u < len && Number.isNaN(values[offset + u])) u++;
        if (u === len) throw new DataError(`series "${id}" has no ${what} at all in the observed range`);
        values[offset] = values[offset + u];
      }
    }
  }
}

/**
 * Builds and validates a dataset from arrays. Gaps (NaN) in the target, or in covariates within
 * the observed range, are filled by `fill` or rejected naming the series and time.
 */
export function forecastDataset(options: DatasetOptions): ForecastDataset {
  checkKnownKeys('options', options, ['target', 'ids', 'start', 'period', 'covariates', 'static', 'fill']);
  const rows = options.target;
  if (!Array.isArray(rows) || rows.length === 0) throw invalidOption('target', 'a non-empty array of per-series arrays', rows);
  const n = rows.length;
  const T = rows[0]?.length;
  if (!(T >= 1)) throw invalidOption('target', 'series with at least one value', rows[0]);
  const start = checkNumber('start', options.start ?? datasetDefaults.start, { integer: true });
  const period = checkPositiveInteger('period', options.period ?? datasetDefaults.period);
  const fill = checkOneOf('fill', options.fill ?? datasetDefaults.fill, ['error', 'zero', 'previous'] as const);
  const ids = options.ids ?? Array.from({ length: n }, (_, i) => String(i));
  if (!Array.isArray(ids) || ids.length !== n) throw invalidOption('ids', `an array of ${n} ids`, ids);
  const seen = new Set<string>();
  for (const id of ids) {
    if (typeof id !== 'string') throw invalidOption('ids', 'strings', id);
    if (seen.has(id)) throw new DataError(`duplicate series id "${id}"`);
    seen.add(id);
  }
  const target = new Float64Array(n * T);
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    if (!r || r.length !== T) throw new InputError(`invalid option \`target\`: series "${ids[i]}" has ${describeValue(r?.length)} values, expected ${T} like the first`);
    for (let t = 0; t < T; t++) {
      const v = r[t];
      if (typeof v !== 'number' || v === Infinity || v === -Infinity) throw new DataError(`series "${ids[i]}" has target ${describeValue(v)} at time ${start + t}`);
      target[i * T + t] = v;
    }
    fillGaps('target', ids[i], start, target, i * T, T, fill);
  }
  const covariates: Record<string, Float64Array> = {};
  let Tc = T;
  const covNames = Object.keys(options.covariates ?? {});
  for (const name of covNames) {
    const c = options.covariates![name];
    if (!Array.isArray(c) || c.length !== n) throw invalidOption(`covariates.${name}`, `an array of ${n} per-series arrays`, c);
    if (name === covNames[0]) Tc = c[0]?.length ?? 0;
    if (Tc < T) throw new DataError(`covariate "${name}" covers ${Tc} steps, fewer than the ${T} observed target steps`);
  }
  for (const name of covNames) {
    const c = options.covariates![name];
    const out = new Float64Array(n * Tc);
    for (let i = 0; i < n; i++) {
      const r = c[i];
      if (!r || r.length !== Tc) throw new InputError(`invalid option \`covariates.${name}\`: series "${ids[i]}" has ${describeValue(r?.length)} values, expected ${Tc}`);
      for (let t = 0; t < Tc; t++) {
        const v = r[t];
        if (typeof v !== 'number' || v === Infinity || v === -Infinity) throw new DataError(`series "${ids[i]}" has covariate "${name}" = ${describeValue(v)} at time ${start + t}`);
        out[i * Tc + t] = v;
      }
      fillGaps(`covariate "${name}"`, ids[i], start, out, i * Tc, T, fill);
    }
    covariates[name] = out;
  }
  const stat: Record<string, Float64Array> = {};
  for (const [name, v] of Object.entries(options.static ?? {})) {
    if (!v || v.length !== n) throw invalidOption(`static.${name}`, `one number per series (${n})`, v);
    const a = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      if (typeof v[i] !== 'number' || !Number.isFinite(v[i])) throw new DataError(`series "${ids[i]}" has static feature "${name}" = ${describeValue(v[i])}`);
      a[i] = v[i];
    }
    stat[name] = a;
  }
  return { ids: ids.slice(), n, start, length: T, covariateLength: Tc, period, target, covariates, static: stat, staticLevels: {} };
}

/**
 * Checks that a forecast from `origin` (steps observed) over `horizon` steps is possible: the
 * origin lies in the observed range and every covariate is known over the forecast window.
 */
export function checkForecastWindow(data: ForecastDataset, origin: number, horizon: number): void {
  checkPositiveInteger('horizon', horizon);
  checkNumber('origin', origin, { min: 1, max: data.length, integer: true });
  const Tc = data.covariateLength;
  for (const [name, c] of Object.entries(data.covariates)) {
    if (origin + horizon > Tc) {
      throw new DataError(
        `future covariate "${name}" is missing in the forecast window: series "${data.ids[0]}" has none at time ${data.start + Tc} (known up to ${data.start + Tc - 1}; the window ends at ${data.start + origin + horizon - 1})`,
      );
    }
    for (let i = 0; i < data.n; i++) {
      for (let t = origin; t < origin + horizon; t++) {
        if (Number.isNaN(c[i * Tc + t])) throw new DataError(`future covariate "${name}" is missing in the forecast window: series "${data.ids[i]}" at time ${data.start + t}`);
      }
    }
  }
}

// --- CSV -----------------------------------------------------------------------------------------

/** Options of {@link fromCsv}. */
export interface CsvOptions {
  /** Series id column (default "id"). */
  id?: string;
  /** Time column: integers, or ISO dates (YYYY-MM-DD) converted to steps of `timeStep` days (default "time"). */
  time?: string;
  /** Target column (default "target"); empty cells after a series' last observation are future rows. */
  target?: string;
  /** Known-future covariate columns (default none). */
  covariates?: string[];
  /** Static columns, constant within a series; text values become category codes (default none). */
  static?: string[];
  /** Days per step when the time column holds dates (default 7). */
  timeStep?: number;
  /** Season length in steps (default 52). */
  period?: number;
  /** Gap filling (default 'error'). */
  fill?: FillRule;
  /** Field separator (default ","). */
  separator?: string;
}

/** Splits CSV text into rows of fields (RFC 4180 quoting). */
export function parseCsv(text: string, separator = ','): string[][] {
  const out: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === separator) {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      if (row.length > 1 || row[0] !== '') out.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length) {
    row.push(field);
    out.push(row);
  }
  return out;
}

const DAY_MS = 86_400_000;

function parseTime(s: string, step: number, line: number, col: string): number {
  const t = s.trim();
  if (/^[+-]?\d+$/.test(t)) return Number(t);
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
  if (m) {
    const days = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY_MS;
    // Steps counted from 1970-01-05 (a Monday) so weekly dates on any weekday map to integers consistently.
    const k = (days - 4) / step;
    if (!Number.isInteger(k)) {
      const off = (((days - 4) % step) + step) % step;
      return Math.floor(k) + off / step; // non-integer: caught by the caller as off-grid
    }
    return k;
  }
  throw new DataError(`line ${line}: column "${col}" has ${describeValue(s)}, expected an integer time index or a date YYYY-MM-DD`);
}

/**
 * Reads a long-format CSV (one row per series and time) into a dataset. Rejects duplicate
 * (series, time) rows, gaps without a fill rule, and non-numeric values, naming series and time.
 */
export function fromCsv(text: string, options: CsvOptions = {}): ForecastDataset {
  checkKnownKeys('options', options, ['id', 'time', 'target', 'covariates', 'static', 'timeStep', 'period', 'fill', 'separator']);
  if (typeof text !== 'string') throw invalidOption('text', 'CSV text', text);
  const idCol = options.id ?? 'id';
  const timeCol = options.time ?? 'time';
  const targetCol = options.target ?? 'target';
  const covCols = options.covariates ?? [];
  const statCols = options.static ?? [];
  const step = checkPositiveInteger('timeStep', options.timeStep ?? 7);
  const fill = checkOneOf('fill', options.fill ?? datasetDefaults.fill, ['error', 'zero', 'previous'] as const);
  const rows = parseCsv(text, options.separator ?? ',');
  if (rows.length < 2) throw new DataError('the CSV has no data rows');
  const header = rows[0].map((h) => h.trim());
  const col = (name: string): number => {
    const j = header.indexOf(name);
    if (j < 0) throw new InputError(`the CSV has no column "${name}" (columns: ${header.join(', ')})`);
    return j;
  };
  const jId = col(idCol);
  const jTime = col(timeCol);
  const jTarget = col(targetCol);
  const jCov = covCols.map(col);
  const jStat = statCols.map(col);

  interface Rec {
    time: number;
    target: number;
    cov: number[];
    stat: string[];
    line: number;
  }
  const bySeries = new Map<string, Map<number, Rec>>();
  const num = (s: string, line: number, name: string, id: string, time: number): number => {
    const t = s.trim();
    if (t === '' || t.toLowerCase() === 'na' || t.toLowerCase() === 'nan') return NaN;
    const v = Number(t);
    if (!Number.isFinite(v)) throw new DataError(`series "${id}" at time ${time} (line ${line}): column "${name}" has ${describeValue(s)}, expected a number`);
    return v;
  };
  for (let r = 1; r < rows.length; r++) {
    const f = rows[r];
    const line = r + 1;
    if (f.length !== header.length) throw new DataError(`line ${line}: ${f.length} fields, expected ${header.length} as in the header`);
    const id = f[jId].trim();
    if (id === '') throw new DataError(`line ${line}: empty series id`);
    const time = parseTime(f[jTime], step, line, timeCol);
    if (!Number.isInteger(time)) throw new DataError(`series "${id}" (line ${line}): date ${f[jTime].trim()} is not on the ${step}-day grid of the other dates`);
    let m = bySeries.get(id);
    if (!m) bySeries.set(id, (m = new Map()));
    const prev = m.get(time);
    if (prev) throw new DataError(`duplicate row for series "${id}" at time ${f[jTime].trim()} (lines ${prev.line} and ${line})`);
    m.set(time, {
      time,
      target: num(f[jTarget], line, targetCol, id, time),
      cov: jCov.map((j, k) => num(f[j], line, covCols[k], id, time)),
      stat: jStat.map((j) => f[j].trim()),
      line,
    });
  }
  const ids = [...bySeries.keys()];
  // Observed range: first to last time with a target, over all series; covariate range to the last row.
  let t0 = Infinity;
  let tObs = -Infinity;
  let tEnd = -Infinity;
  for (const m of bySeries.values()) {
    for (const rec of m.values()) {
      t0 = Math.min(t0, rec.time);
      tEnd = Math.max(tEnd, rec.time);
      if (!Number.isNaN(rec.target)) tObs = Math.max(tObs, rec.time);
    }
  }
  if (tObs === -Infinity) throw new DataError(`column "${targetCol}" has no values`);
  const T = tObs - t0 + 1;
  const Tc = covCols.length ? tEnd - t0 + 1 : T;
  const label = (t: number): string => String(t);
  const target: number[][] = [];
  const cov: Record<string, number[][]> = Object.fromEntries(covCols.map((c) => [c, [] as number[][]]));
  const statRaw: string[][] = statCols.map(() => []);
  for (const id of ids) {
    const m = bySeries.get(id)!;
    const y = new Array<number>(T).fill(NaN);
    const cs = covCols.map(() => new Array<number>(Tc).fill(NaN));
    const firstStat: (string | undefined)[] = statCols.map(() => undefined);
    for (const rec of m.values()) {
      const t = rec.time - t0;
      if (t < T) y[t] = rec.target;
      else if (!Number.isNaN(rec.target)) throw new DataError(`series "${id}" has a target at time ${label(rec.time)} after the observed range`);
      for (let k = 0; k < covCols.length; k++) cs[k][t] = rec.cov[k];
      for (let k = 0; k < statCols.length; k++) {
        if (firstStat[k] === undefined) firstStat[k] = rec.stat[k];
        else if (firstStat[k] !== rec.stat[k]) {
          throw new DataError(`series "${id}" has static column "${statCols[k]}" = ${describeValue(rec.stat[k])} at time ${label(rec.time)}, but ${describeValue(firstStat[k])} earlier: static features must be constant within a series`);
        }
      }
    }
    for (let t = 0; t < T; t++) {
      if (Number.isNaN(y[t]) && fill === 'error') {
        throw new DataError(`series "${id}" has no ${targetCol} at time ${label(t0 + t)} (a gap): pass \`fill\` ('zero' or 'previous') to fill gaps`);
      }
    }
    target.push(y);
    covCols.forEach((c, k) => cov[c].push(cs[k]));
    statCols.forEach((_, k) => statRaw[k].push(firstStat[k] ?? ''));
  }
  const stat: Record<string, Float64Array> = {};
  const staticLevels: Record<string, string[]> = {};
  statCols.forEach((c, k) => {
    const vals = statRaw[k];
    if (vals.every((v) => v !== '' && Number.isFinite(Number(v)))) stat[c] = Float64Array.from(vals, Number);
    else {
      const levels = [...new Set(vals)].sort();
      staticLevels[c] = levels;
      stat[c] = Float64Array.from(vals, (v) => levels.indexOf(v));
    }
  });
  const ds = forecastDataset({ target, ids, start: t0, period: options.period ?? datasetDefaults.period, covariates: cov, static: stat, fill });
  return { ...ds, staticLevels };
}

/** A dataset whose observed range ends at step `end` (covariates kept, so the future stays known). */
export function truncateDataset(data: ForecastDataset, end: number): ForecastDataset {
  checkNumber('end', end, { min: 1, max: data.length, integer: true });
  if (end === data.length) return data;
  const T = data.length;
  const target = new Float64Array(data.n * end);
  for (let i = 0; i < data.n; i++) target.set(data.target.subarray(i * T, i * T + end), i * end);
  return { ...data, length: end, target };
}

/** One series' observed targets (a view). */
export function seriesTarget(data: ForecastDataset, i: number): Float64Array {
  return data.target.subarray(i * data.length, (i + 1) * data.length);
}
