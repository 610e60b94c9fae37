/**
 * Linear systems with the resolvent of a policy: (I − β P_σ) x = b, where
 * P_σ(s,s') = Σ_a π(a|s) P_a(s,s'). Used by the Newton–Kantorovich steps and the implicit-function
 * derivatives of {@link solveDdc}, and by CCP estimators (policy valuation).
 *
 * Small S: dense LU with partial pivoting. Large S: restarted GMRES (Saad and Schultz, SIAM J. Sci.
 * Stat. Comput. 7(3), 1986) on the sparse operator, right-preconditioned with symmetric Gauss–Seidel
 * (default: built in one pass over the pattern, so it is refreshed for every policy; on the
 * 10,206-state membership model it needs about as many iterations as ILU(0) at a tenth of the set-up)
 * or ILU(0) (I − β P_σ is a non-singular M-matrix, so ILU(0) exists and is stable: Meijerink and
 * van der Vorst, Math. Comp. 31, 1977). The kernels are module-level functions and the GMRES
 * buffers are cached per model, so repeated solves neither re-warm the JIT nor allocate. The
 * sparsity pattern of I − β P_σ (the union of the actions' patterns plus the diagonal) is computed
 * once per model and cached, so a new policy only refills values.
 *
 * States with a single feasible action (e.g. locked annual months) have policy-independent rows.
 * When they are at least a quarter of the states and form no cycle among themselves, the GMRES
 * path eliminates them: one substitution pass builds the reduced right-hand side, GMRES runs on the
 * multi-action states with the Schur complement applied matrix-free (no fill-in), and a second
 * substitution recovers the eliminated values exactly (3× faster on the 10,206-state model).
 */
import { ConvergenceError, DataError } from '../../core/errors';
import { lu, luSolve, type LUDecomposition } from '../../core/linalg';
import type { DdcModel } from './model';

/** Tuning constants of the resolvent solvers. */
export const resolventDefaults = {
  /** Largest S solved with dense LU when the solver is 'auto'. */
  denseLimit: 500,
  /** GMRES restart length. */
  restart: 40,
  /** Most GMRES iterations per right-hand side. */
  maxIterations: 2000,
  /** GMRES preconditioner: 'sgs' (symmetric Gauss–Seidel) or 'ilu0' (the original ILU(0)). */
  preconditioner: 'sgs' as Preconditioner,
} as const;

/** Which linear solver: 'auto' (dense LU if S ≤ denseLimit, else GMRES), 'dense' or 'gmres'. */
export type LinearSolverKind = 'auto' | 'dense' | 'gmres';

/** The CSR pattern of I − β P_σ: sorted columns, explicit diagonal, and where each P_a entry lands. */
interface Pattern {
  rowPtr: Int32Array;
  colIdx: Int32Array;
  /** Position of the diagonal entry of each row. */
  diag: Int32Array;
  /** For action a, the position in the pattern of each stored entry of P_a. */
  maps: Int32Array[];
}

const patternCache = new WeakMap<DdcModel, Pattern>();

function patternOf(model: DdcModel): Pattern {
  const cached = patternCache.get(model);
  if (cached) return cached;
  const S = model.states.size;
  const T = model.transitions;
  const rowPtr = new Int32Array(S + 1);
  const cols: number[] = [];
  const marker = new Int32Array(S).fill(-1);
  const row: number[] = [];
  for (let s = 0; s < S; s++) {
    row.length = 0;
    marker[s] = s;
    row.push(s);
    for (const m of T) {
      for (let j = m.rowPtr[s]; j < m.rowPtr[s + 1]; j++) {
        const c = m.colIdx[j];
        if (marker[c] !== s) {
          marker[c] = s;
          row.push(c);
        }
      }
    }
    row.sort((a, b) => a - b);
    for (const c of row) cols.push(c);
    rowPtr[s + 1] = cols.length;
  }
  const colIdx = Int32Array.from(cols);
  const diag = new Int32Array(S);
  const pos = new Int32Array(S).fill(-1);
  const maps = T.map((m) => new Int32Array(m.values.length));
  for (let s = 0; s < S; s++) {
    for (let p = rowPtr[s]; p < rowPtr[s + 1]; p++) {
      pos[colIdx[p]] = p;
      if (colIdx[p] === s) diag[s] = p;
    }
    T.forEach((m, a) => {
      for (let j = m.rowPtr[s]; j < m.rowPtr[s + 1]; j++) maps[a][j] = pos[m.colIdx[j]];
    });
  }
  const pattern = { rowPtr, colIdx, diag, maps };
  patternCache.set(model, pattern);
  return pattern;
}

/** A factorised / preconditioned I − β P_σ for one policy; `setPolicy` refills it for another. */
export interface ResolventOperator {
  /**
   * Rebuilds the operator for choice probabilities π (length S·A). With `refactor: false` the
   * GMRES preconditioner of the previous policy is kept (still valid, possibly less effective).
   */
  setPolicy(probabilities: Float64Array, refactor?: boolean): void;
  /**
   * Solves (I − β P_σ) x = b into x (x holds the starting guess), stopping when the 2-norm of the
   * residual is ≤ max(relTol·‖b‖₂, absTol). Returns the iterations and the residual reached.
   */
  solve(b: Float64Array, x: Float64Array, relTol: number, absTol: number): { iterations: number; residual: number };
  /** True for the dense LU solver. */
  readonly dense: boolean;
}

/** Creates the resolvent operator of a model with the chosen linear solver (no policy set yet). */
export function resolventOperator(
  model: DdcModel,
  kind: LinearSolverKind = 'auto',
  denseLimit: number = resolventDefaults.denseLimit,
  preconditioner: Preconditioner = resolventDefaults.preconditioner,
): ResolventOperator {
  const dense = kind === 'dense' || (kind === 'auto' && model.states.size <= denseLimit);
  if (dense) return denseOperator(model);
  if (preconditioner === 'sgs') {
    const red = reductionOf(model);
    if (red) return reducedOperator(model, red);
  }
  return gmresOperator(model, preconditioner);
}

function denseOperator(model: DdcModel): ResolventOperator {
  const S = model.states.size;
  const A = model.actions.length;
  const beta = model.discount;
  const data = new Float64Array(S * S);
  let f: LUDecomposition | undefined;
  return {
    dense: true,
    setPolicy(prob) {
      data.fill(0);
      for (let s = 0; s < S; s++) data[s * S + s] = 1;
      for (let a = 0; a < A; a++) {
        const { rowPtr, colIdx, values } = model.transitions[a];
        for (let s = 0; s < S; s++) {
          const w = beta * prob[s * A + a];
          if (w === 0) continue;
          const row = s * S;
          for (let j = rowPtr[s]; j < rowPtr[s + 1]; j++) data[row + colIdx[j]] -= w * values[j];
        }
      }
      try {
        f = lu({ rows: S, cols: S, data });
      } catch (e) {
        if (e instanceof DataError) throw new DataError(`I − β·P_σ is singular: ${e.message}`);
        throw e;
      }
    },
    solve(b, x) {
      x.set(luSolve(f!, b));
      return { iterations: 1, residual: 0 };
    },
  };
}

// --- GMRES kernels ------------------------------------------------------------------------------
// Module-level functions on typed arrays (not closures made per operator), so V8 optimises them
// once per process rather than once per solve.

/** y = A x for the CSR matrix (rowPtr, colIdx, values). */
function spmv(S: number, rowPtr: Int32Array, colIdx: Int32Array, values: Float64Array, x: Float64Array, y: Float64Array): void {
  for (let s = 0; s < S; s++) {
    let acc = 0;
    const end = rowPtr[s + 1];
    for (let j = rowPtr[s]; j < end; j++) acc += values[j] * x[colIdx[j]];
    y[s] = acc;
  }
}

/** out = (LU)⁻¹ v[offset …], L unit lower and U upper packed in `f` on the pattern. */
function luPrecondition(S: number, rowPtr: Int32Array, colIdx: Int32Array, diag: Int32Array, f: Float64Array, v: Float64Array, offset: number, out: Float64Array): void {
  for (let i = 0; i < S; i++) {
    let acc = v[offset + i];
    const d = diag[i];
    for (let p = rowPtr[i]; p < d; p++) acc -= f[p] * out[colIdx[p]];
    out[i] = acc;
  }
  for (let i = S - 1; i >= 0; i--) {
    let acc = out[i];
    const d = diag[i];
    const end = rowPtr[i + 1];
    for (let p = d + 1; p < end; p++) acc -= f[p] * out[colIdx[p]];
    out[i] = acc / f[d];
  }
}

/**
 * Symmetric Gauss–Seidel as a packed LU: M = (D + L) D⁻¹ (D + U) = (I + L D⁻¹)(D + U), so the
 * unit lower factor holds a_ij / a_jj and the upper factor is A's own upper triangle. One pass.
 */
function sgsFactor(S: number, rowPtr: Int32Array, colIdx: Int32Array, diag: Int32Array, values: Float64Array, f: Float64Array): void {
  for (let i = 0; i < S; i++) {
    const di = diag[i];
    for (let p = rowPtr[i]; p < di; p++) f[p] = values[p] / values[diag[colIdx[p]]];
    const end = rowPtr[i + 1];
    for (let p = di; p < end; p++) f[p] = values[p];
  }
}

/** ILU(0) in IKJ order into `f` (iw: S ints, all −1 on entry and exit). */
function ilu0Factor(S: number, rowPtr: Int32Array, colIdx: Int32Array, diag: Int32Array, values: Float64Array, f: Float64Array, iw: Int32Array): void {
  f.set(values);
  for (let i = 0; i < S; i++) {
    const start = rowPtr[i];
    const end = rowPtr[i + 1];
    for (let p = start; p < end; p++) iw[colIdx[p]] = p;
    const di = diag[i];
    for (let p = start; p < di; p++) {
      const k = colIdx[p];
      const lik = f[p] / f[diag[k]];
      f[p] = lik;
      if (lik === 0) continue;
      const endk = rowPtr[k + 1];
      for (let q = diag[k] + 1; q < endk; q++) {
        const pos = iw[colIdx[q]];
        if (pos >= 0) f[pos] -= lik * f[q];
      }
    }
    for (let p = start; p < end; p++) iw[colIdx[p]] = -1;
  }
}

/** values = I − β Σ_a diag(π_a) P_a on the pattern. */
function fillResolvent(model: DdcModel, pattern: Pattern, prob: Float64Array, values: Float64Array): void {
  const S = model.states.size;
  const A = model.actions.length;
  const beta = model.discount;
  const { diag, maps } = pattern;
  values.fill(0);
  for (let s = 0; s < S; s++) values[diag[s]] = 1;
  for (let a = 0; a < A; a++) {
    const tr = model.transitions[a];
    const map = maps[a];
    const tv = tr.values;
    const rp = tr.rowPtr;
    for (let s = 0; s < S; s++) {
      const wgt = beta * prob[s * A + a];
      if (wgt === 0) continue;
      const end = rp[s + 1];
      for (let j = rp[s]; j < end; j++) values[map[j]] -= wgt * tv[j];
    }
  }
}

/** Buffers of one GMRES solve, kept per model so repeated solves allocate nothing. */
interface GmresWork {
  m: number;
  basis: Float64Array;
  H: Float64Array;
  cs: Float64Array;
  sn: Float64Array;
  g: Float64Array;
  yv: Float64Array;
  r: Float64Array;
  z: Float64Array;
  w: Float64Array;
}

const workCache = new WeakMap<Pattern, GmresWork>();

function gmresWork(pattern: Pattern, S: number): GmresWork {
  let work = workCache.get(pattern);
  if (!work) {
    const m = Math.min(resolventDefaults.restart, S);
    work = {
      m,
      basis: new Float64Array((m + 1) * S),
      H: new Float64Array((m + 1) * m),
      cs: new Float64Array(m),
      sn: new Float64Array(m),
      g: new Float64Array(m + 1),
      yv: new Float64Array(m),
      r: new Float64Array(S),
      z: new Float64Array(S),
      w: new Float64Array(S),
    };
    workCache.set(pattern, work);
  }
  return work;
}

/**
 * Restarted GMRES(m) on A x = b, right-preconditioned with the packed factors f (so the residual
 * monitored is the true one). x holds the starting guess; stops when ‖b − A x‖₂ ≤ target.
 */
function gmres(
  S: number,
  rowPtr: Int32Array,
  colIdx: Int32Array,
  diag: Int32Array,
  values: Float64Array,
  f: Float64Array,
  work: GmresWork,
  b: Float64Array,
  x: Float64Array,
  target: number,
): { iterations: number; residual: number } {
  return gmresOp(
    S,
    (v, _offset, y) => spmv(S, rowPtr, colIdx, values, v, y),
    (v, offset, out) => luPrecondition(S, rowPtr, colIdx, diag, f, v, offset, out),
    work,
    b,
    x,
    target,
  );
}

/** GMRES preconditioners: symmetric Gauss–Seidel (default; refreshed with every policy) or ILU(0). */
export type Preconditioner = 'sgs' | 'ilu0';

function gmresOperator(model: DdcModel, preconditioner: Preconditioner): ResolventOperator {
  const S = model.states.size;
  const pattern = patternOf(model);
  const { rowPtr, colIdx, diag } = pattern;
  const nnz = rowPtr[S];
  const values = new Float64Array(nnz);
  const f = new Float64Array(nnz); // preconditioner factors, packed like `values`
  let iw: Int32Array | undefined;
  let factored = false;
  const work = gmresWork(pattern, S);
  return {
    dense: false,
    setPolicy(prob, refactor = true) {
      fillResolvent(model, pattern, prob, values);
      if (preconditioner === 'sgs') {
        // one pass over the pattern: always refresh (cheaper than a few stale iterations)
        sgsFactor(S, rowPtr, colIdx, diag, values, f);
        return;
      }
      if (!refactor && factored) return;
      factored = true;
      ilu0Factor(S, rowPtr, colIdx, diag, values, f, (iw ??= new Int32Array(S).fill(-1)));
    },
    solve(b, x, relTol, absTol) {
      let bnorm = 0;
      for (let s = 0; s < S; s++) bnorm += b[s] * b[s];
      bnorm = Math.sqrt(bnorm);
      return gmres(S, rowPtr, colIdx, diag, values, f, work, b, x, Math.max(relTol * bnorm, absTol));
    },
  };
}

// --- elimination of single-action states ----------------------------------------------------------
// States with exactly one feasible action have policy-independent rows of P_σ. When they form no
// cycle among themselves (e.g. the locked months of a commitment, which count down), they are
// solved exactly by substitution in topological order, and GMRES runs on the Schur complement
// A_MM − A_MF A_FF⁻¹ A_FM over the multi-action states M only (applied matrix-free, so nothing
// fills in), right-preconditioned with symmetric Gauss–Seidel of the block A_MM.

/** Smallest share of single-action states for which the reduction is used. */
const reductionShare = 0.25;

interface Reduction {
  /** Multi-action states, ascending. */
  mStates: Int32Array;
  /** Single-action states in solve order (every F successor before the state). */
  fOrder: Int32Array;
  /** CSR over fOrder of β·P_a(s,·) (a the only action), the diagonal term excluded. */
  fPtr: Int32Array;
  fCol: Int32Array;
  fVal: Float64Array;
  /** 1 / (1 − β P_a(s,s)) per fOrder entry. */
  fInvDiag: Float64Array;
  /** The A_MM block as CSR in M indices, with the position in the full pattern of each entry. */
  rPtr: Int32Array;
  rCol: Int32Array;
  rDiag: Int32Array;
  rSrc: Int32Array;
}

const reductionCache = new WeakMap<DdcModel, Reduction | null>();

function reductionOf(model: DdcModel): Reduction | null {
  const cached = reductionCache.get(model);
  if (cached !== undefined) return cached;
  const red = buildReduction(model);
  reductionCache.set(model, red);
  return red;
}

function buildReduction(model: DdcModel): Reduction | null {
  const S = model.states.size;
  const A = model.actions.length;
  const beta = model.discount;
  const only = new Int32Array(S).fill(-1);
  let nF = 0;
  for (let s = 0; s < S; s++) {
    let n = 0;
    let last = -1;
    for (let a = 0; a < A; a++) {
      if (model.feasible[s * A + a]) {
        n++;
        last = a;
      }
    }
    if (n === 1) {
      only[s] = last;
      nF++;
    }
  }
  if (nF < reductionShare * S || nF === S) return null;
  // Kahn's algorithm: pending[s] = F successors (other than s) not yet ordered
  const pending = new Int32Array(S);
  const predCount = new Int32Array(S + 1);
  for (let s = 0; s < S; s++) {
    if (only[s] < 0) continue;
    const m = model.transitions[only[s]];
    for (let j = m.rowPtr[s]; j < m.rowPtr[s + 1]; j++) {
      const c = m.colIdx[j];
      if (c !== s && only[c] >= 0 && m.values[j] !== 0) {
        pending[s]++;
        predCount[c + 1]++;
      }
    }
  }
  for (let s = 0; s < S; s++) predCount[s + 1] += predCount[s];
  const preds = new Int32Array(predCount[S]);
  const fill = predCount.slice(0, S);
  for (let s = 0; s < S; s++) {
    if (only[s] < 0) continue;
    const m = model.transitions[only[s]];
    for (let j = m.rowPtr[s]; j < m.rowPtr[s + 1]; j++) {
      const c = m.colIdx[j];
      if (c !== s && only[c] >= 0 && m.values[j] !== 0) preds[fill[c]++] = s;
    }
  }
  const fOrder = new Int32Array(nF);
  let head = 0;
  let tail = 0;
  for (let s = 0; s < S; s++) if (only[s] >= 0 && pending[s] === 0) fOrder[tail++] = s;
  while (head < tail) {
    const t = fOrder[head++];
    for (let q = predCount[t]; q < predCount[t + 1]; q++) {
      const s = preds[q];
      if (--pending[s] === 0) fOrder[tail++] = s;
    }
  }
  if (tail !== nF) return null; // a cycle among the single-action states
  const fPtr = new Int32Array(nF + 1);
  const fInvDiag = new Float64Array(nF);
  const cols: number[] = [];
  const vals: number[] = [];
  for (let i = 0; i < nF; i++) {
    const s = fOrder[i];
    const m = model.transitions[only[s]];
    let diagP = 0;
    for (let j = m.rowPtr[s]; j < m.rowPtr[s + 1]; j++) {
      const c = m.colIdx[j];
      if (c === s) diagP += m.values[j];
      else {
        cols.push(c);
        vals.push(beta * m.values[j]);
      }
    }
    fInvDiag[i] = 1 / (1 - beta * diagP);
    fPtr[i + 1] = cols.length;
  }
  const nM = S - nF;
  const mStates = new Int32Array(nM);
  const mIdx = new Int32Array(S).fill(-1);
  for (let s = 0, k = 0; s < S; s++) {
    if (only[s] < 0) {
      mIdx[s] = k;
      mStates[k++] = s;
    }
  }
  const { rowPtr, colIdx } = patternOf(model);
  const rPtr = new Int32Array(nM + 1);
  const rCol: number[] = [];
  const rSrc: number[] = [];
  const rDiag = new Int32Array(nM);
  for (let i = 0; i < nM; i++) {
    const s = mStates[i];
    for (let p = rowPtr[s]; p < rowPtr[s + 1]; p++) {
      const c = mIdx[colIdx[p]];
      if (c < 0) continue;
      if (c === i) rDiag[i] = rCol.length;
      rCol.push(c);
      rSrc.push(p);
    }
    rPtr[i + 1] = rCol.length;
  }
  return {
    mStates,
    fOrder,
    fPtr,
    fCol: Int32Array.from(cols),
    fVal: Float64Array.from(vals),
    fInvDiag,
    rPtr,
    rCol: Int32Array.from(rCol),
    rDiag,
    rSrc: Int32Array.from(rSrc),
  };
}

/** X[F] = A_FF⁻¹ (b_F − A_FM X[M]) by substitution in solve order (b absent: zero). */
function solveSingle(red: Reduction, X: Float64Array, b: Float64Array | null): void {
  const { fOrder, fPtr, fCol, fVal, fInvDiag } = red;
  const n = fOrder.length;
  for (let i = 0; i < n; i++) {
    const s = fOrder[i];
    let acc = b === null ? 0 : b[s];
    const end = fPtr[i + 1];
    for (let j = fPtr[i]; j < end; j++) acc += fVal[j] * X[fCol[j]];
    X[s] = acc * fInvDiag[i];
  }
}

/** y[i] = (A X)(mStates[i]) over the full pattern rows of the multi-action states. */
function multiRows(red: Reduction, rowPtr: Int32Array, colIdx: Int32Array, values: Float64Array, X: Float64Array, y: Float64Array): void {
  const { mStates } = red;
  const n = mStates.length;
  for (let i = 0; i < n; i++) {
    const s = mStates[i];
    let acc = 0;
    const end = rowPtr[s + 1];
    for (let p = rowPtr[s]; p < end; p++) acc += values[p] * X[colIdx[p]];
    y[i] = acc;
  }
}

/** values = I − β Σ_a diag(π_a) P_a on the pattern rows of the multi-action states only. */
function fillMultiRows(model: DdcModel, pattern: Pattern, red: Reduction, prob: Float64Array, values: Float64Array): void {
  const A = model.actions.length;
  const beta = model.discount;
  const { rowPtr, diag, maps } = pattern;
  const { mStates } = red;
  const n = mStates.length;
  for (let i = 0; i < n; i++) {
    const s = mStates[i];
    for (let p = rowPtr[s]; p < rowPtr[s + 1]; p++) values[p] = 0;
    values[diag[s]] = 1;
    for (let a = 0; a < A; a++) {
      const wgt = beta * prob[s * A + a];
      if (wgt === 0) continue;
      const tr = model.transitions[a];
      const map = maps[a];
      const tv = tr.values;
      const end = tr.rowPtr[s + 1];
      for (let j = tr.rowPtr[s]; j < end; j++) values[map[j]] -= wgt * tv[j];
    }
  }
}

function reducedOperator(model: DdcModel, red: Reduction): ResolventOperator {
  const S = model.states.size;
  const pattern = patternOf(model);
  const { rowPtr, colIdx } = pattern;
  const { mStates, rPtr, rCol, rDiag, rSrc } = red;
  const nM = mStates.length;
  const values = new Float64Array(rowPtr[S]);
  const rValues = new Float64Array(rCol.length);
  const f = new Float64Array(rCol.length);
  const X = new Float64Array(S);
  const bRed = new Float64Array(nM);
  const xRed = new Float64Array(nM);
  const work = gmresWorkFor(red, nM);
  // the Schur complement applied matrix-free: y = (A_MM − A_MF A_FF⁻¹ A_FM) x
  const apply = (x: Float64Array, xOff: number, y: Float64Array): void => {
    for (let i = 0; i < nM; i++) X[mStates[i]] = x[xOff + i];
    solveSingle(red, X, null);
    multiRows(red, rowPtr, colIdx, values, X, y);
  };
  const precondition = (v: Float64Array, offset: number, out: Float64Array): void => {
    luPrecondition(nM, rPtr, rCol, rDiag, f, v, offset, out);
  };
  return {
    dense: false,
    setPolicy(prob) {
      fillMultiRows(model, pattern, red, prob, values);
      for (let q = 0; q < rSrc.length; q++) rValues[q] = values[rSrc[q]];
      sgsFactor(nM, rPtr, rCol, rDiag, rValues, f);
    },
    solve(b, x, relTol, absTol) {
      let bnorm = 0;
      for (let s = 0; s < S; s++) bnorm += b[s] * b[s];
      bnorm = Math.sqrt(bnorm);
      // b_M − A_MF A_FF⁻¹ b_F
      for (let i = 0; i < nM; i++) X[mStates[i]] = 0;
      solveSingle(red, X, b);
      multiRows(red, rowPtr, colIdx, values, X, bRed);
      for (let i = 0; i < nM; i++) {
        bRed[i] = b[mStates[i]] - bRed[i];
        xRed[i] = x[mStates[i]];
      }
      const res = gmresOp(nM, apply, precondition, work, bRed, xRed, Math.max(relTol * bnorm, absTol));
      // x_F = A_FF⁻¹ (b_F − A_FM x_M), exactly
      for (let i = 0; i < nM; i++) X[mStates[i]] = xRed[i];
      solveSingle(red, X, b);
      x.set(X);
      return res;
    },
  };
}

const reducedWorkCache = new WeakMap<Reduction, GmresWork>();

function gmresWorkFor(red: Reduction, n: number): GmresWork {
  let work = reducedWorkCache.get(red);
  if (!work) {
    const m = Math.min(resolventDefaults.restart, n);
    work = {
      m,
      basis: new Float64Array((m + 1) * n),
      H: new Float64Array((m + 1) * m),
      cs: new Float64Array(m),
      sn: new Float64Array(m),
      g: new Float64Array(m + 1),
      yv: new Float64Array(m),
      r: new Float64Array(n),
      z: new Float64Array(n),
      w: new Float64Array(n),
    };
    reducedWorkCache.set(red, work);
  }
  return work;
}

/** Restarted GMRES(m) with the operator and the right preconditioner given as functions. */
function gmresOp(
  S: number,
  apply: (x: Float64Array, xOff: number, y: Float64Array) => void,
  precondition: (v: Float64Array, offset: number, out: Float64Array) => void,
  work: GmresWork,
  b: Float64Array,
  x: Float64Array,
  target: number,
): { iterations: number; residual: number } {
  const { m, basis, H, cs, sn, g, yv, r, z, w } = work;
  let total = 0;
  let rnorm = Infinity;
  const cap = resolventDefaults.maxIterations;
  for (;;) {
    apply(x, 0, r);
    rnorm = 0;
    for (let s = 0; s < S; s++) {
      const v = b[s] - r[s];
      r[s] = v;
      rnorm += v * v;
    }
    rnorm = Math.sqrt(rnorm);
    if (!(rnorm > target) || total >= cap) break;
    const inv = 1 / rnorm;
    for (let s = 0; s < S; s++) basis[s] = r[s] * inv;
    g.fill(0);
    g[0] = rnorm;
    let k = 0;
    let est = rnorm;
    while (k < m && total < cap) {
      total++;
      precondition(basis, k * S, z);
      apply(z, 0, w);
      for (let i = 0; i <= k; i++) {
        const vi = i * S;
        let h = 0;
        for (let s = 0; s < S; s++) h += w[s] * basis[vi + s];
        H[i * m + k] = h;
        for (let s = 0; s < S; s++) w[s] -= h * basis[vi + s];
      }
      let hn = 0;
      for (let s = 0; s < S; s++) hn += w[s] * w[s];
      hn = Math.sqrt(hn);
      H[(k + 1) * m + k] = hn;
      if (hn > 0) {
        const vn = (k + 1) * S;
        const inv2 = 1 / hn;
        for (let s = 0; s < S; s++) basis[vn + s] = w[s] * inv2;
      }
      for (let i = 0; i < k; i++) {
        const h0 = H[i * m + k];
        const h1 = H[(i + 1) * m + k];
        H[i * m + k] = cs[i] * h0 + sn[i] * h1;
        H[(i + 1) * m + k] = -sn[i] * h0 + cs[i] * h1;
      }
      const h0 = H[k * m + k];
      const den = Math.hypot(h0, hn);
      cs[k] = den === 0 ? 1 : h0 / den;
      sn[k] = den === 0 ? 0 : hn / den;
      H[k * m + k] = den;
      H[(k + 1) * m + k] = 0;
      g[k + 1] = -sn[k] * g[k];
      g[k] = cs[k] * g[k];
      est = Math.abs(g[k + 1]);
      k++;
      if (est <= target || hn === 0) break;
    }
    for (let i = k - 1; i >= 0; i--) {
      let acc = g[i];
      for (let j = i + 1; j < k; j++) acc -= H[i * m + j] * yv[j];
      yv[i] = acc / H[i * m + i];
    }
    w.fill(0);
    for (let i = 0; i < k; i++) {
      const vi = i * S;
      const yi = yv[i];
      for (let s = 0; s < S; s++) w[s] += yi * basis[vi + s];
    }
    precondition(w, 0, z);
    for (let s = 0; s < S; s++) x[s] += z[s];
    if (!Number.isFinite(est)) break;
  }
  return { iterations: total, residual: rnorm };
}

/**
 * Solves for `columns` right-hand sides (B is S×columns row-major) to a relative 2-norm residual
 * of 1e-12 each; ConvergenceError if GMRES cannot reach 1e-9.
 */
export function solveColumns(op: ResolventOperator, rhs: Float64Array, S: number, columns: number, who: string): Float64Array {
  const out = new Float64Array(S * columns);
  const b = new Float64Array(S);
  const x = new Float64Array(S);
  for (let c = 0; c < columns; c++) {
    let bnorm = 0;
    for (let s = 0; s < S; s++) {
      b[s] = rhs[s * columns + c];
      bnorm += b[s] * b[s];
    }
    x.fill(0);
    const res = op.solve(b, x, 1e-12, 0);
    if (res.residual > 1e-9 * Math.sqrt(bnorm)) {
      throw new ConvergenceError(
        `${who}: the linear solve of (I − β·P_σ) x = b did not converge: residual ${res.residual.toExponential(3)} after ${res.iterations} GMRES iterations`,
        { residual: res.residual, iterations: res.iterations },
      );
    }
    for (let s = 0; s < S; s++) out[s * columns + c] = x[s];
  }
  return out;
}
