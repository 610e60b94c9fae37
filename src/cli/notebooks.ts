import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { ChoicelabError, InputError } from '../core/errors';
import { ensureKernel, jupyterEnv, packageRoot } from './jupyter';

/** A notebook found on disk. */
export interface NotebookInfo {
  /** The file name without `.ipynb`, e.g. `00-tour`. */
  name: string;
  path: string;
  /** The first markdown heading, if any. */
  title: string;
  /** Parameters for small (CI) runs, from the notebook metadata `choicelab.small_parameters`. */
  smallParameters: Record<string, unknown>;
}

/** Parameter values injected into a notebook: JSON values by identifier. */
export type NotebookParameters = Record<string, unknown>;

/** Options for {@link runNotebooks}. */
export interface RunNotebooksOptions {
  /** Folder holding the notebooks (default `notebooks/`). */
  dir?: string;
  /** Folder for executed notebooks and HTML reports (default `reports/`). */
  out?: string;
  /** Values injected after each notebook's `parameters` cell. */
  params?: NotebookParameters;
  /** Use each notebook's small parameters (default: true when the CI variable is set). */
  small?: boolean;
  /** Seconds a single cell may run (default 600). */
  cellTimeout?: number;
  /** Where progress lines go (default process.stderr). */
  log?: (line: string) => void;
}

/** One notebook's run. */
export interface NotebookRun {
  name: string;
  ok: boolean;
  seconds: number;
  ipynb: string;
  html: string;
  parameters: NotebookParameters;
}

/** The notebooks in `dir`, sorted by name. */
export function listNotebooks(dir: string = 'notebooks'): NotebookInfo[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new InputError(`invalid option \`dir\`: expected a folder of notebooks, got "${dir}" (not found)`);
  }
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ipynb'))
    .sort()
    .map((file) => {
      const full = path.join(dir, file);
      let nb: { cells?: { cell_type: string; source: string | string[] }[]; metadata?: Record<string, unknown> };
      try {
        nb = JSON.parse(fs.readFileSync(full, 'utf8'));
      } catch (e) {
        throw new InputError(`notebook ${full} is not valid JSON: ${(e as Error).message}`);
      }
      const firstMarkdown = (nb.cells ?? []).find((c) => c.cell_type === 'markdown');
      const text = firstMarkdown ? (Array.isArray(firstMarkdown.source) ? firstMarkdown.source.join('') : firstMarkdown.source) : '';
      const title = (text.match(/^#+\s*(.+)$/m)?.[1] ?? '').trim();
      const meta = (nb.metadata?.choicelab ?? {}) as { small_parameters?: Record<string, unknown> };
      return { name: file.slice(0, -'.ipynb'.length), path: full, title, smallParameters: meta.small_parameters ?? {} };
    });
}

/**
 * Picks notebooks by name: the exact name, the file name, or a unique part of a name
 * (`tour` finds `00-tour`). No names means all of them.
 */
export function selectNotebooks(all: NotebookInfo[], names: string[]): NotebookInfo[] {
  if (names.length === 0) return all;
  const available = () => (all.length ? all.map((n) => `  ${n.name}${n.title ? ` — ${n.title}` : ''}`).join('\n') : '  (none)');
  return names.map((raw) => {
    const want = path.basename(raw).replace(/\.ipynb$/, '');
    const exact = all.find((n) => n.name === want);
    if (exact) return exact;
    const partial = all.filter((n) => n.name.includes(want));
    if (partial.length === 1) return partial[0];
    if (partial.length > 1) {
      throw new InputError(`notebook name "${raw}" is ambiguous: it matches ${partial.map((n) => n.name).join(', ')}`);
    }
    throw new InputError(`unknown notebook "${raw}". The notebooks are:\n${available()}`);
  });
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * Parses `--param key=value` values: the value is read as JSON when it is valid JSON
 * (numbers, booleans, arrays, quoted strings), otherwise taken as a plain string.
 */
export function parseParams(specs: string[]): NotebookParameters {
  const out: NotebookParameters = {};
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    const key = eq > 0 ? spec.slice(0, eq) : '';
    if (eq <= 0 || !IDENTIFIER.test(key)) {
      throw new InputError(
        `invalid --param ${JSON.stringify(spec)}: expected key=value with key a TypeScript identifier, e.g. --param nCustomers=500`,
      );
    }
    const text = spec.slice(eq + 1);
    let value: unknown = text;
    try {
      value = JSON.parse(text);
    } catch {
      // a bare word such as `--param scenario=annual` is a string
    }
    out[key] = value;
  }
  return out;
}

function runOne(python: string, nb: NotebookInfo, out: string, params: NotebookParameters, cellTimeout: number): Promise<number> {
  const script = path.join(packageRoot(), 'scripts', 'run_notebook.py');
  const args = [script, '--notebook', nb.path, '--out', out, '--params', JSON.stringify(params), '--timeout', String(cellTimeout)];
  return new Promise((resolve, reject) => {
    const child = spawn(python, args, { stdio: ['ignore', 'inherit', 'inherit'], env: jupyterEnv() });
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
}

/**
 * Executes notebooks headless through Jupyter (tslab kernel) and writes each executed
 * .ipynb and its self-contained HTML report to `out`. Stops at the first failing notebook.
 */
export async function runNotebooks(names: string[], options: RunNotebooksOptions = {}): Promise<NotebookRun[]> {
  const dir = options.dir ?? 'notebooks';
  const out = options.out ?? 'reports';
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const small = options.small ?? isCI();
  const chosen = selectNotebooks(listNotebooks(dir), names);
  if (chosen.length === 0) throw new InputError(`no notebooks found in ${dir}`);
  const python = ensureKernel();
  fs.mkdirSync(out, { recursive: true });
  const runs: NotebookRun[] = [];
  for (const nb of chosen) {
    const parameters = { ...(small ? nb.smallParameters : {}), ...(options.params ?? {}) };
    const shown = Object.keys(parameters).length ? ` with ${JSON.stringify(parameters)}` : '';
    log(`▶ ${nb.name}${small ? ' (small mode)' : ''}${shown}`);
    const started = Date.now();
    const code = await runOne(python, nb, out, parameters, options.cellTimeout ?? 600);
    const seconds = (Date.now() - started) / 1000;
    const run: NotebookRun = {
      name: nb.name,
      ok: code === 0,
      seconds,
      ipynb: path.join(out, `${nb.name}.ipynb`),
      html: path.join(out, `${nb.name}.html`),
      parameters,
    };
    runs.push(run);
    if (!run.ok) {
      throw new NotebookFailure(
        `notebook ${nb.name} failed after ${seconds.toFixed(1)}s (see the message above)` +
          (code === 1 ? `; its report up to the failure: ${run.html}` : ''),
        runs,
      );
    }
    log(`✔ ${nb.name} in ${seconds.toFixed(1)}s → ${run.html}`);
  }
  return runs;
}

/** A notebook failed; `runs` holds what ran, the failed one last. */
export class NotebookFailure extends ChoicelabError {
  constructor(
    message: string,
    readonly runs: NotebookRun[],
  ) {
    super(message);
  }
}

/** True when the CI variable is set to something other than "", "0" or "false". */
export function isCI(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.CI;
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}
