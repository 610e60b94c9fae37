/**
 * Experimental designs for pricing: assignment schedules (product × day → arm) with blackout
 * masks. Every design leaves the days before `start` as a pre-period with all products in
 * control (history for forecasts and fixed effects) and randomises over `[start, days)`.
 * A design is a plain JSON spec (so it travels to worker threads); {@link drawSchedule} draws
 * one random schedule from it. With `clusters`, whole clusters (randomisation units) are
 * assigned together.
 */
import { InputError, invalidOption } from '../core/errors';
import { rng as makeRng, isRng, type Rng } from '../core/rng';
import { checkKnownKeys, checkNumber, checkOneOf } from '../core/validate';

/** One assignment schedule: the design's decision for every product-day. */
export interface Schedule {
  /** Display name of the design. */
  design: string;
  products: number;
  days: number;
  /** First experimental day (days before it: pre-period, all control). */
  start: number;
  /** 1 = the product-day runs the treatment policy; product-major `[i·days + t]`. */
  arm: Uint8Array;
  /** 1 = the product-day is dropped from analysis (blackout after a switch). */
  blackout: Uint8Array;
  /** Randomisation unit (cluster) of each product, 0..units−1. */
  unit: Int32Array;
}

interface DesignBase {
  /** Display name (default from the kind). */
  name?: string;
  /** First experimental day (default ⌊days/2⌋). */
  start?: number | null;
  /** Cluster id per product: products of one cluster are assigned together (default: none). */
  clusters?: ArrayLike<number> | null;
}

/** Treat a random share of products from `start` to the end; the rest are controls. */
export interface TimeBoundDesign extends DesignBase {
  kind: 'time-bound';
  /** Share of units treated (default 0.5). */
  treatedShare?: number;
  /** Days dropped right after `start` (default 0). */
  blackout?: number;
}

/** Each product's period starts at its own external event (trigger day) in `[start, start + triggerWindow)`. */
export interface TriggeredDesign extends DesignBase {
  kind: 'triggered';
  treatedShare?: number;
  /** Days over which triggers fall (default half the experiment). */
  triggerWindow?: number | null;
  /** Days dropped after each product's trigger (default 0). */
  blackout?: number;
}

/** Switchback: every product × period of `period` days is randomised independently. */
export interface RandomDaysDesign extends DesignBase {
  kind: 'random-days';
  /** Days per randomised period (default 1). */
  period?: number;
  /** Probability of treatment (default 0.5). */
  p?: number;
  /** Days dropped at the start of a period whose arm differs from the previous one (default 0; < period). */
  blackout?: number;
}

/** AB/BA crossover: half the products treated first, the rest second, blackout after each switch. */
export interface CrossoverDesign extends DesignBase {
  kind: 'crossover';
  /** Days dropped after each switch (default 7; must be shorter than a period). */
  blackout?: number;
}

/**
 * Bojinov–Simchi-Levi–Zhao minimax switchback for carryover order m (per product): randomise at
 * experiment days {0, 2m, 3m, ..., (n−2)m} with n = ⌊L/m⌋ ≥ 4 for an experiment of L days, so the
 * first and last epochs last 2m days (the last also takes the remainder) and the others m; days
 * whose previous m assignments differ from their own are blacked out (the Horvitz–Thompson
 * estimator of the paper uses only days whose last m + 1 assignments agree).
 * Reference: Bojinov, Simchi-Levi and Zhao (2023), Design and analysis of switchback experiments,
 * Management Science 69(7), Theorem 3.
 */
export interface BojinovDesign extends DesignBase {
  kind: 'bojinov';
  /** Assumed carryover order m ≥ 1 (default 7). */
  order?: number;
}

/** Any design spec. */
export type DesignSpec = TimeBoundDesign | TriggeredDesign | RandomDaysDesign | CrossoverDesign | BojinovDesign;

/** The kinds of design. */
export const designKinds = ['time-bound', 'triggered', 'random-days', 'crossover', 'bojinov'] as const;

/** Default options per design kind. */
export const designDefaults = {
  treatedShare: 0.5,
  randomDaysPeriod: 1,
  randomDaysP: 0.5,
  crossoverBlackout: 7,
  bojinovOrder: 7,
} as const;

/** Time-bound design (treated subset from `start`). */
export function timeBound(options: Omit<TimeBoundDesign, 'kind'> = {}): TimeBoundDesign {
  return { kind: 'time-bound', ...options };
}
/** Triggered design (each product's period starts at its own event). */
export function triggered(options: Omit<TriggeredDesign, 'kind'> = {}): TriggeredDesign {
  return { kind: 'triggered', ...options };
}
/** Random-days switchback (product × period randomised). */
export function randomDays(options: Omit<RandomDaysDesign, 'kind'> = {}): RandomDaysDesign {
  return { kind: 'random-days', ...options };
}
/** AB/BA crossover with a blackout after each switch. */
export function crossover(options: Omit<CrossoverDesign, 'kind'> = {}): CrossoverDesign {
  return { kind: 'crossover', ...options };
}
/** Bojinov–Simchi-Levi–Zhao optimal switchback for carryover order m. */
export function bojinovSwitchback(options: Omit<BojinovDesign, 'kind'> = {}): BojinovDesign {
  return { kind: 'bojinov', ...options };
}
/** The cluster-randomised version of a design: products of a cluster are assigned together. */
export function clustered<D extends DesignSpec>(design: D, clusters: ArrayLike<number>, name?: string): D {
  return { ...design, clusters: Array.from(clusters), name: name ?? `${designName(design)} (clustered)` };
}

/** The display name of a design. */
export function designName(d: DesignSpec): string {
  if (d.name) return d.name;
  switch (d.kind) {
    case 'time-bound':
      return 'time-bound';
    case 'triggered':
      return 'triggered';
    case 'random-days':
      return (d.period ?? 1) === 1 ? 'random-days' : `random-${d.period}-day periods`;
    case 'crossover':
      return `crossover (blackout ${d.blackout ?? designDefaults.crossoverBlackout})`;
    case 'bojinov':
      return `Bojinov switchback (m = ${d.order ?? designDefaults.bojinovOrder})`;
  }
}

const KEYS: Record<DesignSpec['kind'], string[]> = {
  'time-bound': ['treatedShare', 'blackout'],
  triggered: ['treatedShare', 'triggerWindow', 'blackout'],
  'random-days': ['period', 'p', 'blackout'],
  crossover: ['blackout'],
  bojinov: ['order'],
};

function unitsOf(clusters: ArrayLike<number> | null | undefined, N: number): { unit: Int32Array; U: number } {
  const unit = new Int32Array(N);
  if (clusters === null || clusters === undefined) {
    for (let i = 0; i < N; i++) unit[i] = i;
    return { unit, U: N };
  }
  if (!(Array.isArray(clusters) || ArrayBuffer.isView(clusters)) || clusters.length !== N) {
    throw invalidOption('clusters', `an array of ${N} cluster ids (one per product)`, clusters);
  }
  const id = new Map<number, number>();
  for (let i = 0; i < N; i++) {
    const c = clusters[i];
    if (!Number.isInteger(c) || c < 0) throw new InputError(`invalid option \`clusters\`: expected non-negative integer ids, got ${c} for product ${i}`);
    let k = id.get(c);
    if (k === undefined) id.set(c, (k = id.size));
    unit[i] = k;
  }
  return { unit, U: id.size };
}

/** Checks a design spec against a panel of `products × days`; returns the resolved start. */
export function checkDesign(design: DesignSpec, products: number, days: number): number {
  if (design === null || typeof design !== 'object') throw invalidOption('design', 'a design spec', design);
  const kind = checkOneOf('design.kind', design.kind, designKinds);
  checkKnownKeys(`${kind} design`, design, ['kind', 'name', 'start', 'clusters', ...KEYS[kind]]);
  const start = design.start === undefined || design.start === null ? Math.floor(days / 2) : checkNumber('start', design.start, { min: 0, max: days - 1, integer: true });
  const L = days - start;
  const d = design as unknown as Record<string, unknown>;
  if (d.treatedShare !== undefined) checkNumber('treatedShare', d.treatedShare, { min: 0, max: 1, minExclusive: true, maxExclusive: true });
  if (d.p !== undefined) checkNumber('p', d.p, { min: 0, max: 1, minExclusive: true, maxExclusive: true });
  if (kind === 'time-bound') {
    const b = checkNumber('blackout', d.blackout ?? 0, { min: 0, integer: true });
    if (b >= L) throw new InputError(`invalid option \`blackout\`: ${b} days is not shorter than the treatment period (${L} days from day ${start})`);
  } else if (kind === 'triggered') {
    const w = d.triggerWindow === undefined || d.triggerWindow === null ? Math.max(1, Math.floor(L / 2)) : checkNumber('triggerWindow', d.triggerWindow, { min: 1, max: L, integer: true });
    const b = checkNumber('blackout', d.blackout ?? 0, { min: 0, integer: true });
    if (b >= L - w + 1) throw new InputError(`invalid option \`blackout\`: ${b} days is not shorter than the shortest period after a trigger (${L - w + 1} days)`);
  } else if (kind === 'random-days') {
    const P = checkNumber('period', d.period ?? designDefaults.randomDaysPeriod, { min: 1, max: L, integer: true });
    const b = checkNumber('blackout', d.blackout ?? 0, { min: 0, integer: true });
    if (b >= P) throw new InputError(`invalid option \`blackout\`: ${b} days is not shorter than a period (${P} day${P === 1 ? '' : 's'})`);
  } else if (kind === 'crossover') {
    const P = Math.floor(L / 2);
    if (P < 1) throw new InputError(`crossover needs at least 2 experimental days, got ${L}`);
    const b = checkNumber('blackout', d.blackout ?? designDefaults.crossoverBlackout, { min: 0, integer: true });
    if (b >= P) throw new InputError(`invalid option \`blackout\`: ${b} days is not shorter than a period (${P} days)`);
  } else {
    const m = checkNumber('order', d.order ?? designDefaults.bojinovOrder, { min: 1, integer: true });
    if (Math.floor(L / m) < 4) throw new InputError(`invalid option \`order\`: the Bojinov design needs an experiment of at least 4m days; ${L} days < 4 × ${m}`);
  }
  unitsOf(design.clusters, products);
  return start;
}

/**
 * The Bojinov–Simchi-Levi–Zhao randomisation points for an experiment of L days and carryover
 * order m (0-based offsets): {0, 2m, 3m, ..., (n−2)m}, n = ⌊L/m⌋ ≥ 4.
 */
export function bojinovRandomizationPoints(L: number, m: number): Int32Array {
  checkNumber('L', L, { min: 1, integer: true });
  checkNumber('m', m, { min: 1, integer: true });
  const n = Math.floor(L / m);
  if (n < 4) throw new InputError(`invalid option \`order\`: the Bojinov design needs L ≥ 4m, got L = ${L}, m = ${m}`);
  const pts = [0];
  for (let k = 2; k <= n - 2; k++) pts.push(k * m);
  return Int32Array.from(pts);
}

/**
 * Draws one schedule from a design for a `products × days` panel.
 * @param rngOrSeed the assignment's randomness (an Rng or a seed)
 */
export function drawSchedule(design: DesignSpec, dims: { products: number; days: number }, rngOrSeed: Rng | number | string = 0): Schedule {
  if (dims === null || typeof dims !== 'object') throw invalidOption('dims', '{ products, days }', dims);
  const N = checkNumber('products', dims.products, { min: 1, integer: true });
  const T = checkNumber('days', dims.days, { min: 2, integer: true });
  const start = checkDesign(design, N, T);
  const r = isRng(rngOrSeed) ? rngOrSeed : makeRng(rngOrSeed);
  const { unit, U } = unitsOf(design.clusters, N);
  const arm = new Uint8Array(N * T);
  const blackout = new Uint8Array(N * T);
  const L = T - start;
  const d = design as unknown as Record<string, number | undefined>;
  // unit-level plan: for each unit, an arm per experimental day (0/1) and a blackout per day
  const uArm = new Uint8Array(U * L);
  const uBlack = new Uint8Array(U * L);
  const pick = (share: number): Uint8Array => {
    const order = new Int32Array(U);
    for (let k = 0; k < U; k++) order[k] = k;
    for (let k = U - 1; k > 0; k--) {
      const j = Math.floor(r.nextFloat() * (k + 1));
      const tmp = order[k];
      order[k] = order[j];
      order[j] = tmp;
    }
    const nt = Math.min(U - 1, Math.max(1, Math.round(share * U)));
    const treated = new Uint8Array(U);
    for (let k = 0; k < nt; k++) treated[order[k]] = 1;
    return treated;
  };
  switch (design.kind) {
    case 'time-bound': {
      const treated = pick(d.treatedShare ?? designDefaults.treatedShare);
      const b = d.blackout ?? 0;
      for (let k = 0; k < U; k++) for (let t = 0; t < L; t++) {
        uArm[k * L + t] = treated[k];
        uBlack[k * L + t] = t < b ? 1 : 0;
      }
      break;
    }
    case 'triggered': {
      const treated = pick(d.treatedShare ?? designDefaults.treatedShare);
      const w = d.triggerWindow ?? Math.max(1, Math.floor(L / 2));
      const b = d.blackout ?? 0;
      for (let k = 0; k < U; k++) {
        const trig = Math.floor(r.nextFloat() * w);
        for (let t = 0; t < L; t++) {
          uArm[k * L + t] = treated[k] && t >= trig ? 1 : 0;
          uBlack[k * L + t] = t >= trig && t < trig + b ? 1 : 0;
        }
      }
      break;
    }
    case 'random-days': {
      const P = d.period ?? designDefaults.randomDaysPeriod;
      const p = d.p ?? designDefaults.randomDaysP;
      const b = d.blackout ?? 0;
      for (let k = 0; k < U; k++) {
        let prev = 0;
        for (let t0 = 0; t0 < L; t0 += P) {
          const a = r.nextFloat() < p ? 1 : 0;
          for (let t = t0; t < Math.min(L, t0 + P); t++) {
            uArm[k * L + t] = a;
            uBlack[k * L + t] = a !== prev && t - t0 < b ? 1 : 0;
          }
          prev = a;
        }
      }
      break;
    }
    case 'crossover': {
      const first = pick(0.5);
      const P = Math.floor(L / 2);
      const b = d.blackout ?? designDefaults.crossoverBlackout;
      for (let k = 0; k < U; k++) {
        for (let t = 0; t < L; t++) {
          uArm[k * L + t] = t < P ? first[k] : 1 - first[k];
          uBlack[k * L + t] = t < b || (t >= P && t < P + b) ? 1 : 0;
        }
      }
      break;
    }
    case 'bojinov': {
      const m = d.order ?? designDefaults.bojinovOrder;
      const pts = bojinovRandomizationPoints(L, m);
      for (let k = 0; k < U; k++) {
        for (let e = 0; e < pts.length; e++) {
          const a = r.nextFloat() < 0.5 ? 1 : 0;
          const hi = e + 1 < pts.length ? pts[e + 1] : L;
          for (let t = pts[e]; t < hi; t++) uArm[k * L + t] = a;
        }
        // blackout: days whose previous m assignments (pre-period = control) differ from their own
        for (let t = 0; t < L; t++) {
          const a = uArm[k * L + t];
          let same = 1;
          for (let j = 1; j <= m && same; j++) {
            const prev = t - j >= 0 ? uArm[k * L + t - j] : 0;
            if (prev !== a) same = 0;
          }
          uBlack[k * L + t] = same ? 0 : 1;
        }
      }
      break;
    }
  }
  for (let i = 0; i < N; i++) {
    const k = unit[i];
    for (let t = 0; t < L; t++) {
      arm[i * T + start + t] = uArm[k * L + t];
      blackout[i * T + start + t] = uBlack[k * L + t];
    }
  }
  return { design: designName(design), products: N, days: T, start, arm, blackout, unit };
}

/** A span of days of one product (inclusive `from`, exclusive `to`). */
export interface ScheduleSpan {
  product: number;
  /** First day (default 0). */
  from?: number;
  /** One past the last day (default `days`). */
  to?: number;
}

/**
 * A schedule written by hand: treated spans and blackout spans per product. Every product and
 * day must lie inside the `products × days` panel.
 */
export function customSchedule(options: {
  products: number;
  days: number;
  start?: number;
  treated: readonly ScheduleSpan[];
  blackout?: readonly ScheduleSpan[];
  units?: ArrayLike<number>;
  name?: string;
}): Schedule {
  if (options === null || typeof options !== 'object') throw invalidOption('options', 'an options object', options);
  checkKnownKeys('customSchedule options', options, ['products', 'days', 'start', 'treated', 'blackout', 'units', 'name']);
  const N = checkNumber('products', options.products, { min: 1, integer: true });
  const T = checkNumber('days', options.days, { min: 1, integer: true });
  const arm = new Uint8Array(N * T);
  const black = new Uint8Array(N * T);
  let first = T;
  const apply = (field: string, spans: readonly ScheduleSpan[] | undefined, out: Uint8Array, track: boolean): void => {
    if (spans === undefined) return;
    if (!Array.isArray(spans)) throw invalidOption(field, 'an array of { product, from?, to? }', spans);
    spans.forEach((sp, k) => {
      if (sp === null || typeof sp !== 'object') throw invalidOption(`${field}[${k}]`, '{ product, from?, to? }', sp);
      const p = sp.product;
      if (!Number.isInteger(p) || p < 0 || p >= N) throw new InputError(`invalid option \`${field}[${k}].product\`: product ${p} is outside the panel (products 0..${N - 1})`);
      const from = sp.from ?? 0;
      const to = sp.to ?? T;
      if (!Number.isInteger(from) || from < 0 || from >= T) throw new InputError(`invalid option \`${field}[${k}].from\`: day ${from} is outside the panel (days 0..${T - 1})`);
      if (!Number.isInteger(to) || to <= from || to > T) throw new InputError(`invalid option \`${field}[${k}].to\`: day ${to} must be in (${from}, ${T}]`);
      for (let t = from; t < to; t++) out[p * T + t] = 1;
      if (track && from < first) first = from;
    });
  };
  apply('treated', options.treated, arm, true);
  apply('blackout', options.blackout, black, false);
  const start = options.start === undefined ? (first < T ? first : 0) : checkNumber('start', options.start, { min: 0, max: T - 1, integer: true });
  const { unit } = unitsOf(options.units ?? null, N);
  return { design: options.name ?? 'custom', products: N, days: T, start, arm, blackout: black, unit };
}

/** Checks a schedule's shape against a `products × days` panel (InputError naming the field). */
export function checkSchedule(s: Schedule, products: number, days: number): Schedule {
  if (s === null || typeof s !== 'object') throw invalidOption('schedule', 'a Schedule from drawSchedule or customSchedule', s);
  if (s.products !== products || s.days !== days) {
    throw new InputError(`invalid option \`schedule\`: it covers ${s.products} products × ${s.days} days, the panel has ${products} × ${days}`);
  }
  if (!(s.arm instanceof Uint8Array) || s.arm.length !== products * days) throw invalidOption('schedule.arm', `a Uint8Array of length ${products * days}`, s.arm);
  if (!(s.blackout instanceof Uint8Array) || s.blackout.length !== products * days) throw invalidOption('schedule.blackout', `a Uint8Array of length ${products * days}`, s.blackout);
  if (!(s.unit instanceof Int32Array) || s.unit.length !== products) throw invalidOption('schedule.unit', `an Int32Array of length ${products}`, s.unit);
  checkNumber('schedule.start', s.start, { min: 0, max: days - 1, integer: true });
  for (let i = 0; i < s.arm.length; i++) {
    if (s.arm[i] > 1) throw new InputError(`invalid option \`schedule.arm\`: arms are 0 or 1, got ${s.arm[i]} at product ${Math.floor(i / days)}, day ${i % days}`);
  }
  return s;
}
