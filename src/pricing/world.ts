/**
 * The pricing world: products over days with a substitutes graph, heterogeneous own-price
 * elasticities, cross-price spillover, carryover, seasonality, AR(1) demand deviations, common
 * shocks, heavy-tailed noise and stock-outs. It owns the truth (direct and total effects) and
 * simulates the logged panel for any assignment schedule.
 *
 * The outcome is log demand (log units per product-day). Demand is multiplicative, so every
 * component below is additive on that scale and the effects are average log-point changes
 * (≈ percentage changes), the usual metric for price tests with products of very different sizes.
 *
 * log demand_it = μ_i                                        product level (base demand)
 *               + b_i·t                                      product trend
 *               + weekly_c(dow) + yearly_c(calendar day)     category seasonality
 *               + ε_i·c_it                                   baseline price rule (cost-plus on a drifting cost)
 *               + ε_i·[(1−s)·u_it + s·Σ_k κ_k·u_i,t−k]       own price response with carryover (order m)
 *               + Σ_j γ_ij·u_jt                              cross-price spillover from substitutes
 *               + a_it                                       AR(1) product deviation (ρ, stationary sd)
 *               + D_t + G_c,t                                day shocks (all products; category)
 *               + σ·t_ν                                      heavy-tailed idiosyncratic noise
 *               − depth·1{stock-out}                         occasional external shocks
 * where u_it = log(p_it / p_it^base) is the policy's log price change (u_i when treated, 0
 * otherwise), ε_i < 0 the own elasticity and γ_ij = diversion·|ε_i|·w_ij / Σ_k w_ik ≥ 0 the
 * cross-price elasticities along the substitutes graph (substitutes: a neighbour's price cut
 * takes demand away).
 */
import { InputError, invalidOption } from '../core/errors';
import { fillNormal, gamma, normal } from '../core/random';
import { rng as makeRng, isRng, type Rng } from '../core/rng';
import { checkKnownKeys, checkNumber } from '../core/validate';
import { substitutesGraph, type SubstitutesGraph } from './graph';
import type { Schedule } from './designs';
import { checkSchedule } from './designs';

/** Defaults of {@link pricingWorld}: the default scenario (1,000 products × 120 days). */
export const worldDefaults = {
  /** Number of products N. */
  products: 1000,
  /** Number of days T in the panel. */
  days: 120,
  /** Number of categories (products are split evenly, in blocks). */
  categories: 20,
  /** Fine categories per category: a grid over the (style, quality) attribute square. */
  fineCategoriesPerCategory: 4,
  /** Seed of the world's fixed parts (products, graph, prices). */
  seed: 1,
  /** Calendar day-of-year of panel day 0 (for yearly seasonality). */
  calendarStart: 0,
  /** Mean of μ_i (log units per day). */
  baseLogMean: 2.5,
  /** Sd of μ_i across products beyond price. */
  baseLogSd: 1,
  /** Sd across products of the yearly log growth (trend). */
  trendSd: 0.2,
  /** Mean amplitude of the weekly cycle, log points (varies by category, ×U(0.5, 1.5)). */
  weeklyAmplitude: 0.15,
  /** Mean amplitude of the yearly cycle, log points (varies by category). */
  yearlyAmplitude: 0.2,
  /** Daily autocorrelation ρ of the AR(1) product deviations. */
  arRho: 0.9,
  /** Stationary sd of the AR(1) product deviations. */
  arSd: 0.15,
  /** Sd of the day shock shared by all products. */
  dayShockSd: 0.05,
  /** Sd of the category × day shock. */
  categoryDayShockSd: 0.05,
  /** Sd of the idiosyncratic noise (a Student t, scaled to this sd). */
  noiseSd: 0.25,
  /** Degrees of freedom ν > 2 of the noise's t distribution (heavy tails). */
  noiseDf: 4,
  /** Daily probability that a stock-out starts. */
  stockoutRate: 0.002,
  /** Mean stock-out length, days. */
  stockoutDays: 5,
  /** Log-demand drop during a stock-out. */
  stockoutDepth: 1.5,
  /** Mean of log base price (log currency units). */
  logPriceMean: 3,
  /** Sd of the daily log-cost steps of the baseline cost-plus price rule. */
  costDriftSd: 0.003,
  /** Typical own-price elasticity magnitude |ε| (heterogeneous by category and quality). */
  elasticity: 1.5,
  /** Smallest price cut of the treatment policy (fraction). */
  minCut: 0.04,
  /** Largest price cut of the treatment policy (fraction; low-quality items get deeper cuts). */
  maxCut: 0.1,
  /** Carryover order m: days the own effect persists after the price returns (0 = none). */
  carryoverOrder: 3,
  /** Share s of the steady-state own effect carried by the previous m days' prices. */
  carryoverShare: 0.3,
  /** Geometric decay of the carryover weights κ_k ∝ decay^k, k = 1..m. */
  carryoverDecay: 0.5,
  /** Diversion: total cross-price elasticity of a product as a share of its |ε| (0 = no spillover). */
  diversion: 0.4,
  /** Products in one category substitute when their (style, quality) distance is below this. */
  substituteRadius: 0.35,
  /** Length scale ℓ of the substitution weight exp(−distance/ℓ). */
  substituteLengthScale: 0.2,
  /** Weight multiplier for substitutes sharing a fine category (same browse node). */
  fineCategoryBonus: 1.5,
  /** Optional base prices (length N, all > 0); default drawn from the features. */
  basePrices: null as number[] | null,
};

/** Options of {@link pricingWorld}: any subset of {@link worldDefaults}. */
export type PricingWorldSpec = Partial<typeof worldDefaults>;

/** Product features an analyst can see (columns, length N). */
export interface ProductFeatures {
  category: Float64Array;
  fineCategory: Float64Array;
  /** Log base price. */
  logPrice: Float64Array;
  /** Attribute in [0, 1]. */
  style: Float64Array;
  /** Attribute in [0, 1]. */
  quality: Float64Array;
}

/** A pricing world: fixed products, prices, graph and truth; {@link simulatePanel} draws data from it. */
export interface PricingWorld {
  /** The resolved spec (JSON; rebuilds the same world). */
  readonly spec: Required<typeof worldDefaults>;
  readonly products: number;
  readonly days: number;
  readonly features: ProductFeatures;
  /** The substitutes graph (weights w_ij). */
  readonly graph: SubstitutesGraph;
  /** Own-price elasticity ε_i < 0 (truth). */
  readonly elasticity: Float64Array;
  /** The treatment policy's log price change u_i = log(1 + δ_i) < 0. */
  readonly priceChange: Float64Array;
  /** Cross-price elasticities γ_ij aligned with `graph.targets` (truth). */
  readonly crossElasticity: Float64Array;
  /** Carryover weights κ_1..κ_m (sum 1; empty when m = 0). */
  readonly carryoverWeights: Float64Array;
  /** Baseline price of product i on day t, `[i·T + t]` (> 0). */
  readonly basePrice: Float64Array;
  /** Ground truth (log points, averaged over products). */
  readonly truth: GroundTruth;
}

/** The true average effects of the treatment policy (log demand, mean over products). */
export interface GroundTruth {
  /** Own price changed permanently, every other product at baseline: mean_i ε_i·u_i. */
  direct: number;
  /** Every product changed permanently: mean_i (ε_i·u_i + Σ_j γ_ij·u_j). */
  total: number;
  /** total − direct (the spillover part). */
  spillover: number;
  /** Share of the steady-state own effect that arrives only through carryover. */
  carryoverShare: number;
  /** Per product direct effects ε_i·u_i. */
  directByProduct: Float64Array;
  /** Per product total effects. */
  totalByProduct: Float64Array;
}

/** The logged panel: the only thing estimators see (columns, product-major `[i·T + t]`). */
export interface PricingPanel {
  readonly products: number;
  readonly days: number;
  /** First experimental day; days before it are a pre-period with every product in control. */
  readonly start: number;
  /** Calendar day-of-year of day 0. */
  readonly calendarStart: number;
  /** Log units sold (the outcome). */
  readonly logUnits: Float64Array;
  /** Price charged. */
  readonly price: Float64Array;
  /** 1 when the product-day ran the treatment policy. */
  readonly arm: Uint8Array;
  /** 1 when the product-day is in a blackout (excluded from analysis). */
  readonly blackout: Uint8Array;
  /** Randomisation unit (cluster) of each product. */
  readonly unit: Int32Array;
  /** Product features. */
  readonly features: ProductFeatures;
  /** Name of the design that produced the schedule. */
  readonly design: string;
}

function gridOf(f: number): [number, number] {
  const gx = Math.ceil(Math.sqrt(f));
  return [gx, Math.ceil(f / gx)];
}

/**
 * Builds the default (or a modified) pricing world: products in categories with (style,
 * quality) attributes, prices, elasticities, the substitutes graph and the ground truth.
 * Assumptions are documented on {@link worldDefaults} and at the top of this file.
 */
export function pricingWorld(spec: PricingWorldSpec = {}): PricingWorld {
  if (spec === null || typeof spec !== 'object') throw invalidOption('spec', 'an options object', spec);
  checkKnownKeys('pricingWorld spec', spec, Object.keys(worldDefaults));
  const s = { ...worldDefaults, ...spec } as Required<typeof worldDefaults>;
  const N = checkNumber('products', s.products, { min: 2, integer: true });
  const T = checkNumber('days', s.days, { min: 2, integer: true });
  const C = checkNumber('categories', s.categories, { min: 1, max: N, integer: true });
  const F = checkNumber('fineCategoriesPerCategory', s.fineCategoriesPerCategory, { min: 1, integer: true });
  checkNumber('calendarStart', s.calendarStart, { min: 0, integer: true });
  for (const k of ['baseLogMean', 'logPriceMean'] as const) checkNumber(k, s[k]);
  for (const k of ['baseLogSd', 'trendSd', 'weeklyAmplitude', 'yearlyAmplitude', 'arSd', 'dayShockSd', 'categoryDayShockSd', 'noiseSd', 'stockoutDepth', 'costDriftSd', 'carryoverShare', 'diversion'] as const) {
    checkNumber(k, s[k], { min: 0 });
  }
  checkNumber('arRho', s.arRho, { min: 0, max: 1, maxExclusive: true });
  checkNumber('noiseDf', s.noiseDf, { min: 2, minExclusive: true });
  checkNumber('stockoutRate', s.stockoutRate, { min: 0, max: 1 });
  checkNumber('stockoutDays', s.stockoutDays, { min: 1 });
  checkNumber('elasticity', s.elasticity, { min: 0, minExclusive: true });
  checkNumber('minCut', s.minCut, { min: -1, max: 1, maxExclusive: true, minExclusive: true });
  checkNumber('maxCut', s.maxCut, { min: -1, max: 1, maxExclusive: true, minExclusive: true });
  checkNumber('carryoverOrder', s.carryoverOrder, { min: 0, integer: true });
  checkNumber('carryoverShare', s.carryoverShare, { min: 0, max: 1, maxExclusive: s.carryoverOrder === 0 ? false : true });
  checkNumber('carryoverDecay', s.carryoverDecay, { min: 0, minExclusive: true });
  checkNumber('substituteRadius', s.substituteRadius, { min: 0 });
  checkNumber('substituteLengthScale', s.substituteLengthScale, { min: 0, minExclusive: true });
  checkNumber('fineCategoryBonus', s.fineCategoryBonus, { min: 0, minExclusive: true });
  if (s.carryoverOrder === 0 && s.carryoverShare > 0) {
    throw new InputError(`invalid option \`carryoverShare\`: expected 0 when \`carryoverOrder\` is 0, got ${s.carryoverShare}`);
  }
  if (s.basePrices !== null) {
    const bp = s.basePrices as unknown;
    if (!Array.isArray(bp) && !ArrayBuffer.isView(bp)) throw invalidOption('basePrices', `an array of ${N} positive prices`, bp);
    const arr = bp as ArrayLike<number>;
    if (arr.length !== N) throw invalidOption('basePrices', `an array of ${N} positive prices (one per product)`, bp);
    for (let i = 0; i < N; i++) {
      if (!(typeof arr[i] === 'number' && Number.isFinite(arr[i]) && arr[i] > 0)) {
        throw new InputError(`invalid option \`basePrices\`: prices must be positive, got ${arr[i]} for product ${i}`);
      }
    }
  }
  const r = makeRng(s.seed);
  const rFeat = r.fork(0);
  const u = (): number => rFeat.nextFloat();
  const nz = (): number => normal(rFeat);
  // categories: effects on price, elasticity, seasonality
  const catPrice = new Float64Array(C);
  const catElast = new Float64Array(C);
  const weeklyAmp = new Float64Array(C);
  const weeklyPhase = new Float64Array(C);
  const yearlyAmp = new Float64Array(C);
  const yearlyPhase = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    catPrice[c] = 0.5 * nz();
    catElast[c] = 0.2 * nz();
    weeklyAmp[c] = s.weeklyAmplitude * (0.5 + u());
    weeklyPhase[c] = 7 * u();
    yearlyAmp[c] = s.yearlyAmplitude * (0.5 + u());
    yearlyPhase[c] = 2 * Math.PI * u();
  }
  // products, in category blocks, sorted by fine category then style within a category
  const [gx, gy] = gridOf(F);
  const raw: { c: number; f: number; st: number; q: number }[] = [];
  for (let i = 0; i < N; i++) {
    const c = Math.min(C - 1, Math.floor((i * C) / N));
    const st = u();
    const q = u();
    const f = c * F + Math.min(F - 1, Math.min(gx - 1, Math.floor(st * gx)) + gx * Math.min(gy - 1, Math.floor(q * gy)));
    raw.push({ c, f, st, q });
  }
  raw.sort((a, b) => a.f - b.f || a.st - b.st);
  const features: ProductFeatures = {
    category: new Float64Array(N),
    fineCategory: new Float64Array(N),
    logPrice: new Float64Array(N),
    style: new Float64Array(N),
    quality: new Float64Array(N),
  };
  const elasticity = new Float64Array(N);
  const priceChange = new Float64Array(N);
  const mu = new Float64Array(N);
  const slope = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    const p = raw[i];
    features.category[i] = p.c;
    features.fineCategory[i] = p.f;
    features.style[i] = p.st;
    features.quality[i] = p.q;
    const lp = s.basePrices ? Math.log((s.basePrices as number[])[i]) : s.logPriceMean + catPrice[p.c] + 0.8 * (p.q - 0.5) + 0.3 * nz();
    features.logPrice[i] = lp;
    // cheaper and lower-quality products are more price sensitive
    elasticity[i] = -s.elasticity * Math.exp(catElast[p.c] + 0.6 * (0.5 - p.q) + 0.1 * nz());
    priceChange[i] = Math.log(1 - (s.minCut + (s.maxCut - s.minCut) * (1 - p.q)));
    mu[i] = s.baseLogMean + s.baseLogSd * nz() - 0.5 * (lp - s.logPriceMean);
    slope[i] = (s.trendSd * nz()) / 365;
  }
  // substitutes graph: same category, attribute distance below the radius
  const src: number[] = [];
  const dst: number[] = [];
  const wts: number[] = [];
  let lo = 0;
  while (lo < N) {
    let hi = lo;
    while (hi < N && features.category[hi] === features.category[lo]) hi++;
    for (let i = lo; i < hi; i++) {
      for (let j = i + 1; j < hi; j++) {
        const d = Math.hypot(features.style[i] - features.style[j], features.quality[i] - features.quality[j]);
        if (d >= s.substituteRadius) continue;
        const bonus = features.fineCategory[i] === features.fineCategory[j] ? s.fineCategoryBonus : 1;
        src.push(i);
        dst.push(j);
        wts.push(bonus * Math.exp(-d / s.substituteLengthScale));
      }
    }
    lo = hi;
  }
  const graph = substitutesGraph(N, { source: src, target: dst, weight: wts });
  const cross = new Float64Array(graph.targets.length);
  for (let i = 0; i < N; i++) {
    let tot = 0;
    for (let k = graph.offsets[i]; k < graph.offsets[i + 1]; k++) tot += graph.weights[k];
    for (let k = graph.offsets[i]; k < graph.offsets[i + 1]; k++) cross[k] = (s.diversion * Math.abs(elasticity[i]) * graph.weights[k]) / tot;
  }
  // carryover weights
  const m = s.carryoverOrder;
  const kappa = new Float64Array(m);
  let ks = 0;
  for (let k = 1; k <= m; k++) ks += (kappa[k - 1] = s.carryoverDecay ** k);
  for (let k = 0; k < m; k++) kappa[k] /= ks;
  // baseline price rule: cost-plus on a slowly drifting cost
  const rPrice = r.fork(1);
  const basePrice = new Float64Array(N * T);
  const steps = new Float64Array(T);
  for (let i = 0; i < N; i++) {
    fillNormal(rPrice, steps, 0, s.costDriftSd);
    let c = 0;
    const p0 = Math.exp(features.logPrice[i]);
    for (let t = 0; t < T; t++) {
      c += steps[t];
      basePrice[i * T + t] = p0 * Math.exp(c);
    }
  }
  const priceTerm = new Float64Array(N * T);
  for (let i = 0; i < N; i++) {
    const lp0 = Math.log(basePrice[i * T]);
    for (let t = 0; t < T; t++) priceTerm[i * T + t] = elasticity[i] * (Math.log(basePrice[i * T + t]) - lp0);
  }
  // truth
  const dirBy = new Float64Array(N);
  const totBy = new Float64Array(N);
  let dir = 0;
  let tot = 0;
  for (let i = 0; i < N; i++) {
    dirBy[i] = elasticity[i] * priceChange[i];
    let sp = 0;
    for (let k = graph.offsets[i]; k < graph.offsets[i + 1]; k++) sp += cross[k] * priceChange[graph.targets[k]];
    totBy[i] = dirBy[i] + sp;
    dir += dirBy[i];
    tot += totBy[i];
  }
  dir /= N;
  tot /= N;
  const world: PricingWorld & { internals: WorldInternals } = {
    spec: { ...s, basePrices: s.basePrices ? Array.from(s.basePrices as number[]) : null },
    products: N,
    days: T,
    features,
    graph,
    elasticity,
    priceChange,
    crossElasticity: cross,
    carryoverWeights: kappa,
    basePrice,
    truth: {
      direct: dir,
      total: tot,
      spillover: tot - dir,
      carryoverShare: m > 0 ? s.carryoverShare : 0,
      directByProduct: dirBy,
      totalByProduct: totBy,
    },
    internals: { mu, slope, weeklyAmp, weeklyPhase, yearlyAmp, yearlyPhase, priceTerm },
  };
  return world;
}

interface WorldInternals {
  mu: Float64Array;
  slope: Float64Array;
  weeklyAmp: Float64Array;
  weeklyPhase: Float64Array;
  yearlyAmp: Float64Array;
  yearlyPhase: Float64Array;
  /** ε_i·log(p_it^base / p_i0^base), product-major (the baseline price rule's effect on demand). */
  priceTerm: Float64Array;
}

function internals(world: PricingWorld): WorldInternals {
  const w = world as PricingWorld & { internals?: WorldInternals };
  if (!w || typeof w !== 'object' || !w.internals) throw invalidOption('world', 'a PricingWorld from pricingWorld(...)', world);
  return w.internals;
}

/**
 * The untreated log demand of every product-day (no policy price change anywhere): one draw of
 * all noise terms. Estimation-free; {@link simulatePanel} adds the policy's effects on top, so
 * several designs can share the same draw (common random numbers).
 */
export function simulateBaseline(world: PricingWorld, rngOrSeed: Rng | number | string = 0): Float64Array {
  const it = internals(world);
  const s = world.spec;
  const r = isRng(rngOrSeed) ? rngOrSeed : makeRng(rngOrSeed);
  const N = world.products;
  const T = world.days;
  const C = s.categories;
  const out = new Float64Array(N * T);
  // common shocks
  const day = fillNormal(r.fork(0), new Float64Array(T), 0, s.dayShockSd);
  const cat = fillNormal(r.fork(1), new Float64Array(C * T), 0, s.categoryDayShockSd);
  const season = new Float64Array(C * T);
  for (let c = 0; c < C; c++) {
    for (let t = 0; t < T; t++) {
      const cal = s.calendarStart + t;
      season[c * T + t] =
        it.weeklyAmp[c] * Math.cos((2 * Math.PI * (cal - it.weeklyPhase[c])) / 7) +
        it.yearlyAmp[c] * Math.sin((2 * Math.PI * cal) / 365.25 + it.yearlyPhase[c]) +
        day[t] +
        cat[c * T + t];
    }
  }
  const rn = r.fork(2);
  const ru = r.fork(3);
  const zAr = new Float64Array(T);
  const zEps = new Float64Array(T);
  const rho = s.arRho;
  const innov = s.arSd * Math.sqrt(1 - rho * rho);
  const nu = s.noiseDf;
  const tScale = s.noiseSd * Math.sqrt((nu - 2) / nu);
  const integerHalf = Number.isInteger(nu / 2) && nu <= 20;
  const pStop = 1 / s.stockoutDays;
  const rate = s.stockoutRate;
  const depth = s.stockoutDepth;
  const priceTerm = it.priceTerm;
  const halfNu = nu / 2;
  for (let i = 0; i < N; i++) {
    fillNormal(rn, zAr);
    fillNormal(rn, zEps);
    const so = world.features.category[i] * T;
    let a = s.arSd * zAr[0];
    let out_ = false;
    const row = i * T;
    const mu = it.mu[i];
    const b = it.slope[i];
    for (let t = 0; t < T; t++) {
      if (t > 0) a = rho * a + innov * zAr[t];
      // chi-square(ν) for the t variate: −2·log of a product of ν/2 uniforms when ν is even
      let chi: number;
      if (integerHalf) {
        let prod = 1;
        for (let k = 0; k < halfNu; k++) prod *= 1 - ru.nextFloat();
        chi = -2 * Math.log(prod);
      } else {
        chi = 2 * gamma(ru, halfNu);
      }
      const noise = tScale * zEps[t] * Math.sqrt(nu / chi);
      if (out_) {
        if (ru.nextFloat() < pStop) out_ = false;
      } else if (rate > 0 && ru.nextFloat() < rate) out_ = true;
      out[row + t] = mu + b * t + season[so + t] + priceTerm[row + t] + a + noise - (out_ ? depth : 0);
    }
  }
  return out;
}

/**
 * Simulates the logged panel for a schedule: baseline demand (drawn with `seed`, or given) plus
 * the treatment policy's own, carryover and spillover effects on the schedule's treated days.
 * @param schedule who is treated when (from `drawSchedule` or `customSchedule`)
 * @param options `seed` of the noise, or a precomputed `baseline` from {@link simulateBaseline}
 */
export function simulatePanel(
  world: PricingWorld,
  schedule: Schedule,
  options: { seed?: number | string | Rng; baseline?: Float64Array } = {},
): PricingPanel {
  checkKnownKeys('simulatePanel options', options, ['seed', 'baseline']);
  internals(world);
  const N = world.products;
  const T = world.days;
  checkSchedule(schedule, N, T);
  let y: Float64Array;
  if (options.baseline !== undefined) {
    if (!(options.baseline instanceof Float64Array) || options.baseline.length !== N * T) {
      throw invalidOption('baseline', `a Float64Array of length ${N * T} from simulateBaseline`, options.baseline);
    }
    y = options.baseline.slice();
  } else {
    y = simulateBaseline(world, options.seed ?? 0);
  }
  const arm = schedule.arm;
  const u = world.priceChange;
  const eps = world.elasticity;
  const kappa = world.carryoverWeights;
  const m = kappa.length;
  const sh = m > 0 ? world.spec.carryoverShare : 0;
  const g = world.graph;
  const cross = world.crossElasticity;
  const price = new Float64Array(N * T);
  const base = world.basePrice;
  // own effect with carryover, product by product
  for (let i = 0; i < N; i++) {
    const row = i * T;
    const ui = u[i];
    const ei = eps[i];
    const eu = Math.exp(ui);
    const now = ei * (m > 0 ? 1 - sh : 1) * ui;
    const carried = ei * sh * ui;
    for (let t = 0; t < T; t++) {
      const on = arm[row + t];
      price[row + t] = on ? base[row + t] * eu : base[row + t];
      let effect = on ? now : 0;
      if (m > 0) {
        let lag = 0;
        for (let k = 1; k <= m && k <= t; k++) if (arm[row + t - k]) lag += kappa[k - 1];
        if (lag !== 0) effect += carried * lag;
      }
      if (effect !== 0) y[row + t] += effect;
    }
  }
  // cross-price spillover, edge by edge (γ_ij·u_j on the days neighbour j is treated)
  for (let i = 0; i < N; i++) {
    const row = i * T;
    for (let e = g.offsets[i]; e < g.offsets[i + 1]; e++) {
      const j = g.targets[e];
      const c = cross[e] * u[j];
      if (c === 0) continue;
      const jr = j * T;
      for (let t = 0; t < T; t++) if (arm[jr + t]) y[row + t] += c;
    }
  }
  return {
    products: N,
    days: T,
    start: schedule.start,
    calendarStart: world.spec.calendarStart,
    logUnits: y,
    price,
    arm: arm.slice(),
    blackout: schedule.blackout.slice(),
    unit: schedule.unit.slice(),
    features: world.features,
    design: schedule.design,
  };
}
