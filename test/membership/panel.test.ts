import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { busModel, checkBusScenario, loadBusScenario } from '../../src/membership/bus';
import { ddcModel, sparseFromDense, stateSpace, type DdcModel } from '../../src/membership/ddc/model';
import { panelFromColumns, panelToCsv, parseCsv, readPanelCsv } from '../../src/membership/ddc/panel';
import { simulatePanel } from '../../src/membership/ddc/simulate';
import { solveDdc } from '../../src/membership/ddc/solve';
import { InputError } from '../../src/core/errors';
import { assertThrowsError } from '../helpers/assert';

/** A 2-component model (plan 3 × level 4) with 3 actions, for component-wise panels. */
function twoComponentModel(): DdcModel {
  const states = stateSpace([
    { name: 'plan', size: 3 },
    { name: 'level', size: 4 },
  ]);
  const S = states.size;
  const A = 3;
  const dense = new Float64Array(S * S);
  for (let s = 0; s < S; s++) dense[s * S + ((s + 1) % S)] = 1;
  return ddcModel({
    name: 'two',
    states,
    actions: ['none', 'monthly', 'annual'],
    featureNames: ['k'],
    features: new Float64Array(S * A).map((_, i) => i % A),
    transitions: [0, 1, 2].map(() => sparseFromDense(S, S, dense)),
    discount: 0.9,
  });
}

const bus = busModel();
const busCsv = 'id,t,mileage,replaced\n1,0,0,0\n1,1,1,0\n1,2,2,1\n2,0,0,0\n2,1,3,0\n';
const busMapping = { id: 'id', t: 't', components: { mileage: 'mileage' }, action: 'replaced', actionValues: { '0': 'keep', '1': 'replace' } };

describe('membership/ddc/panel', () => {
  it('panelFromColumns sorts by (id, t), links nextState across consecutive periods, accepts names or indices', () => {
    const p = panelFromColumns(bus, { id: [2, 1, 1, 2, 1], t: [1, 2, 0, 0, 4], state: [5, 3, 0, 4, 9], action: ['keep', 1, 'keep', 0, 'keep'] });
    assert.deepEqual(Array.from(p.id), [1, 1, 1, 2, 2]);
    assert.deepEqual(Array.from(p.t), [0, 2, 4, 0, 1]);
    assert.deepEqual(Array.from(p.state), [0, 3, 9, 4, 5]);
    assert.deepEqual(Array.from(p.action), [0, 1, 0, 0, 0]);
    assert.deepEqual(Array.from(p.nextState), [-1, -1, -1, 5, -1]);
    const m = twoComponentModel();
    const q = panelFromColumns(m, { id: [1, 1], t: [0, 1], components: { plan: [2, 1], level: [3, 0] }, action: ['annual', 'none'] });
    assert.deepEqual(Array.from(q.state), [m.states.index({ plan: 2, level: 3 }), m.states.index({ plan: 1, level: 0 })]);
    assert.equal(q.nextState[0], q.state[1]);
  });

  const m2 = twoComponentModel();
  const table: [string, () => unknown, new (...a: never[]) => Error, RegExp][] = [
    ['state index out of range', () => panelFromColumns(bus, { id: [1, 1], t: [0, 1], state: [0, 90], action: [0, 0] }), InputError, /column `state` at row 2: 90 is not a state index in \[0, 89\]/],
    ['a component value out of range', () => panelFromColumns(m2, { id: [1], t: [0], components: { plan: [1], level: [4] }, action: [0] }), InputError, /column `level` at row 1: 4 is not a level of "level" in \[0, 3\]/],
    ['an unknown component', () => panelFromColumns(m2, { id: [1], t: [0], components: { plan: [1], lvl: [0] }, action: [0] }), InputError, /unknown state component `lvl`.*"plan", "level"/],
    ['action not in the spec (by name)', () => panelFromColumns(bus, { id: [1, 1, 1], t: [0, 1, 2], state: [0, 1, 2], action: ['keep', 'keep', 'scrap'] }), InputError, /column `action` at row 3: "scrap" is not an action of the model; expected one of "keep" \(0\), "replace" \(1\)/],
    ['action not in the spec (by index)', () => panelFromColumns(bus, { id: [1], t: [0], state: [0], action: [2] }), InputError, /column `action` at row 1: 2 is not an action/],
    ['NaN in the panel', () => panelFromColumns(bus, { id: [1, NaN], t: [0, 1], state: [0, 1], action: [0, 0] }), InputError, /column `id` at row 2: NaN is not an integer/],
    ['a non-integer period', () => panelFromColumns(bus, { id: [1, 1], t: [0, 1.5], state: [0, 1], action: [0, 0] }), InputError, /column `t` at row 2: 1.5 is not an integer/],
    ['duplicate (id, t)', () => panelFromColumns(bus, { id: [1, 2, 1], t: [0, 0, 0], state: [0, 1, 2], action: [0, 0, 0] }), InputError, /duplicate \(id, t\) = \(1, 0\) .* at row 1 and row 3/],
    ['ragged columns', () => panelFromColumns(bus, { id: [1, 1], t: [0], state: [0, 1], action: [0, 0] }), InputError, /ragged columns: `t` has 1 values but `id` has 2/],
    ['neither state nor components', () => panelFromColumns(bus, { id: [1], t: [0], action: [0] }), InputError, /`state` column .* or `components`/],
    ['unknown CSV column (lists the header)', () => readPanelCsv(busCsv, bus, { ...busMapping, action: 'replace' }), InputError, /unknown CSV column "replace" in `mapping.action`: the header has "id", "t", "mileage", "replaced"/],
    ['a CSV action value not in actionValues', () => readPanelCsv('id,t,mileage,replaced\n1,0,0,0\n1,1,1,yes\n', bus, busMapping), InputError, /column `replaced` \(action\) at row 2: "yes" is not in `actionValues`; expected one of "0", "1"/],
    ['a CSV state out of range, with the source file', () => readPanelCsv(writeTemp('bad.csv', 'id,t,mileage,replaced\n1,0,0,0\n1,1,95,0\n'), bus, busMapping), InputError, /column `mileage` at row 2 of .*bad\.csv: 95 is not a level of "mileage" in \[0, 89\]/],
    ['an empty CSV cell', () => readPanelCsv('id,t,mileage,replaced\n1,,0,0\n', bus, busMapping), InputError, /column `t` at row 1: NaN is not an integer/],
    ['a ragged CSV record', () => readPanelCsv('id,t,mileage,replaced\n1,0,0\n', bus, busMapping), InputError, /row 1 \(line 2\) has 3 fields but the header has 4/],
    ['a transition row not summing to 1 (ddcModel)', () => ddcModel({ states: stateSpace([{ name: 'x', size: 2 }]), actions: ['a', 'b'], featureNames: ['k'], features: new Float64Array(4), transitions: [sparseFromDense(2, 2, [1, 0, 0, 1]), sparseFromDense(2, 2, [0.5, 0.4, 0, 1])], discount: 0.9 }), InputError, /`transitions\[1\] \("b"\)`: row 0 sums to 0.9, expected 1/],
    ['β outside [0, 1) (busModel)', () => busModel({ discount: 1.2 }), InputError, /invalid option `discount`: expected a number in \[0, 1\), got 1.2/],
    ['β = 1 (ddcModel)', () => ddcModel({ states: stateSpace([{ name: 'x', size: 1 }]), actions: ['a', 'b'], featureNames: ['k'], features: new Float64Array(2), transitions: [sparseFromDense(1, 1, [1]), sparseFromDense(1, 1, [1])], discount: 1 }), InputError, /`discount`: expected a number in \[0, 1\), got 1/],
    ['bus transition probabilities not summing to 1', () => busModel({ transitionProbabilities: [0.5, 0.4] }), InputError, /`transitionProbabilities`: the probabilities sum to 0.9/],
    ['a bus scenario with a bad field', () => checkBusScenario({ ...loadBusScenario(), months: 0 }, 'bus.json'), InputError, /bus.json: invalid option `months`: expected an integer ≥ 1, got 0/],
    ['a bus scenario with an unknown field', () => checkBusScenario({ ...loadBusScenario(), buss: 3 }, 'bus.json'), InputError, /bus.json: unknown field `buss`/],
  ];
  for (const [what, call, cls, pattern] of table) {
    it(`bad input → ${cls.name}: ${what}`, () => {
      assertThrowsError(call, cls, pattern);
    });
  }

  it('parseCsv handles quotes, escaped quotes, CRLF, a BOM and blank lines', () => {
    const t = parseCsv('\ufeffa,b\r\n"x, y","say ""hi"""\r\n\r\n1,2\r\n');
    assert.deepEqual(t.header, ['a', 'b']);
    assert.deepEqual(t.rows, [
      ['x, y', 'say "hi"'],
      ['1', '2'],
    ]);
    assert.deepEqual(t.lines, [2, 4]);
  });

  it('readPanelCsv reads the bus CSV layout (id, t, mileage, replaced) from text and from a file', () => {
    const p = readPanelCsv(busCsv, bus, busMapping);
    assert.deepEqual(Array.from(p.state), [0, 1, 2, 0, 3]);
    assert.deepEqual(Array.from(p.action), [0, 0, 1, 0, 0]);
    assert.deepEqual(Array.from(p.nextState), [1, 2, -1, 3, -1]);
    const q = readPanelCsv(writeTemp('bus.csv', busCsv), bus, busMapping);
    assert.deepEqual(q, p);
  });

  it('panelToCsv → readPanelCsv round-trips a simulated panel (seed 5, 30 units × 12 periods)', () => {
    const sol = solveDdc(bus, [10, 2.5]);
    const panel = simulatePanel(bus, sol.probabilities, { units: 30, periods: 12, initialState: 0, seed: 5 });
    const text = panelToCsv(bus, panel, { actionColumn: 'replaced', actionValues: { keep: '0', replace: '1' } });
    assert.ok(text.startsWith('id,t,mileage,replaced\n'));
    const back = readPanelCsv(text, bus, busMapping);
    assert.deepEqual(back, panel);
  });
});

let tempDir: string | undefined;
function writeTemp(name: string, text: string): string {
  tempDir ??= mkdtempSync(path.join(tmpdir(), 'choicelab-panel-'));
  const file = path.join(tempDir, name);
  writeFileSync(file, text);
  return file;
}
