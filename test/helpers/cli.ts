import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';

/** The repository root. */
export const ROOT = path.resolve(__dirname, '..', '..');

/** Runs `choicelab ARGS` as a user would; returns exit code and output. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, cwd = ROOT): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'choicelab.js'), ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 15 * 60_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A fresh temporary folder. */
export function tempDir(prefix = 'choicelab-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Writes a TypeScript notebook made of code cells; `tags[i]` tags cell i. */
export function writeNotebook(file: string, cells: string[], tags: Record<number, string[]> = {}): void {
  const nb = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } },
    cells: cells.map((source, i) => ({
      cell_type: 'code',
      id: `c${i}`,
      metadata: tags[i] ? { tags: tags[i] } : {},
      execution_count: null,
      outputs: [],
      source,
    })),
  };
  fs.writeFileSync(file, JSON.stringify(nb, null, 1));
}
