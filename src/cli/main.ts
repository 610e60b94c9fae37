import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { ChoicelabError } from '../core/errors';
import {
  aptInstallCommand,
  BROWSER_DEBIAN_PACKAGES,
  ensureKernel,
  findJupyterPython,
  JUPYTER_DEBIAN_PACKAGES,
  jupyterEnv,
  jupyterPrefix,
  packageRoot,
  registerKernel,
} from './jupyter';
import { isCI, listNotebooks, NotebookFailure, parseParams, runNotebooks } from './notebooks';
import { build, ensureBuilt } from './build';

const HELP = `choicelab — a notebook and simulation lab for customer-choice science

Usage:
  choicelab setup [--browser]        build, install Jupyter if missing, register the tslab kernel
                                     (--browser also installs Chromium for the report tests)
  choicelab jupyter [jupyter args]   open the classic Jupyter notebook with the TypeScript kernel
  choicelab notebooks list [--dir D]
  choicelab notebooks run [name ...] [--param key=value ...] [--out reports/] [--small|--full]
                                     [--dir notebooks/] [--cell-timeout seconds]
  choicelab --version | --help

Notebook runs inject --param values after the cell tagged \`parameters\`; values are JSON
(--param n=500, --param tags='["a","b"]') or plain strings (--param scenario=annual).
--small uses each notebook's small parameters (the default when CI is set).`;

const log = (line: string) => process.stderr.write(`${line}\n`);

interface Parsed {
  positional: string[];
  flags: Map<string, string[]>;
}

function parseArgs(argv: string[], valued: string[], boolean: string[]): Parsed {
  const positional: string[] = [];
  const flags = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    if (boolean.includes(name)) {
      flags.set(name, ['true']);
    } else if (valued.includes(name)) {
      const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new ChoicelabError(`flag --${name} needs a value, e.g. --${name} ${exampleFor(name)}`);
      flags.set(name, [...(flags.get(name) ?? []), value]);
    } else {
      throw new ChoicelabError(`unknown flag --${name}; known flags: ${[...valued, ...boolean].map((f) => `--${f}`).join(', ')}`);
    }
  }
  return { positional, flags };
}

function exampleFor(flag: string): string {
  return { param: 'nCustomers=500', out: 'reports/', dir: 'notebooks/', 'cell-timeout': '600' }[flag] ?? 'VALUE';
}

function notebooksDir(flags: Map<string, string[]>): string {
  const given = flags.get('dir')?.[0];
  if (given) return given;
  return fs.existsSync('notebooks') ? 'notebooks' : path.join(packageRoot(), 'notebooks');
}

function sudoPrefix(): string | null {
  if (process.getuid?.() === 0) return '';
  return spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0 ? 'sudo ' : null;
}

function aptInstall(packages: readonly string[], what: string): void {
  const sudo = sudoPrefix();
  if (sudo === null) {
    throw new ChoicelabError(`${what} is missing and installing it needs root. Run:\n  ${aptInstallCommand(packages)}\nthen run setup again.`);
  }
  log(`installing ${what} (${packages.join(' ')}) with apt-get…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', '--no-install-recommends', ...packages]]) {
    const cmd = sudo ? 'sudo' : 'apt-get';
    const full = sudo ? ['apt-get', ...args] : args;
    const r = spawnSync(cmd, full, { stdio: 'inherit', env });
    if (r.status !== 0) throw new ChoicelabError(`apt-get ${args[0]} failed (exit ${r.status}); try:\n  ${aptInstallCommand(packages)}`);
  }
}

/** Path of the Chromium used for report checks ($CHOICELAB_CHROMIUM or /usr/bin/chromium). */
export function chromiumPath(): string {
  return process.env.CHOICELAB_CHROMIUM || '/usr/bin/chromium';
}

function setup(flags: Map<string, string[]>): void {
  const root = packageRoot();
  if (fs.existsSync(path.join(root, 'tsconfig.build.json'))) build(root, log);
  if (!findJupyterPython()) aptInstall(JUPYTER_DEBIAN_PACKAGES, 'Jupyter');
  const python = findJupyterPython();
  if (!python) throw new ChoicelabError(`Jupyter is still not importable after installing it; check ${aptInstallCommand(JUPYTER_DEBIAN_PACKAGES)}`);
  registerKernel(python);
  log(`Jupyter: ${python}; tslab kernel registered in ${jupyterPrefix()}`);
  if (flags.has('browser')) {
    if (!fs.existsSync(chromiumPath())) aptInstall(BROWSER_DEBIAN_PACKAGES, 'Chromium');
    log(`Chromium: ${chromiumPath()}`);
  }
  log('setup done.');
}

async function notebooks(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === 'list') {
    const { flags } = parseArgs(rest, ['dir'], []);
    for (const nb of listNotebooks(notebooksDir(flags))) console.log(`${nb.name}${nb.title ? `  ${nb.title}` : ''}`);
    return;
  }
  if (sub !== 'run') throw new ChoicelabError(`unknown command "notebooks ${sub ?? ''}": expected "notebooks list" or "notebooks run"\n\n${HELP}`);
  const { positional, flags } = parseArgs(rest, ['param', 'out', 'dir', 'cell-timeout'], ['small', 'full']);
  if (flags.has('small') && flags.has('full')) throw new ChoicelabError('--small and --full exclude each other');
  const params = parseParams(flags.get('param') ?? []);
  const timeoutText = flags.get('cell-timeout')?.[0];
  const cellTimeout = timeoutText === undefined ? undefined : Number(timeoutText);
  if (cellTimeout !== undefined && !(Number.isInteger(cellTimeout) && cellTimeout > 0)) {
    throw new ChoicelabError(`invalid --cell-timeout ${JSON.stringify(timeoutText)}: expected a positive whole number of seconds`);
  }
  ensureBuilt(log);
  const small = flags.has('small') ? true : flags.has('full') ? false : isCI();
  const runs = await runNotebooks(positional, {
    dir: notebooksDir(flags),
    out: flags.get('out')?.[0] ?? 'reports',
    params,
    small,
    cellTimeout,
    log,
  });
  log(`${runs.length} notebook${runs.length === 1 ? '' : 's'} ran; reports in ${path.dirname(runs[0].html)}/`);
}

function jupyter(argv: string[]): Promise<void> {
  ensureBuilt(log);
  const python = ensureKernel();
  const dir = fs.existsSync('notebooks') ? 'notebooks' : path.join(packageRoot(), 'notebooks');
  const args = ['-m', 'notebook', `--notebook-dir=${dir}`, ...(process.getuid?.() === 0 ? ['--allow-root'] : []), ...argv];
  log(`starting Jupyter in ${dir}: choose the "TypeScript" kernel for a new notebook, then \`import * as cl from 'choicelab';\``);
  const child = spawn(python, args, { stdio: 'inherit', env: jupyterEnv() });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => (code === 0 || code === null ? resolve() : reject(new ChoicelabError(`Jupyter exited with code ${code}`))));
  });
}

/** Runs the CLI; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        console.log(HELP);
        return 0;
      case '--version':
        console.log((JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version);
        return 0;
      case 'setup':
        setup(parseArgs(rest, [], ['browser']).flags);
        return 0;
      case 'notebooks':
        await notebooks(rest);
        return 0;
      case 'jupyter':
        await jupyter(rest);
        return 0;
      default:
        throw new ChoicelabError(`unknown command "${command}"\n\n${HELP}`);
    }
  } catch (e) {
    if (e instanceof ChoicelabError) {
      log(`choicelab: ${e.message}`);
      return e instanceof NotebookFailure ? 1 : 2;
    }
    throw e;
  }
}
