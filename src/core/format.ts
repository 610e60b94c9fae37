/** Plain-text and HTML tables of columns, row objects or DataFrames (no display: see notebook.table). */
import { invalidOption, InputError } from './errors';
import { checkKnownKeys, checkNumber } from './validate';

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Columns of equal length: typed arrays or plain arrays, keyed by column name. */
export type Columns = Record<string, ArrayLike<unknown>>;

/** What {@link table} accepts: columns, an array of row objects, or a danfojs DataFrame. */
export type TableInput = Columns | Record<string, unknown>[] | DataFrameLike;

/** The part of a danfojs DataFrame that tables need. */
export interface DataFrameLike {
  columns: string[];
  values: unknown[][];
}

/** Options for {@link table} and {@link tableHTML}. */
export interface TableOptions {
  /** Most rows shown (default 20); the rest are counted in a footer. */
  maxRows?: number;
  /** Significant digits for non-integers (default 4). */
  digits?: number;
  /** A caption above the table. */
  caption?: string;
}

/** Defaults of {@link tableText} and {@link tableHTML}. */
export const tableDefaults = { maxRows: 20, digits: 4 } as const;

interface Normalised {
  names: string[];
  cell: (row: number, col: number) => unknown;
  rows: number;
}

function isDataFrame(x: unknown): x is DataFrameLike {
  return (
    x !== null &&
    typeof x === 'object' &&
    Array.isArray((x as DataFrameLike).columns) &&
    Array.isArray((x as DataFrameLike).values)
  );
}

function isArrayLike(x: unknown): x is ArrayLike<unknown> {
  return Array.isArray(x) || (ArrayBuffer.isView(x) && !(x instanceof DataView));
}

function normalise(data: TableInput): Normalised {
  if (isDataFrame(data)) {
    return { names: data.columns.map(String), rows: data.values.length, cell: (r, c) => data.values[r][c] };
  }
  if (Array.isArray(data)) {
    const names: string[] = [];
    const seen = new Set<string>();
    data.forEach((row, i) => {
      if (row === null || typeof row !== 'object') throw invalidOption(`data[${i}]`, 'a row object', row);
      for (const k of Object.keys(row)) if (!seen.has(k)) (seen.add(k), names.push(k));
    });
    return { names, rows: data.length, cell: (r, c) => data[r][names[c]] };
  }
  if (data === null || typeof data !== 'object') {
    throw invalidOption('data', 'columns ({ name: array }), an array of rows, or a danfojs DataFrame', data);
  }
  const names = Object.keys(data);
  const cols = names.map((n) => (data as Columns)[n]);
  let rows = -1;
  cols.forEach((col, i) => {
    if (!isArrayLike(col)) throw invalidOption(`data.${names[i]}`, 'an array or typed array', col);
    if (rows === -1) rows = col.length;
    else if (col.length !== rows) {
      throw new InputError(
        `invalid option \`data.${names[i]}\`: expected ${rows} values like column \`${names[0]}\`, got ${col.length}`,
      );
    }
  });
  return { names, rows: Math.max(rows, 0), cell: (r, c) => cols[c][r] };
}

/** Formats one value for a table: integers as they are, other numbers to `digits` significant digits. */
export function formatValue(v: unknown, digits: number = tableDefaults.digits): string {
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'NaN';
    if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
    if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
    const a = Math.abs(v);
    return a !== 0 && (a < 1e-4 || a >= 1e9) ? v.toExponential(digits - 1) : String(Number(v.toPrecision(digits)));
  }
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function checkOptions(options: TableOptions): { maxRows: number; digits: number } {
  checkKnownKeys('table options', options, ['maxRows', 'digits', 'caption']);
  return {
    maxRows: checkNumber('maxRows', options.maxRows ?? tableDefaults.maxRows, { min: 1, integer: true }),
    digits: checkNumber('digits', options.digits ?? tableDefaults.digits, { min: 1, max: 17, integer: true }),
  };
}

/** An HTML table of at most `maxRows` rows, numbers right-aligned. */
export function tableHTML(data: TableInput, options: TableOptions = {}): string {
  const { maxRows, digits } = checkOptions(options);
  const t = normalise(data);
  const shown = Math.min(t.rows, maxRows);
  const out: string[] = ['<table class="choicelab-table">'];
  if (options.caption) out.push(`<caption>${escapeHtml(options.caption)}</caption>`);
  out.push('<thead><tr>', ...t.names.map((n) => `<th>${escapeHtml(n)}</th>`), '</tr></thead><tbody>');
  for (let r = 0; r < shown; r++) {
    out.push('<tr>');
    for (let c = 0; c < t.names.length; c++) {
      const v = t.cell(r, c);
      const align = typeof v === 'number' ? ' style="text-align:right"' : '';
      out.push(`<td${align}>${escapeHtml(formatValue(v, digits))}</td>`);
    }
    out.push('</tr>');
  }
  out.push('</tbody>');
  if (t.rows > shown) {
    out.push(`<tfoot><tr><td colspan="${t.names.length}">… ${t.rows - shown} more rows (${t.rows} in all)</td></tr></tfoot>`);
  }
  out.push('</table>');
  return out.join('');
}

/** A plain-text table of at most `maxRows` rows, for terminals and logs. */
export function tableText(data: TableInput, options: TableOptions = {}): string {
  const { maxRows, digits } = checkOptions(options);
  const t = normalise(data);
  const shown = Math.min(t.rows, maxRows);
  const grid: string[][] = [t.names];
  const numeric = t.names.map(() => true);
  for (let r = 0; r < shown; r++) {
    grid.push(
      t.names.map((_, c) => {
        const v = t.cell(r, c);
        if (typeof v !== 'number') numeric[c] = false;
        return formatValue(v, digits);
      }),
    );
  }
  const widths = t.names.map((_, c) => Math.max(...grid.map((row) => row[c].length)));
  const line = (row: string[]) =>
    row.map((s, c) => (numeric[c] ? s.padStart(widths[c]) : s.padEnd(widths[c]))).join('  ').trimEnd();
  const lines = [line(grid[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...grid.slice(1).map(line)];
  if (options.caption) lines.unshift(options.caption);
  if (t.rows > shown) lines.push(`… ${t.rows - shown} more rows (${t.rows} in all)`);
  return lines.join('\n');
}
