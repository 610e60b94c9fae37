/**
 * The simulator: runs policies against a world for T impressions, many replicates in parallel
 * over worker threads, and returns columns of cumulative (pseudo-)regret, clicks and the
 * probability of having found the best layout at checkpoints.
 *
 * Seeding: replicate r uses root = rng(seed).fork(r). Every policy of a replicate sees the same
 * contexts (root.fork(0)), the same click uniforms (root.fork(1), a click when u_t < p) and the
 * same delays (root.fork(2)) — common random numbers, so policy differences are measured
 * sharply — and policy k draws its own decisions from root.fork(100 + k). Results therefore do
 * not depend on the number of workers or on which worker ran which replicate.
 */
import * as os from 'node:os';
import { InputError, invalidOption } from '../core/errors';
import { runReplicatesOnWorkers, workerScript } from '../core/workers';
import { rng as makeRng } from '../core/rng';
import { checkKnownKeys, checkNumber, checkOneOf, checkFunction } from '../core/validate';
import type { Feedback, FeedbackStatus } from './policy';
import { makePolicy, type PolicySpec } from './registry';
import { worldFromSpec, type CalloutWorld } from './world';

/** Options of {@link simulate}. */
export interface SimulateOptions {
  /** The world (rebuilt from its spec inside workers). */
  world: CalloutWorld;
  /** Policies to compare, as specs (see {@link makePolicy}). */
  policies: PolicySpec[];
  /** Impressions per replicate T (default 10,000). */
  horizon?: number;
  /** Number of replicates (default 20). */
  replicates?: number;
  /** Root seed (default 0). */
  seed?: number | string;
  /** Worker threads (default min(CPU count, replicates)); 0 runs in this thread. */
  workers?: number;
  /** Record a checkpoint every this many impressions (default ⌈T/100⌉; the last impression is always recorded). */
  recordEvery?: number;
  /** How policies without their own `delay` option treat pending impressions when the world has delays (default 'delay-aware'). */
  delayHandling?: 'delay-aware' | 'pending-as-negative';
  /** Draw a fresh world (same options, seed `${seed}:${r}`) for every replicate (default false). */
  resampleWorld?: boolean;
  /** Called after each replicate with (done, total), e.g. to drive `notebook.progress`. */
  onProgress?: (done: number, total: number) => void;
}

/** Defaults of {@link simulate}. */
export const simulateDefaults = {
  horizon: 10_000,
  replicates: 20,
  seed: 0,
  delayHandling: 'delay-aware',
  resampleWorld: false,
} as const;

/** Columns of one policy in one replicate. */
export interface ReplicateColumns {
  /** Cumulative expected regret Σ (p*(c_t) − p(a_t, c_t)) at each checkpoint. */
  regret: Float64Array;
  /** Cumulative clicks at each checkpoint. */
  clicks: Float64Array;
  /** P(the policy's recommendation is the best layout), averaged over contexts, at each checkpoint. */
  found: Float64Array;
}

/** Everything a replicate needs, JSON/structured-clone friendly (sent to workers). */
export interface ReplicateTask {
  world: CalloutWorld['spec'];
  policies: PolicySpec[];
  horizon: number;
  seed: number | string;
  checkpoints: Int32Array;
  delayHandling: 'delay-aware' | 'pending-as-negative';
  resampleWorld: boolean;
}

/** Result of {@link simulate}: per-policy matrices (replicates × checkpoints, row-major) and summaries. */
export interface SimulationResult {
  /** Policy names, in the order given. */
  policies: string[];
  /** Impressions per replicate. */
  horizon: number;
  /** Number of replicates. */
  replicates: number;
  /** Checkpoint times (impressions served so far), length G. */
  time: Int32Array;
  /** Cumulative regret per policy: R × G row-major. */
  regret: Float64Array[];
  /** Cumulative clicks per policy: R × G. */
  clicks: Float64Array[];
  /** P(best found) per policy: R × G. */
  found: Float64Array[];
  /** Final cumulative regret (mean, SE over replicates), CTR and P(best found), one row per policy. */
  summary(): { policy: string[]; regret: Float64Array; regretSE: Float64Array; ctr: Float64Array; pBest: Float64Array };
  /** Mean and SE over replicates of cumulative regret, and mean P(best found), at each checkpoint. */
  curve(policy: number | string): { time: Int32Array; mean: Float64Array; se: Float64Array; pBest: Float64Array };
  /** Final cumulative regret of each replicate for one policy (length R). */
  finalRegret(policy: number | string): Float64Array;
}

/** Min-heap of pending feedback events keyed by (time, kind); payload = impression id. */
class EventHeap {
  private time: Float64Array;
  private kind: Uint8Array;
  private id: Int32Array;
  size = 0;
  constructor(capacity: number) {
    this.time = new Float64Array(capacity);
    this.kind = new Uint8Array(capacity);
    this.id = new Int32Array(capacity);
  }
  private less(i: number, j: number): boolean {
    return this.time[i] < this.time[j] || (this.time[i] === this.time[j] && this.kind[i] < this.kind[j]);
  }
  private swap(i: number, j: number): void {
    const t = this.time[i];
    this.time[i] = this.time[j];
    this.time[j] = t;
    const k = this.kind[i];
    this.kind[i] = this.kind[j];
    this.kind[j] = k;
    const d = this.id[i];
    this.id[i] = this.id[j];
    this.id[j] = d;
  }
  push(time: number, kind: number, id: number): void {
    let i = this.size++;
    this.time[i] = time;
    this.kind[i] = kind;
    this.id[i] = id;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }
  topTime(): number {
    return this.size > 0 ? this.time[0] : Infinity;
  }
  topKind(): number {
    return this.kind[0];
  }
  topId(): number {
    return this.id[0];
  }
  pop(): void {
    const last = --this.size;
    if (last > 0) {
      this.time[0] = this.time[last];
      this.kind[0] = this.kind[last];
      this.id[0] = this.id[last];
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < last && this.less(l, m)) m = l;
        if (r < last && this.less(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
  }
}

/** Runs every policy of a task on replicate r (in this thread) and returns its columns, one entry per policy. */
export function runReplicate(baseWorld: CalloutWorld, task: ReplicateTask, r: number): ReplicateColumns[] {
  const world = task.resampleWorld ? worldFromSpec(task.world, `${String(task.seed)}:${r}`) : baseWorld;
  const space = world.space;
  const T = task.horizon;
  const G = task.checkpoints.length;
  const C = world.contexts.length;
  const D = space.dimension;
  const root = makeRng(task.seed).fork(r);
  const hasDelay = world.delay.mean > 0;
  const W = world.delay.window;
  const drifting = (world.spec.options.drift ?? 0) > 0;
  const bestP = new Float64Array(C);
  const bestIdx = new Int32Array(C);
  const refreshBest = (t: number): void => {
    for (let c = 0; c < C; c++) {
      const b = world.best(c, t);
      bestP[c] = b.probability;
      bestIdx[c] = b.index;
    }
  };
  const bestEvery = Math.max(1, Math.floor(T / 1000));
  const out: ReplicateColumns[] = [];
  const layout = new Int32Array(D);
  const evLayout = new Int32Array(D);
  const recBuf = new Int32Array(D);
  const ctxOf = new Int32Array(hasDelay ? T : 0);
  const actOf = new Float64Array(hasDelay ? T : 0);
  const clickOf = new Uint8Array(hasDelay ? T : 0);
  const fb: Feedback = { context: 0, layout: evLayout, reward: 0, time: 0, servedAt: 0, status: 'final' };
  for (let k = 0; k < task.policies.length; k++) {
    const spec = task.policies[k];
    const ctxRng = root.fork(0);
    const clickRng = root.fork(1);
    const delayRng = root.fork(2);
    const policy = makePolicy(space, spec, {
      rng: root.fork(100 + k),
      contexts: world.contextFeatures,
      delay: hasDelay ? { handling: task.delayHandling, meanDelay: world.delay.mean, window: W } : undefined,
    });
    const regret = new Float64Array(G);
    const clicks = new Float64Array(G);
    const found = new Float64Array(G);
    const heap = hasDelay ? new EventHeap(2 * T + 2) : undefined;
    refreshBest(0);
    let cumRegret = 0;
    let cumClicks = 0;
    let g = 0;
    const deliver = (t: number): void => {
      const h = heap as EventHeap;
      while (h.size > 0 && h.topTime() <= t) {
        const i = h.topId();
        const kind = h.topKind();
        h.pop();
        space.layoutAt(actOf[i], evLayout);
        fb.context = ctxOf[i];
        fb.time = t;
        fb.servedAt = i;
        fb.status = (kind === 0 ? 'click' : 'closed') as FeedbackStatus;
        fb.reward = kind === 0 ? 1 : clickOf[i];
        policy.update(fb);
      }
    };
    for (let t = 0; t < T; t++) {
      if (heap) deliver(t);
      if (drifting && t % bestEvery === 0) refreshBest(t);
      const c = world.sampleContext(ctxRng);
      policy.select(c, layout);
      const a = space.indexOf(layout);
      const p = world.probabilityOfIndex(a, c, t);
      cumRegret += bestP[c] - p;
      const y = clickRng.nextFloat() < p ? 1 : 0;
      cumClicks += y;
      evLayout.set(layout);
      fb.context = c;
      fb.time = t;
      fb.servedAt = t;
      if (heap) {
        const d = world.sampleDelay(delayRng);
        ctxOf[t] = c;
        actOf[t] = a;
        clickOf[t] = y && d < W ? 1 : 0;
        if (clickOf[t]) heap.push(t + d, 0, t);
        heap.push(t + W, 1, t);
        fb.reward = 0;
        fb.status = 'pending';
      } else {
        fb.reward = y;
        fb.status = 'final';
      }
      policy.update(fb);
      if (g < G && t + 1 === task.checkpoints[g]) {
        regret[g] = cumRegret;
        clicks[g] = cumClicks;
        if (drifting) refreshBest(t);
        let f = 0;
        for (let cc = 0; cc < C; cc++) {
          if (space.indexOf(policy.recommend(cc, recBuf)) === bestIdx[cc]) f += world.contexts[cc].weight;
        }
        found[g] = f;
        g++;
      }
    }
    out.push({ regret, clicks, found });
  }
  return out;
}

/**
 * Simulates policies against a world for `horizon` impressions × `replicates`, in parallel over
 * worker threads (replicate r seeded by fork(r): identical results for any worker count).
 */
export async function simulate(options: SimulateOptions): Promise<SimulationResult> {
  if (options === null || typeof options !== 'object') throw invalidOption('options', 'an options object', options);
  checkKnownKeys('simulate options', options, [
    'world', 'policies', 'horizon', 'replicates', 'seed', 'workers', 'recordEvery', 'delayHandling', 'resampleWorld', 'onProgress',
  ]);
  const world = options.world;
  if (!world || typeof world.probabilityOfIndex !== 'function') throw invalidOption('world', 'a CalloutWorld from calloutWorld(...)', world);
  if (!world.enumerable) throw new InputError(`simulate needs the true best layout, so at most 1e6 layouts; this space has ${world.space.size}`);
  const specs = options.policies;
  if (!Array.isArray(specs) || specs.length === 0) throw invalidOption('policies', 'a non-empty array of policy specs', specs);
  const T = checkNumber('horizon', options.horizon ?? simulateDefaults.horizon, { min: 1, integer: true });
  const R = checkNumber('replicates', options.replicates ?? simulateDefaults.replicates, { min: 1, integer: true });
  const seed = options.seed ?? simulateDefaults.seed;
  const every = checkNumber('recordEvery', options.recordEvery ?? Math.ceil(T / 100), { min: 1, integer: true });
  const delayHandling = checkOneOf('delayHandling', options.delayHandling ?? simulateDefaults.delayHandling, ['delay-aware', 'pending-as-negative'] as const);
  const cpu = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const W = checkNumber('workers', options.workers ?? Math.min(cpu, R), { min: 0, integer: true });
  if (options.onProgress !== undefined) checkFunction('onProgress', options.onProgress);
  const cps: number[] = [];
  for (let t = every; t < T; t += every) cps.push(t);
  cps.push(T);
  const checkpoints = Int32Array.from(cps);
  const G = checkpoints.length;
  const task: ReplicateTask = {
    world: world.spec,
    policies: specs.map((s) => ({ ...s })),
    horizon: T,
    seed,
    checkpoints,
    delayHandling,
    resampleWorld: options.resampleWorld ?? simulateDefaults.resampleWorld,
  };
  // names (and spec validation) from policies built once here
  const names = specs.map((s, k) => makePolicy(world.space, s, { seed: k, contexts: world.contextFeatures }).name);
  const P = specs.length;
  const regret = names.map(() => new Float64Array(R * G));
  const clicks = names.map(() => new Float64Array(R * G));
  const found = names.map(() => new Float64Array(R * G));
  let done = 0;
  const place = (r: number, cols: ReplicateColumns[]): void => {
    for (let k = 0; k < P; k++) {
      regret[k].set(cols[k].regret, r * G);
      clicks[k].set(cols[k].clicks, r * G);
      found[k].set(cols[k].found, r * G);
    }
    done++;
    options.onProgress?.(done, R);
  };
  if (W === 0) {
    for (let r = 0; r < R; r++) place(r, runReplicate(world, task, r));
  } else {
    await runReplicatesOnWorkers<ReplicateColumns[]>({
      script: workerScript(__filename),
      workers: W,
      replicates: R,
      data: (replicateIds) => ({ ...task, replicateIds }),
      onResult: place,
      label: 'simulation',
    });
  }
  const index = (p: number | string): number => {
    const k = typeof p === 'number' ? p : names.indexOf(p);
    if (!(k >= 0 && k < P)) throw invalidOption('policy', `an index 0..${P - 1} or one of ${names.join(', ')}`, p);
    return k;
  };
  const finalRegret = (p: number | string): Float64Array => {
    const k = index(p);
    const f = new Float64Array(R);
    for (let r = 0; r < R; r++) f[r] = regret[k][r * G + G - 1];
    return f;
  };
  return {
    policies: names,
    horizon: T,
    replicates: R,
    time: checkpoints,
    regret,
    clicks,
    found,
    finalRegret,
    summary() {
      const reg = new Float64Array(P);
      const se = new Float64Array(P);
      const ctr = new Float64Array(P);
      const pb = new Float64Array(P);
      for (let k = 0; k < P; k++) {
        let s = 0;
        let s2 = 0;
        let cl = 0;
        let f = 0;
        for (let r = 0; r < R; r++) {
          const v = regret[k][r * G + G - 1];
          s += v;
          s2 += v * v;
          cl += clicks[k][r * G + G - 1];
          f += found[k][r * G + G - 1];
        }
        reg[k] = s / R;
        se[k] = R > 1 ? Math.sqrt(Math.max(0, (s2 - (s * s) / R) / (R - 1)) / R) : NaN;
        ctr[k] = cl / (R * T);
        pb[k] = f / R;
      }
      return { policy: names.slice(), regret: reg, regretSE: se, ctr, pBest: pb };
    },
    curve(p) {
      const k = index(p);
      const mean = new Float64Array(G);
      const se = new Float64Array(G);
      const pBest = new Float64Array(G);
      for (let g = 0; g < G; g++) {
        let s = 0;
        let s2 = 0;
        let f = 0;
        for (let r = 0; r < R; r++) {
          const v = regret[k][r * G + g];
          s += v;
          s2 += v * v;
          f += found[k][r * G + g];
        }
        mean[g] = s / R;
        se[g] = R > 1 ? Math.sqrt(Math.max(0, (s2 - (s * s) / R) / (R - 1)) / R) : NaN;
        pBest[g] = f / R;
      }
      return { time: checkpoints, mean, se, pBest };
    },
  };
}
