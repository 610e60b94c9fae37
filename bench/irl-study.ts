/**
 * The Deep PQR acceptance study of issue 4, at full size: one panel of `membership-default`
 * (default 5,000 customers × 36 months, the scenario's seed), fitted by
 *
 * - NFXP and CCP (the structural estimators, on the first-stage transitions);
 * - tabular PQR with the TRUE policy on the first-stage transitions (the PQR identity with an
 *   exact Q stage: what PQR can do when only the transitions are estimated);
 * - tabular PQR with the first-stage CCPs (`firstStageProbabilities`, choicelab's default: cell
 *   frequencies shrunk towards a logit prior with 100 pseudo-counts) on the first-stage
 *   transitions (exact Q stage, estimated policy: what the policy's estimation error alone does);
 * - tabular PQR with the Deep PQR P network's policy (default size) on the first-stage
 *   transitions (exact Q stage, learned policy);
 * - the R stage alone with the TRUE anchor value W = W₀ + W₁θ and the TRUE policy, on the
 *   sample's rows (the best any row-based PQR can do: only next-state noise remains);
 * - Deep PQR with the true policy (`logPolicy`: the Q stage alone), Deep PQR with its defaults and
 *   an all-stage bootstrap (`--refit` replicates, default 40: every stage refitted per replicate;
 *   the counterfactual is recomputed at every replicate's θ̂ for the shares' bootstrap SD), a
 *   larger P network, and the paper's fitted Q stage (with and without the true policy; skip
 *   with `--no-paper`). `--variants '[["label", {options}], …]'` runs only the given Deep PQR fits.
 *
 * For each: θ̂, relative error, z = (θ̂ − θ)/SE (bootstrap SE for the PQR rows, model SEs for
 * NFXP/CCP), the acceptance check |z| ≤ 2 or |relative error| ≤ 10%, the month-24 plan-share
 * errors of the counterfactual "annual price + $10" through `membership.counterfactual` with
 * the first-stage config (truth: the world's exact counterfactual from the panel's last month),
 * fit seconds, and for the Deep PQR rows the anchor-value RMSE against the truth.
 *
 *   npx tsx bench/irl-study.ts [--customers 5000] [--months 36] [--seed 20240301] [--refit 40] [--deep '{"hidden":[64,64]}']
 *
 * Writes bench/results/irl-study.json and .md. About 15 minutes on 2 cores (the all-stage bootstrap: 40 fits).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { asEstimation, deepPqr, irlDataFromPanel, modelStateFeatures, tabularPqr, type DeepPqrOptions } from '../src/irl';
import { ccp, compareCounterfactual, counterfactual, firstStage, lastMonthDistribution, membershipWorld, nfxp, type Change } from '../src/membership';
import { firstStageProbabilities } from '../src/membership/estimate/ccp';
import { matrix, solve } from '../src/core/linalg';
import { randomInt } from '../src/core/random';
import { rng } from '../src/core/rng';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

interface Row {
  method: string;
  estimates: number[];
  se: number[] | null;
  relError: number[];
  z: number[] | null;
  pass: boolean[];
  shareErrorPp: { none: number; monthly: number; annual: number };
  seconds: number;
  valueRmse?: number;
  note: string;
}

/** Deep PQR settings of the study's rows unless a row says otherwise: a 200-replicate projection-only bootstrap. */
export const studyDeepOptions: Partial<DeepPqrOptions> = { bootstrap: 200, bootstrapRefit: 'projection' };
/** The paper's fitted Q stage at the settings the first session found best. */
const paperOptions: Partial<DeepPqrOptions> = { qStage: 'fitted', hidden: [64, 64], qRounds: 20, qSteps: 200, policySteps: 1500, rewardSteps: 300 };

async function main(): Promise<void> {
  const customers = Number(arg('customers', '5000'));
  const months = Number(arg('months', '36'));
  const seed = Number(arg('seed', '20240301'));
  const deepOpts: Partial<DeepPqrOptions> = { ...studyDeepOptions, ...JSON.parse(arg('deep', '{}')) };
  const started = Date.now();
  const w = membershipWorld('membership-default');
  const beta = w.config.discount;
  const panel = w.simulate({ customers, months, seed });
  const first = firstStage(w.config, panel);
  const S = w.model.states.size;
  const A = w.model.actions.length;
  const K = w.theta.length;
  const names = w.model.featureNames.slice();
  const change: Change = { kind: 'price', plan: 'annual', delta: 10 };
  const truthCf = w.counterfactual(change, { initial: lastMonthDistribution(w.model, panel) });
  const rows: Row[] = [];
  const shareErrors = (theta: ArrayLike<number>): number[] => {
    const est = asEstimation('replicate', names, theta, 0, '');
    const e = compareCounterfactual(counterfactual({ config: first.config, result: est, panel }, change, { draws: 0 }), truthCf).errors;
    return [e.none, e.monthly, e.annual];
  };
  const add = (method: string, theta: ArrayLike<number>, se: ArrayLike<number> | null, seconds: number, note: string, valueRmse?: number) => {
    const cf = counterfactual({ config: first.config, result: asEstimation(method, names, theta, seconds, note), panel }, change, { draws: 0 });
    const e = compareCounterfactual(cf, truthCf).errors;
    const rel = Array.from(theta, (v, k) => (v - w.theta[k]) / w.theta[k]);
    const z = se ? Array.from(theta, (v, k) => (v - w.theta[k]) / se[k]) : null;
    const row: Row = {
      method, estimates: Array.from(theta), se: se ? Array.from(se) : null, relError: rel, z,
      pass: rel.map((r, k) => Math.abs(r) <= 0.1 || (z !== null && Math.abs(z[k]) <= 2)),
      shareErrorPp: { none: 100 * e.none, monthly: 100 * e.monthly, annual: 100 * e.annual }, seconds, valueRmse, note,
    };
    rows.push(row);
    console.log(`${method}: θ̂ ${row.estimates.map((v) => v.toFixed(3)).join(' ')} | shares ${Object.values(row.shareErrorPp).map((v) => v.toFixed(2)).join(' ')} pp | ${seconds.toFixed(1)} s`);
  };

  let t = performance.now();
  const nf = nfxp(first.model, panel);
  add('NFXP', nf.estimates, nf.standardErrors, (performance.now() - t) / 1000, 'first-stage transitions, model SEs');
  t = performance.now();
  const cc = ccp(first.model, panel);
  add('CCP', cc.estimates, cc.standardErrors, (performance.now() - t) / 1000, 'default first stage, model SEs');
  t = performance.now();
  const tTrue = tabularPqr(first.model, w.solution.probabilities, { anchorAction: 0 });
  add('tabular PQR, true π', tTrue.theta, null, (performance.now() - t) / 1000, 'exact Q stage on first-stage transitions; no SE');
  t = performance.now();
  const tFreq = tabularPqr(first.model, firstStageProbabilities(first.model, panel), { anchorAction: 0 });
  add('tabular PQR, first-stage π̂', tFreq.theta, null, (performance.now() - t) / 1000, 'exact Q stage on first-stage transitions, first-stage CCPs (frequencies shrunk to a logit prior, 100 pseudo-counts); no SE');

  // The Deep PQR P network (default size) with the exact Q stage: what the learned policy alone does.
  const data = irlDataFromPanel(w.model, panel);
  t = performance.now();
  const pOnly = await deepPqr(data, { anchorAction: 'none', discount: beta, seed: 1, qStage: 'fitted', qRounds: 1, qSteps: 0, rewardSteps: 0, bootstrap: 0 });
  const table = modelStateFeatures(w.model);
  const lpNet = pOnly.predictPolicy(table.values, w.model.feasible);
  pOnly.dispose();
  const Pnet = Float64Array.from(lpNet, (v) => (Number.isFinite(v) ? Math.exp(v) : 0));
  for (let s = 0; s < S; s++) {
    let z = 0;
    for (let a = 0; a < A; a++) z += Pnet[s * A + a];
    for (let a = 0; a < A; a++) Pnet[s * A + a] /= z; // float32 network output: renormalise
  }
  add('tabular PQR, P-network π̂', tabularPqr(first.model, Pnet, { anchorAction: 0 }).theta, null, (performance.now() - t) / 1000, 'exact Q stage on first-stage transitions, policy from the Deep PQR P network (default size and steps, seed 1); no SE');

  // R stage alone with the TRUE W = W0 + W1θ and the TRUE policy (row targets, IV projection, customer bootstrap).
  t = performance.now();
  const P = w.solution.probabilities;
  const C = K + 1;
  const bOf = (s: number) => (w.model.feasible[s * A] ? 0 : A - 1);
  const lpb = (s: number) => (bOf(s) === 0 ? Math.log(P[s * A]) : 0);
  const WW = tabularPqr(w.model, P, { anchorAction: 0 }).anchorValue;
  const zx = new Float64Array(customers * K * K);
  const zy = new Float64Array(customers * K);
  for (let i = 0; i < panel.length; i++) {
    const s = panel.state[i];
    const s2 = panel.nextState[i];
    const a = panel.action[i];
    if (s2 < 0 || bOf(s) !== 0 || a === 0) continue;
    const y0 = WW[s * C] + Math.log(P[s * A + a]) - Math.log(P[s * A]) - beta * (WW[s2 * C] - lpb(s2)) - w.model.offset[s * A + a];
    const c = panel.id[i];
    for (let k = 0; k < K; k++) {
      const z = w.model.features[(s * A + a) * K + k];
      zy[c * K + k] += z * y0;
      for (let l = 0; l < K; l++) zx[(c * K + k) * K + l] += z * (w.model.features[(s * A + a) * K + l] - (WW[s * C + 1 + l] - beta * WW[s2 * C + 1 + l]));
    }
  }
  const project = (wt: Float64Array | null) => {
    const ZX = new Float64Array(K * K);
    const ZY = new Float64Array(K);
    for (let c = 0; c < customers; c++) {
      const v = wt ? wt[c] : 1;
      if (!v) continue;
      for (let k = 0; k < K; k++) {
        ZY[k] += v * zy[c * K + k];
        for (let l = 0; l < K; l++) ZX[k * K + l] += v * zx[(c * K + k) * K + l];
      }
    }
    return solve(matrix(K, K, ZX), ZY);
  };
  const oracle = project(null);
  const reps: Float64Array[] = [];
  const wt = new Float64Array(customers);
  const r0 = rng(seed).fork(7);
  for (let rep = 0; rep < 200; rep++) {
    wt.fill(0);
    for (let c = 0; c < customers; c++) wt[randomInt(r0, customers)]++;
    reps.push(project(wt));
  }
  const oracleSe = Array.from({ length: K }, (_, k) => {
    const m = reps.reduce((a, th) => a + th[k], 0) / reps.length;
    return Math.sqrt(reps.reduce((a, th) => a + (th[k] - m) ** 2, 0) / (reps.length - 1));
  });
  add('R stage, true W and π', oracle, oracleSe, (performance.now() - t) / 1000, 'per-row targets with the true anchor value: the noise floor of row-based PQR');

  // Deep PQR: the Q stage alone (true policy), then in full.
  const truePolicy = new Float64Array(panel.length * A);
  for (let i = 0; i < panel.length; i++) for (let a = 0; a < A; a++) truePolicy[i * A + a] = Math.log(P[panel.state[i] * A + a]);
  const trueW = Float64Array.from(panel.state, (s) => w.solution.choiceValue[s * A + bOf(s)]);
  const refit = Number(arg('refit', '40'));
  const variants: [string, Partial<DeepPqrOptions>][] = [
    ['Deep PQR, true π', { logPolicy: truePolicy }],
    [`Deep PQR (defaults), all stages bootstrapped`, { bootstrap: refit, bootstrapRefit: 'all' }],
    ['Deep PQR, P [64] × 3,000 steps', { hidden: [64], policySteps: 3000 }],
  ];
  const only = arg('variants', '');
  if (only) variants.splice(0, variants.length, ...(JSON.parse(only) as [string, Partial<DeepPqrOptions>][]));
  if (!process.argv.includes('--no-paper') && !only) {
    variants.push(['paper Q stage (fitted), true π', { ...paperOptions, logPolicy: truePolicy }], ['paper Q stage (fitted)', paperOptions]);
  }
  for (const [label, opts] of variants) {
    const fitOpts = { ...deepOpts, ...opts };
    const fit = await deepPqr(data, { anchorAction: 'none', discount: beta, seed: 1, ...fitOpts });
    const wHat = fit.predictAnchorValue(data.stateFeatures);
    let e2 = 0;
    let m = 0;
    for (let i = 0; i < panel.length; i++) if (Number.isFinite(wHat[i])) (e2 += (wHat[i] - trueW[i]) ** 2), m++;
    const { logPolicy: _lp, ...shown } = fitOpts;
    const tm = fit.transitionModel ? `; transition model: ${fit.transitionModel.successorsPerQuery.toFixed(1)} successors per (state, action), ${(100 * fit.transitionModel.droppedMass).toFixed(1)}% of mass on unobserved states dropped` : '';
    let shareSe = '';
    if (opts.bootstrapRefit === 'all' && fit.bootstrap > 1) {
      // the counterfactual at every replicate's θ: the sampling spread of the share errors
      const per: number[][] = [];
      for (let r = 0; r < fit.bootstrap; r++) per.push(shareErrors(fit.replicates.subarray(r * K, (r + 1) * K)));
      const sd = [0, 1, 2].map((j) => {
        const m = per.reduce((a, e) => a + e[j], 0) / per.length;
        return Math.sqrt(per.reduce((a, e) => a + (e[j] - m) ** 2, 0) / (per.length - 1));
      });
      shareSe = `; bootstrap SD of the month-24 shares none / monthly / annual: ${sd.map((v) => (100 * v).toFixed(2)).join(' / ')} pp`;
    }
    add(label, fit.estimates, fit.standardErrors, fit.seconds.total, `${fit.backend}; ${JSON.stringify(shown)}; P ${fit.seconds.policy.toFixed(0)} s, Q ${fit.seconds.q.toFixed(0)} s, R ${fit.seconds.reward.toFixed(0)} s, bootstrap ${fit.seconds.bootstrap.toFixed(0)} s (${fit.estimation.message})${tm}${shareSe}`, Math.sqrt(e2 / Math.max(1, m)));
    fit.dispose();
  }

  const seconds = (Date.now() - started) / 1000;
  const pct = (v: number) => `${v >= 0 ? '+' : ''}${(100 * v).toFixed(0)}%`;
  const lines = [
    `Deep PQR acceptance study: membership-default, ${customers.toLocaleString('en')} customers × ${months} months (${panel.length.toLocaleString('en')} rows), seed ${seed}, β = ${beta}; ${seconds.toFixed(0)} s on ${os.cpus().length} cpus`,
    '',
    `Counterfactual: ${JSON.stringify(change)}, month-24 plan shares vs the world's exact path from the panel's last month. Acceptance: every θ within 2 SEs or 10%, shares within 2 pp.`,
    '',
    `| method | ${names.join(' | ')} | θ ok | share error none / monthly / annual (pp) | W RMSE | seconds |`,
    `|---|${names.map(() => '---:').join('|')}|:---:|---:|---:|---:|`,
    `| truth | ${Array.from(w.theta, (v) => v.toFixed(3)).join(' | ')} | | | | |`,
    ...rows.map((r) => {
      const cells = r.estimates.map((v, k) => `${v.toFixed(3)}${r.se ? ` ± ${r.se[k].toFixed(3)}` : ''} (${pct(r.relError[k])}${r.z ? `, z ${r.z[k].toFixed(1)}` : ''})`);
      const sh = r.shareErrorPp;
      return `| ${r.method} | ${cells.join(' | ')} | ${r.pass.filter(Boolean).length}/${K} | ${sh.none.toFixed(2)} / ${sh.monthly.toFixed(2)} / ${sh.annual.toFixed(2)} | ${r.valueRmse !== undefined ? r.valueRmse.toFixed(2) : ''} | ${r.seconds.toFixed(1)} |`;
    }),
    '',
    ...rows.map((r) => `- ${r.method}: ${r.note}`),
  ];
  const results = path.join(__dirname, 'results');
  fs.mkdirSync(results, { recursive: true });
  fs.writeFileSync(path.join(results, 'irl-study.json'), JSON.stringify({ machine: { cpus: os.cpus().length, node: process.version }, date: new Date().toISOString(), customers, months, seed, discount: beta, change, deepOptions: deepOpts, truth: Array.from(w.theta), parameterNames: names, seconds, rows }, null, 1));
  fs.writeFileSync(path.join(results, 'irl-study.md'), lines.join('\n') + '\n');
  console.log(lines.join('\n'));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
