/**
 * Rust's (1987) bus-engine replacement model — the canonical test of a dynamic discrete-choice
 * estimator — as a {@link DdcModel}, a named scenario (simulations/bus.json), a simulator and
 * the first-stage (transition) estimator.
 *
 * Model: state x = mileage bin 0 … bins−1 (Rust: 90 bins of 5,000 miles); actions keep / replace.
 * Flow utility (parameters θ = [RC, θ1]):
 *   keep:    u(x, keep)    = −0.001·θ1·x   (x is the bin index 0 … bins−1, so c(x) = 0.001·θ1·x)
 *   replace: u(x, replace) = −RC            (c(0) = 0)
 * Transitions: keep moves x → min(x + j, bins − 1) with probability p_j (j = 0, 1, 2, …);
 * replace resets the engine, so mileage moves as from bin 0: x → min(j, bins − 1) w.p. p_j.
 *
 * Reference: J. Rust, "Optimal replacement of GMC bus engines: an empirical model of Harold
 * Zurcher", Econometrica 55(5), 999–1033, 1987 (Table V: mileage-increment probabilities; Table
 * IX: cost estimates, β = 0.9999, 90 bins); J. Rust, NFXP documentation manual (2000).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { InputError, invalidOption } from '../core/errors';
import { checkKnownKeys, checkNumber } from '../core/validate';
import { ddcModel, sparseFromTriplets, stateSpace, type DdcModel } from './ddc/model';
import type { Panel } from './ddc/panel';
import { simulatePanel } from './ddc/simulate';
import { solveDdc, type Solution } from './ddc/solve';

/**
 * Published magnitudes: RC = 10.075 and θ1 = 2.293 (Rust 1987, group-4 buses, linear cost,
 * β = 0.9999, as reproduced by the NFXP manual and the ruspy replication), mileage increments of
 * 0 / 1 / 2 bins with probabilities 0.3919 / 0.5953 / 0.0128 (Rust 1987, Table V, group 4).
 */
export const busDefaults = {
  bins: 90,
  discount: 0.9999,
  RC: 10.075,
  theta1: 2.293,
  transitionProbabilities: [0.3919, 0.5953, 0.0128] as readonly number[],
} as const;

/** Options of {@link busModel}. */
export interface BusModelOptions {
  /** Number of mileage bins (default 90). */
  bins?: number;
  /** Monthly discount factor β in [0, 1) (default 0.9999). */
  discount?: number;
  /** Probabilities of a monthly increment of 0, 1, 2, … bins (default Rust's group 4). */
  transitionProbabilities?: ArrayLike<number>;
}

function checkIncrements(name: string, p: unknown): Float64Array {
  const ok = Array.isArray(p) || (ArrayBuffer.isView(p) && !(p instanceof DataView));
  if (!ok || (p as ArrayLike<number>).length < 1) throw invalidOption(name, 'an array of increment probabilities [p0, p1, …]', p);
  const arr = Float64Array.from(p as ArrayLike<number>);
  let sum = 0;
  for (let j = 0; j < arr.length; j++) {
    if (!(arr[j] >= 0 && arr[j] <= 1)) {
      throw new InputError(`invalid option \`${name}\`: expected probabilities in [0, 1], got ${String((p as ArrayLike<number>)[j])} at index ${j}`);
    }
    sum += arr[j];
  }
  if (Math.abs(sum - 1) > 1e-9) throw new InputError(`invalid option \`${name}\`: the probabilities sum to ${sum}, expected 1`);
  return arr;
}

/**
 * Rust's bus model as a DdcModel: states [{ name: 'mileage', size: bins }], actions
 * ['keep', 'replace'], parameters ['RC', 'theta1']; keep costs 0.001·θ1·x with x the bin index.
 */
export function busModel(options: BusModelOptions = {}): DdcModel {
  checkKnownKeys('busModel options', options, ['bins', 'discount', 'transitionProbabilities']);
  const bins = checkNumber('bins', options.bins ?? busDefaults.bins, { min: 2, integer: true });
  const discount = checkNumber('discount', options.discount ?? busDefaults.discount, { min: 0, max: 1, maxExclusive: true });
  const p = checkIncrements('transitionProbabilities', options.transitionProbabilities ?? busDefaults.transitionProbabilities);
  const S = bins;
  const A = 2;
  const K = 2;
  const features = new Float64Array(S * A * K);
  for (let x = 0; x < S; x++) {
    features[(x * A + 0) * K + 1] = -0.001 * x; // keep: −0.001·θ1·x
    features[(x * A + 1) * K + 0] = -1; // replace: −RC
  }
  const rows: number[] = [];
  const cols: number[] = [];
  const vals: number[] = [];
  const keep = [rows, cols, vals].map(() => [] as number[]);
  for (let x = 0; x < S; x++) {
    for (let j = 0; j < p.length; j++) {
      if (p[j] === 0) continue;
      keep[0].push(x), keep[1].push(Math.min(x + j, S - 1)), keep[2].push(p[j]);
      rows.push(x), cols.push(Math.min(j, S - 1)), vals.push(p[j]);
    }
  }
  return ddcModel({
    name: 'bus',
    states: stateSpace([{ name: 'mileage', size: bins }]),
    actions: ['keep', 'replace'],
    featureNames: ['RC', 'theta1'],
    features,
    transitions: [sparseFromTriplets(S, S, keep[0], keep[1], keep[2]), sparseFromTriplets(S, S, rows, cols, vals)],
    discount,
  });
}

/** A named bus scenario (simulations/bus.json): the model, the true parameters and the sample. */
export interface BusScenario {
  bins: number;
  discount: number;
  RC: number;
  theta1: number;
  transitionProbabilities: number[];
  /** Number of buses simulated. */
  buses: number;
  /** Months observed per bus. */
  months: number;
  seed: number;
}

const scenarioKeys = ['name', 'description', 'bins', 'discount', 'RC', 'theta1', 'transitionProbabilities', 'buses', 'months', 'seed'];

/** Validates a bus scenario object (e.g. parsed JSON); errors name the field and the source. */
export function checkBusScenario(value: unknown, source = 'bus scenario'): BusScenario {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InputError(`${source}: expected a JSON object with ${scenarioKeys.slice(2).join(', ')}`);
  }
  const o = value as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!scenarioKeys.includes(key)) throw new InputError(`${source}: unknown field \`${key}\`; expected one of ${scenarioKeys.join(', ')}`);
  }
  const field = <T>(name: string, check: () => T): T => {
    if (o[name] === undefined) throw new InputError(`${source}: missing field \`${name}\``);
    try {
      return check();
    } catch (e) {
      if (e instanceof InputError) throw new InputError(`${source}: ${e.message}`);
      throw e;
    }
  };
  const bins = field('bins', () => checkNumber('bins', o.bins, { min: 2, integer: true }));
  const discount = field('discount', () => checkNumber('discount', o.discount, { min: 0, max: 1, maxExclusive: true }));
  const RC = field('RC', () => checkNumber('RC', o.RC));
  const theta1 = field('theta1', () => checkNumber('theta1', o.theta1));
  const transitionProbabilities = field('transitionProbabilities', () =>
    Array.from(checkIncrements('transitionProbabilities', o.transitionProbabilities)),
  );
  const buses = field('buses', () => checkNumber('buses', o.buses, { min: 1, integer: true }));
  const months = field('months', () => checkNumber('months', o.months, { min: 1, integer: true }));
  const seed = field('seed', () => checkNumber('seed', o.seed, { min: 0, integer: true }));
  return { bins, discount, RC, theta1, transitionProbabilities, buses, months, seed };
}

/** Reads and validates a bus scenario: a name in simulations/ (default "bus") or a path to a JSON file. */
export function loadBusScenario(nameOrPath = 'bus'): BusScenario {
  const file = /[\\/]|\.json$/.test(nameOrPath)
    ? nameOrPath
    : path.join(__dirname, '..', '..', 'simulations', `${nameOrPath}.json`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new InputError(`bus scenario "${nameOrPath}": cannot read ${file}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  return checkBusScenario(json, file);
}

/** The model and true θ = [RC, θ1] of a scenario. */
export function busScenarioModel(scenario: BusScenario): { model: DdcModel; theta: Float64Array } {
  const s = checkBusScenario(scenario);
  return {
    model: busModel({ bins: s.bins, discount: s.discount, transitionProbabilities: s.transitionProbabilities }),
    theta: Float64Array.of(s.RC, s.theta1),
  };
}

/**
 * Simulates a scenario's bus panel (buses × months rows; every bus starts at bin 0) from the
 * model solved at the true parameters; `seed` overrides the scenario's seed.
 */
export function simulateBusPanel(scenario: BusScenario, options: { seed?: number } = {}): Panel & { solution: Solution; model: DdcModel } {
  const { model, theta } = busScenarioModel(scenario);
  const solution = solveDdc(model, theta);
  const panel = simulatePanel(model, solution.probabilities, {
    units: scenario.buses,
    periods: scenario.months,
    initialState: 0,
    seed: options.seed ?? scenario.seed,
  });
  return Object.assign(panel, { solution, model });
}

/** First-stage transition estimates: frequencies of monthly increments with binomial SEs. */
export interface BusTransitionEstimate {
  /** p̂_j = n_j / n for increments j = 0 … J − 1. */
  probabilities: Float64Array;
  /** √(p̂_j (1 − p̂_j) / n). */
  standardErrors: Float64Array;
  /** Counts n_j. */
  counts: Float64Array;
  /** Number of transitions used (months with an observed next state). */
  observations: number;
}

/**
 * Rust's first stage: the frequency of monthly mileage increments j = 0 … increments − 1
 * (measured from the current bin after keep, from bin 0 after replace). Transitions into the
 * top bin (possibly censored) are skipped when `bins` is given. `increments` defaults to 3.
 */
export function estimateBusTransitions(panel: Panel, options: { increments?: number; bins?: number } = {}): BusTransitionEstimate {
  const J = checkNumber('increments', options.increments ?? 3, { min: 1, integer: true });
  const top = options.bins === undefined ? Infinity : checkNumber('bins', options.bins, { min: 2, integer: true }) - 1;
  const counts = new Float64Array(J);
  let n = 0;
  for (let i = 0; i < panel.length; i++) {
    const next = panel.nextState[i];
    if (next < 0) continue;
    const from = panel.action[i] === 1 ? 0 : panel.state[i];
    const j = next - from;
    if (from + J - 1 >= top) continue; // increments may be censored at the top bin
    if (j < 0 || j >= J) {
      throw new InputError(
        `estimateBusTransitions: row ${i + 1} (id ${panel.id[i]}, t ${panel.t[i]}) moves from bin ${from} to ${next}, an increment outside 0 … ${J - 1}; pass a larger \`increments\``,
      );
    }
    counts[j]++;
    n++;
  }
  const probabilities = new Float64Array(J);
  const standardErrors = new Float64Array(J);
  for (let j = 0; j < J; j++) {
    const p = n > 0 ? counts[j] / n : NaN;
    probabilities[j] = p;
    standardErrors[j] = n > 0 ? Math.sqrt((p * (1 - p)) / n) : NaN;
  }
  return { probabilities, standardErrors, counts, observations: n };
}
