/**
 * Import of logs in the Open Bandit Dataset CSV format (Saito, Aihara, Matsutani, Narita, 2021):
 * an unnamed index column, then timestamp, item_id, position, click, propensity_score and
 * user_feature_* columns (other columns, e.g. user-item_affinity_*, are ignored). Each distinct
 * combination of user features becomes a context id; positions become 0-based dense ranks as
 * Open Bandit Pipeline does.
 */
import * as fs from 'node:fs';
import { InputError } from '../core/errors';
import { checkKnownKeys, checkNumber } from '../core/validate';
import { loggedData, type LoggedData } from './ope';

/** Options of {@link parseOpenBanditCsv}. */
export interface OpenBanditCsvOptions {
  /** Size of the action space (items); default largest item_id + 1. Logged items outside it are an InputError. */
  nActions?: number;
}

/** Defaults of {@link parseOpenBanditCsv}. */
export const openBanditCsvDefaults = {} as const;

/** A parsed Open Bandit log: the logged data plus what the context ids mean. */
export interface OpenBanditLog {
  /** The log (action = item_id). */
  data: LoggedData;
  /** Key of each context id: its user feature values joined by "|". */
  contexts: string[];
  /** Names of the user feature columns used for contexts. */
  userFeatures: string[];
}

function splitCsvLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (q) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') q = false;
      else cur += ch;
    } else if (ch === '"') q = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** Parses Open Bandit Dataset CSV text into a validated log (propensities in (0, 1], items inside the action space). */
export function parseOpenBanditCsv(text: string, options: OpenBanditCsvOptions = {}): OpenBanditLog {
  checkKnownKeys('parseOpenBanditCsv options', options, ['nActions']);
  if (typeof text !== 'string') throw new InputError('parseOpenBanditCsv: expected CSV text');
  const lines = text.split(/\r?\n/).filter((l) => l.trim().length > 0);
  if (lines.length < 2) throw new InputError('Open Bandit CSV: expected a header and at least one row');
  const header = splitCsvLine(lines[0]).map((h) => h.trim());
  const col = (name: string): number => {
    const j = header.indexOf(name);
    if (j < 0) throw new InputError(`Open Bandit CSV: missing column \`${name}\` (header: ${header.join(', ')})`);
    return j;
  };
  const jt = col('timestamp');
  const ji = col('item_id');
  const jp = col('position');
  const jc = col('click');
  const jps = col('propensity_score');
  const userCols = header.map((h, j) => [h, j] as const).filter(([h]) => h.startsWith('user_feature'));
  const n = lines.length - 1;
  const time = new Float64Array(n);
  const action = new Float64Array(n);
  const posRaw = new Float64Array(n);
  const reward = new Float64Array(n);
  const propensity = new Float64Array(n);
  const context = new Int32Array(n);
  const ctxIds = new Map<string, number>();
  const num = (s: string | undefined, row: number, name: string): number => {
    const v = s === undefined || s.trim() === '' ? NaN : Number(s);
    if (!Number.isFinite(v)) throw new InputError(`Open Bandit CSV: \`${name}\` at row ${row} is not a number: ${JSON.stringify(s)}`);
    return v;
  };
  for (let i = 0; i < n; i++) {
    const f = splitCsvLine(lines[i + 1]);
    if (f.length !== header.length) throw new InputError(`Open Bandit CSV: row ${i} has ${f.length} fields, the header ${header.length}`);
    const ts = f[jt].trim();
    const tn = Number(ts);
    time[i] = Number.isFinite(tn) ? tn : Date.parse(ts);
    action[i] = num(f[ji], i, 'item_id');
    posRaw[i] = num(f[jp], i, 'position');
    reward[i] = num(f[jc], i, 'click');
    propensity[i] = num(f[jps], i, 'propensity_score');
    const key = userCols.map(([, j]) => f[j].trim()).join('|');
    let id = ctxIds.get(key);
    if (id === undefined) {
      id = ctxIds.size;
      ctxIds.set(key, id);
    }
    context[i] = id;
  }
  const levels = Array.from(new Set(posRaw)).sort((a, b) => a - b);
  const rank = new Map(levels.map((v, k) => [v, k]));
  const position = Int32Array.from(posRaw, (v) => rank.get(v) as number);
  const nActions = options.nActions === undefined ? undefined : checkNumber('nActions', options.nActions, { min: 1, integer: true });
  const data = loggedData({ context, action, position, reward, propensity, time, nActions, nContexts: ctxIds.size });
  return { data, contexts: Array.from(ctxIds.keys()), userFeatures: userCols.map(([h]) => h) };
}

/** Reads an Open Bandit Dataset CSV file (see {@link parseOpenBanditCsv}). */
export function readOpenBanditCsv(file: string, options: OpenBanditCsvOptions = {}): OpenBanditLog {
  return parseOpenBanditCsv(fs.readFileSync(file, 'utf8'), options);
}
