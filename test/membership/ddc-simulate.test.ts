import assert from 'node:assert/strict';
import { busDefaults, busModel } from '../../src/membership/bus';
import { simulatePanel } from '../../src/membership/ddc/simulate';
import { solveDdc } from '../../src/membership/ddc/solve';
import { InputError } from '../../src/core/errors';
import { assertThrowsError } from '../helpers/assert';
import { syntheticMembershipModel, syntheticTheta } from './synthetic-model';

const bus = busModel({ discount: 0.99 });
const busSol = solveDdc(bus, [busDefaults.RC, busDefaults.theta1]);

describe('membership/ddc/simulate', () => {
  it('simulatePanel(model, π, { seed }) is reproducible, and another seed gives another panel', () => {
    const opts = { units: 50, periods: 24, initialState: 0, seed: 42 };
    const a = simulatePanel(bus, busSol.probabilities, opts);
    const b = simulatePanel(bus, busSol.probabilities, opts);
    assert.deepEqual(a, b);
    const c = simulatePanel(bus, busSol.probabilities, { ...opts, seed: 43 });
    assert.notDeepEqual(Array.from(c.state), Array.from(a.state));
    assert.equal(a.length, 50 * 24);
    assert.deepEqual(Array.from(a.t.subarray(0, 24)), Array.from({ length: 24 }, (_, i) => i));
    assert.equal(a.nextState[23], -1);
    for (let i = 0; i < a.length; i++) if (a.t[i] < 23) assert.equal(a.nextState[i], a.state[i + 1]);
  });

  it('simulatePanel: unit i’s path is the same whether 10 or 1,000 units are simulated (seed 7, initial distribution)', () => {
    const init = new Float64Array(90);
    for (let x = 0; x < 30; x++) init[x] = 1 / 30;
    const small = simulatePanel(bus, busSol.probabilities, { units: 10, periods: 36, initialState: init, seed: 7 });
    const large = simulatePanel(bus, busSol.probabilities, { units: 1000, periods: 36, initialState: init, seed: 7 });
    for (const col of ['id', 't', 'state', 'action', 'nextState'] as const) {
      assert.deepEqual(Array.from(large[col].subarray(0, small.length)), Array.from(small[col]), col);
    }
  });

  it('simulatePanel: action and next-state frequencies match π and P_a within 4 standard deviations (seed 11, 2,000 × 36 on the 11,664-state model)', () => {
    const model = syntheticMembershipModel(0.95);
    const sol = solveDdc(model, syntheticTheta);
    const A = 3;
    const panel = simulatePanel(model, sol.probabilities, {
      units: 2000,
      periods: 36,
      initialState: (unit, r) => Math.floor(r.nextFloat() * model.states.size),
      seed: 11,
    });
    // Given the visited states, the count of action a is a sum of independent Bernoulli(π(a|s_i)).
    for (let a = 0; a < A; a++) {
      let count = 0;
      let mean = 0;
      let variance = 0;
      for (let i = 0; i < panel.length; i++) {
        const p = sol.probabilities[panel.state[i] * A + a];
        mean += p;
        variance += p * (1 - p);
        if (panel.action[i] === a) count++;
      }
      assert.ok(Math.abs(count - mean) <= 4 * Math.sqrt(variance), `action ${a}: ${count} vs ${mean.toFixed(1)} ± ${Math.sqrt(variance).toFixed(1)}`);
    }
    // Next state: the probability that s' equals the 'stay' column of P_a(s, ·)
    let hits = 0;
    let mean = 0;
    let variance = 0;
    for (let i = 0; i < panel.length; i++) {
      if (panel.nextState[i] < 0) continue;
      const m = model.transitions[panel.action[i]];
      const s = panel.state[i];
      const j = m.rowPtr[s]; // first stored entry of the row
      const p = m.values[j];
      mean += p;
      variance += p * (1 - p);
      if (panel.nextState[i] === m.colIdx[j]) hits++;
    }
    assert.ok(Math.abs(hits - mean) <= 4 * Math.sqrt(variance), `transitions: ${hits} vs ${mean.toFixed(1)}`);
  });

  it('simulatePanel validates π, the initial state and the sizes', () => {
    assertThrowsError(() => simulatePanel(bus, new Float64Array(180), { units: 1, periods: 1, initialState: 0, seed: 1 }), InputError, /row of state 0 sums to 0/);
    assertThrowsError(() => simulatePanel(bus, busSol.probabilities, { units: 1, periods: 1, initialState: 90, seed: 1 }), InputError, /`initialState`: expected a state index in \[0, 89\], got 90/);
    assertThrowsError(() => simulatePanel(bus, busSol.probabilities, { units: 0, periods: 1, initialState: 0, seed: 1 }), InputError, /`units`/);
    assertThrowsError(() => simulatePanel(bus, busSol.probabilities, { units: 1, periods: 1, initialState: () => -1, seed: 1 }), InputError, /returned -1 for unit 0/);
  });
});
