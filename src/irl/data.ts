/**
 * What the inverse-RL estimators see: one row per customer-month, with continuous state
 * features (never an enumerated state index), the action taken, the row of the same
 * customer's next month, which actions were feasible, and the named reward features φ(s,a)
 * that the recovered reward is projected onto.
 */
import { DataError, InputError, invalidOption } from '../core/errors';
import type { DdcModel } from '../membership/ddc/model';
import type { Panel } from '../membership/ddc/panel';
import type { MembershipModel } from '../membership/world';

/** Columnar inverse-RL data (row-major matrices as flat typed arrays). */
export interface IrlData {
  /** Number of rows (customer-months). */
  length: number;
  /** Customer of each row (the bootstrap resamples customers). */
  id: Int32Array;
  /** Action taken, index into `actions`. */
  action: Int32Array;
  /** Row of the same customer's next month, −1 when unobserved. */
  next: Int32Array;
  actions: string[];
  /** State features x(s), length·D, row-major. */
  stateFeatures: Float64Array;
  /** Names of the D state features. */
  stateFeatureNames: string[];
  /** 1 where action a was feasible in row i, length·A. */
  feasible: Uint8Array;
  /** Reward features φ(s_i, a), length·A·K, row-major (i, a, k). */
  rewardFeatures: Float64Array;
  /** Names of the K reward features (the projection's parameters). */
  rewardFeatureNames: string[];
  /** Known part of the reward per row and action, length·A (zeros if none). */
  offset: Float64Array;
}

/** Row i of an n × D matrix as a string of its exact bytes: a Map key for identical feature vectors. */
export function featureRowKey(x: Float64Array, i: number, D: number): string {
  return Buffer.from(x.buffer, x.byteOffset + i * D * 8, D * 8).toString('latin1');
}

/** State features of every state of a model: S × D row-major, with their names. */
export interface StateFeatureTable {
  values: Float64Array;
  names: string[];
}

function isMembershipModel(model: DdcModel): model is MembershipModel {
  const m = model as Partial<MembershipModel>;
  return m.config !== undefined && m.layout !== undefined && m.planStatus !== undefined;
}

/**
 * Continuous state features for each state of a model. For a membership model: one indicator
 * per segment, the regime's monthly and annual prices (dollars / 100), one indicator per plan
 * status, and each benefit's usage (0–1). For any other model: each component's value scaled
 * to [0, 1], plus indicators for components with at most 16 levels.
 */
export function modelStateFeatures(model: DdcModel): StateFeatureTable {
  const S = model.states.size;
  const comps = model.states.components;
  const names: string[] = [];
  const cols: ((s: number) => number)[] = [];
  if (isMembershipModel(model)) {
    const cfg = model.config;
    const st = model.states.strides;
    const { segment, regime, plan, benefits } = model.layout;
    const size = (k: number) => comps[k].size;
    const val = (s: number, k: number) => Math.floor(s / st[k]) % size(k);
    cfg.segments.forEach((g, i) => (names.push(`segment=${g.name}`), cols.push((s) => (val(s, segment) === i ? 1 : 0))));
    names.push('monthlyPrice', 'annualPrice');
    cols.push((s) => cfg.priceRegimes.monthly[val(s, regime)] / 100, (s) => cfg.priceRegimes.annual[val(s, regime)] / 100);
    const labels = comps[plan].labels ?? [];
    for (let p = 0; p < size(plan); p++) (names.push(`plan=${labels[p] ?? p}`), cols.push((s) => (val(s, plan) === p ? 1 : 0)));
    benefits.forEach((k, b) => (names.push(`usage.${cfg.benefits[b].name}`), cols.push((s) => cfg.engagement.usage[val(s, k)])));
  } else {
    comps.forEach((c, k) => {
      const stride = model.states.strides[k];
      names.push(c.name);
      cols.push((s) => (c.size > 1 ? (Math.floor(s / stride) % c.size) / (c.size - 1) : 0));
      if (c.size <= 16 && c.size > 2) {
        for (let v = 0; v < c.size; v++) (names.push(`${c.name}=${c.labels?.[v] ?? v}`), cols.push((s) => (Math.floor(s / stride) % c.size === v ? 1 : 0)));
      }
    });
  }
  const D = names.length;
  const values = new Float64Array(S * D);
  for (let s = 0; s < S; s++) for (let d = 0; d < D; d++) values[s * D + d] = cols[d](s);
  return { values, names };
}

/**
 * Inverse-RL data from a panel of a finite model: the state features of each row's state
 * ({@link modelStateFeatures} unless given), feasibility and reward features φ from the model.
 * The estimators use only these columns, never the state index.
 */
export function irlDataFromPanel(model: DdcModel, panel: Panel, options: { stateFeatures?: StateFeatureTable } = {}): IrlData {
  const S = model.states.size;
  const A = model.actions.length;
  const K = model.featureNames.length;
  const table = options.stateFeatures ?? modelStateFeatures(model);
  const D = table.names.length;
  if (table.values.length !== S * D) throw invalidOption('stateFeatures.values', `S·D = ${S}·${D} values`, table.values.length);
  const n = panel.length;
  const stateFeatures = new Float64Array(n * D);
  const feasible = new Uint8Array(n * A);
  const rewardFeatures = new Float64Array(n * A * K);
  const offset = new Float64Array(n * A);
  const next = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const s = panel.state[i];
    if (!(s >= 0 && s < S)) throw new DataError(`panel.state[${i}] = ${s} is not a state of the model (0 … ${S - 1})`);
    stateFeatures.set(table.values.subarray(s * D, (s + 1) * D), i * D);
    feasible.set(model.feasible.subarray(s * A, (s + 1) * A), i * A);
    rewardFeatures.set(model.features.subarray(s * A * K, (s + 1) * A * K), i * A * K);
    offset.set(model.offset.subarray(s * A, (s + 1) * A), i * A);
    if (panel.nextState[i] >= 0 && i + 1 < n && panel.id[i + 1] === panel.id[i]) next[i] = i + 1;
  }
  return {
    length: n,
    id: Int32Array.from(panel.id),
    action: Int32Array.from(panel.action),
    next,
    actions: [...model.actions],
    stateFeatures,
    stateFeatureNames: [...table.names],
    feasible,
    rewardFeatures,
    rewardFeatureNames: [...model.featureNames],
    offset,
  };
}

/**
 * A customer bootstrap sample: the rows of `customers` (ids, repetitions allowed) in that
 * order, copy j getting id j, `next` pointing inside the copy.
 */
export function resampleCustomers(data: IrlData, customers: ArrayLike<number>): IrlData {
  return resampleCustomerRows(data, customers).data;
}

/** {@link resampleCustomers}, with the source row of each new row (to resample per-row arrays alike). */
export function resampleCustomerRows(data: IrlData, customers: ArrayLike<number>): { data: IrlData; rows: Int32Array } {
  const rowsOf = new Map<number, number[]>();
  for (let i = 0; i < data.length; i++) (rowsOf.get(data.id[i]) ?? rowsOf.set(data.id[i], []).get(data.id[i])!).push(i);
  const picked: number[] = [];
  const copyOf: number[] = [];
  for (let j = 0; j < customers.length; j++) {
    const rows = rowsOf.get(customers[j]);
    if (!rows) throw invalidOption(`customers[${j}]`, 'a customer id of the data', customers[j]);
    for (const i of rows) (picked.push(i), copyOf.push(j));
  }
  const n = picked.length;
  const A = data.actions.length;
  const D = data.stateFeatureNames.length;
  const K = data.rewardFeatureNames.length;
  const newIndex = new Map<number, number>(); // original row → new row, per copy (rows of a copy are contiguous)
  const next = new Int32Array(n).fill(-1);
  let start = 0;
  while (start < n) {
    let end = start;
    newIndex.clear();
    while (end < n && copyOf[end] === copyOf[start]) (newIndex.set(picked[end], end), end++);
    for (let r = start; r < end; r++) {
      const j = data.next[picked[r]];
      if (j >= 0) next[r] = newIndex.get(j) ?? -1;
    }
    start = end;
  }
  const take = <T extends Float64Array | Uint8Array>(src: T, width: number, make: (len: number) => T): T => {
    const out = make(n * width);
    picked.forEach((i, r) => out.set(src.subarray(i * width, (i + 1) * width), r * width));
    return out;
  };
  const resampled: IrlData = {
    length: n,
    id: Int32Array.from(copyOf),
    action: Int32Array.from(picked, (i) => data.action[i]),
    next,
    actions: [...data.actions],
    stateFeatures: take(data.stateFeatures, D, (l) => new Float64Array(l)),
    stateFeatureNames: [...data.stateFeatureNames],
    feasible: take(data.feasible, A, (l) => new Uint8Array(l)),
    rewardFeatures: take(data.rewardFeatures, A * K, (l) => new Float64Array(l)),
    rewardFeatureNames: [...data.rewardFeatureNames],
    offset: take(data.offset, A, (l) => new Float64Array(l)),
  };
  return { data: resampled, rows: Int32Array.from(picked) };
}

/**
 * Checks an {@link IrlData}: shapes, finite state and reward features (a NaN names its column
 * and row), actions in range and feasible, `next` pointing at a later row of the same customer.
 */
export function checkIrlData(data: IrlData): void {
  if (data === null || typeof data !== 'object') throw invalidOption('data', 'an IrlData object (see irlDataFromPanel)', data);
  const n = data.length;
  if (!Number.isInteger(n) || n < 1) throw invalidOption('data.length', 'a positive integer', n);
  const A = data.actions?.length ?? 0;
  if (A < 2) throw invalidOption('data.actions', 'at least two action names', data.actions);
  const D = data.stateFeatureNames?.length ?? 0;
  const K = data.rewardFeatureNames?.length ?? 0;
  if (D < 1) throw invalidOption('data.stateFeatureNames', 'at least one state feature', data.stateFeatureNames);
  if (K < 1) throw invalidOption('data.rewardFeatureNames', 'at least one reward feature', data.rewardFeatureNames);
  const shape = (name: string, arr: ArrayLike<number> | undefined, len: number) => {
    if (!arr || arr.length !== len) throw invalidOption(`data.${name}`, `${len} values`, arr ? `${arr.length} values` : arr);
  };
  shape('id', data.id, n);
  shape('action', data.action, n);
  shape('next', data.next, n);
  shape('stateFeatures', data.stateFeatures, n * D);
  shape('feasible', data.feasible, n * A);
  shape('rewardFeatures', data.rewardFeatures, n * A * K);
  shape('offset', data.offset, n * A);
  for (let i = 0; i < n * D; i++) {
    if (!Number.isFinite(data.stateFeatures[i])) {
      throw new InputError(`invalid state feature column \`${data.stateFeatureNames[i % D]}\`: ${data.stateFeatures[i]} at row ${Math.floor(i / D)}; expected finite numbers`);
    }
  }
  for (let i = 0; i < n * A * K; i++) {
    if (!Number.isFinite(data.rewardFeatures[i])) {
      const k = i % K;
      const a = Math.floor(i / K) % A;
      throw new InputError(`invalid reward feature column \`${data.rewardFeatureNames[k]}\`: ${data.rewardFeatures[i]} at row ${Math.floor(i / (K * A))}, action "${data.actions[a]}"; expected finite numbers`);
    }
  }
  for (let i = 0; i < n; i++) {
    const a = data.action[i];
    if (!Number.isInteger(a) || a < 0 || a >= A) throw new InputError(`invalid value in column \`action\` at row ${i}: ${a}; expected an action index in [0, ${A - 1}]`);
    if (!data.feasible[i * A + a]) throw new InputError(`invalid value in column \`action\` at row ${i}: "${data.actions[a]}" is marked infeasible there`);
    const j = data.next[i];
    if (j !== -1 && (!Number.isInteger(j) || j <= i || j >= n || data.id[j] !== data.id[i])) {
      throw new InputError(`invalid value in column \`next\` at row ${i}: ${j}; expected −1 or a later row of the same customer`);
    }
  }
}
