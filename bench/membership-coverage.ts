/**
 * The membership recovery study of issue 3: simulate N datasets (default 50) of 5,000
 * customers × 36 months from `membership-default`, fit NFXP, CCP and NPL with first-stage-
 * corrected SEs, and report how often each parameter's 95% interval covers the truth.
 * Too slow for `npm run bench` (≈ 13 min on 2 processes), so it is its own command:
 *
 *   npx tsx bench/membership-coverage.ts [--datasets 50] [--processes 2] [--seed 1000]
 *
 * Writes bench/results/membership-coverage.json and .md. Dataset i uses seed + i, so any
 * split across processes gives the same rows.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { coverageStudy, summarizeStudy, type CoverageStudy, type StudyMethod } from '../src/membership/study';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 0) throw new Error(`--${name} expects a non-negative integer, got ${process.argv[i + 1]}`);
  return v;
}

async function main(): Promise<void> {
  const datasets = arg('datasets', 50);
  const seed = arg('seed', 1000);
  if (process.argv.includes('--worker')) {
    const from = arg('from', 0);
    const out = process.argv[process.argv.indexOf('--out') + 1];
    const study = coverageStudy({ datasets, from, seed, onDataset: (i) => process.stderr.write(`dataset ${i} done\n`) });
    fs.writeFileSync(out, JSON.stringify(study));
    return;
  }
  const processes = Math.max(1, Math.min(arg('processes', 2), datasets));
  const started = Date.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'choicelab-coverage-'));
  const per = Math.ceil(datasets / processes);
  const parts = await Promise.all(
    Array.from({ length: processes }, (_, p) => {
      const from = p * per;
      const count = Math.min(per, datasets - from);
      const out = path.join(dir, `part${p}.json`);
      return new Promise<CoverageStudy>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', __filename, '--worker', '--from', String(from), '--datasets', String(count), '--seed', String(seed), '--out', out], { stdio: ['ignore', 'inherit', 'inherit'] });
        child.on('close', (code) => (code === 0 ? resolve(JSON.parse(fs.readFileSync(out, 'utf8'))) : reject(new Error(`worker ${p} exited ${code}`))));
      });
    }),
  );
  const rows = parts.flatMap((p) => p.rows);
  const { truth, parameterNames } = parts[0];
  const methods: StudyMethod[] = ['NFXP', 'CCP', 'NPL'];
  const summary = summarizeStudy(rows, truth, methods);
  const seconds = (Date.now() - started) / 1000;
  const lines = [
    `membership coverage study: ${datasets} datasets × ${parts[0].customers} customers × ${parts[0].months} months, seeds ${seed}–${seed + datasets - 1}, ${processes} processes, ${seconds.toFixed(0)} s`,
    '',
    `| parameter | truth | ${methods.map((m) => `${m} coverage (naive)`).join(' | ')} |`,
    `|---|---:|${methods.map(() => '---:').join('|')}|`,
    ...parameterNames.map((n, k) => `| ${n} | ${truth[k]} | ${methods.map((m) => `${summary[m]!.coverage[k].toFixed(2)} (${summary[m]!.naiveCoverage[k].toFixed(2)})`).join(' | ')} |`),
    '',
    ...methods.map((m) => `${m}: converged ${rows.filter((r) => r.method === m && r.converged).length}/${rows.filter((r) => r.method === m).length}, estimator time ${summary[m]!.seconds.toFixed(0)} s`),
  ];
  const results = path.join(__dirname, 'results');
  fs.mkdirSync(results, { recursive: true });
  fs.writeFileSync(path.join(results, 'membership-coverage.json'), JSON.stringify({ machine: { cpus: os.cpus().length, node: process.version }, date: new Date().toISOString(), datasets, seed, seconds, summary, rows }, null, 1));
  fs.writeFileSync(path.join(results, 'membership-coverage.md'), lines.join('\n') + '\n');
  console.log(lines.join('\n'));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
