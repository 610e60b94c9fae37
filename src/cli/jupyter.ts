import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ChoicelabError } from '../core/errors';

/** The Debian packages that provide classic Jupyter, nbclient and nbconvert. */
export const JUPYTER_DEBIAN_PACKAGES = [
  'jupyter-notebook',
  'jupyter-nbconvert',
  'jupyter-client',
  'python3-nbclient',
  'python3-ipykernel',
];

/** The Debian package that provides headless Chromium for the report tests. */
export const BROWSER_DEBIAN_PACKAGES = ['chromium'];

/** The exact command that installs Debian packages, with sudo unless running as root. */
export function aptInstallCommand(packages: readonly string[]): string {
  const sudo = process.getuid?.() === 0 ? '' : 'sudo ';
  return `${sudo}apt-get update && ${sudo}apt-get install -y --no-install-recommends ${packages.join(' ')}`;
}

/** The root of the choicelab package (holds package.json, scripts/, notebooks/). */
export function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'choicelab') {
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new ChoicelabError(`cannot find choicelab's package.json above ${__dirname}`);
    dir = parent;
  }
}

/** Where the project's own Jupyter data (the tslab kernel spec) lives: no root needed. */
export function jupyterPrefix(): string {
  return path.join(packageRoot(), '.jupyter');
}

/** Environment for Jupyter processes: the project's kernel spec directory first on JUPYTER_PATH. */
export function jupyterEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const own = path.join(jupyterPrefix(), 'share', 'jupyter');
  const rest = base.JUPYTER_PATH ? `${path.delimiter}${base.JUPYTER_PATH}` : '';
  return { ...base, JUPYTER_PATH: `${own}${rest}` };
}

const REQUIRED_MODULES = ['nbclient', 'nbconvert', 'nbformat', 'ipykernel', 'jupyter_client', 'notebook'];

function hasJupyter(python: string): boolean {
  const probe = spawnSync(python, ['-c', `import ${REQUIRED_MODULES.join(', ')}`], { stdio: 'ignore' });
  return probe.status === 0;
}

/**
 * The Python that has Jupyter: $CHOICELAB_PYTHON if set (and only it), else Debian's
 * /usr/bin/python3, else `python3` on PATH; null if none imports nbclient, nbconvert, ipykernel, notebook.
 */
export function findJupyterPython(): string | null {
  // An explicit choice is honoured alone: falling back would hide a misconfiguration.
  const explicit = process.env.CHOICELAB_PYTHON;
  const candidates = explicit ? [explicit] : ['/usr/bin/python3', 'python3'];
  for (const c of candidates) if (hasJupyter(c)) return c;
  return null;
}

/** Like {@link findJupyterPython}, but throws with the exact install command when missing. */
export function requireJupyterPython(): string {
  const python = findJupyterPython();
  if (python) return python;
  const which = process.env.CHOICELAB_PYTHON
    ? `CHOICELAB_PYTHON=${process.env.CHOICELAB_PYTHON} could not import`
    : 'no Python could import';
  throw new ChoicelabError(
    `Jupyter was not found (${which} ${REQUIRED_MODULES.join(', ')}).\n` +
      `Install it with:\n  ${aptInstallCommand(JUPYTER_DEBIAN_PACKAGES)}\n` +
      `or run \`npm run setup\`, or point CHOICELAB_PYTHON at a Python that has them.`,
  );
}

function tslabBinary(): string {
  const pkgJson = require.resolve('tslab/package.json');
  return path.join(path.dirname(pkgJson), 'bin', 'tslab');
}

function kernelSpecFile(): string {
  return path.join(jupyterPrefix(), 'share', 'jupyter', 'kernels', 'tslab', 'kernel.json');
}

/** True when the project's tslab kernel spec exists and points at an existing tslab. */
export function kernelRegistered(): boolean {
  try {
    const spec = JSON.parse(fs.readFileSync(kernelSpecFile(), 'utf8')) as { argv?: string[] };
    return Array.isArray(spec.argv) && fs.existsSync(spec.argv[0]);
  } catch {
    return false;
  }
}

/** Registers the tslab kernel inside the project (`.jupyter/`), so no root is needed. */
export function registerKernel(python: string): void {
  const result = spawnSync(
    process.execPath,
    [tslabBinary(), 'install', `--python=${python}`, `--prefix=${jupyterPrefix()}`, `--binary=${tslabBinary()}`],
    { encoding: 'utf8' },
  );
  if (result.status !== 0 || !kernelRegistered()) {
    throw new ChoicelabError(`registering the tslab kernel failed:\n${result.stderr || result.stdout}`);
  }
}

/** A Python with Jupyter and a registered tslab kernel, registering it first if needed. */
export function ensureKernel(): string {
  const python = requireJupyterPython();
  if (!kernelRegistered()) registerKernel(python);
  return python;
}
