import assert from 'node:assert/strict';
import { deepPqr, distinctRows, irlDataFromPanel, modelStateFeatures, resampleCustomers, type DeepPqrOptions } from '../../src/irl';
import { fitTransitionModel, stateVariables } from '../../src/irl/transitions';
import { unvisitedStates } from '../../src/irl/unvisited';
import { membershipWorld } from '../../src/membership/world';
import { ddcModel, sparseFromTriplets, stateSpace } from '../../src/membership/ddc/model';
import { solveDdc } from '../../src/membership/ddc/solve';
import { simulatePanel } from '../../src/membership/ddc/simulate';
import { rng } from '../../src/core/rng';

/**
 * A DDC with deterministic, factored dynamics: `level` 0…4 goes up under `act` and down under
 * `none`; `season` 0…2 cycles whatever the action. Reward of act: θ₀·level/4 − θ₁ + θ₂·[season 0];
 * none (the anchor) 0. With deterministic moves the frequency model is the true model.
 */
function deterministicWorld() {
  const states = stateSpace([{ name: 'level', size: 5 }, { name: 'season', size: 3 }]);
  const S = states.size;
  const A = 2;
  const K = 3;
  const features = new Float64Array(S * A * K);
  const trip: [number, number, number][][] = [[], []];
  for (let s = 0; s < S; s++) {
    const level = states.value(s, 'level');
    const season = states.value(s, 'season');
    const next = (l: number) => states.index([l, (season + 1) % 3]);
    trip[0].push([s, next(Math.max(0, level - 1)), 1]);
    trip[1].push([s, next(Math.min(4, level + 1)), 1]);
    features.set([level / 4, -1, season === 0 ? 1 : 0], (s * A + 1) * K);
  }
  const model = ddcModel({
    name: 'deterministic', states, actions: ['none', 'act'], featureNames: ['levelValue', 'actCost', 'seasonBonus'], features,
    transitions: trip.map((t) => sparseFromTriplets(S, S, t.map((x) => x[0]), t.map((x) => x[1]), t.map((x) => x[2]))),
    discount: 0.9,
  });
  const theta = [2, 1.2, 0.5];
  return { model, theta, solution: solveDdc(model, theta) };
}

describe('irl: transition model (Deep PQR qStage "model")', () => {
  it('stateVariables groups one-hot columns and columns that determine each other, and marks static ones (membership-default)', () => {
    const w = membershipWorld('membership-default');
    const data = irlDataFromPanel(w.model, w.simulate({ customers: 300, months: 12, seed: 2 }));
    const vars = stateVariables(data);
    const byName = new Map(vars.map((v) => [v.name, v]));
    assert.deepEqual([...byName.keys()].sort(), ['monthlyPrice+annualPrice', 'plan', 'segment', 'usage.music', 'usage.shipping', 'usage.video']);
    assert.equal(byName.get('segment')!.static, true);
    assert.equal(byName.get('plan')!.static, false);
    assert.equal(byName.get('monthlyPrice+annualPrice')!.levels.length, 3);
    assert.equal(byName.get('usage.video')!.columns.length, 1);
  });

  it('fitTransitionModel: each variable’s next-level probabilities are the frequencies of its (own level, action, statics) cell', () => {
    const variables = [{ name: 'x', columns: [0], levels: [Float64Array.of(0), Float64Array.of(1)], static: false }];
    // distinct states u = 0 (x = 0), 1 (x = 1); transitions 0→1, 0→0, 0→1, 0→1 under action 1
    const tm = fitTransitionModel({
      U: 2, A: 2, variables, level: Int32Array.of(0, 1),
      transitions: { from: Int32Array.of(0, 0, 0, 0), action: Int32Array.of(1, 1, 1, 1), to: Int32Array.of(1, 0, 1, 1) },
    });
    assert.deepEqual(Array.from(tm.marginal(0, 1, 0)), [0.25, 0.75]);
    // an unseen cell (level 1, action 0) falls back to its own level's moves (none seen) → stays put
    assert.deepEqual(Array.from(tm.marginal(1, 0, 0)), [0, 1]);
    const succ = tm.successors({ state: Int32Array.of(0), action: Int32Array.of(1) });
    assert.deepEqual(Array.from(succ.state), [0, 1]);
    assert.deepEqual(Array.from(succ.prob), [0.25, 0.75]);
    assert.equal(succ.droppedMass, 0);
  });

  it('fitTransitionModel: variables that never move together (though independence predicts they would) move one at a time; others stay independent', () => {
    // binary x, y, z; per transition x flips w.p. 0.2, else y flips w.p. 0.25 (never both), z flips w.p. 0.3 independently (seed 5)
    const bin = [Float64Array.of(0), Float64Array.of(1)];
    const variables = ['x', 'y', 'z'].map((name, d) => ({ name, columns: [d], levels: bin, static: false }));
    const level = new Int32Array(8 * 3);
    for (let u = 0; u < 8; u++) level.set([u & 1, (u >> 1) & 1, (u >> 2) & 1], u * 3);
    const r = rng(5);
    const n = 4000;
    const from = new Int32Array(n);
    const to = new Int32Array(n);
    for (let t = 0; t < n; t++) {
      const u = Math.floor(r.nextFloat() * 8);
      let v = u;
      if (r.nextFloat() < 0.2) v ^= 1;
      else if (r.nextFloat() < 0.25) v ^= 2;
      if (r.nextFloat() < 0.3) v ^= 4;
      from[t] = u;
      to[t] = v;
    }
    const tm = fitTransitionModel({ U: 8, A: 1, variables, level, transitions: { from, action: new Int32Array(n), to } });
    assert.deepEqual(tm.exclusiveGroups, [[0, 1]]);
    const succ = tm.successors({ state: Int32Array.of(0), action: Int32Array.of(0) });
    const mx = tm.marginal(0, 0, 0)[1];
    const my = tm.marginal(0, 0, 1)[1];
    const mz = tm.marginal(0, 0, 2)[1];
    assert.ok(Math.abs(mx - 0.2) < 0.03 && Math.abs(my - 0.2) < 0.03 && Math.abs(mz - 0.3) < 0.03, `marginals ${mx} ${my} ${mz}`);
    const expected = new Map([[0, (1 - mx - my) * (1 - mz)], [1, mx * (1 - mz)], [2, my * (1 - mz)], [4, (1 - mx - my) * mz], [5, mx * mz], [6, my * mz]]);
    assert.equal(succ.state.length, expected.size, `successors ${Array.from(succ.state)}`);
    succ.state.forEach((s, j) => assert.ok(Math.abs(succ.prob[j] - expected.get(s)!) < 1e-12, `state ${s}: ${succ.prob[j]} vs ${expected.get(s)}`));
    assert.equal(succ.droppedMass, 0);
  });

  it('successors: a next state nobody visited is added when addState accepts it (its mass kept), dropped when it refuses', () => {
    const bin = [Float64Array.of(0), Float64Array.of(1)];
    const variables = ['x', 'y'].map((name, d) => ({ name, columns: [d], levels: bin, static: false }));
    // observed states (0,0), (1,0), (0,1); from (0,0) x and y each flip in 1 of 4 moves, never together; (1,1) is never visited
    const fit = () =>
      fitTransitionModel({
        U: 3, A: 1, variables, level: Int32Array.of(0, 0, 1, 0, 0, 1),
        transitions: { from: Int32Array.of(0, 0, 0, 0), action: new Int32Array(4), to: Int32Array.of(0, 1, 2, 0) },
      });
    const query = { state: Int32Array.of(0), action: Int32Array.of(0) };
    const dropped = fit().successors(query);
    assert.ok(Math.abs(dropped.droppedMass - 0.25 * 0.25) < 1e-12, `dropped ${dropped.droppedMass}`);
    const tm = fit();
    const offered: number[][] = [];
    const kept = tm.successors(query, { addState: (lv) => (offered.push(Array.from(lv)), true) });
    assert.deepEqual(offered, [[1, 1]]);
    assert.equal(tm.stateCount, 4);
    assert.deepEqual(Array.from(tm.levelsOf(3)), [1, 1]);
    assert.equal(kept.droppedMass, 0);
    const p = new Map(Array.from(kept.state, (s, j) => [s, kept.prob[j]]));
    const mx = tm.marginal(0, 0, 0)[1];
    const my = tm.marginal(0, 0, 1)[1];
    assert.ok(Math.abs(p.get(3)! - mx * my) < 1e-12 && Math.abs(p.get(0)! - (1 - mx) * (1 - my)) < 1e-12, `successors ${[...p]}`);
    // the added state has successors of its own
    const again = tm.successors({ state: Int32Array.of(3), action: Int32Array.of(0) });
    assert.ok(again.state.length >= 1);
  });

  it('unvisitedStates: at membership states nobody in a small panel visited, feasibility and the forced action’s φ and offset read off the visited states equal the model’s', () => {
    const w = membershipWorld('membership-default');
    const data = irlDataFromPanel(w.model, w.simulate({ customers: 300, months: 24, seed: 3 }));
    const A = data.actions.length;
    const D = data.stateFeatureNames.length;
    const K = data.rewardFeatureNames.length;
    const { unique } = distinctRows(data.stateFeatures, D, data.feasible, A);
    const U = unique.length;
    const variables = stateVariables(data);
    const V = variables.length;
    const levelOf = (x: ArrayLike<number>, v: number) => variables[v].levels.findIndex((lv) => variables[v].columns.every((d, j) => lv[j] === x[d]));
    const xU = new Float64Array(U * D);
    const level = new Int32Array(U * V);
    const feasibleU = new Uint8Array(U * A);
    const phiB = new Float64Array(U * K);
    const offsetB = new Float64Array(U);
    unique.forEach((i, u) => {
      xU.set(data.stateFeatures.subarray(i * D, (i + 1) * D), u * D);
      for (let v = 0; v < V; v++) level[u * V + v] = levelOf(data.stateFeatures.subarray(i * D, (i + 1) * D), v);
      feasibleU.set(data.feasible.subarray(i * A, (i + 1) * A), u * A);
      const b = data.feasible[i * A] ? 0 : data.feasible.subarray(i * A, (i + 1) * A).indexOf(1);
      if (b !== 0) (phiB.set(data.rewardFeatures.subarray((i * A + b) * K, (i * A + b + 1) * K), u * K), (offsetB[u] = data.offset[i * A + b]));
    });
    const fill = unvisitedStates({ variables, U, D, A, K, anchor: 0, xU, level, feasibleU, phiB, offsetB, anchorStates: true, maxStates: 1e6 });
    assert.ok(!('reason' in fill), JSON.stringify(fill));
    if ('reason' in fill) return;
    const table = modelStateFeatures(w.model);
    const visited = new Set(unique.map((i) => Array.from(data.stateFeatures.subarray(i * D, (i + 1) * D)).join(',')));
    const states: number[] = [];
    for (let s = 0; s < w.model.states.size; s++) {
      const x = table.values.subarray(s * D, (s + 1) * D);
      if (visited.has(Array.from(x).join(','))) continue;
      const lv = Int32Array.from({ length: V }, (_, v) => levelOf(x, v));
      if (lv.some((l) => l < 0)) continue;
      assert.ok(fill.offer(lv), `state ${s} refused`);
      states.push(s);
    }
    assert.ok(states.length > 1000, `${states.length} unvisited states`);
    const x = fill.features();
    const feas = fill.feasible();
    const b = fill.action();
    const reward = fill.forcedReward();
    let forced = 0;
    states.forEach((s, k) => {
      assert.deepEqual(Array.from(x.subarray(k * D, (k + 1) * D)), Array.from(table.values.subarray(s * D, (s + 1) * D)));
      assert.deepEqual(Array.from(feas.subarray(k * A, (k + 1) * A)), Array.from(w.model.feasible.subarray(s * A, (s + 1) * A)), `state ${s}`);
      if (b[k] === 0) return;
      forced++;
      for (let j = 0; j < K; j++) {
        const truth = w.model.features[(s * A + b[k]) * K + j];
        assert.ok(Math.abs(reward.features[k * K + j] - truth) < 1e-7, `state ${s}, ${data.rewardFeatureNames[j]}: ${reward.features[k * K + j]} vs ${truth}`);
      }
      assert.ok(Math.abs(reward.offset[k] - w.model.offset[s * A + b[k]]) < 1e-7);
    });
    assert.ok(forced > 500, `${forced} forced states`);
  });

  it('unvisitedStates refuses a forced state whose reward features are not affine in the state features, and anchor states without a policy network', () => {
    // D = 2 columns: locked (0/1) and x (0…9); a locked state's forced action 1 has φ = (x, x²)
    const xs = Array.from({ length: 10 }, (_, l) => Float64Array.of(l));
    const variables = [
      { name: 'locked', columns: [0], levels: [Float64Array.of(0), Float64Array.of(1)], static: false },
      { name: 'x', columns: [1], levels: xs, static: false },
    ];
    // visited: free at x = 0…7, locked at x = 0…7 (x = 8, 9 never visited)
    const U = 16;
    const xU = new Float64Array(U * 2);
    const level = new Int32Array(U * 2);
    const feasibleU = new Uint8Array(U * 2);
    const phiB = new Float64Array(U * 2);
    const offsetB = new Float64Array(U);
    for (let u = 0; u < U; u++) {
      const locked = u >= 8 ? 1 : 0;
      const x = u % 8;
      xU.set([locked, x], u * 2);
      level.set([locked, x], u * 2);
      feasibleU.set(locked ? [0, 1] : [1, 1], u * 2);
      if (locked) phiB.set([x, x * x], u * 2), (offsetB[u] = 0.5);
    }
    const make = (square: boolean, anchorStates: boolean) => {
      const phi = Float64Array.from(phiB, (v, k) => (k % 2 === 1 && !square ? 3 * xU[Math.floor(k / 2) * 2 + 1] - 1 : v));
      const fill = unvisitedStates({ variables, U, D: 2, A: 2, K: 2, anchor: 0, xU, level, feasibleU, phiB: phi, offsetB, anchorStates, maxStates: 100 });
      assert.ok(!('reason' in fill));
      return fill as Exclude<typeof fill, { reason: string }>;
    };
    const affine = make(false, false);
    assert.equal(affine.offer(Int32Array.of(1, 9)), true);
    // exact up to the tiny ridge that picks one solution among collinear columns
    assert.deepEqual(Array.from(affine.forcedReward().features).map((v) => +v.toFixed(6)), [9, 26]);
    assert.ok(Math.abs(affine.forcedReward().offset[0] - 0.5) < 1e-6);
    assert.equal(affine.offer(Int32Array.of(0, 9)), false, 'an anchor state without a policy network');
    const square = make(true, true);
    assert.equal(square.offer(Int32Array.of(1, 9)), false, 'φ = x² is not affine in the state features');
    assert.equal(square.offer(Int32Array.of(0, 9)), true);
    assert.equal(square.count, 1);
  });

  it('Deep PQR closes the state set under the model (no mass dropped), and abandons the closure past closeStates (then exactly as with closeStates 0)', async () => {
    const w = membershipWorld('membership-default');
    const data = irlDataFromPanel(w.model, w.simulate({ customers: 400, months: 24, seed: 4 }));
    const base: DeepPqrOptions = { anchorAction: 'none', discount: w.config.discount, hidden: [8], policySteps: 100, rewardSteps: 1, bootstrap: 0, seed: 1 };
    const closed = await deepPqr(data, base);
    const off = await deepPqr(data, { ...base, closeStates: 0 });
    const capped = await deepPqr(data, { ...base, closeStates: 5 });
    const c = closed.transitionModel!;
    assert.ok(c.unvisited.closed && c.unvisited.added > 5, JSON.stringify(c.unvisited));
    assert.ok(c.droppedMass < 1e-12, `${c.droppedMass}`);
    assert.ok(off.transitionModel!.droppedMass > 0.01, `${off.transitionModel!.droppedMass}`);
    assert.equal(capped.transitionModel!.unvisited.closed, false);
    assert.match(capped.transitionModel!.unvisited.note, /more than closeStates = 5/);
    assert.deepEqual(Array.from(capped.estimates), Array.from(off.estimates));
    assert.equal(capped.transitionModel!.droppedMass, off.transitionModel!.droppedMass);
    assert.notDeepEqual(Array.from(closed.estimates), Array.from(off.estimates));
    for (const f of [closed, off, capped]) f.dispose();
  });

  it('Deep PQR with qStage "model" and the true policy recovers θ to 1e-6 (either projection weighting) when the dynamics are deterministic (the frequency model is then exact)', async () => {
    const { model, theta, solution } = deterministicWorld();
    const S = model.states.size;
    const panel = simulatePanel(model, solution.probabilities, { units: 400, periods: 12, initialState: new Float64Array(S).fill(1 / S), seed: 8 });
    const data = irlDataFromPanel(model, panel);
    const logPolicy = new Float64Array(panel.length * 2);
    for (let i = 0; i < panel.length; i++) for (let a = 0; a < 2; a++) logPolicy[i * 2 + a] = Math.log(solution.probabilities[panel.state[i] * 2 + a]);
    for (const projectionWeights of ['rows', 'balanced'] as const) {
      const f = await deepPqr(data, { anchorAction: 'none', discount: 0.9, logPolicy, qStage: 'model', hidden: [4], rewardSteps: 1, bootstrap: 0, seed: 1, projectionWeights });
      for (let k = 0; k < 3; k++) assert.ok(Math.abs(f.estimates[k] - theta[k]) < 1e-6, `${projectionWeights}: ${f.parameterNames[k]}: ${f.estimates[k]} vs ${theta[k]}`);
      f.dispose();
    }
    const fit = await deepPqr(data, { anchorAction: 'none', discount: 0.9, logPolicy, qStage: 'model', hidden: [4], rewardSteps: 1, bootstrap: 0, seed: 1 });
    assert.equal(fit.transitionModel!.droppedMass, 0);
    // the anchor value on observed states is the true Q of the anchor
    const W = fit.predictAnchorValue(data.stateFeatures);
    for (let i = 0; i < panel.length; i++) assert.ok(Math.abs(W[i] - solution.choiceValue[panel.state[i] * 2]) < 1e-6);
    fit.dispose();
  });
});

describe('irl: resampleCustomers', () => {
  it('copies each picked customer’s rows in order, with new ids and next pointers inside the copy', () => {
    const w = membershipWorld('membership-default');
    const data = irlDataFromPanel(w.model, w.simulate({ customers: 5, months: 4, seed: 3 }));
    const ids = Array.from(new Set(data.id));
    const pick = [ids[2], ids[2], ids[0]];
    const r = resampleCustomers(data, pick);
    const rowsOf = (id: number) => Array.from(data.id.keys()).filter((i) => data.id[i] === id);
    assert.equal(r.length, 2 * rowsOf(ids[2]).length + rowsOf(ids[0]).length);
    assert.deepEqual(Array.from(new Set(r.id)), [0, 1, 2]);
    const D = data.stateFeatureNames.length;
    let row = 0;
    pick.forEach((id, copy) => {
      const src = rowsOf(id);
      src.forEach((i, j) => {
        assert.equal(r.id[row], copy);
        assert.equal(r.action[row], data.action[i]);
        assert.deepEqual(Array.from(r.stateFeatures.subarray(row * D, (row + 1) * D)), Array.from(data.stateFeatures.subarray(i * D, (i + 1) * D)));
        assert.equal(r.next[row], data.next[i] < 0 ? -1 : row - j + src.indexOf(data.next[i]));
        row++;
      });
    });
    assert.throws(() => resampleCustomers(data, [123456]), /customers\[0\]/);
  });
});
