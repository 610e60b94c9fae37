/**
 * Unconstrained minimisation: BFGS and L-BFGS with a strong-Wolfe line search, plus
 * finite-difference gradients and Hessians.
 *
 * References: J. Nocedal and S. J. Wright, Numerical Optimization, 2nd ed., Springer 2006:
 * Algorithms 3.5–3.6 (line search and zoom), 6.1 (BFGS, with the scaling (6.20) of the first
 * inverse Hessian) and 7.4–7.5 (L-BFGS two-loop recursion).
 */
import { InputError, invalidOption } from './errors';
import { checkFunction, checkKnownKeys, checkNumber, checkNumericArray, checkOneOf } from './validate';

/** An objective: x (length n, do not keep or modify) → value. */
export type ObjectiveFunction = (x: Float64Array) => number;
/** A gradient: writes ∇f(x) into `out` (length n). */
export type GradientFunction = (x: Float64Array, out: Float64Array) => void;

/** Why {@link minimize} stopped. */
export type StopReason =
  | 'gradient-tolerance'
  | 'function-tolerance'
  | 'step-tolerance'
  | 'max-iterations'
  | 'line-search-failed'
  | 'non-finite';

/** Progress passed to `onIteration` after every iteration (arrays are live: copy to keep). */
export interface IterationInfo {
  iteration: number;
  x: Float64Array;
  value: number;
  gradient: Float64Array;
  /** Infinity norm of the gradient. */
  gradientNorm: number;
  /** Accepted line-search step length along the search direction. */
  step: number;
  evaluations: number;
}

/** Options of {@link minimize}. */
export interface MinimizeOptions {
  /** Analytic gradient; without it, central differences ({@link numericalGradient}). */
  gradient?: GradientFunction;
  /** 'bfgs' (dense inverse Hessian, default) or 'lbfgs' (limited memory, for large n). */
  method?: 'bfgs' | 'lbfgs';
  /** Maximum number of iterations (default 500). */
  maxIterations?: number;
  /** Stop when ‖∇f‖∞ ≤ this (default 1e-6). */
  gradientTolerance?: number;
  /** Stop when ‖Δx‖∞ ≤ this·max(1, ‖x‖∞) (default 0: off). */
  stepTolerance?: number;
  /** Stop when |Δf| ≤ this·max(1, |f|) (default 0: off). */
  functionTolerance?: number;
  /** L-BFGS memory, the number of correction pairs kept (default 10). */
  memory?: number;
  /** Called after every iteration. */
  onIteration?: (info: IterationInfo) => void;
}

/** What {@link minimize} returns. */
export interface OptimizeResult {
  /** The final point. */
  x: Float64Array;
  /** f(x). */
  value: number;
  /** ∇f(x) (analytic or numerical). */
  gradient: Float64Array;
  iterations: number;
  /** Number of calls of f, including those made for numerical gradients. */
  evaluations: number;
  /** Number of gradient evaluations (analytic or numerical). */
  gradientEvaluations: number;
  /** True when a tolerance was met ('gradient-tolerance', 'function-tolerance', 'step-tolerance'). */
  converged: boolean;
  reason: StopReason;
  /** A sentence for humans. */
  message: string;
  /** BFGS only: the final inverse-Hessian approximation, n×n row-major (not for standard errors). */
  inverseHessian?: Float64Array;
}

/** Defaults of {@link minimize}'s options. */
export const minimizeDefaults = {
  method: 'bfgs',
  maxIterations: 500,
  gradientTolerance: 1e-6,
  stepTolerance: 0,
  functionTolerance: 0,
  memory: 10,
} as const;

const EPS = 2.220446049250313e-16;
const C1 = 1e-4; // sufficient decrease
const C2 = 0.9; // curvature (quasi-Newton value)
const DELTA = 0.1; // approximate-Wolfe decrease parameter (Hager & Zhang's δ)
const NOISE_BAND = 1e-10; // relative size of the band where f values are treated as rounding noise

function normInf(v: Float64Array): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) {
    const a = Math.abs(v[i]);
    if (a !== a) return NaN;
    if (a > m) m = a;
  }
  return m;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function allFinite(v: Float64Array): boolean {
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) return false;
  return true;
}

function checkFiniteVector(name: string, x: unknown): Float64Array {
  checkNumericArray(name, x, { minLength: 1, finite: true });
  return Float64Array.from(x as ArrayLike<number>);
}

// --- finite differences ----------------------------------------------------------------------------

/**
 * Central-difference gradient (f(x + h e_i) − f(x − h e_i)) / 2h with h = step·max(1, |x_i|).
 * @param step relative step (default ε^(1/3) ≈ 6.1e-6)
 * @param out optional Float64Array of length n to write into
 */
export function numericalGradient(
  f: ObjectiveFunction,
  x: ArrayLike<number>,
  out?: Float64Array,
  step: number = Math.cbrt(EPS),
): Float64Array {
  checkFunction('f', f);
  const xw = checkFiniteVector('x', x);
  const n = xw.length;
  if (out !== undefined && !(out instanceof Float64Array && out.length === n)) {
    throw invalidOption('out', `a Float64Array of length ${n}`, out);
  }
  checkNumber('step', step, { min: 0, minExclusive: true });
  const g = out ?? new Float64Array(n);
  gradientByDifferences(f, xw, g, step);
  return g;
}

/** Central differences in place (unchecked); `x` is perturbed and restored. Returns #f calls. */
function gradientByDifferences(f: ObjectiveFunction, x: Float64Array, g: Float64Array, step: number): number {
  for (let i = 0; i < x.length; i++) {
    const xi = x[i];
    const h = step * Math.max(1, Math.abs(xi));
    const xp = xi + h;
    const xm = xi - h;
    x[i] = xp;
    const fp = f(x);
    x[i] = xm;
    const fm = f(x);
    x[i] = xi;
    g[i] = (fp - fm) / (xp - xm);
  }
  return 2 * x.length;
}

/** Options of {@link numericalHessian}. */
export interface NumericalHessianOptions {
  /** Relative step; default ε^(1/4) ≈ 1.2e-4 from values, ε^(1/3) from a gradient. */
  step?: number;
  /** Analytic gradient: the Hessian is then central differences of it (more accurate). */
  gradient?: GradientFunction;
}

/**
 * Finite-difference Hessian, n×n row-major and exactly symmetric. From f alone: second central
 * differences (2n + 2n(n − 1) + 1 calls); with `gradient`: central differences of the gradient,
 * symmetrised as (H + Hᵀ)/2.
 * @param options a relative step, or `{ step, gradient }`
 */
export function numericalHessian(
  f: ObjectiveFunction,
  x: ArrayLike<number>,
  options: number | NumericalHessianOptions = {},
): Float64Array {
  checkFunction('f', f);
  const xw = checkFiniteVector('x', x);
  const n = xw.length;
  const opts: NumericalHessianOptions = typeof options === 'number' ? { step: options } : options;
  checkKnownKeys('numericalHessian options', opts, ['step', 'gradient']);
  if (opts.gradient !== undefined) checkFunction('gradient', opts.gradient);
  const H = new Float64Array(n * n);
  if (opts.gradient) {
    const step = checkNumber('step', opts.step ?? Math.cbrt(EPS), { min: 0, minExclusive: true });
    const gp = new Float64Array(n);
    const gm = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const xi = xw[i];
      const h = step * Math.max(1, Math.abs(xi));
      const xp = xi + h;
      const xm = xi - h;
      xw[i] = xp;
      opts.gradient(xw, gp);
      xw[i] = xm;
      opts.gradient(xw, gm);
      xw[i] = xi;
      for (let j = 0; j < n; j++) H[i * n + j] = (gp[j] - gm[j]) / (xp - xm);
    }
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++) {
        const v = 0.5 * (H[i * n + j] + H[j * n + i]);
        H[i * n + j] = v;
        H[j * n + i] = v;
      }
    }
    return H;
  }
  const step = checkNumber('step', opts.step ?? Math.pow(EPS, 0.25), { min: 0, minExclusive: true });
  const h = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const xi = xw[i];
    h[i] = xi + step * Math.max(1, Math.abs(xi)) - xi; // representable step
  }
  const f0 = f(xw);
  for (let i = 0; i < n; i++) {
    const xi = xw[i];
    xw[i] = xi + h[i];
    const fp = f(xw);
    xw[i] = xi - h[i];
    const fm = f(xw);
    xw[i] = xi;
    H[i * n + i] = (fp - 2 * f0 + fm) / (h[i] * h[i]);
    for (let j = 0; j < i; j++) {
      const xj = xw[j];
      const hi = h[i];
      const hj = h[j];
      xw[i] = xi + hi;
      xw[j] = xj + hj;
      let s = f(xw);
      xw[j] = xj - hj;
      s -= f(xw);
      xw[i] = xi - hi;
      s += f(xw);
      xw[j] = xj + hj;
      s -= f(xw);
      xw[i] = xi;
      xw[j] = xj;
      const v = s / (4 * h[i] * h[j]);
      H[i * n + j] = v;
      H[j * n + i] = v;
    }
  }
  return H;
}

// --- minimize ------------------------------------------------------------------------------------

/** The objective and gradient with counters and work buffers. */
class Problem {
  evaluations = 0;
  gradientEvaluations = 0;
  constructor(
    private readonly f: ObjectiveFunction,
    private readonly grad: GradientFunction | undefined,
  ) {}

  value(x: Float64Array): number {
    this.evaluations++;
    const v = this.f(x);
    return typeof v === 'number' ? v : NaN;
  }

  gradient(x: Float64Array, out: Float64Array): void {
    this.gradientEvaluations++;
    if (this.grad) this.grad(x, out);
    else this.evaluations += gradientByDifferences(this.f, x, out, Math.cbrt(EPS));
  }
}

interface LineSearchResult {
  ok: boolean;
  /** All trial values were non-finite. */
  nonFinite: boolean;
  alpha: number;
}

/**
 * Strong-Wolfe line search (Nocedal & Wright Alg. 3.5 with zoom, Alg. 3.6) along p from x.
 * On success xNew, fNew (returned via box), gNew hold the accepted point. Non-finite trial
 * values count as failing sufficient decrease, so the search backs off from them.
 */
function lineSearch(
  prob: Problem,
  x: Float64Array,
  f0: number,
  p: Float64Array,
  dphi0: number,
  alpha1: number,
  xNew: Float64Array,
  gNew: Float64Array,
  box: { f: number },
): LineSearchResult {
  const n = x.length;
  let anyFinite = false;
  const phi = (alpha: number): number => {
    for (let i = 0; i < n; i++) xNew[i] = x[i] + alpha * p[i];
    const v = prob.value(xNew);
    if (Number.isFinite(v)) anyFinite = true;
    box.f = v;
    return v;
  };
  const dphi = (): number => {
    prob.gradient(xNew, gNew);
    return dot(gNew, p);
  };
  const armijo = (alpha: number, v: number): boolean => v <= f0 + C1 * alpha * dphi0;
  const curvature = (d: number): boolean => Math.abs(d) <= -C2 * dphi0;
  // Near a minimum, f(x + αp) − f(x) can drown in the rounding of f. Within that band, decrease is
  // judged from the slope instead, by Hager & Zhang's approximate Wolfe condition
  // φ'(α) ≤ (2δ − 1)φ'(0) (SIAM J. Optim. 16(1), 2005), so the gradient can still be driven down.
  const band = NOISE_BAND * Math.abs(f0);
  let slope = NaN; // φ'(α) when `decreases` had to compute it, else NaN
  const decreases = (alpha: number, v: number): boolean => {
    slope = NaN;
    if (armijo(alpha, v)) return true;
    if (!(Math.abs(v - f0) <= band)) return false;
    slope = dphi();
    return slope <= (2 * DELTA - 1) * dphi0;
  };

  const zoom = (
    lo: number,
    phiLo: number,
    dLo: number,
    hi: number,
    phiHi: number,
    dHi: number,
  ): LineSearchResult => {
    for (let j = 0; j < 40; j++) {
      const width = hi - lo;
      // Trial by cubic (both slopes known) or quadratic interpolation, safeguarded by bisection.
      let t = NaN;
      if (Number.isFinite(phiHi)) {
        if (Number.isFinite(dHi)) {
          const d1 = dLo + dHi - (3 * (phiLo - phiHi)) / (lo - hi);
          const disc = d1 * d1 - dLo * dHi;
          if (disc >= 0) {
            const d2 = Math.sign(hi - lo) * Math.sqrt(disc);
            t = hi - (hi - lo) * ((dHi + d2 - d1) / (dHi - dLo + 2 * d2));
          }
        } else {
          const denom = 2 * (phiHi - phiLo - dLo * width);
          if (denom > 0) t = lo - (dLo * width * width) / denom;
        }
      }
      const a = Math.min(lo, hi);
      const b = Math.max(lo, hi);
      const margin = 0.1 * (b - a);
      if (!(t >= a + margin && t <= b - margin)) t = lo + 0.5 * width;
      if (Math.abs(t - lo) <= EPS * Math.max(1, Math.abs(lo)) * 4) break;
      const v = phi(t);
      const ok = decreases(t, v);
      const approximate = ok && slope === slope;
      if (!ok || (v >= phiLo && !approximate)) {
        hi = t;
        phiHi = v;
        dHi = slope;
        continue;
      }
      const d = approximate ? slope : dphi();
      if (!Number.isFinite(d)) {
        hi = t;
        phiHi = NaN;
        dHi = NaN;
        continue;
      }
      if (curvature(d)) return { ok: true, nonFinite: false, alpha: t };
      if (d * (hi - lo) >= 0) {
        hi = lo;
        phiHi = phiLo;
        dHi = dLo;
      }
      lo = t;
      phiLo = v;
      dLo = d;
    }
    // No Wolfe point; settle for the best point that truly decreased f, if any.
    if (lo > 0 && phiLo < f0) {
      phi(lo);
      dphi();
      return { ok: true, nonFinite: false, alpha: lo };
    }
    return { ok: false, nonFinite: !anyFinite, alpha: 0 };
  };

  let prevAlpha = 0;
  let prevPhi = f0;
  let prevD = dphi0;
  let alpha = alpha1;
  for (let i = 1; i <= 60; i++) {
    const v = phi(alpha);
    const ok = decreases(alpha, v);
    const approximate = ok && slope === slope;
    if (!ok || (i > 1 && v >= prevPhi && !approximate)) {
      return zoom(prevAlpha, prevPhi, prevD, alpha, v, slope);
    }
    const d = approximate ? slope : dphi();
    if (!Number.isFinite(d)) return zoom(prevAlpha, prevPhi, prevD, alpha, NaN, NaN);
    if (curvature(d)) return { ok: true, nonFinite: false, alpha };
    if (d >= 0) return zoom(alpha, v, d, prevAlpha, prevPhi, prevD);
    prevAlpha = alpha;
    prevPhi = v;
    prevD = d;
    alpha *= 2;
    if (!(alpha < 1e20)) break;
  }
  // Kept decreasing without satisfying curvature: accept the last point (f may be unbounded).
  phi(prevAlpha);
  dphi();
  return { ok: prevAlpha > 0, nonFinite: !anyFinite, alpha: prevAlpha };
}

/**
 * Minimises f from x0 by BFGS (default) or L-BFGS with a strong-Wolfe line search.
 * Stops on ‖∇f‖∞ ≤ gradientTolerance (or the optional step / function tolerances), after
 * maxIterations, or when the line search cannot make progress; check `converged` and `reason`.
 * @param f objective, x (length n) → value; must be finite at x0
 * @param x0 starting point, length n ≥ 1, finite
 */
export function minimize(f: ObjectiveFunction, x0: ArrayLike<number>, options: MinimizeOptions = {}): OptimizeResult {
  checkFunction('f', f);
  checkKnownKeys('minimize options', options, [
    'gradient',
    'method',
    'maxIterations',
    'gradientTolerance',
    'stepTolerance',
    'functionTolerance',
    'memory',
    'onIteration',
  ]);
  const x = checkFiniteVector('x0', x0);
  const n = x.length;
  const gradFn = options.gradient === undefined ? undefined : checkFunction<GradientFunction>('gradient', options.gradient);
  const method = checkOneOf('method', options.method ?? minimizeDefaults.method, ['bfgs', 'lbfgs'] as const);
  const maxIterations = checkNumber('maxIterations', options.maxIterations ?? minimizeDefaults.maxIterations, {
    min: 0,
    integer: true,
  });
  const gtol = checkNumber('gradientTolerance', options.gradientTolerance ?? minimizeDefaults.gradientTolerance, { min: 0 });
  const xtol = checkNumber('stepTolerance', options.stepTolerance ?? minimizeDefaults.stepTolerance, { min: 0 });
  const ftol = checkNumber('functionTolerance', options.functionTolerance ?? minimizeDefaults.functionTolerance, { min: 0 });
  const memory = checkNumber('memory', options.memory ?? minimizeDefaults.memory, { min: 1, integer: true });
  const onIteration =
    options.onIteration === undefined ? undefined : checkFunction<(i: IterationInfo) => void>('onIteration', options.onIteration);

  const prob = new Problem(f, gradFn);
  let fx = prob.value(x);
  if (!Number.isFinite(fx)) throw invalidOption('x0', 'a point where f is finite', fx === fx ? fx : NaN);
  const g = new Float64Array(n);
  prob.gradient(x, g);
  if (!allFinite(g)) throw new InputError('invalid option `x0`: expected a point where the gradient is finite, got a non-finite gradient');

  const p = new Float64Array(n);
  const xNew = new Float64Array(n);
  const gNew = new Float64Array(n);
  const s = new Float64Array(n);
  const y = new Float64Array(n);
  const box = { f: NaN };

  // BFGS state
  const H = method === 'bfgs' ? new Float64Array(n * n) : undefined;
  const Hy = method === 'bfgs' ? new Float64Array(n) : undefined;
  let hIsIdentity = true;
  const resetH = (): void => {
    if (!H) return;
    H.fill(0);
    for (let i = 0; i < n; i++) H[i * n + i] = 1;
    hIsIdentity = true;
  };
  resetH();
  // L-BFGS state (ring buffer of the last `memory` pairs)
  const m = method === 'lbfgs' ? memory : 0;
  const S = new Float64Array(m * n);
  const Y = new Float64Array(m * n);
  const rho = new Float64Array(m);
  const alphaBuf = new Float64Array(m);
  let stored = 0;
  let head = 0; // next slot
  let gamma = 1;

  const direction = (): void => {
    if (H) {
      for (let i = 0; i < n; i++) {
        let v = 0;
        const row = i * n;
        for (let j = 0; j < n; j++) v += H[row + j] * g[j];
        p[i] = -v;
      }
      return;
    }
    // Two-loop recursion: p = −H_k g
    for (let i = 0; i < n; i++) p[i] = -g[i];
    for (let k = 0; k < stored; k++) {
      const slot = (head - 1 - k + m) % m;
      let a = 0;
      for (let i = 0; i < n; i++) a += S[slot * n + i] * p[i];
      a *= rho[slot];
      alphaBuf[slot] = a;
      for (let i = 0; i < n; i++) p[i] -= a * Y[slot * n + i];
    }
    for (let i = 0; i < n; i++) p[i] *= gamma;
    for (let k = stored - 1; k >= 0; k--) {
      const slot = (head - 1 - k + m) % m;
      let b = 0;
      for (let i = 0; i < n; i++) b += Y[slot * n + i] * p[i];
      b *= rho[slot];
      const c = alphaBuf[slot] - b;
      for (let i = 0; i < n; i++) p[i] += c * S[slot * n + i];
    }
  };

  const finish = (reason: StopReason, iterations: number, message: string): OptimizeResult => {
    const converged = reason === 'gradient-tolerance' || reason === 'function-tolerance' || reason === 'step-tolerance';
    const result: OptimizeResult = {
      x: Float64Array.from(x),
      value: fx,
      gradient: Float64Array.from(g),
      iterations,
      evaluations: prob.evaluations,
      gradientEvaluations: prob.gradientEvaluations,
      converged,
      reason,
      message,
    };
    if (H) result.inverseHessian = Float64Array.from(H);
    return result;
  };

  let gnorm = normInf(g);
  if (gnorm <= gtol) {
    return finish('gradient-tolerance', 0, `converged: ‖gradient‖∞ = ${gnorm.toExponential(2)} ≤ ${gtol} at the start`);
  }
  let steepest = true; // the next direction is a (scaled) steepest-descent one
  for (let iter = 1; ; iter++) {
    if (iter > maxIterations) {
      return finish(
        'max-iterations',
        maxIterations,
        `stopped after maxIterations = ${maxIterations} with ‖gradient‖∞ = ${gnorm.toExponential(2)} > ${gtol}`,
      );
    }
    direction();
    let dphi0 = dot(g, p);
    if (!(dphi0 < 0)) {
      // Not a descent direction (rounding in H): restart from steepest descent.
      resetH();
      stored = 0;
      for (let i = 0; i < n; i++) p[i] = -g[i];
      dphi0 = dot(g, p);
      steepest = true;
    }
    const pnorm = Math.sqrt(dot(p, p));
    let alpha1 = steepest ? Math.min(1, 1 / pnorm) : 1;
    let ls = lineSearch(prob, x, fx, p, dphi0, alpha1, xNew, gNew, box);
    if (!ls.ok && !steepest) {
      // Retry once along steepest descent with a fresh curvature model.
      resetH();
      stored = 0;
      for (let i = 0; i < n; i++) p[i] = -g[i];
      dphi0 = dot(g, p);
      alpha1 = Math.min(1, 1 / Math.sqrt(dot(p, p)));
      ls = lineSearch(prob, x, fx, p, dphi0, alpha1, xNew, gNew, box);
    }
    if (!ls.ok) {
      if (ls.nonFinite) {
        return finish('non-finite', iter - 1, 'stopped: f was not finite anywhere along the search direction');
      }
      return finish(
        'line-search-failed',
        iter - 1,
        `stopped: the line search found no acceptable step (‖gradient‖∞ = ${gnorm.toExponential(2)}); ` +
          'the tolerance may be below the precision of f or its gradient',
      );
    }
    steepest = false;
    const fPrev = fx;
    let snorm = 0;
    let xnorm = 0;
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i] - x[i];
      y[i] = gNew[i] - g[i];
      x[i] = xNew[i];
      g[i] = gNew[i];
      snorm = Math.max(snorm, Math.abs(s[i]));
      xnorm = Math.max(xnorm, Math.abs(x[i]));
    }
    fx = box.f;
    gnorm = normInf(g);

    // Curvature update (skipped when yᵀs is not safely positive).
    const ys = dot(y, s);
    const yy = dot(y, y);
    if (ys > EPS * Math.sqrt(yy * dot(s, s))) {
      if (H && Hy) {
        if (hIsIdentity) {
          const scale = ys / yy; // Nocedal & Wright (6.20)
          for (let i = 0; i < n; i++) H[i * n + i] = scale;
          hIsIdentity = false;
        }
        const r = 1 / ys;
        let yHy = 0;
        for (let i = 0; i < n; i++) {
          let v = 0;
          const row = i * n;
          for (let j = 0; j < n; j++) v += H[row + j] * y[j];
          Hy[i] = v;
          yHy += y[i] * v;
        }
        const c = (1 + r * yHy) * r;
        for (let i = 0; i < n; i++) {
          const row = i * n;
          const si = s[i];
          const hyi = Hy[i];
          for (let j = 0; j < n; j++) H[row + j] += c * si * s[j] - r * (hyi * s[j] + si * Hy[j]);
        }
      } else if (m > 0) {
        S.set(s, head * n);
        Y.set(y, head * n);
        rho[head] = 1 / ys;
        head = (head + 1) % m;
        stored = Math.min(stored + 1, m);
        gamma = ys / yy;
      }
    }

    if (onIteration) {
      onIteration({ iteration: iter, x, value: fx, gradient: g, gradientNorm: gnorm, step: ls.alpha, evaluations: prob.evaluations });
    }
    if (!Number.isFinite(fx) || !allFinite(g)) {
      return finish('non-finite', iter, 'stopped: f or its gradient became non-finite');
    }
    if (gnorm <= gtol) {
      return finish('gradient-tolerance', iter, `converged: ‖gradient‖∞ = ${gnorm.toExponential(2)} ≤ ${gtol}`);
    }
    if (ftol > 0 && Math.abs(fPrev - fx) <= ftol * Math.max(1, Math.abs(fx), Math.abs(fPrev))) {
      return finish('function-tolerance', iter, `converged: relative change in f ≤ functionTolerance = ${ftol}`);
    }
    if (xtol > 0 && snorm <= xtol * Math.max(1, xnorm)) {
      return finish('step-tolerance', iter, `converged: relative step ≤ stepTolerance = ${xtol}`);
    }
  }
}
