import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ChoicelabError } from '../core/errors';
import { packageRoot } from './jupyter';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** True when this is a source checkout whose dist/ is missing or older than src/. */
export function buildIsStale(root: string = packageRoot()): boolean {
  const src = path.join(root, 'src');
  if (!fs.existsSync(src) || !fs.existsSync(path.join(root, 'tsconfig.build.json'))) return false;
  const built = path.join(root, 'dist', 'index.js');
  return !fs.existsSync(built) || fs.statSync(built).mtimeMs < newestMtime(src);
}

/** Compiles src/ to dist/ (what notebooks import as `choicelab`). */
export function build(root: string = packageRoot(), log: (line: string) => void = () => {}): void {
  let tsc: string;
  try {
    tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
  } catch {
    throw new ChoicelabError('TypeScript is not installed: run `npm ci` in the choicelab folder first');
  }
  log('building choicelab (tsc -p tsconfig.build.json)…');
  const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new ChoicelabError(`building choicelab failed:\n${r.stdout}${r.stderr}`);
  // tsc leaves an unchanged file's mtime alone; touch the entry point so staleness is judged right.
  const now = new Date();
  fs.utimesSync(path.join(root, 'dist', 'index.js'), now, now);
}

/** Rebuilds dist/ when src/ changed since the last build. */
export function ensureBuilt(log: (line: string) => void): void {
  if (buildIsStale()) build(packageRoot(), log);
}
