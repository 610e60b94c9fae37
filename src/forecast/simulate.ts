/**
 * Simulated weekly demand: per-series level, trend, yearly seasonality (phase by category),
 * price elasticity, promotions (a price cut plus a display lift) and gamma–Poisson noise.
 * The world keeps the true expected demand so forecasts can be checked against the truth.
 */
import { checkKnownKeys, checkNumber, checkPositiveInteger } from '../core/validate';
import { rng as makeRng } from '../core/rng';
import { gamma, normal, poisson, uniform, bernoulli, randomInt } from '../core/random';
import { forecastDataset, type ForecastDataset } from './dataset';

/** Options of {@link simulateDemand}. */
export interface DemandOptions {
  /** Number of series (default 500). */
  series?: number;
  /** Observed weeks (default 156). */
  weeks?: number;
  /** Extra weeks of known-future covariates past the observed range (default 13). */
  futureWeeks?: number;
  /** Product categories; the category sets the seasonal phase (default 4). */
  categories?: number;
  /** Weekly probability that a promotion starts (default 0.08). */
  promoRate?: number;
  /** Gamma noise shape k: demand ~ Poisson(μ·G), G ~ Gamma(k, 1/k) (default 20). */
  noiseShape?: number;
  /** Seed (default 0). */
  seed?: number | string;
}

/** Defaults of {@link simulateDemand}. */
export const demandDefaults = { series: 500, weeks: 156, futureWeeks: 13, categories: 4, promoRate: 0.08, noiseShape: 20, seed: 0 } as const;

/** The truth behind a simulated dataset. */
export interface DemandTruth {
  /** Expected demand μ, series-major n × (weeks + futureWeeks). */
  mean: Float64Array;
  /** Price elasticity β_i (log demand per log price). */
  elasticity: Float64Array;
  /** Promotion display lift γ_i (log demand) on top of the price cut. */
  promoLift: Float64Array;
  /** Yearly seasonal amplitude A_i (log demand). */
  amplitude: Float64Array;
  /** Trend g_i (log demand per year). */
  trend: Float64Array;
  /** Base level L_i (units per week at the regular price, no season). */
  level: Float64Array;
}

/**
 * Simulated weekly demand with known price effects and seasonality:
 * μ_it = L_i · exp(g_i·t/52 + A_i·sin(2πt/52 + φ_c(i)) + β_i·log(p_it / p0_i) + γ_i·promo_it),
 * y_it ~ Poisson(μ_it · G_it), G_it ~ Gamma(k, 1/k). Regular prices drift in occasional steps;
 * promotions last 1–2 weeks and cut the price by 10–30%. Covariates `price`, `promo`; static
 * `category`, `basePrice`. Series i draws from `rng(seed).fork(i)`.
 */
export function simulateDemand(options: DemandOptions = {}): { data: ForecastDataset; truth: DemandTruth } {
  checkKnownKeys('options', options, Object.keys(demandDefaults));
  const o = { ...demandDefaults, ...options };
  const n = checkPositiveInteger('series', o.series);
  const W = checkPositiveInteger('weeks', o.weeks);
  const F = checkNumber('futureWeeks', o.futureWeeks, { min: 0, integer: true });
  const C = checkPositiveInteger('categories', o.categories);
  const promoRate = checkNumber('promoRate', o.promoRate, { min: 0, max: 1 });
  const k = checkNumber('noiseShape', o.noiseShape, { min: 0, minExclusive: true });
  const Tc = W + F;
  const root = makeRng(o.seed);
  const target: Float64Array[] = [];
  const price: Float64Array[] = [];
  const promo: Float64Array[] = [];
  const category = new Float64Array(n);
  const basePrice = new Float64Array(n);
  const truth: DemandTruth = {
    mean: new Float64Array(n * Tc),
    elasticity: new Float64Array(n),
    promoLift: new Float64Array(n),
    amplitude: new Float64Array(n),
    trend: new Float64Array(n),
    level: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const r = root.fork(i);
    const c = randomInt(r, C);
    const phase = (2 * Math.PI * c) / C + normal(r, 0, 0.3);
    const L = Math.exp(normal(r, Math.log(40), 0.8));
    const g = normal(r, 0, 0.15);
    const A = uniform(r, 0.15, 0.5);
    const beta = uniform(r, -3, -1);
    const lift = uniform(r, 0.1, 0.4);
    const p0 = uniform(r, 5, 50);
    category[i] = c;
    basePrice[i] = Math.round(p0 * 100) / 100;
    truth.elasticity[i] = beta;
    truth.promoLift[i] = lift;
    truth.amplitude[i] = A;
    truth.trend[i] = g;
    truth.level[i] = L;
    const y = new Float64Array(W);
    const p = new Float64Array(Tc);
    const pr = new Float64Array(Tc);
    let regular = p0;
    let promoLeft = 0;
    let cut = 0;
    for (let t = 0; t < Tc; t++) {
      if (bernoulli(r, 0.03)) regular *= Math.exp(normal(r, 0, 0.1));
      if (promoLeft === 0 && bernoulli(r, promoRate)) {
        promoLeft = 1 + randomInt(r, 2);
        cut = uniform(r, 0.1, 0.3);
      }
      const onPromo = promoLeft > 0 ? 1 : 0;
      if (promoLeft > 0) promoLeft--;
      p[t] = Math.round(regular * (1 - cut * onPromo) * 100) / 100;
      pr[t] = onPromo;
      const mu = L * Math.exp((g * t) / 52 + A * Math.sin((2 * Math.PI * t) / 52 + phase) + beta * Math.log(p[t] / p0) + lift * onPromo);
      truth.mean[i * Tc + t] = mu;
      const draw = poisson(r, mu * gamma(r, k, 1 / k));
      if (t < W) y[t] = draw;
    }
    target.push(y);
    price.push(p);
    promo.push(pr);
  }
  const data = forecastDataset({
    target,
    ids: Array.from({ length: n }, (_, i) => `s${i}`),
    start: 0,
    period: 52,
    covariates: { price, promo },
    static: { category, basePrice },
  });
  return { data, truth };
}
