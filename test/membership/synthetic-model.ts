/**
 * A synthetic membership-sized DDC model for solver tests and timings (not the membership world):
 * plan (none / monthly / annual) × months left on an annual plan (12) × engagement with 4 benefits
 * (3 levels each) × segment (4) = 11,664 states, 3 actions, sparse transitions (≤ 9 next states
 * per row: engagement changes in at most one benefit a month), annual plans lock in for 12 months.
 */
import { ddcModel, sparseFromTriplets, stateSpace, type DdcModel } from '../../src/membership/ddc/model';

/** The true θ of {@link syntheticMembershipModel}: 4 benefit weights, monthly and annual constants, join cost. */
export const syntheticTheta = [0.35, 0.25, 0.15, 0.3, -1.2, -1.0, 0.8];

/** Builds the synthetic model at discount β (default 0.99). */
export function syntheticMembershipModel(discount = 0.99, segments = 4): DdcModel {
  const levels = 3;
  const benefits = 4;
  const states = stateSpace([
    { name: 'plan', size: 3 },
    { name: 'monthsLeft', size: 12 },
    { name: 'b0', size: levels },
    { name: 'b1', size: levels },
    { name: 'b2', size: levels },
    { name: 'b3', size: levels },
    { name: 'segment', size: segments },
  ]);
  const S = states.size;
  const A = 3;
  const K = benefits + 3;
  const features = new Float64Array(S * A * K);
  const offset = new Float64Array(S * A);
  const feasible = new Uint8Array(S * A);
  const rows: number[][] = [[], [], []];
  const cols: number[][] = [[], [], []];
  const vals: number[][] = [[], [], []];
  const x = new Int32Array(7);
  const y = new Int32Array(7);
  for (let s = 0; s < S; s++) {
    states.decode(s, x);
    const plan = x[0];
    const left = x[1];
    const locked = plan === 2 && left > 0;
    for (let a = 0; a < A; a++) {
      if (locked && a !== 2) continue;
      feasible[s * A + a] = 1;
      const base = (s * A + a) * K;
      if (a > 0) {
        const seg = 1 + 0.25 * x[6];
        for (let b = 0; b < benefits; b++) features[base + b] = (x[2 + b] / 2) * (b < 2 ? seg : 2 - seg / 2);
        features[base + benefits + (a - 1)] = 1;
        if (plan === 0) features[base + benefits + 2] = -1;
        offset[s * A + a] = a === 1 ? -0.15 : locked ? 0 : -1.39; // −price/100 (annual paid up front)
      }
      // next state
      y.set(x);
      y[0] = a;
      y[1] = a === 2 ? (locked ? left - 1 : 11) : 0;
      const up = a > 0 ? 0.06 : 0.04;
      const down = 0.1 - up;
      const stay = 0.6;
      const add = (p: number) => {
        rows[a].push(s);
        cols[a].push(states.index(y));
        vals[a].push(p);
      };
      let pStay = stay;
      for (let b = 0; b < benefits; b++) {
        const lv = x[2 + b];
        if (lv + 1 < levels) {
          y[2 + b] = lv + 1;
          add(up);
        } else pStay += up;
        if (lv > 0) {
          y[2 + b] = lv - 1;
          add(down);
        } else pStay += down;
        y[2 + b] = lv;
      }
      add(pStay);
    }
  }
  // infeasible actions still need stochastic rows: move like the feasible 'annual' row
  for (let a = 0; a < 2; a++) {
    for (let s = 0; s < S; s++) {
      if (feasible[s * A + a]) continue;
      rows[a].push(s), cols[a].push(s), vals[a].push(1);
    }
  }
  return ddcModel({
    name: 'synthetic-membership',
    states,
    actions: ['none', 'monthly', 'annual'],
    featureNames: ['shipping', 'video', 'music', 'grocery', 'monthly', 'annual', 'join'],
    features,
    offset,
    feasible,
    transitions: [0, 1, 2].map((a) => sparseFromTriplets(S, S, rows[a], cols[a], vals[a])),
    discount,
  });
}
