import assert from 'node:assert/strict';
import { numericalGradient } from '../../src/core/optimize';
import { busModel, busScenarioModel, estimateBusTransitions, loadBusScenario, simulateBusPanel } from '../../src/membership/bus';
import { choiceCounts } from '../../src/membership/ddc/panel';
import { panelToCsv, readPanelCsv } from '../../src/membership/ddc/panel';
import { nfxp, nfxpLogLikelihood } from '../../src/membership/estimate/nfxp';
import { formatEstimation } from '../../src/membership/estimate/result';
import { assertAllClose, assertClose } from '../helpers/assert';

const scenario = loadBusScenario();

/** Rust's two step on a simulated scenario panel: first-stage p̂, then NFXP on the same panel. */
function fitBus(seed: number) {
  const panel = simulateBusPanel(scenario, { seed });
  const first = estimateBusTransitions(panel, { bins: scenario.bins });
  const model = busModel({ bins: scenario.bins, discount: scenario.discount, transitionProbabilities: first.probabilities });
  return { panel, first, model, fit: nfxp(model, panel) };
}

describe('membership/estimate/nfxp and membership/bus', () => {
  it('loadBusScenario() reads simulations/bus.json (Rust 1987 magnitudes, 8,000–10,000 bus-months)', () => {
    assert.equal(scenario.bins, 90);
    assert.equal(scenario.discount, 0.9999);
    const months = scenario.buses * scenario.months;
    assert.ok(months >= 8000 && months <= 10000, `${months} bus-months`);
  });

  it('nfxpLogLikelihood: the analytic gradient through the fixed point equals a central-difference gradient (rel. 1e-6, β = 0.9999)', () => {
    const { model } = busScenarioModel(scenario);
    const panel = simulateBusPanel(scenario, { seed: 3 });
    const counts = choiceCounts(model, panel);
    for (const theta of [
      [8, 3],
      [12, 1.5],
    ]) {
      const r = nfxpLogLikelihood(model, counts, theta);
      const f = (x: Float64Array) => nfxpLogLikelihood(model, counts, x, { tolerance: 1e-12 }).logLikelihood;
      const num = numericalGradient(f, Float64Array.from(theta));
      assertAllClose(r.gradient, num, { abs: 1e-4, rel: 1e-6 });
      // log-likelihood = Σ n(s,a) log π(a|s)
      let ll = 0;
      for (let i = 0; i < counts.length; i++) if (counts[i] > 0) ll += counts[i] * Math.log(r.solution.probabilities[i]);
      assertClose(r.logLikelihood, ll, { rel: 1e-10 });
    }
  });

  it('estimateBusTransitions(panel) recovers the increment probabilities within 3 SE (seed 1987)', () => {
    const panel = simulateBusPanel(scenario);
    const est = estimateBusTransitions(panel, { bins: scenario.bins });
    for (let j = 0; j < 3; j++) {
      assert.ok(Math.abs(est.probabilities[j] - scenario.transitionProbabilities[j]) <= 3 * est.standardErrors[j], `p${j}`);
    }
    assertClose(est.probabilities[0] + est.probabilities[1] + est.probabilities[2], 1, 1e-12);
  });

  for (const seed of [1, 2, 3]) {
    it(`nfxp recovers RC and θ1 within 2 SE of the truth on the bus scenario (seed ${seed}, first stage from the same panel)`, () => {
      const { fit } = fitBus(seed);
      assert.ok(fit.converged, fit.message);
      const truth = [scenario.RC, scenario.theta1];
      for (let k = 0; k < 2; k++) {
        const z = (fit.estimates[k] - truth[k]) / fit.standardErrors[k];
        assert.ok(Math.abs(z) <= 2, `${fit.parameterNames[k]}: ${fit.estimates[k]} (SE ${fit.standardErrors[k]}) vs ${truth[k]}\n${formatEstimation(fit, truth)}`);
        // the Hessian-based SE is of the same size as the BHHH one
        assert.ok(fit.hessianStandardErrors[k] > 0.5 * fit.standardErrors[k] && fit.hessianStandardErrors[k] < 2 * fit.standardErrors[k]);
      }
      assert.equal(fit.method, 'NFXP');
      assert.equal(fit.observations, scenario.buses * scenario.months);
    });
  }

  it('nfxp: BHHH and BFGS reach the same maximum (seed 2; estimates to 1e-4 relative)', () => {
    const { model, panel, fit } = fitBus(2);
    const bfgs = nfxp(model, panel, { method: 'bfgs' });
    assert.ok(bfgs.converged, bfgs.message);
    assertAllClose(bfgs.estimates, fit.estimates, { abs: 0, rel: 1e-4 });
    assertClose(bfgs.logLikelihood, fit.logLikelihood, { abs: 1e-6 });
  });

  it('nfxp: where BHHH crawls (seed 101: ‖∇ℓ‖ still 1e-2 after 200 pure BHHH steps) it hands over to BFGS and converges to the BFGS maximum', () => {
    const { panel, model, fit } = fitBus(101);
    assert.ok(fit.converged, fit.message);
    assert.match(fit.message, /BHHH iterations, then BFGS: converged/);
    const bfgs = nfxp(model, panel, { method: 'bfgs', hessian: false });
    assert.ok(bfgs.converged, bfgs.message);
    assertAllClose(fit.estimates, bfgs.estimates, { abs: 0, rel: 1e-4 });
  });

  it('a CSV (id, t, mileage, replaced) written from a simulated panel fits through readPanelCsv to the same estimates', () => {
    const { model, panel, fit } = fitBus(1);
    const csv = panelToCsv(model, panel, { actionColumn: 'replaced', actionValues: { keep: '0', replace: '1' } });
    const fromCsv = readPanelCsv(csv, model, { id: 'id', t: 't', components: { mileage: 'mileage' }, action: 'replaced', actionValues: { '0': 'keep', '1': 'replace' } });
    const first = estimateBusTransitions(fromCsv, { bins: scenario.bins });
    const model2 = busModel({ bins: scenario.bins, discount: scenario.discount, transitionProbabilities: first.probabilities });
    const fit2 = nfxp(model2, fromCsv);
    assertAllClose(fit2.estimates, fit.estimates, { abs: 0, rel: 1e-10 });
    assertAllClose(fit2.standardErrors, fit.standardErrors, { abs: 0, rel: 1e-8 });
  });

  it('formatEstimation(result, truth) prints a table with estimates, SEs, CIs and the truth', () => {
    const { fit } = fitBus(3);
    const text = formatEstimation(fit, [scenario.RC, scenario.theta1]);
    assert.match(text, /^NFXP · bus · log-likelihood -\d+\.\d+ · N = 9000/);
    assert.match(text, /parameter\s+estimate\s+se\s+ci95Lower\s+ci95Upper\s+truth\s+covered/);
    assert.match(text, /RC\s+\d/);
    assert.match(text, /theta1\s+\d/);
  });
});
