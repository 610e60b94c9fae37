import { readFileSync } from 'node:fs';
import { InputError, invalidOption } from '../../core/errors';
import type { DdcModel } from './model';

/**
 * A panel of observed choices, one row per unit-period, as columns (never row objects).
 * Rows are sorted by (id, t); `nextState[i]` is the state of the same unit at t + 1, or −1
 * when that period is not observed.
 */
export interface Panel {
  /** Number of rows. */
  length: number;
  id: Int32Array;
  t: Int32Array;
  /** Flat state index in the model's state space. */
  state: Int32Array;
  /** Action index into the model's `actions`. */
  action: Int32Array;
  /** Flat state at t + 1 for the same id, −1 if not observed. */
  nextState: Int32Array;
  /** Optional extra columns (e.g. `pricePaid`), same length. */
  extra?: Record<string, Float64Array | Int32Array>;
}

/** Counts n(s,a) of observed choices, length S·A (the likelihood's sufficient statistic). */
export function choiceCounts(model: DdcModel, panel: Panel): Float64Array {
  const A = model.actions.length;
  const counts = new Float64Array(model.states.size * A);
  for (let i = 0; i < panel.length; i++) counts[panel.state[i] * A + panel.action[i]] += 1;
  return counts;
}

// --- panels from users' data ----------------------------------------------------------------

/** Columns of a user's panel: one entry per unit-period, in any order. */
export interface PanelColumns {
  /** Unit identifiers (integers). */
  id: ArrayLike<number>;
  /** Periods (integers; consecutive periods of a unit differ by 1). */
  t: ArrayLike<number>;
  /** Flat state index in [0, S − 1]; give this or `components`. */
  state?: ArrayLike<number>;
  /** One column per state component (by component name), values 0 … size − 1. */
  components?: Record<string, ArrayLike<number>>;
  /** Action index in [0, A − 1] or action name. */
  action: ArrayLike<number | string>;
}

/** Options of {@link panelFromColumns}. */
export interface PanelFromColumnsOptions {
  /** Where the data came from (a file name), quoted in error messages. */
  source?: string;
  /** Names to use in messages for the fields (e.g. the CSV column of a component): field → name. */
  fieldNames?: Record<string, string>;
}

function whereRow(row: number, source?: string): string {
  return `row ${row + 1}${source ? ` of ${source}` : ''}`;
}

function describeCell(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' && Number.isNaN(v)) return 'NaN';
  return String(v);
}

/**
 * A validated {@link Panel} from columns: checks integer ids and periods, states (or component
 * values) in range, actions in the model (by index or name) and feasible, no duplicate (id, t),
 * equal column lengths; sorts by (id, t) and links `nextState` across consecutive periods.
 * Errors are InputErrors naming the field and the 1-based data row (and `source` if given).
 */
export function panelFromColumns(model: DdcModel, columns: PanelColumns, options: PanelFromColumnsOptions = {}): Panel {
  const source = options.source;
  const label = (field: string): string => {
    const shown = options.fieldNames?.[field];
    return shown && shown !== field ? `\`${shown}\` (${field})` : `\`${field}\``;
  };
  const fail = (field: string, row: number, message: string): InputError =>
    new InputError(`invalid value in column ${label(field)} at ${whereRow(row, source)}: ${message}`);
  if (columns === null || typeof columns !== 'object') throw invalidOption('columns', '{ id, t, state | components, action }', columns);
  const isArrayLike = (x: unknown): x is ArrayLike<unknown> =>
    Array.isArray(x) || (ArrayBuffer.isView(x) && !(x instanceof DataView));
  const S = model.states.size;
  const A = model.actions.length;
  const comps = model.states.components;

  const fields: [string, ArrayLike<unknown>][] = [];
  for (const name of ['id', 't', 'action'] as const) {
    if (!isArrayLike(columns[name])) throw invalidOption(`columns.${name}`, 'an array (one value per row)', columns[name]);
    fields.push([name, columns[name]]);
  }
  if (columns.state !== undefined && columns.components !== undefined) {
    throw new InputError('invalid option `columns`: give either `state` (flat index) or `components`, not both');
  }
  if (columns.state !== undefined) {
    if (!isArrayLike(columns.state)) throw invalidOption('columns.state', 'an array of state indices', columns.state);
    fields.push(['state', columns.state]);
  } else if (columns.components !== undefined) {
    const given = columns.components;
    if (given === null || typeof given !== 'object') throw invalidOption('columns.components', 'an object { component: values }', given);
    for (const key of Object.keys(given)) {
      if (!comps.some((c) => c.name === key)) {
        throw new InputError(`unknown state component ${label(key)} in \`columns.components\`: expected ${comps.map((c) => `"${c.name}"`).join(', ')}`);
      }
    }
    for (const c of comps) {
      const col = given[c.name];
      if (!isArrayLike(col)) {
        throw new InputError(`missing state component ${label(c.name)} in \`columns.components\`: expected a column for each of ${comps.map((x) => `"${x.name}"`).join(', ')}`);
      }
      fields.push([c.name, col]);
    }
  } else {
    throw new InputError('invalid option `columns`: expected a `state` column (flat index) or `components` (one column per state component)');
  }
  const n = fields[0][1].length;
  for (const [name, col] of fields) {
    if (col.length !== n) {
      throw new InputError(`ragged columns: ${label(name)} has ${col.length} values but ${label(fields[0][0])} has ${n}; every column needs one value per row`);
    }
  }

  const integerColumn = (field: string, col: ArrayLike<unknown>, min: number, max: number, what: string): Int32Array => {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const v = col[i];
      if (typeof v !== 'number' || !Number.isInteger(v)) throw fail(field, i, `${describeCell(v)} is not an integer`);
      if (v < min || v > max) throw fail(field, i, `${v} is not ${what}`);
      out[i] = v;
    }
    return out;
  };
  const INT_MIN = -(2 ** 31);
  const INT_MAX = 2 ** 31 - 1;
  const idIn = integerColumn('id', columns.id, INT_MIN, INT_MAX, 'a 32-bit integer');
  const tIn = integerColumn('t', columns.t, INT_MIN, INT_MAX, 'a 32-bit integer');
  let stateIn: Int32Array;
  if (columns.state !== undefined) {
    stateIn = integerColumn('state', columns.state, 0, S - 1, `a state index in [0, ${S - 1}]`);
  } else {
    stateIn = new Int32Array(n);
    comps.forEach((c, k) => {
      const vals = integerColumn(c.name, columns.components![c.name], 0, c.size - 1, `a level of "${c.name}" in [0, ${c.size - 1}]`);
      const stride = model.states.strides[k];
      for (let i = 0; i < n; i++) stateIn[i] += vals[i] * stride;
    });
  }
  const actionIn = new Int32Array(n);
  const byName = new Map(model.actions.map((a, i) => [a, i]));
  const allowed = `${model.actions.map((a, i) => `"${a}" (${i})`).join(', ')}`;
  for (let i = 0; i < n; i++) {
    const v = columns.action[i];
    let a: number | undefined;
    if (typeof v === 'number') a = Number.isInteger(v) && v >= 0 && v < A ? v : undefined;
    else if (typeof v === 'string') a = byName.get(v);
    if (a === undefined) throw fail('action', i, `${describeCell(v)} is not an action of the model; expected one of ${allowed}`);
    if (!model.feasible[stateIn[i] * A + a]) {
      throw fail('action', i, `action "${model.actions[a]}" is not feasible in state ${stateIn[i]}`);
    }
    actionIn[i] = a;
  }

  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => idIn[a] - idIn[b] || tIn[a] - tIn[b] || a - b);
  const id = new Int32Array(n);
  const t = new Int32Array(n);
  const state = new Int32Array(n);
  const action = new Int32Array(n);
  const nextState = new Int32Array(n).fill(-1);
  for (let k = 0; k < n; k++) {
    const i = order[k];
    id[k] = idIn[i];
    t[k] = tIn[i];
    state[k] = stateIn[i];
    action[k] = actionIn[i];
    if (k > 0 && id[k] === id[k - 1]) {
      if (t[k] === t[k - 1]) {
        throw new InputError(
          `duplicate (id, t) = (${id[k]}, ${t[k]}) in columns ${label('id')} and ${label('t')} at ${whereRow(order[k - 1], source)} and row ${i + 1}`,
        );
      }
      if (t[k] === t[k - 1] + 1) nextState[k - 1] = state[k];
    }
  }
  return { length: n, id, t, state, action, nextState };
}

// --- CSV ------------------------------------------------------------------------------------

/** A parsed CSV: the header and the records (strings), with the line each record starts on. */
export interface CsvTable {
  header: string[];
  rows: string[][];
  /** 1-based line number where each record starts. */
  lines: number[];
}

/**
 * Parses CSV text (RFC 4180: a header row, commas, optional double quotes with "" escapes, quoted
 * newlines, CRLF or LF, a leading BOM). Blank lines are skipped. Ragged records → InputError.
 */
export function parseCsv(text: string, source = 'CSV'): CsvTable {
  if (typeof text !== 'string') throw invalidOption('text', 'CSV text', text);
  const records: string[][] = [];
  const lines: number[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const n = text.length;
  let line = 1;
  let field = '';
  let record: string[] = [];
  let recordLine = 1;
  let quoted = false;
  let sawAny = false;
  const endRecord = () => {
    record.push(field);
    field = '';
    if (record.length > 1 || record[0].trim() !== '' || sawAny) {
      records.push(record);
      lines.push(recordLine);
    }
    record = [];
    sawAny = false;
  };
  while (i < n) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      if (c === '\n') line++;
      field += c;
      i++;
      continue;
    }
    if (c === '"' && field.trim() === '') {
      quoted = true;
      sawAny = true;
      field = '';
      i++;
    } else if (c === ',') {
      record.push(field);
      field = '';
      i++;
    } else if (c === '\n' || c === '\r') {
      endRecord();
      if (c === '\r' && text[i + 1] === '\n') i++;
      i++;
      line++;
      recordLine = line;
    } else {
      field += c;
      i++;
    }
  }
  if (quoted) throw new InputError(`${source}: unterminated quoted field starting on line ${recordLine}`);
  if (field !== '' || record.length > 0) endRecord();
  if (records.length === 0) throw new InputError(`${source}: empty CSV (expected a header row)`);
  const header = records[0].map((h) => h.trim());
  const rows = records.slice(1);
  rows.forEach((r, k) => {
    if (r.length !== header.length) {
      throw new InputError(`${source}: row ${k + 1} (line ${lines[k + 1]}) has ${r.length} fields but the header has ${header.length}`);
    }
  });
  return { header, rows, lines: lines.slice(1) };
}

/** Which CSV columns hold what, for {@link readPanelCsv}. */
export interface PanelCsvMapping {
  /** Column of unit ids. */
  id: string;
  /** Column of periods. */
  t: string;
  /** Column of flat state indices (or give `components`). */
  state?: string;
  /** State component → CSV column, e.g. `{ mileage: 'mileage_bin' }`. */
  components?: Record<string, string>;
  /** Column of actions (names, indices, or values translated by `actionValues`). */
  action: string;
  /** CSV value → action name, e.g. `{ "0": "keep", "1": "replace" }`. */
  actionValues?: Record<string, string>;
}

/**
 * Reads a panel from CSV (a file path, or the CSV text itself when it contains a newline) and
 * validates it with {@link panelFromColumns}. Rows are data records after the header (row 1 is
 * the first data record). Unknown columns and bad values → InputError naming the column and row.
 */
export function readPanelCsv(pathOrText: string, model: DdcModel, mapping: PanelCsvMapping): Panel {
  if (typeof pathOrText !== 'string') throw invalidOption('pathOrText', 'a file path or CSV text', pathOrText);
  if (mapping === null || typeof mapping !== 'object') throw invalidOption('mapping', '{ id, t, state | components, action }', mapping);
  const isText = /[\r\n]/.test(pathOrText);
  let text = pathOrText;
  let source: string | undefined;
  if (!isText) {
    source = pathOrText;
    try {
      text = readFileSync(pathOrText, 'utf8');
    } catch (e) {
      throw new InputError(`cannot read CSV file ${pathOrText}: ${(e as Error).message}`);
    }
  }
  const csv = parseCsv(text, source ?? 'CSV');
  const index = new Map(csv.header.map((h, k) => [h, k]));
  const column = (key: string, name: unknown): number => {
    if (typeof name !== 'string') throw invalidOption(`mapping.${key}`, 'a CSV column name', name);
    const k = index.get(name);
    if (k === undefined) {
      throw new InputError(`unknown CSV column "${name}" in \`mapping.${key}\`${source ? ` for ${source}` : ''}: the header has ${csv.header.map((h) => `"${h}"`).join(', ')}`);
    }
    return k;
  };
  const fieldNames: Record<string, string> = { id: mapping.id, t: mapping.t, action: mapping.action };
  const numbers = (k: number): Float64Array => {
    const out = new Float64Array(csv.rows.length);
    for (let r = 0; r < csv.rows.length; r++) {
      const s = csv.rows[r][k].trim();
      out[r] = s === '' ? NaN : Number(s);
    }
    return out;
  };
  const columns: PanelColumns = {
    id: numbers(column('id', mapping.id)),
    t: numbers(column('t', mapping.t)),
    action: [],
  };
  if (mapping.state !== undefined) {
    columns.state = numbers(column('state', mapping.state));
    fieldNames.state = mapping.state;
  }
  if (mapping.components !== undefined) {
    columns.components = {};
    for (const [comp, col] of Object.entries(mapping.components)) {
      columns.components[comp] = numbers(column(`components.${comp}`, col));
      fieldNames[comp] = col;
    }
  }
  const ak = column('action', mapping.action);
  const byName = new Set(model.actions);
  const av = mapping.actionValues;
  if (av !== undefined) {
    if (av === null || typeof av !== 'object') throw invalidOption('mapping.actionValues', '{ csvValue: actionName }', av);
    for (const [k, name] of Object.entries(av)) {
      if (!byName.has(name)) {
        throw new InputError(`invalid option \`mapping.actionValues\`: "${k}" maps to "${name}", which is not an action; expected one of ${model.actions.map((a) => `"${a}"`).join(', ')}`);
      }
    }
  }
  const actions: (string | number)[] = new Array(csv.rows.length);
  for (let r = 0; r < csv.rows.length; r++) {
    const raw = csv.rows[r][ak].trim();
    if (av !== undefined) {
      if (!Object.prototype.hasOwnProperty.call(av, raw)) {
        throw new InputError(
          `invalid value in column \`${mapping.action}\` (action) at ${whereRow(r, source)}: ${JSON.stringify(raw)} is not in \`actionValues\`; expected one of ${Object.keys(av).map((k) => JSON.stringify(k)).join(', ')}`,
        );
      }
      actions[r] = av[raw];
    } else {
      actions[r] = byName.has(raw) || raw === '' || !/^[+-]?\d+(\.\d*)?$/.test(raw) ? raw : Number(raw);
    }
  }
  columns.action = actions;
  return panelFromColumns(model, columns, { source, fieldNames });
}

/**
 * Writes a panel as CSV text with columns id, t, one column per state component (or `state`),
 * and the action (by name, or through `actionValues`: action name → CSV value).
 */
export function panelToCsv(
  model: DdcModel,
  panel: Panel,
  options: { components?: boolean; actionColumn?: string; actionValues?: Record<string, string>; columnNames?: Record<string, string> } = {},
): string {
  const useComponents = options.components ?? true;
  const rename = (c: string) => options.columnNames?.[c] ?? c;
  const comps = model.states.components;
  const header = ['id', 't', ...(useComponents ? comps.map((c) => c.name) : ['state']), options.actionColumn ?? 'action'].map(rename);
  const quote = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const out: string[] = [header.map(quote).join(',')];
  const values = new Int32Array(comps.length);
  for (let i = 0; i < panel.length; i++) {
    const cells: (string | number)[] = [panel.id[i], panel.t[i]];
    if (useComponents) {
      model.states.decode(panel.state[i], values);
      for (let k = 0; k < comps.length; k++) cells.push(values[k]);
    } else cells.push(panel.state[i]);
    const name = model.actions[panel.action[i]];
    cells.push(quote(options.actionValues?.[name] ?? name));
    out.push(cells.join(','));
  }
  return out.join('\n') + '\n';
}
