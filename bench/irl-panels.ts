/**
 * Deep PQR's counterfactual accuracy as a distribution over independent panels: the acceptance
 * study (bench/irl-study.ts) fits one panel, and one panel is one draw of an estimator whose
 * share error has a standard deviation of its own. For each panel of `membership-default` at
 * the scenario's size (5,000 customers × 36 months; seeds `--seeds`, default 1–12 and the
 * scenario's 20240301) this fits
 *
 * - NFXP (first-stage transitions) — the structural reference;
 * - Deep PQR with its defaults and no bootstrap (θ̂ is the same with any bootstrap);
 * - Deep PQR with the true policy (`logPolicy`: what the Q and R stages do on their own);
 * - optionally Deep PQR with `--deep '{…}'` options (e.g. `{"projection":"rows"}`, the paper's R stage);
 *
 * and computes the month-24 plan-share errors (pp) of the counterfactual "annual price + $10"
 * against the world's exact counterfactual, as bench/irl-study.ts does. Summary per method: mean,
 * SD and RMS of each share's error, the largest absolute error, and the number of panels with
 * every share within 2 pp.
 *
 *   npx tsx bench/irl-panels.ts [--seeds 1,2,…] [--customers 5000] [--deep '{"projection":"rows"}']
 *
 * Writes bench/results/irl-panels.json and .md. About 30 s per panel on 2 cores.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { asEstimation, deepPqr, irlDataFromPanel, type DeepPqrOptions } from '../src/irl';
import { compareCounterfactual, counterfactual, firstStage, lastMonthDistribution, membershipWorld, nfxp, type Change } from '../src/membership';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

interface PanelRow {
  seed: number;
  method: string;
  estimates: number[];
  shareErrorPp: number[];
  seconds: number;
}

async function main(): Promise<void> {
  const seeds = arg('seeds', '1,2,3,4,5,6,7,8,9,10,11,12,20240301').split(',').map(Number);
  const customers = Number(arg('customers', '5000'));
  const months = 36;
  const extra = JSON.parse(arg('deep', 'null')) as Partial<DeepPqrOptions> | null;
  const w = membershipWorld('membership-default');
  const A = w.model.actions.length;
  const change: Change = { kind: 'price', plan: 'annual', delta: 10 };
  const rows: PanelRow[] = [];
  const started = Date.now();
  for (const seed of seeds) {
    const panel = w.simulate({ customers, months, seed });
    const first = firstStage(w.config, panel);
    const truthCf = w.counterfactual(change, { initial: lastMonthDistribution(w.model, panel) });
    const add = (method: string, theta: ArrayLike<number>, seconds: number) => {
      const est = asEstimation(method, w.model.featureNames, theta, seconds, '');
      const e = compareCounterfactual(counterfactual({ config: first.config, result: est, panel }, change, { draws: 0 }), truthCf).errors;
      rows.push({ seed, method, estimates: Array.from(theta), shareErrorPp: [e.none, e.monthly, e.annual].map((v) => 100 * v), seconds });
    };
    let t = performance.now();
    const nf = nfxp(first.model, panel);
    add('NFXP', nf.estimates, (performance.now() - t) / 1000);
    const data = irlDataFromPanel(w.model, panel);
    const truePolicy = new Float64Array(panel.length * A);
    for (let i = 0; i < panel.length; i++) for (let a = 0; a < A; a++) truePolicy[i * A + a] = Math.log(w.solution.probabilities[panel.state[i] * A + a]);
    const variants: [string, Partial<DeepPqrOptions>][] = [
      ['Deep PQR (defaults)', {}],
      ['Deep PQR, true π', { logPolicy: truePolicy }],
    ];
    if (extra) variants.push([`Deep PQR ${JSON.stringify(extra)}`, extra]);
    for (const [label, opts] of variants) {
      t = performance.now();
      const fit = await deepPqr(data, { anchorAction: 'none', discount: w.config.discount, bootstrap: 0, ...opts });
      add(label, fit.estimates, (performance.now() - t) / 1000);
      fit.dispose();
    }
    console.log(`seed ${seed}: ` + rows.filter((r) => r.seed === seed).map((r) => `${r.method} ${r.shareErrorPp.map((v) => v.toFixed(2)).join('/')}`).join(' | '));
  }

  const methods = [...new Set(rows.map((r) => r.method))];
  const names = ['none', 'monthly', 'annual'];
  const summary = methods.map((method) => {
    const rs = rows.filter((r) => r.method === method);
    const col = (j: number) => rs.map((r) => r.shareErrorPp[j]);
    const mean = names.map((_, j) => col(j).reduce((a, v) => a + v, 0) / rs.length);
    const sd = names.map((_, j) => Math.sqrt(col(j).reduce((a, v) => a + (v - mean[j]) ** 2, 0) / Math.max(1, rs.length - 1)));
    const rms = names.map((_, j) => Math.sqrt(col(j).reduce((a, v) => a + v * v, 0) / rs.length));
    const maxAbs = rs.map((r) => Math.max(...r.shareErrorPp.map(Math.abs)));
    const thetaMeanRelError = Array.from(w.theta, (th, k) => (rs.reduce((a, r) => a + r.estimates[k], 0) / rs.length - th) / th);
    return { method, panels: rs.length, mean, sd, rms, largest: Math.max(...maxAbs), within2pp: maxAbs.filter((v) => v <= 2).length, thetaMeanRelError, seconds: rs.reduce((a, r) => a + r.seconds, 0) / rs.length };
  });
  const f2 = (v: number) => v.toFixed(2);
  const md = [
    `# Deep PQR over ${seeds.length} panels of membership-default (${customers.toLocaleString('en')} customers × ${months} months)`,
    '',
    `Counterfactual annual price + $10, month-24 plan shares; error = estimate − truth (pp). Seeds ${seeds.join(', ')}. ${os.cpus().length} cores, ${((Date.now() - started) / 60000).toFixed(1)} min.`,
    '',
    '| method | mean none / monthly / annual | SD | RMS | largest | panels within 2 pp | mean θ error (%) | s per fit |',
    '|---|---|---|---|---|---|---|---|',
    ...summary.map((s) => `| ${s.method} | ${s.mean.map(f2).join(' / ')} | ${s.sd.map(f2).join(' / ')} | ${s.rms.map(f2).join(' / ')} | ${f2(s.largest)} | ${s.within2pp} of ${s.panels} | ${s.thetaMeanRelError.map((v) => (100 * v).toFixed(0)).join(', ')} | ${s.seconds.toFixed(1)} |`),
    '',
    '| seed | ' + methods.join(' | ') + ' |',
    '|---|' + methods.map(() => '---').join('|') + '|',
    ...seeds.map((seed) => `| ${seed} | ` + methods.map((m) => rows.find((r) => r.seed === seed && r.method === m)!.shareErrorPp.map(f2).join(' / ')).join(' | ') + ' |'),
    '',
  ].join('\n');
  const dir = path.join(__dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'irl-panels.json'), JSON.stringify({ date: new Date().toISOString(), machine: `${os.cpus().length} cores`, customers, months, seeds, summary, rows }, null, 1));
  fs.writeFileSync(path.join(dir, 'irl-panels.md'), md);
  console.log(md);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
